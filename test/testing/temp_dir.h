// A fresh directory under the system temp dir, removed with its content on
// destruction. Shared by every test that needs scratch space.
#ifndef CAPIGITOPS_TEST_TESTING_TEMP_DIR_H_
#define CAPIGITOPS_TEST_TESTING_TEMP_DIR_H_

#include <string>

namespace capigitops::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to path()/relative (creating folders); returns the path.
  std::string Write(const std::string& relative,
                    const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace capigitops::testing

#endif  // CAPIGITOPS_TEST_TESTING_TEMP_DIR_H_
