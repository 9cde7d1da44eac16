// libcurl transport. Easy handles are pooled so that concurrent requests
// each have one and keep-alive connections are reused across requests.
#include <curl/curl.h>

#include <mutex>

#include "capigitops/json.h"
#include "kube/http.h"
#include "kube/tls_server_name.h"
#include "util/file.h"

namespace capigitops {
namespace {

std::once_flag g_curl_init;

// A response body larger than this ends the transfer (CURLE_WRITE_ERROR)
// before it is in memory: yaml::JsonLimits would refuse it anyway.
constexpr size_t kMaxResponseBytes = yaml::JsonLimits{}.max_bytes;

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() + size * n > kMaxResponseBytes) return 0;
  body->append(data, size * n);
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

// One easy handle (and so its connections) per client certificate: the one
// an exec plugin returned, or null for the kubeconfig's.
struct PooledHandle {
  CURL* handle = nullptr;
  std::shared_ptr<const ClientCertificate> cert;
};

class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(RestConfig config) : config_(std::move(config)) {}
  ~CurlTransport() override {
    for (PooledHandle& p : idle_) curl_easy_cleanup(p.handle);
    curl_slist_free_all(connect_to_);
  }

  Status Init() {
    // Files are read once here; a rotated client certificate needs a restart,
    // as with kubectl.
    RETURN_IF_ERROR(DataOrFile(config_.ca_data, config_.ca_file,
                               "certificate-authority", &ca_));
    RETURN_IF_ERROR(DataOrFile(config_.client_cert_data,
                               config_.client_cert_file, "client-certificate",
                               &cert_));
    RETURN_IF_ERROR(DataOrFile(config_.client_key_data, config_.client_key_file,
                               "client-key", &key_));
    ASSIGN_OR_RETURN(
        route_, RouteForServerName(config_.server, config_.tls_server_name));
    if (route_) {
      connect_to_ = curl_slist_append(nullptr, route_->connect_to.c_str());
    }
    return Status::Ok();
  }

  StatusOr<HttpResponse> Send(const HttpRequest& req) override {
    std::string url = req.url;
    if (route_) {
      std::optional<std::string> rewritten = route_->Rewrite(req.url);
      if (!rewritten) {
        return Status::Internal("request URL " + req.url +
                                " is not on the server " +
                                RedactUrl(config_.server));
      }
      url = std::move(*rewritten);
    }
    PooledHandle pooled = Acquire(req.client_certificate);
    CURL* h = pooled.handle;
    HttpResponse resp;
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_slist* headers = SetRequest(h, req, url, &resp);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    if (rc != CURLE_OK) {
      // Drop the handle: its connection state is unknown.
      curl_easy_cleanup(h);
      return Classify(rc, errbuf);
    }
    Release(std::move(pooled));
    return resp;
  }

 private:
  static Status DataOrFile(const std::string& data, const std::string& file,
                           const char* what, std::string* out) {
    *out = data;
    if (!out->empty() || file.empty()) return Status::Ok();
    StatusOr<std::string> content = ReadFile(file);
    if (!content.ok()) {
      return Status::InvalidArgument(std::string("cannot read ") + what + " " +
                                     file);
    }
    *out = std::move(*content);
    return Status::Ok();
  }

  // Sets what varies per request; returns the header list to free after it.
  static curl_slist* SetRequest(CURL* h, const HttpRequest& req,
                                const std::string& url, HttpResponse* resp) {
    curl_slist* headers = nullptr;
    for (const auto& [k, v] : req.headers) {
      headers = curl_slist_append(headers, (k + ": " + v).c_str());
    }
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req.timeout_ms);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp->body);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &resp->headers);
    if (req.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, nullptr);
    } else {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(req.body.size()));
    }
    return headers;
  }

  Status Classify(CURLcode rc, const char* errbuf) {
    std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    std::string server = RedactUrl(config_.server);
    if (route_) server += " (tls-server-name " + config_.tls_server_name + ")";
    switch (rc) {
      // A handshake cut short (CURLE_SSL_CONNECT_ERROR) is a connection
      // problem worth retrying; a certificate that does not verify is not.
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CIPHER:
        return Status::InvalidArgument(
            "TLS with " + server + " failed: " + detail +
            "; check certificate-authority(-data)" +
            (route_ ? ", tls-server-name" : "") +
            " and the client certificate in the kubeconfig or from its exec "
            "plugin");
      case CURLE_OPERATION_TIMEDOUT:
        // Transient (retried, but only options.max_timeout_retries times).
        return Status::DeadlineExceeded("the API server at " + server +
                                        " did not answer in time: " + detail);
      case CURLE_WRITE_ERROR:
        return Status::Internal("the response of " + server +
                                " is larger than " +
                                std::to_string(kMaxResponseBytes) + " bytes");
      default:
        return Status::Unavailable("cannot reach the API server at " + server +
                                   ": " + detail);
    }
  }

  // An idle handle made for `cert`, else a new one. Idle handles made for
  // another certificate are dropped: the plugin returned a new one, and
  // their connections authenticate as the old.
  PooledHandle Acquire(const std::shared_ptr<const ClientCertificate>& cert) {
    std::vector<PooledHandle> stale;
    std::optional<PooledHandle> found;
    {
      std::lock_guard<std::mutex> lock(mu_);
      while (!idle_.empty() && !found) {
        PooledHandle p = std::move(idle_.back());
        idle_.pop_back();
        if (p.cert == cert) {
          found = std::move(p);
        } else {
          stale.push_back(std::move(p));
        }
      }
    }
    for (PooledHandle& p : stale) curl_easy_cleanup(p.handle);
    if (found) return std::move(*found);
    return PooledHandle{NewHandle(cert.get()), cert};
  }

  CURL* NewHandle(const ClientCertificate* cert) {
    CURL* h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    // Never follow a redirect (the client reports it), and were one ever
    // followed, never send the credentials to another host.
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 0L);
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
    if (connect_to_ != nullptr) {
      curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to_);
    }
    const std::string& cert_pem = cert ? cert->cert_pem : cert_;
    const std::string& key_pem = cert ? cert->key_pem : key_;
    if (!cert_pem.empty()) {
      // Blobs are copied (CURL_BLOB_COPY): no pointer into `cert` remains.
      curl_blob c{const_cast<char*>(cert_pem.data()), cert_pem.size(),
                  CURL_BLOB_COPY};
      curl_blob k{const_cast<char*>(key_pem.data()), key_pem.size(),
                  CURL_BLOB_COPY};
      curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &c);
      curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
      curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &k);
      curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (!config_.proxy_url.empty()) {
      curl_easy_setopt(h, CURLOPT_PROXY, config_.proxy_url.c_str());
    } else {
      curl_easy_setopt(h, CURLOPT_NOPROXY, "*");  // ignore *_proxy env vars
    }
    return h;
  }

  void Release(PooledHandle p) {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(p));
  }

  RestConfig config_;
  std::string ca_, cert_, key_;
  std::optional<ServerNameRoute> route_;
  curl_slist* connect_to_ = nullptr;  // route_'s CONNECT_TO entry
  std::mutex mu_;
  std::vector<PooledHandle> idle_;
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
