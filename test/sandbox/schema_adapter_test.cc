#include "schema_adapter.h"

#include <gtest/gtest.h>

#include <map>

namespace capigitops::sandbox {
namespace {

const json kSchema = json::parse(R"({
  "type": "object",
  "properties": {
    "spec": {
      "type": "object",
      "required": ["clusterName"],
      "properties": {
        "clusterName": {"type": "string"},
        "replicas": {"type": "integer", "minimum": 0, "default": 1},
        "mode": {"type": "string", "enum": ["a", "b"]},
        "port": {"x-kubernetes-int-or-string": true},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        "items": {"type": "array", "items": {
          "type": "object", "properties": {"name": {"type": "string"}}}}
      }
    }
  }
})");

TEST(SandboxSchema, FindsUnknownFieldsWhereTheSchemaIsClosed) {
  json obj = {{"apiVersion", "x/v1"},
              {"kind", "K"},
              {"metadata", {{"name", "n"}, {"whatever", 1}}},
              {"spec",
               {{"clusterName", "c"},
                {"foo", 1},
                {"labels", {{"any", "thing"}}},
                {"free", {{"deep", {{"x", 1}}}}},
                {"items", {{{"name", "a"}, {"bar", 2}}}}}}};
  EXPECT_EQ(FindUnknownFields(obj, kSchema),
            (std::vector<std::string>{"metadata.whatever", "spec.foo",
                                      "spec.items[0].bar"}));
  PruneUnknownFields(&obj, kSchema);
  EXPECT_FALSE(obj["spec"].contains("foo"));
  EXPECT_FALSE(obj["spec"]["items"][0].contains("bar"));
  EXPECT_FALSE(obj["metadata"].contains("whatever"));
  EXPECT_TRUE(obj["spec"]["free"]["deep"].contains("x"));
  EXPECT_TRUE(FindUnknownFields(obj, json()).empty()) << "no schema: no check";
}

// field -> reason of every cause.
std::map<std::string, std::string> ByField(const std::vector<StatusCause>& cs) {
  std::map<std::string, std::string> out;
  for (const StatusCause& c : cs) out[c.field] = c.reason;
  return out;
}

TEST(SandboxSchema, ValidatesTypesRequiredEnumsAndBounds) {
  json obj = {{"metadata", {{"name", "n"}}},
              {"spec", {{"replicas", "three"}, {"mode", "c"}, {"port", 80}}}};
  std::map<std::string, std::string> causes =
      ByField(ValidateAgainstSchema(obj, kSchema));
  EXPECT_EQ(causes["spec.clusterName"], "FieldValueRequired");
  EXPECT_EQ(causes["spec.mode"], "FieldValueNotSupported");
  EXPECT_EQ(causes["spec.replicas"], "FieldValueTypeInvalid");
  EXPECT_FALSE(causes.count("spec.port")) << "int-or-string takes an integer";

  json negative = {
      {"metadata", {{"name", "n"}}},
      {"spec", {{"clusterName", "c"}, {"replicas", -1}, {"port", "http"}}}};
  std::vector<StatusCause> bounds = ValidateAgainstSchema(negative, kSchema);
  ASSERT_EQ(bounds.size(), 1u);
  EXPECT_EQ(bounds[0].field, "spec.replicas");
  EXPECT_TRUE(ValidateAgainstSchema(negative, json()).empty());
}

TEST(SandboxSchema, AppliesDefaultsToAbsentFields) {
  json obj = {{"spec", {{"clusterName", "c"}}}};
  ApplySchemaDefaults(&obj, kSchema);
  EXPECT_EQ(obj["spec"]["replicas"], 1);
  json set = {{"spec", {{"clusterName", "c"}, {"replicas", 5}}}};
  ApplySchemaDefaults(&set, kSchema);
  EXPECT_EQ(set["spec"]["replicas"], 5);
}

}  // namespace
}  // namespace capigitops::sandbox
