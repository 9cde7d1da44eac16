#include "git/known_hosts.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <sstream>
#include <vector>

namespace capigitops::git {
namespace {

std::string Base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(n);
  return out;
}

// Returns false on malformed input.
bool Base64Decode(std::string_view text, std::string* out) {
  if (text.empty() || text.size() % 4 != 0) return false;
  out->assign(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return false;
  size_t pad = 0;
  while (pad < 2 && text[text.size() - 1 - pad] == '=') ++pad;
  out->resize(n - pad);
  return true;
}

// The key type named inside an SSH wire-format key blob.
std::string BlobKeyType(std::string_view blob) {
  if (blob.size() < 4) return "unknown";
  size_t len = (static_cast<unsigned char>(blob[0]) << 24) |
               (static_cast<unsigned char>(blob[1]) << 16) |
               (static_cast<unsigned char>(blob[2]) << 8) |
               static_cast<unsigned char>(blob[3]);
  if (len > blob.size() - 4) return "unknown";
  return std::string(blob.substr(4, len));
}

bool GlobMatch(std::string_view pattern, std::string_view name) {
  if (pattern.empty()) return name.empty();
  if (pattern[0] == '*') {
    for (size_t i = 0; i <= name.size(); ++i) {
      if (GlobMatch(pattern.substr(1), name.substr(i))) return true;
    }
    return false;
  }
  if (name.empty()) return false;
  if (pattern[0] != '?' && pattern[0] != name[0]) return false;
  return GlobMatch(pattern.substr(1), name.substr(1));
}

// |1|base64(salt)|base64(HMAC-SHA1(salt, name))
bool HashedMatch(std::string_view entry, const std::string& name) {
  std::string_view rest = entry.substr(3);
  size_t bar = rest.find('|');
  if (bar == std::string_view::npos) return false;
  std::string salt, hash;
  if (!Base64Decode(rest.substr(0, bar), &salt) ||
      !Base64Decode(rest.substr(bar + 1), &hash)) {
    return false;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), salt.data(), static_cast<int>(salt.size()),
       reinterpret_cast<const unsigned char*>(name.data()), name.size(), mac,
       &mac_len);
  return hash == std::string(reinterpret_cast<char*>(mac), mac_len);
}

// Whether a known_hosts host field ("a,b,!c" or a hashed name) names `name`.
bool HostFieldMatches(std::string_view field, const std::string& name) {
  if (field.rfind("|1|", 0) == 0) return HashedMatch(field, name);
  bool matched = false;
  std::stringstream ss{std::string(field)};
  std::string pattern;
  while (std::getline(ss, pattern, ',')) {
    bool negated = !pattern.empty() && pattern[0] == '!';
    if (negated) pattern.erase(0, 1);
    if (GlobMatch(pattern, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

struct KnownKey {
  bool revoked = false;
  std::string type;
  std::string blob;
};

// The keys of all lines for `name`.
std::vector<KnownKey> KeysFor(std::string_view text, const std::string& name) {
  std::vector<KnownKey> keys;
  std::stringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    std::stringstream fields(line);
    std::string first, hosts, type, b64;
    if (!(fields >> first) || first[0] == '#') continue;
    KnownKey key;
    if (first[0] == '@') {
      if (first == "@cert-authority") continue;
      if (first != "@revoked") continue;
      key.revoked = true;
      if (!(fields >> hosts)) continue;
    } else {
      hosts = first;
    }
    if (!(fields >> type >> b64)) continue;
    if (!HostFieldMatches(hosts, name)) continue;
    if (!Base64Decode(b64, &key.blob)) continue;
    key.type = type;
    keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace

std::string KnownHostName(const std::string& host, int port) {
  if (port == 0 || port == 22) return host;
  return "[" + host + "]:" + std::to_string(port);
}

std::string HostKeyFingerprint(std::string_view key_blob) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_Digest(key_blob.data(), key_blob.size(), md, &md_len, EVP_sha256(),
             nullptr);
  std::string b64 =
      Base64Encode(std::string_view(reinterpret_cast<char*>(md), md_len));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return "SHA256:" + b64;
}

Status CheckKnownHost(std::string_view known_hosts, const std::string& file,
                      const std::string& host, int port,
                      std::string_view key_blob) {
  std::string name = KnownHostName(host, port);
  std::string type = BlobKeyType(key_blob);
  std::string offered =
      "the server offered " + type + " key " + HostKeyFingerprint(key_blob);
  std::string scan = "ssh-keyscan" +
                     (port == 0 || port == 22 ? std::string()
                                              : " -p " + std::to_string(port)) +
                     " " + host;
  std::vector<KnownKey> keys = KeysFor(known_hosts, name);
  // A revoked key is refused even when another line still lists it.
  for (const KnownKey& key : keys) {
    if (key.revoked && key.blob == key_blob) {
      return Status::Unauthenticated("host key of " + name +
                                     " is marked @revoked in " + file + "; " +
                                     offered);
    }
  }
  bool known = false;
  for (const KnownKey& key : keys) {
    if (key.revoked) continue;
    known = true;
    if (key.blob == key_blob) return Status::Ok();
  }
  if (!known) {
    return Status::Unauthenticated(
        "unknown ssh host " + name + ": it is not listed in known_hosts file " +
        file + "; " + offered + ". Verify the fingerprint with the server's " +
        "owner, then add it, e.g. `" + scan + " >> " + file + "`");
  }
  return Status::Unauthenticated(
      "ssh host key of " + name + " does not match known_hosts file " + file +
      " (" + offered +
      "). Someone may be intercepting the connection, or the " +
      "server's key was replaced: verify the new fingerprint with the " +
      "server's owner before updating " + file);
}

}  // namespace capigitops::git
