#include "capigitops/status.h"

#include <gtest/gtest.h>

namespace capigitops {
namespace {

StatusOr<int> ParsePositive(int v) {
  if (v <= 0) return Status::InvalidArgument("expected a positive number");
  return v;
}

Status Doubled(int v, int* out) {
  ASSIGN_OR_RETURN(int x, ParsePositive(v));
  *out = 2 * x;
  return Status::Ok();
}

TEST(StatusTest, ContextIsPrependedAndCodeKept) {
  Status s = Status::NotFound("no such file").WithContext("loading a.yaml");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "loading a.yaml: no such file");
  EXPECT_EQ(s.ToString(), "NotFound: loading a.yaml: no such file");
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

TEST(StatusTest, AssignOrReturnPropagatesErrors) {
  int out = 0;
  EXPECT_TRUE(Doubled(21, &out).ok());
  EXPECT_EQ(out, 42);
  Status s = Doubled(-1, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Status::Unavailable("x").transient());
  EXPECT_FALSE(Status::InvalidArgument("x").transient());
}

}  // namespace
}  // namespace capigitops
