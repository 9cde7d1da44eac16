#include "persist.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "capigitops/json.h"
#include "util.h"
#include "util/file.h"

namespace capigitops::sandbox {

Status WriteFileAtomically(const std::string& path,
                           const std::string& content) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) return Status::Unavailable("cannot write " + tmp);
  }
  // Both files hold credentials (the token, Secrets).
  chmod(tmp.c_str(), 0600);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::Unavailable("cannot rename " + tmp + " to " + path);
  }
  return Status::Ok();
}

std::string KubeconfigText(const std::string& server_url,
                           const std::string& ca_pem, const std::string& token,
                           const std::string& client_cert_pem,
                           const std::string& client_key_pem) {
  std::ostringstream out;
  out << "apiVersion: v1\n"
      << "kind: Config\n"
      << "clusters:\n"
      << "- name: capi-sandbox\n"
      << "  cluster:\n"
      << "    server: " << server_url << "\n";
  if (!ca_pem.empty()) {
    out << "    certificate-authority-data: " << Base64Encode(ca_pem) << "\n";
  }
  out << "users:\n"
      << "- name: capi-sandbox\n"
      << "  user:\n"
      << "    token: " << token << "\n";
  if (!client_cert_pem.empty()) {
    out << "- name: capi-sandbox-cert\n"
        << "  user:\n"
        << "    client-certificate-data: " << Base64Encode(client_cert_pem)
        << "\n"
        << "    client-key-data: " << Base64Encode(client_key_pem) << "\n";
  }
  out << "contexts:\n"
      << "- name: capi-sandbox\n"
      << "  context:\n"
      << "    cluster: capi-sandbox\n"
      << "    user: capi-sandbox\n"
      << "    namespace: default\n";
  if (!client_cert_pem.empty()) {
    out << "- name: capi-sandbox-cert\n"
        << "  context:\n"
        << "    cluster: capi-sandbox\n"
        << "    user: capi-sandbox-cert\n"
        << "    namespace: default\n";
  }
  out << "current-context: capi-sandbox\n"
      << "preferences: {}\n";
  return out.str();
}

Status SaveState(const Store& store, const std::string& path) {
  return WriteFileAtomically(path, store.Snapshot().dump());
}

Status LoadState(const std::string& path, Store* store) {
  // No state file yet: an empty sandbox.
  StatusOr<std::string> text = ReadFile(path);
  if (text.status().IsNotFound()) return Status::Ok();
  RETURN_IF_ERROR(text.status());
  // A state file is ours, but may be truncated or edited: any size, the
  // usual depth.
  StatusOr<nlohmann::json> parsed = yaml::ParseJson(
      *text, path, {text->size(), 16 + yaml::JsonLimits{}.max_depth});
  if (!parsed.ok()) return Status::InvalidArgument(parsed.status().message());
  const nlohmann::json& snapshot = *parsed;
  if (!snapshot.is_object() || !snapshot.contains("objects")) {
    return Status::InvalidArgument(path + " is not a capi-sandbox state file");
  }
  try {
    store->Restore(snapshot);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
  return Status::Ok();
}

}  // namespace capigitops::sandbox
