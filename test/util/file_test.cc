#include "util/file.h"

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace capigitops {
namespace {

TEST(ReadFileTest, ReadsBinaryContentWhole) {
  testing::TempDir dir;
  std::string content("a\0b\r\nc", 6);
  content += std::string(200000, 'x');  // more than one read buffer
  std::string path = dir.Write("f.bin", content);
  StatusOr<std::string> got = ReadFile(path);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, content);
}

TEST(ReadFileTest, EmptyFile) {
  testing::TempDir dir;
  StatusOr<std::string> got = ReadFile(dir.Write("empty", ""));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "");
}

TEST(ReadFileTest, MissingFileIsNotFoundNamingThePath) {
  testing::TempDir dir;
  StatusOr<std::string> got = ReadFile(dir.Sub("absent"));
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().IsNotFound());
  EXPECT_NE(got.status().message().find(dir.Sub("absent")), std::string::npos);
}

TEST(ReadFileTest, DirectoryIsNotReadable) {
  testing::TempDir dir;
  StatusOr<std::string> got = ReadFile(dir.path());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable);
}

TEST(ReadFileTest, CapIsInclusive) {
  testing::TempDir dir;
  std::string path = dir.Write("f", "12345");
  ASSERT_TRUE(ReadFile(path, 5).ok());
  StatusOr<std::string> over = ReadFile(path, 4);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(over.status().message().find("larger than 4 bytes"),
            std::string::npos);
}

TEST(ReadFileTest, TruncateKeepsOneByteMoreThanTheCap) {
  testing::TempDir dir;
  std::string path = dir.Write("f", "123456789");
  StatusOr<std::string> got = ReadFile(path, 4, OverLimit::kTruncate);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "12345");  // the caller can tell the file was longer
  got = ReadFile(path, 100, OverLimit::kTruncate);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "123456789");
}

}  // namespace
}  // namespace capigitops
