// Certificate generation with OpenSSL 3's EVP and X509 APIs.
#include "tls.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace capigitops::sandbox {
namespace {

using Cert = std::unique_ptr<X509, X509Deleter>;
using Key = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

constexpr long kTenYears = 10L * 365 * 24 * 3600;

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof bytes);
  bytes[0] &= 0x7f;  // positive, as RFC 5280 requires
  BIGNUM* bn = BN_bin2bn(bytes, sizeof bytes, nullptr);
  bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
  return ok;
}

enum class CertKind { kCa, kServer, kClient };

// The extensions that make a certificate a CA, a server's or a client's.
// The server's names include capi-sandbox.local, a name no resolver knows,
// so that clients can test kubeconfig's tls-server-name against it.
bool AddKindExtensions(X509* c, X509* signer, CertKind kind) {
  if (kind == CertKind::kCa) {
    return AddExtension(c, signer, NID_basic_constraints, "critical,CA:TRUE") &&
           AddExtension(c, signer, NID_key_usage,
                        "critical,keyCertSign,cRLSign,digitalSignature") &&
           AddExtension(c, signer, NID_subject_key_identifier, "hash");
  }
  bool server = kind == CertKind::kServer;
  return AddExtension(c, signer, NID_basic_constraints, "critical,CA:FALSE") &&
         AddExtension(c, signer, NID_key_usage,
                      "critical,digitalSignature,keyEncipherment") &&
         AddExtension(c, signer, NID_ext_key_usage,
                      server ? "serverAuth" : "clientAuth") &&
         (!server ||
          AddExtension(c, signer, NID_subject_alt_name,
                       "IP:127.0.0.1,DNS:localhost,DNS:capi-sandbox.local")) &&
         AddExtension(c, signer, NID_authority_key_identifier, "keyid:always");
}

// A certificate for `cn` (and organization `o` when not null) and `key`,
// signed by issuer/issuer_key (self-signed when issuer is null).
Cert MakeCert(const char* cn, const char* o, EVP_PKEY* key, X509* issuer,
              EVP_PKEY* issuer_key, CertKind kind) {
  Cert cert(X509_new());
  if (!cert) return nullptr;
  X509* c = cert.get();
  X509_set_version(c, 2);
  if (!SetRandomSerial(c)) return nullptr;
  X509_gmtime_adj(X509_getm_notBefore(c), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c), kTenYears);
  X509_set_pubkey(c, key);
  X509_NAME* name = X509_get_subject_name(c);
  if (o != nullptr) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(o), -1,
                               -1, 0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1, -1,
                             0);
  X509* signer = issuer ? issuer : c;
  X509_set_issuer_name(c, X509_get_subject_name(signer));
  if (!AddKindExtensions(c, signer, kind)) return nullptr;
  if (X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256()) == 0) {
    return nullptr;
  }
  return cert;
}

// The bytes written to a memory BIO; frees it.
std::string TakeBio(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

std::string ToPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  return TakeBio(bio);
}

std::string KeyToPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  return TakeBio(bio);
}

}  // namespace

StatusOr<TlsMaterial> GenerateTlsMaterial() {
  TlsMaterial m;
  m.ca_key.reset(EVP_EC_gen("P-256"));
  m.server_key.reset(EVP_EC_gen("P-256"));
  Key client_key(EVP_EC_gen("P-256"));
  if (!m.ca_key || !m.server_key || !client_key) {
    return Status::Internal("generating EC keys failed");
  }
  m.ca_cert = MakeCert("capi-sandbox-ca", nullptr, m.ca_key.get(), nullptr,
                       nullptr, CertKind::kCa);
  if (!m.ca_cert) return Status::Internal("creating the CA certificate failed");
  m.server_cert = MakeCert("capi-sandbox", nullptr, m.server_key.get(),
                           m.ca_cert.get(), m.ca_key.get(), CertKind::kServer);
  if (!m.server_cert) {
    return Status::Internal("creating the server certificate failed");
  }
  // As kubeadm's admin.conf: user kubernetes-admin in group system:masters.
  Cert client_cert =
      MakeCert("kubernetes-admin", "system:masters", client_key.get(),
               m.ca_cert.get(), m.ca_key.get(), CertKind::kClient);
  if (!client_cert) {
    return Status::Internal("creating the client certificate failed");
  }
  m.ca_pem = ToPem(m.ca_cert.get());
  m.client_cert_pem = ToPem(client_cert.get());
  m.client_key_pem = KeyToPem(client_key.get());
  return m;
}

}  // namespace capigitops::sandbox
