// Write-path helpers (apiserver/pkg/endpoints/handlers/{create,update,patch,
// rest}.go and apiextensions-apiserver's strategies).
#include "write_support.h"

#include "capigitops/json.h"
#include "capigitops/yaml.h"
#include "protobuf.h"
#include "schema_adapter.h"
#include "util/k8s_names.h"

namespace capigitops::sandbox {

ApiOr<WriteParams> ParseWriteParams(const ApiRequest& req) {
  WriteParams p;
  std::string dry = req.Param("dryRun");
  if (!dry.empty() && dry != "All") {
    return BadRequest("Invalid dryRun value: " + dry);
  }
  p.dry_run = dry == "All";
  std::string v = req.Param("fieldValidation");
  if (!v.empty()) {
    if (v != "Ignore" && v != "Warn" && v != "Strict") {
      return BadRequest("fieldValidation parameter unsupported: " + v);
    }
    p.validation = v;
  }
  p.manager = req.Param("fieldManager");
  if (p.manager.size() > 128) {
    return BadRequest("fieldManager must not be longer than 128 characters");
  }
  std::string force = req.Param("force");
  p.force_given = !force.empty();
  p.force = force == "true" || force == "1";
  return p;
}

ApiOr<json> ParseBody(const ApiRequest& req, bool allow_yaml) {
  // Typed clients (kubectl create namespace|configmap|secret) send protobuf.
  std::string media = req.content_type.substr(0, req.content_type.find(';'));
  if (media == kProtobufMediaType &&
      (req.method == "POST" || req.method == "PUT")) {
    StatusOr<json> decoded = DecodeKubeProtobuf(req.body);
    if (decoded.ok()) return std::move(decoded).value();
    return UnsupportedMediaType(decoded.status().message());
  }
  if ((req.method == "POST" || req.method == "PUT") && !media.empty() &&
      media != "application/json") {
    return UnsupportedMediaType(
        "the body of the request was in an unknown format - accepted media "
        "types include: application/json");
  }
  // Size and depth first: the merge, apply and validation code recurse.
  // Deeper than 200 is refused, so that a LIST (two levels more) of what
  // we stored still fits the client's limit of 256.
  Status limits =
      yaml::CheckJsonLimits(req.body, "the request body", {32 << 20, 200});
  if (!limits.ok()) return BadRequest(limits.message());
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() && allow_yaml) {
    Diagnostics diags;
    std::vector<yaml::Node> docs =
        yaml::ParseDocuments(req.body, "body", &diags);
    if (HasErrors(diags) || docs.size() != 1) {
      return BadRequest("error decoding YAML: " +
                        (diags.empty() ? std::string("expected one document")
                                       : diags.front().ToString()));
    }
    body = yaml::ToJson(docs[0]);
  }
  if (body.is_discarded()) {
    return BadRequest("the request body is not valid JSON");
  }
  return body;
}

std::optional<ApiError> CheckIdentity(const Target& t, json* obj,
                                      bool require_type_meta) {
  if (!obj->is_object()) return BadRequest("the object must be a JSON object");
  std::string gv = t.GroupVersion();
  std::string api_version = obj->value("apiVersion", "");
  std::string kind = obj->value("kind", "");
  if ((require_type_meta || !api_version.empty()) && api_version != gv) {
    return BadRequest("the API version in the data (" + api_version +
                      ") does not match the expected API version (" + gv + ")");
  }
  if ((require_type_meta || !kind.empty()) && kind != t.type->kind) {
    return BadRequest("the kind in the data (" + kind +
                      ") does not match the expected kind (" + t.type->kind +
                      ")");
  }
  json& meta = (*obj)["metadata"];
  if (!meta.is_object()) meta = json::object();
  for (const char* key :
       {"name", "generateName", "namespace", "resourceVersion", "uid"}) {
    if (meta.contains(key) && !meta[key].is_string()) {
      return BadRequest(t.type->kind + " in version \"" + t.path.version +
                        "\" cannot be handled as a " + t.type->kind +
                        ": metadata." + key + " must be a string");
    }
  }
  std::string name = meta.value("name", "");
  if (!t.path.name.empty()) {
    if (!name.empty() && name != t.path.name) {
      return BadRequest("the name of the object (" + name +
                        ") does not match the name on the URL (" + t.path.name +
                        ")");
    }
    meta["name"] = t.path.name;
  }
  std::string ns = meta.value("namespace", "");
  if (t.type->namespaced) {
    if (!ns.empty() && ns != t.path.ns) {
      return BadRequest(
          "the namespace of the provided object does not match the namespace "
          "sent on the request");
    }
    meta["namespace"] = t.path.ns;
  } else {
    meta.erase("namespace");
  }
  (*obj)["apiVersion"] = gv;
  (*obj)["kind"] = t.type->kind;
  return std::nullopt;
}

