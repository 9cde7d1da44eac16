// Validate() against small hand-written schemas: one keyword per test.
#include <gtest/gtest.h>

#include "capigitops/schema.h"
#include "schema/crd_testing.h"

namespace capigitops::schema {
namespace {

using json = nlohmann::json;
using testing::Describe;
using testing::Doc;

// A custom resource schema whose spec is `spec_schema` (YAML).
json ResourceSchema(const std::string& spec_schema) {
  json spec = Doc(spec_schema);
  return json{{"type", "object"},
              {"properties",
               {{"apiVersion", {{"type", "string"}}},
                {"kind", {{"type", "string"}}},
                {"metadata", {{"type", "object"}}},
                {"spec", spec}}}};
}

json Object(const json& spec) {
  return json{{"apiVersion", "example.com/v1"},
              {"kind", "Widget"},
              {"metadata", {{"name", "w1"}, {"namespace", "default"}}},
              {"spec", spec}};
}

std::vector<SchemaError> Check(const std::string& spec_schema,
                               const std::string& spec_yaml,
                               const ValidateOptions& options = {}) {
  return Validate(Object(Doc(spec_yaml)), ResourceSchema(spec_schema), options);
}

// The single error a case must produce.
SchemaError Only(const std::vector<SchemaError>& errors) {
  EXPECT_EQ(errors.size(), 1u) << Describe(errors);
  return errors.empty() ? SchemaError{} : errors[0];
}

const char kSizeSchema[] =
    "type: object\nproperties:\n  size: {type: integer}\n";

TEST(ValidateTest, WrongTypeIsWordedLikeKubeApiserver) {
  SchemaError e = Only(Check(kSizeSchema, "size: string"));
  EXPECT_EQ(e.field, "spec.size");
  EXPECT_EQ(e.type, "FieldValueTypeInvalid");
  EXPECT_EQ(e.ToString(),
            "spec.size: Invalid value: \"string\": spec.size in body must be "
            "of type integer: \"string\"");
}

TEST(ValidateTest, IntegerAcceptsIntegralFloatsOnly) {
  EXPECT_TRUE(Check(kSizeSchema, "size: 3.0").empty());
  SchemaError e = Only(Check(kSizeSchema, "size: 3.5"));
  EXPECT_NE(e.message.find("must be of type integer: \"number\""),
            std::string::npos)
      << e.message;
}

TEST(ValidateTest, NullIsAbsentUnlessNullable) {
  const char schema[] =
      "type: object\nrequired: [r]\nproperties:\n  a: {type: string}\n"
      "  b: {type: string, nullable: true}\n  r: {type: string}\n"
      "  l: {type: array, items: {type: string}}\n";
  // The server prunes a non-nullable null before validating it.
  EXPECT_TRUE(Check(schema, "r: x\na: null\nb: null").empty());
  EXPECT_EQ(Only(Check(schema, "r: null")).ToString(),
            "spec.r: Required value");
  SchemaError e = Only(Check(schema, "r: x\nl: [a, null]"));
  EXPECT_EQ(e.field, "spec.l[1]");
  EXPECT_EQ(e.type, "FieldValueTypeInvalid");
}

TEST(ValidateTest, IntOrStringAcceptsBothButNotBool) {
  const char schema[] =
      "type: object\nproperties:\n"
      "  surge: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, "
      "{type: string}], pattern: '^[0-9]+%?$'}\n";
  EXPECT_TRUE(Check(schema, "surge: 1").empty());
  EXPECT_TRUE(Check(schema, "surge: '25%'").empty());
  EXPECT_EQ(Only(Check(schema, "surge: true")).type, "FieldValueTypeInvalid");
  // The pattern applies to the string form only.
  EXPECT_EQ(Only(Check(schema, "surge: 'lots'")).type, "FieldValueInvalid");
}

TEST(ValidateTest, RequiredFieldNamesThePath) {
  const char schema[] =
      "type: object\nrequired: [version]\nproperties:\n"
      "  version: {type: string}\n";
  SchemaError e = Only(Check(schema, "{}"));
  EXPECT_EQ(e.ToString(), "spec.version: Required value");
  EXPECT_EQ(e.type, "FieldValueRequired");
}

TEST(ValidateTest, EnumListsSupportedValues) {
  const char schema[] =
      "type: object\nproperties:\n"
      "  mode: {type: string, enum: [Standard, Spot]}\n"
      "  n: {type: integer, enum: [1, 2]}\n";
  SchemaError e = Only(Check(schema, "mode: Cheap"));
  EXPECT_EQ(e.type, "FieldValueNotSupported");
  EXPECT_EQ(e.ToString(),
            "spec.mode: Unsupported value: \"Cheap\": supported values: "
            "\"Standard\", \"Spot\"");
  EXPECT_EQ(Only(Check(schema, "n: 3")).message,
            "Unsupported value: 3: supported values: 1, 2");
}

TEST(ValidateTest, Int32AndInt64Ranges) {
  const char schema[] =
      "type: object\nproperties:\n"
      "  small: {type: integer, format: int32}\n"
      "  big: {type: integer, format: int64}\n";
  EXPECT_TRUE(
      Check(schema, "small: 2147483647\nbig: 9223372036854775807").empty());
  SchemaError e = Only(Check(schema, "small: 2147483648"));
  EXPECT_EQ(e.field, "spec.small");
  EXPECT_EQ(e.type, "FieldValueTypeInvalid");
  EXPECT_NE(e.message.find("must be of type int32"), std::string::npos);
  EXPECT_EQ(Only(Check(schema, "small: -2147483649")).field, "spec.small");
  json big = Object(json{{"big", 18446744073709551615ull}});
  EXPECT_EQ(Only(Validate(big, ResourceSchema(schema))).field, "spec.big");
}

TEST(ValidateTest, StringFormats) {
  const char schema[] =
      "type: object\nproperties:\n"
      "  t: {type: string, format: date-time}\n"
      "  b: {type: string, format: byte}\n"
      "  u: {type: string, format: uuid}\n"
      "  ip: {type: string, format: ipv4}\n"
      "  other: {type: string, format: uri}\n";
  EXPECT_TRUE(Check(schema,
                    "t: '2026-11-27T07:00:00Z'\nb: aGVsbG8=\n"
                    "u: 123e4567-e89b-12d3-a456-426614174000\n"
                    "ip: 10.0.0.1\nother: 'not checked'")
                  .empty());
  EXPECT_TRUE(Check(schema, "t: '2026-11-27T07:00:00.123+01:00'").empty());
  SchemaError e = Only(Check(schema, "t: yesterday"));
  EXPECT_EQ(e.ToString(),
            "spec.t: Invalid value: \"yesterday\": spec.t in body must be of "
            "type date-time: \"yesterday\"");
  EXPECT_TRUE(Check(schema, "b: \"aGVs\\nbG8=\"").empty());  // line break
  EXPECT_EQ(Only(Check(schema, "b: 'not base64!'")).field, "spec.b");
  EXPECT_EQ(Only(Check(schema, "b: 'aGVsbG8=aa=='")).field, "spec.b");
  EXPECT_EQ(
      Only(Check(schema, "u: 123e4567--e89b-12d3-a456-426614174000")).field,
      "spec.u");
  EXPECT_EQ(Only(Check(schema, "u: 123")).type, "FieldValueTypeInvalid");
  EXPECT_EQ(Only(Check(schema, "ip: 10.0.0.256")).field, "spec.ip");
}

TEST(ValidateTest, PatternMismatch) {
  const char schema[] =
      "type: object\nproperties:\n"
      "  kind: {type: string, pattern: "
      "'^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$'}\n";
  EXPECT_TRUE(Check(schema, "kind: GCPMachineTemplate").empty());
  SchemaError e = Only(Check(schema, "kind: GCP_Machine"));
  EXPECT_EQ(e.type, "FieldValueInvalid");
  EXPECT_EQ(e.ToString(),
            "spec.kind: Invalid value: \"GCP_Machine\": spec.kind in body "
            "should match '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$'");
}

TEST(ValidateTest, UncompilablePatternIsSkipped) {
  const char schema[] =
      "type: object\nproperties:\n  s: {type: string, pattern: '^\\pL+$'}\n";
  EXPECT_TRUE(Check(schema, "s: '123'").empty());
}

TEST(ValidateTest, LengthsCountCodePoints) {
  const char schema[] =
      "type: object\nproperties:\n"
      "  s: {type: string, minLength: 2, maxLength: 3}\n";
  EXPECT_TRUE(Check(schema, "s: 'äöü'").empty());  // 6 bytes, 3 code points
  SchemaError e = Only(Check(schema, "s: abcd"));
  EXPECT_EQ(e.type, "FieldValueTooLong");
  EXPECT_EQ(e.ToString(), "spec.s: Too long: may not be more than 3 bytes");
  e = Only(Check(schema, "s: a"));
  EXPECT_EQ(e.type, "FieldValueInvalid");
  EXPECT_EQ(e.message,
            "Invalid value: \"a\": spec.s in body should be at least 2 chars "
            "long");
}

TEST(ValidateTest, NumberBounds) {
  const char schema[] =
      "type: object\nproperties:\n"
      "  port: {type: integer, minimum: 1, maximum: 65535}\n"
      "  ratio: {type: number, minimum: 0, exclusiveMinimum: true, "
      "maximum: 1, exclusiveMaximum: true}\n";
  EXPECT_TRUE(Check(schema, "port: 65535\nratio: 0.5").empty());
  EXPECT_EQ(Only(Check(schema, "port: 0")).message,
            "Invalid value: 0: spec.port in body should be greater than or "
            "equal to 1");
  EXPECT_EQ(Only(Check(schema, "port: 70000")).message,
            "Invalid value: 70000: spec.port in body should be less than or "
            "equal to 65535");
  EXPECT_NE(Only(Check(schema, "ratio: 0")).message.find("greater than 0"),
            std::string::npos);
  EXPECT_NE(Only(Check(schema, "ratio: 1")).message.find("less than 1"),
            std::string::npos);
}

TEST(ValidateTest, ItemAndPropertyCounts) {
  const char schema[] =
      "type: object\nproperties:\n"
      "  l: {type: array, minItems: 1, maxItems: 2, items: {type: string}}\n"
      "  m: {type: object, minProperties: 1, maxProperties: 1, "
      "additionalProperties: {type: string}}\n";
  EXPECT_TRUE(Check(schema, "l: [a]\nm: {a: b}").empty());
  SchemaError e = Only(Check(schema, "l: [a, b, c]"));
  EXPECT_EQ(e.type, "FieldValueTooMany");
  EXPECT_EQ(e.message, "Too many: 3: must have at most 2 items");
  EXPECT_EQ(Only(Check(schema, "l: []")).type, "FieldValueInvalid");
  EXPECT_EQ(Only(Check(schema, "m: {a: b, c: d}")).type, "FieldValueTooMany");
  EXPECT_EQ(Only(Check(schema, "m: {}")).type, "FieldValueInvalid");
  EXPECT_EQ(Only(Check(schema, "l: [1]")).field, "spec.l[0]");
  EXPECT_EQ(Only(Check(schema, "m: {a: 1}")).field, "spec.m.a");
}

TEST(ValidateTest, ListTypeSetAndMapReportDuplicates) {
  const char schema[] =
      "type: object\nproperties:\n"
      "  set: {type: array, x-kubernetes-list-type: set, items: {type: "
      "string}}\n"
      "  args:\n    type: array\n    x-kubernetes-list-type: map\n"
      "    x-kubernetes-list-map-keys: [name]\n"
      "    items: {type: object, properties: {name: {type: string}, value: "
      "{type: string}}}\n"
      "  uniq: {type: array, uniqueItems: true, items: {type: integer}}\n";
  EXPECT_TRUE(Check(schema,
                    "set: [a, b]\nargs: [{name: a, value: x}, {name: b}]\n"
                    "uniq: [1, 2]")
                  .empty());
  SchemaError e = Only(Check(schema, "set: [a, b, a]"));
  EXPECT_EQ(e.ToString(), "spec.set[2]: Duplicate value: \"a\"");
  EXPECT_EQ(e.type, "FieldValueDuplicate");
  e = Only(Check(schema, "args: [{name: a, value: x}, {name: a, value: y}]"));
  EXPECT_EQ(e.ToString(), "spec.args[1]: Duplicate value: {\"name\":\"a\"}");
  EXPECT_EQ(Only(Check(schema, "uniq: [1, 1]")).field, "spec.uniq");
}

TEST(ValidateTest, UnknownFieldsUnlessPreservedOrAllowed) {
  const char schema[] =
      "type: object\nproperties:\n"
      "  known: {type: string}\n"
      "  open: {type: object, x-kubernetes-preserve-unknown-fields: true, "
      "properties: {n: {type: integer}}}\n"
      "  labels: {type: object, additionalProperties: {type: string}}\n"
      "  anything: {type: object, additionalProperties: true}\n";
  SchemaError e = Only(Check(schema, "known: a\nunknwn: b"));
  EXPECT_EQ(e.type, "FieldValueUnknown");
  EXPECT_EQ(e.ToString(), "spec.unknwn: unknown field \"spec.unknwn\"");
  EXPECT_TRUE(
      Check(schema, "open: {x: {y: 1}}\nlabels: {a: b}\nanything: {z: 1}")
          .empty());
  // Declared fields below preserve-unknown are still validated.
  EXPECT_EQ(Only(Check(schema, "open: {n: x}")).field, "spec.open.n");
  ValidateOptions lax;
  lax.reject_unknown_fields = false;
  EXPECT_TRUE(Check(schema, "unknwn: b", lax).empty());
}

TEST(ValidateTest, EmbeddedResourceHasImplicitTypeMetaAndObjectMeta) {
  const char schema[] =
      "type: object\nproperties:\n"
      "  object: {type: object, x-kubernetes-embedded-resource: true, "
      "x-kubernetes-preserve-unknown-fields: true}\n"
      "  strict: {type: object, x-kubernetes-embedded-resource: true, "
      "properties: {data: {type: object}}}\n";
  EXPECT_TRUE(Check(schema,
                    "object: {apiVersion: v1, kind: ConfigMap, metadata: "
                    "{name: x}, data: {a: b}}\n"
                    "strict: {apiVersion: v1, kind: Secret, data: {}}")
                  .empty());
  std::vector<SchemaError> errors =
      Check(schema, "strict: {kind: Secret, metadata: {labels: {a: 1}}}");
  ASSERT_EQ(errors.size(), 2u) << Describe(errors);
  EXPECT_EQ(errors[0].ToString(),
            "spec.strict.apiVersion: Required value: must not be empty");
  EXPECT_EQ(errors[1].field, "spec.strict.metadata.labels");
}

TEST(ValidateTest, CombinatorsAreValueValidations) {
  const char schema[] =
      "type: object\nproperties:\n"
      "  dir: {type: string, allOf: [{enum: [In, Out]}, {enum: [In]}]}\n"
      "  ref: {type: object, properties: {id: {type: string}, name: {type: "
      "string}}, oneOf: [{required: [id]}, {required: [name]}]}\n"
      "  pick: {type: object, properties: {a: {type: string}, b: {type: "
      "string}}, anyOf: [{required: [a]}, {required: [b]}]}\n"
      "  no: {type: string, not: {enum: [forbidden]}}\n";
  EXPECT_TRUE(
      Check(schema, "dir: In\nref: {id: x}\npick: {b: y}\nno: ok").empty());
  EXPECT_EQ(Only(Check(schema, "dir: Out")).type, "FieldValueNotSupported");
  std::vector<SchemaError> errors = Check(schema, "ref: {id: x, name: y}");
  ASSERT_EQ(errors.size(), 1u) << Describe(errors);
  EXPECT_NE(errors[0].message.find("(oneOf)"), std::string::npos);
  errors = Check(schema, "pick: {}");
  ASSERT_GE(errors.size(), 2u) << Describe(errors);  // anyOf + closest branch
  EXPECT_NE(errors[0].message.find("(anyOf)"), std::string::npos);
  EXPECT_EQ(errors[1].ToString(), "spec.pick.a: Required value");
  EXPECT_NE(Only(Check(schema, "no: forbidden")).message.find("(not)"),
            std::string::npos);
}

TEST(ValidateTest, RootMetadataIsObjectMeta) {
  json schema = ResourceSchema("type: object");
  json object = Object(json::object());
  object["metadata"]["labels"] = {{"app", "web"}, {"tier", 3}};
  SchemaError e = Only(Validate(object, schema));
  EXPECT_EQ(e.field, "metadata.labels");
  EXPECT_EQ(e.type, "FieldValueTypeInvalid");

  object["metadata"]["labels"] = {{"app", "bad value!"}};
  e = Only(Validate(object, schema));
  EXPECT_EQ(e.field, "metadata.labels");
  EXPECT_NE(e.message.find("a valid label must be"), std::string::npos);

  object["metadata"]["labels"] = {{"app", "web"}};
  object["metadata"]["annotations"] = {{"example.com/any", "x y z!"}};
  object["metadata"]["creationTimestamp"] = nullptr;
  EXPECT_TRUE(Validate(object, schema).empty())
      << Describe(Validate(object, schema));

  object["metadata"]["colour"] = "blue";
  EXPECT_EQ(Only(Validate(object, schema)).ToString(),
            "metadata.colour: unknown field \"metadata.colour\"");
  object["metadata"].erase("colour");

  object["metadata"]["name"] = "Not_A_Name";
  EXPECT_EQ(Only(Validate(object, schema)).field, "metadata.name");
  object["metadata"].erase("name");
  EXPECT_EQ(Only(Validate(object, schema)).ToString(),
            "metadata.name: Required value: name or generateName is required");
  object["metadata"]["generateName"] = "w-";
  EXPECT_TRUE(Validate(object, schema).empty());
  object.erase("metadata");
  EXPECT_EQ(Only(Validate(object, schema)).ToString(),
            "metadata.name: Required value: name or generateName is required");
}

TEST(ValidateTest, RootMustBeAnObject) {
  EXPECT_EQ(Only(Validate(json::array(), ResourceSchema("type: object"))).type,
            "FieldValueTypeInvalid");
}

TEST(ValidateTest, HostileDepthDoesNotOverflow) {
  // A schema and value nested far deeper than any CRD, built in place.
  json schema = {{"type", "object"}};
  json value = json::object();
  json* schema_leaf = &schema;
  json* value_leaf = &value;
  for (int i = 0; i < 1000; ++i) {
    (*schema_leaf)["properties"]["a"] = {{"type", "object"}};
    schema_leaf = &(*schema_leaf)["properties"]["a"];
    (*value_leaf)["a"] = json::object();
    value_leaf = &(*value_leaf)["a"];
  }
  json object = Object(value);
  std::vector<SchemaError> errors =
      Validate(object, ResourceSchema("type: object\nproperties: {}\n"));
  EXPECT_EQ(Only(errors).field, "spec.a");  // unknown: schema is shallow
  json deep_schema = ResourceSchema("type: object");
  deep_schema["properties"]["spec"] = std::move(schema);
  errors = Validate(object, deep_schema);
  ASSERT_EQ(errors.size(), 1u) << Describe(errors);
  EXPECT_NE(errors[0].message.find("too deep"), std::string::npos);
  // Defaulting and pruning stop at the same depth instead of overflowing.
  ApplyDefaults(&object, deep_schema);
  Prune(&object, deep_schema);
  EXPECT_TRUE(object["spec"].contains("a"));
}

}  // namespace
}  // namespace capigitops::schema
