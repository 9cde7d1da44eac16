// A libgit2 GitSource that calls `before_push` after each commit is built and
// before it is pushed (attempt counts from 0), so that a test can push a
// competing commit into exactly that window.
#ifndef CAPIGITOPS_TEST_GIT_RACING_SOURCE_H_
#define CAPIGITOPS_TEST_GIT_RACING_SOURCE_H_

#include <functional>
#include <memory>
#include <utility>

#include "capigitops/git.h"
#include "git/libgit2_source.h"
#include "git/url.h"

namespace capigitops::testing {

inline std::unique_ptr<GitSource> NewRacingSource(
    const GitSourceOptions& options, std::function<void(int)> before_push) {
  class Racing : public git::Libgit2Source {
   public:
    Racing(const GitSourceOptions& o, std::function<void(int)> f)
        : Libgit2Source(o, git::ParseRemoteUrl(o.url)), f_(std::move(f)) {}

   protected:
    void BeforePush(int attempt) override {
      if (f_) f_(attempt);
    }

   private:
    std::function<void(int)> f_;
  };
  return std::make_unique<Racing>(options, std::move(before_push));
}

}  // namespace capigitops::testing

#endif  // CAPIGITOPS_TEST_GIT_RACING_SOURCE_H_