void SanitizeNewMetadata(json* obj) {
  json& meta = (*obj)["metadata"];
  for (const char* k :
       {"uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields",
        "selfLink"}) {
    meta.erase(k);
  }
}

std::optional<ApiError> CheckUnknownFields(const Target& t, json* obj,
                                           const std::string& mode,
                                           bool is_patch,
                                           std::vector<std::string>* warnings) {
  const json& schema = t.version->schema;
  std::vector<std::string> unknown = FindUnknownFields(*obj, schema);
  if (unknown.empty()) return std::nullopt;
  if (mode == "Strict") {
    std::string list;
    for (const std::string& f : unknown) {
      list += (list.empty() ? "" : ", ") + std::string("unknown field \"") + f +
              "\"";
    }
    if (is_patch) {
      return InvalidError(
          t.type->group, t.type->kind, (*obj)["metadata"].value("name", ""),
          {{"FieldValueInvalid", "strict decoding error: " + list, "patch"}});
    }
    return BadRequest(t.type->kind + " in version \"" + t.path.version +
                      "\" cannot be handled as a " + t.type->kind +
                      ": strict decoding error: " + list);
  }
  if (mode == "Warn") {
    for (const std::string& f : unknown) {
      warnings->push_back("unknown field \"" + f + "\"");
    }
  }
  PruneUnknownFields(obj, schema);
  return std::nullopt;
}

std::optional<ApiError> DefaultAndValidate(const Target& t, json* obj) {
  const std::string name = (*obj)["metadata"].value("name", "");
  if (!IsDns1123Subdomain(name)) {
    return InvalidError(
        t.type->group, t.type->kind, name,
        {{"FieldValueInvalid",
          "Invalid value: \"" + name +
              "\": a lowercase RFC 1123 subdomain must consist of lower case "
              "alphanumeric characters, '-' or '.', and must start and end "
              "with an alphanumeric character",
          "metadata.name"}});
  }
  const json& schema = t.version->schema;
  if (schema.is_null()) return std::nullopt;
  ApplySchemaDefaults(obj, schema);
  std::vector<StatusCause> causes = ValidateAgainstSchema(*obj, schema);
  if (causes.empty()) return std::nullopt;
  return InvalidError(t.type->group, t.type->kind, name, causes);
}

void ScopeToSubresource(const Target& t, const json* live, json* obj) {
  if (!t.version->status_subresource) return;
  if (t.path.subresource == "status") {
    if (live == nullptr) return;
    json status = obj->value("status", json());
    json scoped = *live;
    scoped["metadata"]["resourceVersion"] =
        (*obj)["metadata"].value("resourceVersion", "");
    if (status.is_null()) {
      scoped.erase("status");
    } else {
      scoped["status"] = status;
    }
    *obj = std::move(scoped);
    return;
  }
  if (live != nullptr && live->contains("status")) {
    (*obj)["status"] = (*live)["status"];
  } else {
    obj->erase("status");
  }
}

Reply ObjectReply(const Target& t, json obj, int code,
                  std::vector<std::string> warnings) {
  SetTypeMeta(*t.type, t.path.version, &obj);
  Reply r;
  r.code = code;
  r.body = std::move(obj);
  r.warnings = std::move(warnings);
  return r;
}

}  // namespace capigitops::sandbox
