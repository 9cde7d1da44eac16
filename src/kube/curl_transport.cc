// libcurl transport. Easy handles are pooled so that concurrent requests
// each have one and keep-alive connections are reused across requests.
#include <curl/curl.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include "kube/http.h"

namespace capigitops {
namespace {

std::once_flag g_curl_init;

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n'))
      value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * n;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(RestConfig config) : config_(std::move(config)) {}
  ~CurlTransport() override {
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }

  Status Init() {
    // Files are read once here; a rotated client certificate needs a restart,
    // as with kubectl.
    ca_ = config_.ca_data;
    if (ca_.empty() && !config_.ca_file.empty()) {
      auto ca = ReadFile(config_.ca_file);
      if (!ca)
        return Status::InvalidArgument("cannot read certificate-authority " +
                                       config_.ca_file);
      ca_ = *ca;
    }
    cert_ = config_.client_cert_data;
    if (cert_.empty() && !config_.client_cert_file.empty()) {
      auto c = ReadFile(config_.client_cert_file);
      if (!c)
        return Status::InvalidArgument("cannot read client-certificate " +
                                       config_.client_cert_file);
      cert_ = *c;
    }
    key_ = config_.client_key_data;
    if (key_.empty() && !config_.client_key_file.empty()) {
      auto k = ReadFile(config_.client_key_file);
      if (!k)
        return Status::InvalidArgument("cannot read client-key " +
                                       config_.client_key_file);
      key_ = *k;
    }
    return Status::Ok();
  }

  StatusOr<HttpResponse> Send(const HttpRequest& req) override {
    CURL* h = Acquire();
    HttpResponse resp;
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_slist* headers = nullptr;
    for (const auto& [k, v] : req.headers) {
      headers = curl_slist_append(headers, (k + ": " + v).c_str());
    }
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req.timeout_ms);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &resp.headers);
    if (req.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, nullptr);
    } else {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(req.body.size()));
    }
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    if (rc != CURLE_OK) {
      // Drop the handle: its connection state is unknown.
      curl_easy_cleanup(h);
      return Classify(rc, errbuf);
    }
    Release(h);
    return resp;
  }

 private:
  Status Classify(CURLcode rc, const char* errbuf) {
    std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    switch (rc) {
      // A handshake cut short (CURLE_SSL_CONNECT_ERROR) is a connection
      // problem worth retrying; a certificate that does not verify is not.
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CIPHER:
        return Status::InvalidArgument(
            "TLS with " + config_.server + " failed: " + detail +
            "; check certificate-authority(-data) and the client certificate "
            "in the kubeconfig");
      default:
        return Status::Unavailable("cannot reach the management cluster at " +
                                   config_.server + ": " + detail);
    }
  }

  CURL* Acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    CURL* h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, WriteHeader);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    if (config_.insecure_skip_tls_verify) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!ca_.empty()) {
      curl_blob blob{ca_.data(), ca_.size(), CURL_BLOB_COPY};
      curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (!cert_.empty()) {
      curl_blob cert{cert_.data(), cert_.size(), CURL_BLOB_COPY};
      curl_blob key{key_.data(), key_.size(), CURL_BLOB_COPY};
      curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert);
      curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
      curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
      curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (!config_.proxy_url.empty()) {
      curl_easy_setopt(h, CURLOPT_PROXY, config_.proxy_url.c_str());
    } else {
      curl_easy_setopt(h, CURLOPT_NOPROXY, "*");  // ignore *_proxy env vars
    }
    return h;
  }

  void Release(CURL* h) {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(h);
  }

  RestConfig config_;
  std::string ca_, cert_, key_;
  std::mutex mu_;
  std::vector<CURL*> idle_;
};

}  // namespace

StatusOr<std::unique_ptr<HttpTransport>> NewCurlTransport(
    const RestConfig& config) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto t = std::make_unique<CurlTransport>(config);
  RETURN_IF_ERROR(t->Init());
  return std::unique_ptr<HttpTransport>(std::move(t));
}

}  // namespace capigitops
