#include "util/digest.h"

#include <gtest/gtest.h>

namespace capigitops {
namespace {

// Test vectors from FIPS 180-2.
TEST(Sha256HexTest, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256HexTest, BinaryInputAndLowercase) {
  std::string hex = Sha256Hex(std::string("\0\xff", 2));
  ASSERT_EQ(hex.size(), 64u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(hex, Sha256Hex(std::string("\0", 1)));
}

}  // namespace
}  // namespace capigitops
