#include "util/base64.h"

#include <gtest/gtest.h>

namespace capigitops {
namespace {

// RFC 4648 section 10 vectors.
TEST(Base64Test, EncodeVectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\0", 3)), "//4A");
}

TEST(Base64Test, DecodeRoundTripsAndToleratesWhitespace) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes);
  EXPECT_EQ(Base64Decode("Zm9v\nYmFy"), "foobar");
  EXPECT_EQ(Base64Decode("Zg"), "f");  // padding optional
}

TEST(Base64Test, DecodeRejectsMalformedText) {
  EXPECT_FALSE(Base64Decode("Zm9v!").has_value());
  EXPECT_FALSE(Base64Decode("Zg==Zg").has_value());  // data after padding
  EXPECT_FALSE(Base64Decode("Z").has_value());       // 6 bits: no byte
}

}  // namespace
}  // namespace capigitops
