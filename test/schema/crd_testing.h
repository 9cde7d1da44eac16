// Test helpers: the upstream CAPI CRDs (read once per test binary) and YAML
// test data as JSON.
#ifndef CAPIGITOPS_TEST_SCHEMA_CRD_TESTING_H_
#define CAPIGITOPS_TEST_SCHEMA_CRD_TESTING_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "capigitops/schema.h"
#include "capigitops/yaml.h"
#include "schema/crd_locator.h"

namespace capigitops::schema::testing {

// The upstream CRD directory (schema/crd_locator.h), "" when absent.
inline std::string CrdDir() { return ::capigitops::testing::FindCrdDir(); }

inline bool HaveCrds() { return !CrdDir().empty(); }

// Every upstream CRD, loaded on first use. REQUIRES: HaveCrds().
inline const CrdRegistry& UpstreamCrds() {
  static const CrdRegistry* registry = [] {
    auto* r = new CrdRegistry;
    Status s = r->AddDirectory(CrdDir());
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }();
  return *registry;
}

// Parses YAML test data (one or more documents) into JSON objects.
inline std::vector<nlohmann::json> Docs(const std::string& text) {
  Diagnostics diags;
  std::vector<nlohmann::json> out;
  for (const yaml::Node& doc :
       yaml::ParseDocuments(text, "test.yaml", &diags)) {
    out.push_back(yaml::ToJson(doc));
  }
  EXPECT_TRUE(diags.empty()) << diags[0].ToString();
  return out;
}

inline nlohmann::json Doc(const std::string& text) {
  std::vector<nlohmann::json> docs = Docs(text);
  EXPECT_EQ(docs.size(), 1u);
  return docs.empty() ? nlohmann::json() : docs[0];
}

// "field: message" lines, for readable failure output.
inline std::string Describe(const std::vector<SchemaError>& errors) {
  std::string out;
  for (const SchemaError& e : errors) out += e.type + " " + e.ToString() + "\n";
  return out;
}

}  // namespace capigitops::schema::testing

// Skips the current test, saying where it looked and how to get them, when
// the upstream CRDs are not found.
#define SKIP_WITHOUT_CRDS()                                        \
  do {                                                             \
    if (!::capigitops::schema::testing::HaveCrds()) {              \
      GTEST_SKIP() << ::capigitops::testing::MissingCrdsMessage(); \
    }                                                              \
  } while (0)

#endif  // CAPIGITOPS_TEST_SCHEMA_CRD_TESTING_H_
