#include "protobuf.h"

#include <gtest/gtest.h>

#include <string>

namespace capigitops::sandbox {
namespace {

// Length-delimited field `number` holding `payload`.
std::string Bytes(int number, const std::string& payload) {
  std::string out(1, static_cast<char>((number << 3) | 2));
  out += static_cast<char>(payload.size());  // payloads here are < 128 bytes
  return out + payload;
}

std::string Envelope(const std::string& kind, const std::string& raw) {
  std::string type_meta = Bytes(1, "v1") + Bytes(2, kind);
  return std::string("k8s\0", 4) + Bytes(1, type_meta) + Bytes(2, raw) +
         Bytes(4, "application/vnd.kubernetes.protobuf");
}

TEST(SandboxProtobuf, DecodesConfigMap) {
  std::string meta = Bytes(1, "demo") + Bytes(3, "default") +
                     Bytes(11, Bytes(1, "app") + Bytes(2, "web"));
  std::string raw = Bytes(1, meta) + Bytes(2, Bytes(1, "a") + Bytes(2, "1"));
  StatusOr<nlohmann::json> obj = DecodeKubeProtobuf(Envelope("ConfigMap", raw));
  ASSERT_TRUE(obj.ok()) << obj.status().message();
  EXPECT_EQ((*obj)["kind"], "ConfigMap");
  EXPECT_EQ((*obj)["metadata"]["name"], "demo");
  EXPECT_EQ((*obj)["metadata"]["namespace"], "default");
  EXPECT_EQ((*obj)["metadata"]["labels"]["app"], "web");
  EXPECT_EQ((*obj)["data"]["a"], "1");
}

TEST(SandboxProtobuf, SecretDataIsBase64) {
  std::string raw = Bytes(1, Bytes(1, "s")) +
                    Bytes(2, Bytes(1, "k") + Bytes(2, "hi")) +
                    Bytes(3, "Opaque");
  StatusOr<nlohmann::json> obj = DecodeKubeProtobuf(Envelope("Secret", raw));
  ASSERT_TRUE(obj.ok()) << obj.status().message();
  EXPECT_EQ((*obj)["data"]["k"], "aGk=");
  EXPECT_EQ((*obj)["type"], "Opaque");
}

TEST(SandboxProtobuf, RejectsOtherKindsAndGarbage) {
  EXPECT_FALSE(DecodeKubeProtobuf(Envelope("Pod", "")).ok());
  EXPECT_FALSE(DecodeKubeProtobuf("{}").ok());
  std::string truncated = Envelope("ConfigMap", Bytes(1, Bytes(1, "demo")));
  truncated.resize(truncated.size() - 3);
  EXPECT_FALSE(DecodeKubeProtobuf(truncated).ok());
}

}  // namespace
}  // namespace capigitops::sandbox
