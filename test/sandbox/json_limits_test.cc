// capi-sandbox's handlers refuse request bodies nested deeper than their
// merge, apply and validation code can walk, with a 400 that says so, and
// keep serving afterwards.
#include <gtest/gtest.h>

#include <string>

#include "api.h"
#include "kinds.h"
#include "store.h"
#include "util/base64.h"

namespace capigitops::sandbox {
namespace {

class SandboxJsonLimitsTest : public ::testing::Test {
 protected:
  Reply Send(const std::string& method, const std::string& path,
             const std::string& content_type, const std::string& body) {
    ApiRequest req;
    req.method = method;
    req.path = path.substr(0, path.find('?'));
    if (path.find("?fieldManager=") != std::string::npos) {
      req.query.emplace("fieldManager", path.substr(path.find('=') + 1));
    }
    req.content_type = content_type;
    req.body = body;
    return ServeResource(ApiContext{&kinds_, &store_}, req);
  }
  static std::string Message(const Reply& r) {
    return r.body.is_object() ? r.body.value("message", "") : "";
  }

  KindRegistry kinds_;
  Store store_;
};

constexpr char kConfigMaps[] = "/api/v1/namespaces/default/configmaps";

TEST_F(SandboxJsonLimitsTest, DeepBodiesAreRefusedOnEveryWritePath) {
  ASSERT_EQ(Send("POST", "/api/v1/namespaces", "application/json",
                 R"({"apiVersion":"v1","kind":"Namespace",)"
                 R"("metadata":{"name":"default"}})")
                .code,
            201);
  Reply made = Send("POST", kConfigMaps, "application/json",
                    R"({"apiVersion":"v1","kind":"ConfigMap",)"
                    R"("metadata":{"name":"a"},"data":{"k":"v"}})");
  ASSERT_EQ(made.code, 201) << made.body.dump();
  std::string item = std::string(kConfigMaps) + "/a";
  const std::string deep = R"({"data":)" + std::string(100000, '{');
  struct Case {
    const char* method;
    std::string path;
    const char* content_type;
  };
  for (const Case& c :
       {Case{"POST", kConfigMaps, "application/json"},
        Case{"PUT", item, "application/json"},
        Case{"PATCH", item, "application/merge-patch+json"},
        Case{"PATCH", item, "application/strategic-merge-patch+json"},
        Case{"PATCH", item, "application/json-patch+json"},
        Case{"PATCH", item + "?fieldManager=t", "application/apply-patch+yaml"},
        Case{"DELETE", item, "application/json"}}) {
    Reply r = Send(c.method, c.path, c.content_type, deep);
    EXPECT_EQ(r.code, 400) << c.method << " " << c.content_type;
    EXPECT_NE(Message(r).find("nesting deeper than"), std::string::npos)
        << c.method << " " << c.content_type << ": " << r.body.dump();
  }
  // 200 levels pass, 201 do not.
  std::string ok = R"({"metadata":{"labels":{"x":"y"}},"z":)" +
                   std::string(197, '[') + std::string(197, ']') + "}";
  EXPECT_EQ(Send("PATCH", item, "application/merge-patch+json", ok).code, 200);
  std::string over =
      R"({"z":)" + std::string(200, '[') + std::string(200, ']') + "}";
  EXPECT_EQ(Send("PATCH", item, "application/merge-patch+json", over).code,
            400);
  EXPECT_EQ(Send("GET", item, "", "").code, 200);
}

TEST_F(SandboxJsonLimitsTest, DeepContinueTokenIsRefused) {
  ApiRequest req;
  req.method = "GET";
  req.path = kConfigMaps;
  req.query.emplace("limit", "1");
  req.query.emplace("continue", Base64Encode(std::string(100000, '[')));
  Reply r = ServeResource(ApiContext{&kinds_, &store_}, req);
  EXPECT_GE(r.code, 400);
  EXPECT_LT(r.code, 500);
}

}  // namespace
}  // namespace capigitops::sandbox
