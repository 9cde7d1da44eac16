// A throwaway certificate authority and server certificate generated at
// start, so clients can verify the sandbox over HTTPS with the CA from the
// kubeconfig.
#ifndef CAPIGITOPS_SANDBOX_TLS_H_
#define CAPIGITOPS_SANDBOX_TLS_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "capigitops/status.h"

namespace capigitops::sandbox {

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

struct TlsMaterial {
  std::unique_ptr<X509, X509Deleter> ca_cert;
  std::unique_ptr<EVP_PKEY, PkeyDeleter> ca_key;
  std::unique_ptr<X509, X509Deleter> server_cert;
  std::unique_ptr<EVP_PKEY, PkeyDeleter> server_key;
  std::string ca_pem;  // for certificate-authority-data
  // A client certificate the CA signed, for kubeconfig's
  // client-certificate-data and client-key-data.
  std::string client_cert_pem;
  std::string client_key_pem;
};

// CA "capi-sandbox-ca", a server certificate for 127.0.0.1, localhost and
// capi-sandbox.local, and a client certificate for kubernetes-admin (group
// system:masters), all EC P-256, valid for ten years.
StatusOr<TlsMaterial> GenerateTlsMaterial();

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_TLS_H_
