#include "capigitops/webhook.h"

#include <gtest/gtest.h>

namespace capigitops {
namespace {

const char kSecret[] = "It's a Secret to Everybody";
// GitHub's documented example: this body and secret give this signature.
const char kBody[] = "Hello, World!";
const char kGithubSignature[] =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

TEST(WebhookTest, HmacMatchesRfc4231AndGithubsExample) {
  EXPECT_EQ(HmacHex("sha256", "Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ("sha256=" + HmacHex("sha256", kSecret, kBody), kGithubSignature);
  EXPECT_EQ(HmacHex("md5", "k", "d"), "");
}

TEST(WebhookTest, GithubGoodSignatureIsAcceptedWithEventAndRef) {
  std::string body = R"({"ref":"refs/heads/main","after":"abc"})";
  WebhookRequest r;
  r.headers["x-hub-signature-256"] =
      "sha256=" + HmacHex("sha256", kSecret, body);
  r.headers["x-github-event"] = "push";
  r.body = body;
  WebhookVerdict v = VerifyWebhook(r, kSecret);
  EXPECT_TRUE(v.accepted) << v.reason;
  EXPECT_EQ(v.source, "github");
  EXPECT_EQ(v.event, "push");
  EXPECT_EQ(v.ref, "refs/heads/main");
}

TEST(WebhookTest, GithubBadSignaturesAreRefusedWithAReason) {
  WebhookRequest r;
  r.body = kBody;
  r.headers["x-hub-signature-256"] = kGithubSignature;
  EXPECT_TRUE(VerifyWebhook(r, kSecret).accepted);
  // A tampered body, another secret, a truncated or malformed signature.
  r.body = "Hello, World?";
  WebhookVerdict v = VerifyWebhook(r, kSecret);
  EXPECT_FALSE(v.accepted);
  EXPECT_NE(v.reason.find("does not match"), std::string::npos);
  r.body = kBody;
  EXPECT_FALSE(VerifyWebhook(r, "another secret").accepted);
  r.headers["x-hub-signature-256"] = std::string(kGithubSignature, 20);
  EXPECT_FALSE(VerifyWebhook(r, kSecret).accepted);
  r.headers["x-hub-signature-256"] = "sha1=abc";
  v = VerifyWebhook(r, kSecret);
  EXPECT_FALSE(v.accepted);
  EXPECT_NE(v.reason.find("sha256="), std::string::npos);
  // The secret never appears in a reason.
  EXPECT_EQ(v.reason.find(kSecret), std::string::npos);
}

TEST(WebhookTest, GitlabTokenMustMatchTheSecret) {
  WebhookRequest r;
  r.body = R"({"ref":"refs/heads/dev"})";
  r.headers["x-gitlab-token"] = kSecret;
  r.headers["x-gitlab-event"] = "Push Hook";
  WebhookVerdict v = VerifyWebhook(r, kSecret);
  EXPECT_TRUE(v.accepted) << v.reason;
  EXPECT_EQ(v.source, "gitlab");
  EXPECT_EQ(v.ref, "refs/heads/dev");
  r.headers["x-gitlab-token"] = "guess";
  v = VerifyWebhook(r, kSecret);
  EXPECT_FALSE(v.accepted);
  EXPECT_EQ(v.reason.find(kSecret), std::string::npos);
}

TEST(WebhookTest, GenericHmacAcceptsSha256AndSha512) {
  WebhookRequest r;
  r.body = "anything";
  r.headers["x-signature"] = "sha512=" + HmacHex("sha512", kSecret, r.body);
  EXPECT_TRUE(VerifyWebhook(r, kSecret).accepted);
  r.headers["x-signature"] = "sha256=" + HmacHex("sha256", kSecret, r.body);
  WebhookVerdict v = VerifyWebhook(r, kSecret);
  EXPECT_TRUE(v.accepted);
  EXPECT_EQ(v.source, "generic");
  EXPECT_EQ(v.ref, "");  // not JSON
  r.headers["x-signature"] = "sha1=" + HmacHex("sha256", kSecret, r.body);
  v = VerifyWebhook(r, kSecret);
  EXPECT_FALSE(v.accepted);
  EXPECT_NE(v.reason.find("unsupported"), std::string::npos);
}

TEST(WebhookTest, UnsignedOrUnconfiguredIsRefused) {
  WebhookRequest r;
  r.body = kBody;
  WebhookVerdict v = VerifyWebhook(r, kSecret);
  EXPECT_FALSE(v.accepted);
  EXPECT_EQ(v.source, "unknown");
  r.headers["x-hub-signature-256"] = kGithubSignature;
  v = VerifyWebhook(r, "");
  EXPECT_FALSE(v.accepted);
  EXPECT_NE(v.reason.find("WEBHOOK_SECRET"), std::string::npos);
}

// A sender with the secret still cannot crash us with a deep payload: the
// delivery is accepted (it is signed) without a ref.
TEST(WebhookTest, DeepSignedPayloadIsAcceptedWithoutARef) {
  for (const std::string& body :
       {std::string(100000, '['), "{\"ref\":" + std::string(100000, '{')}) {
    WebhookRequest r;
    r.headers["x-hub-signature-256"] =
        "sha256=" + HmacHex("sha256", kSecret, body);
    r.body = body;
    WebhookVerdict v = VerifyWebhook(r, kSecret);
    EXPECT_TRUE(v.accepted) << v.reason;
    EXPECT_EQ(v.ref, "");
  }
}

}  // namespace
}  // namespace capigitops
