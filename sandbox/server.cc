// HTTP front end on cpp-httplib. Every request runs on its own pool thread,
// so --latency-ms sleeps and long watches never hold up other clients.
#include "server.h"

#include <httplib.h>
#include <sys/socket.h>
#include <zlib.h>

#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "tls.h"
#include "util.h"
#include "watch.h"

namespace capigitops::sandbox {
namespace {

// httplib listens with a backlog of 5; bursts of new connections from many
// clients would then wait for SYN retransmits.
template <class Base>
class WideBacklog : public Base {
 public:
  using Base::Base;
  void Relisten(int backlog) { ::listen(this->svr_sock_, backlog); }
};

// Like kube-apiserver with --client-ca-file: a client may present a
// certificate signed by our CA instead of a token. Asked for, not required,
// so token clients still connect; one that does not verify fails the
// handshake, as there.
bool AcceptClientCertificates(SSL_CTX* ctx, X509* ca) {
  // Without a session id context OpenSSL refuses to resume sessions once it
  // verifies peers, and curl resumes them on every reconnect.
  static const unsigned char kSessionContext[] = "capi-sandbox";
  if (X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca) != 1 ||
      SSL_CTX_add_client_CA(ctx, ca) != 1 ||
      SSL_CTX_set_session_id_context(ctx, kSessionContext,
                                     sizeof kSessionContext - 1) != 1) {
    return false;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  return true;
}

// A client certificate that verified against our CA in the handshake.
bool HasVerifiedClientCertificate(const httplib::Request& req) {
  return req.ssl != nullptr && SSL_get0_peer_certificate(req.ssl) != nullptr &&
         SSL_get_verify_result(req.ssl) == X509_V_OK;
}

bool IsPublicPath(const std::string& path) {
  return path == "/version" || path == "/healthz" || path == "/readyz" ||
         path == "/livez";
}

std::string EscapeWarning(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

void WriteReply(Reply reply, httplib::Response* res) {
  res->status = reply.code;
  for (const std::string& w : reply.warnings) {
    res->set_header("Warning", "299 - \"" + EscapeWarning(w) + "\"");
  }
  if (reply.retry_after_seconds > 0) {
    res->set_header("Retry-After", std::to_string(reply.retry_after_seconds));
  }
  // set_content(), but moving the body: a LIST page is megabytes.
  res->body =
      reply.body_text.empty() ? ReplyText(reply) : std::move(reply.body_text);
  res->headers.erase("Content-Type");
  res->set_header("Content-Type", reply.content_type);
}

// Compresses like kube-apiserver: gzip at level 1 (least CPU, nearly the
// ratio of higher levels), only replies of 128 KiB or more, never brotli.
// httplib would instead brotli-compress (at quality 11) every JSON reply for
// a client offering "br", as curl does, or gzip at level 6: for small replies
// that cost more CPU than the request itself and made the sandbox, not the
// client, the bottleneck. httplib decides from the request's Accept-Encoding
// after the handler returns, so that header is removed here; the request is a
// non-const local of httplib's connection loop, so writing it is defined.
constexpr size_t kGzipThresholdBytes = 128 * 1024;

std::optional<std::string> GzipFast(const std::string& in) {
  z_stream zs{};
  if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16 /* gzip header */, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  out.resize(zs.total_out);
  return out;
}

void CompressLikeKube(const httplib::Request& req, httplib::Response* res) {
  auto& headers = const_cast<httplib::Request&>(req).headers;
  auto it = headers.find("Accept-Encoding");
  if (it == headers.end()) return;
  bool gzip = it->second.find("gzip") != std::string::npos &&
              res->body.size() >= kGzipThresholdBytes &&
              !res->has_header("Content-Encoding");
  headers.erase("Accept-Encoding");
  if (!gzip) return;
  if (std::optional<std::string> z = GzipFast(res->body)) {
    res->body = std::move(*z);
    res->set_header("Content-Encoding", "gzip");
    res->set_header("Vary", "Accept-Encoding");
  }
}

ApiRequest ToApiRequest(const httplib::Request& req) {
  ApiRequest ar;
  ar.method = req.method;
  ar.path = req.path;
  for (const auto& [k, v] : req.params) ar.query.emplace(k, v);
  ar.content_type = req.get_header_value("Content-Type");
  ar.accept = req.get_header_value("Accept");
  ar.body = req.body;
  ar.user_agent = req.get_header_value("User-Agent");
  ar.host = req.get_header_value("Host");
  return ar;
}

}  // namespace

struct SandboxServer::Impl {
  ServerOptions options;
  ApiContext ctx;
  TlsMaterial tls;
  std::unique_ptr<httplib::Server> http;
  std::string token;
  int port = 0;
  std::mutex log_mu;
  std::ofstream log;
  std::mutex rng_mu;
  std::mt19937_64 rng{std::random_device{}()};

  double Random() {
    std::lock_guard<std::mutex> lock(rng_mu);
    return std::uniform_real_distribution<double>(0, 1)(rng);
  }

  httplib::Server::HandlerResponse PreRoute(const httplib::Request& req,
                                            httplib::Response& res);
  void Handle(const httplib::Request& req, httplib::Response& res);
  void Dispatch(const ApiContext& target, const ApiRequest& ar,
                httplib::Response& res);
  void Log(const httplib::Request& req, const httplib::Response& res);
};

httplib::Server::HandlerResponse SandboxServer::Impl::PreRoute(
    const httplib::Request& /*req*/, httplib::Response& res) {
  using R = httplib::Server::HandlerResponse;
  res.set_header("Cache-Control", "no-cache, private");
  if (options.latency_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(options.latency_ms));
  }
  return R::Unhandled;
}

namespace {

// The connection drops before a body is written: what a client sees of a
// server that went away mid-request.
void DropConnection(httplib::Response* res) {
  res->status = 500;
  res->set_content_provider(
      1024, "application/json",
      [](size_t, size_t, httplib::DataSink&) { return false; });
}

// A test marks a Cluster with sandbox.capigitops.io/workload-api:
// unreachable to cut its workload API off (a firewall, a dead control
// plane), while the management API and the kubeconfig Secret stay.
bool WorkloadApiUnreachable(const ApiContext& management, const std::string& ns,
                            const std::string& name) {
  std::optional<json> cluster = management.store->Get(
      ObjectKey{"cluster.x-k8s.io", "clusters", ns, name});
  if (!cluster) return false;
  json annotations = cluster->value("metadata", json::object())
                         .value("annotations", json::object());
  return annotations.value("sandbox.capigitops.io/workload-api", "") ==
         "unreachable";
}

}  // namespace

void SandboxServer::Impl::Handle(const httplib::Request& req,
                                 httplib::Response& res) {
  // Authentication and injected faults are answered here, after the request
  // body was read: answering from the pre-routing hook left the body unread
  // on a keep-alive connection, and the next request parsed it as garbage.
  ApiRequest ar = ToApiRequest(req);
  ApiContext target = ctx;
  std::string expected_token = token;
  bool accept_certificate = true;
  std::string wns, wname, rest;
  if (options.workloads && SplitWorkloadPath(req.path, &wns, &wname, &rest)) {
    std::shared_ptr<WorkloadCluster> cluster =
        options.workloads->Find(wns, wname);
    if (!cluster) {
      WriteReply(ErrorReply(NotFoundPath()), &res);
      return;
    }
    if (WorkloadApiUnreachable(ctx, wns, wname)) {
      DropConnection(&res);
      return;
    }
    // A workload cluster takes only its own token: the management
    // credentials do not open it, as with a real cluster.
    target = ApiContext{&options.workloads->kinds(), &cluster->store};
    expected_token = cluster->token;
    accept_certificate = false;
    ar.path = rest;
  }
  std::string auth = req.get_header_value("Authorization");
  bool by_certificate = accept_certificate && HasVerifiedClientCertificate(req);
  if (!by_certificate &&
      ((auth.empty() && !IsPublicPath(ar.path)) ||
       (!auth.empty() && auth != "Bearer " + expected_token))) {
    WriteReply(ErrorReply(Unauthorized()), &res);
    return;
  }
  if (options.fault_rate > 0 && !IsDiscoveryPath(ar.path) &&
      Random() < options.fault_rate) {
    switch (static_cast<int>(Random() * 4)) {
      case 0:
        WriteReply(ErrorReply(InternalError("injected fault")), &res);
        break;
      case 1:
        WriteReply(ErrorReply(ServiceUnavailable("injected fault")), &res);
        break;
      case 2:
        WriteReply(ErrorReply(TooManyRequests(1)), &res);
        break;
      default:  // the connection drops before the body is written
        DropConnection(&res);
        break;
    }
    return;
  }
  // A bug must answer 500 like kube-apiserver, not end the process.
  try {
    Dispatch(target, ar, res);
  } catch (const std::exception& e) {
    WriteReply(ErrorReply(InternalError(e.what())), &res);
  }
}

void SandboxServer::Impl::Dispatch(const ApiContext& target,
                                   const ApiRequest& ar,
                                   httplib::Response& res) {
  Reply reply;
  if (ar.method == "GET" && ServeDiscovery(target, ar, &reply)) {
    WriteReply(std::move(reply), &res);
    return;
  }
  if (IsWatchRequest(ar)) {
    ServeWatch(target, ar, &res);
    return;
  }
  WriteReply(ServeResource(target, ar), &res);
}

void SandboxServer::Impl::Log(const httplib::Request& req,
                              const httplib::Response& res) {
  if (!log.is_open()) return;
  size_t q = req.target.find('?');
  std::string query = q == std::string::npos ? "-" : req.target.substr(q + 1);
  std::lock_guard<std::mutex> lock(log_mu);
  log << req.method << ' ' << req.path << ' ' << query << ' ' << res.status
      << std::endl;  // flushed per line so tests can read it live
}

StatusOr<std::unique_ptr<SandboxServer>> SandboxServer::Start(
    const ServerOptions& options, ApiContext ctx) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->ctx = ctx;
  impl->token = RandomHex(24);
  if (!options.log_requests.empty()) {
    impl->log.open(options.log_requests, std::ios::app);
    if (!impl->log) {
      return Status::InvalidArgument("cannot open " + options.log_requests);
    }
  }
  if (options.insecure_http) {
    impl->http = std::make_unique<WideBacklog<httplib::Server>>();
  } else {
    ASSIGN_OR_RETURN(impl->tls, GenerateTlsMaterial());
    auto ssl = std::make_unique<WideBacklog<httplib::SSLServer>>(
        impl->tls.server_cert.get(), impl->tls.server_key.get());
    if (!ssl->is_valid() || !AcceptClientCertificates(
                                ssl->ssl_context(), impl->tls.ca_cert.get())) {
      return Status::Internal("TLS setup failed");
    }
    impl->http = std::move(ssl);
  }
  httplib::Server& http = *impl->http;
  Impl* self = impl.get();
  int threads = options.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_keep_alive_max_count(1000000);
  http.set_keep_alive_timeout(10);
  http.set_payload_max_length(32 << 20);
  http.set_tcp_nodelay(true);
  http.set_pre_routing_handler(
      [self](const httplib::Request& req, httplib::Response& res) {
        return self->PreRoute(req, res);
      });
  // Logged before the reply is sent, not from httplib's logger (which runs
  // after): a client that sends its next request as soon as it has a reply
  // must find the earlier line first, or the log's order lies about what
  // the client did in order.
  auto handler = [self](const httplib::Request& req, httplib::Response& res) {
    self->Handle(req, res);
    self->Log(req, res);
    CompressLikeKube(req, &res);
  };
  http.Get(".*", handler);
  http.Post(".*", handler);
  http.Put(".*", handler);
  http.Patch(".*", handler);
  http.Delete(".*", handler);
  if (options.port == 0) {
    impl->port = http.bind_to_any_port("127.0.0.1");
  } else {
    impl->port =
        http.bind_to_port("127.0.0.1", options.port) ? options.port : -1;
  }
  if (impl->port <= 0) {
    return Status::Unavailable("cannot listen on 127.0.0.1:" +
                               std::to_string(options.port));
  }
  if (options.insecure_http) {
    static_cast<WideBacklog<httplib::Server>&>(http).Relisten(1024);
  } else {
    static_cast<WideBacklog<httplib::SSLServer>&>(http).Relisten(1024);
  }
  return std::unique_ptr<SandboxServer>(new SandboxServer(std::move(impl)));
}

SandboxServer::SandboxServer(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
SandboxServer::~SandboxServer() = default;

int SandboxServer::port() const { return impl_->port; }

std::string SandboxServer::url() const {
  return std::string(impl_->options.insecure_http ? "http" : "https") +
         "://127.0.0.1:" + std::to_string(impl_->port);
}

const std::string& SandboxServer::token() const { return impl_->token; }
const std::string& SandboxServer::ca_pem() const { return impl_->tls.ca_pem; }
const std::string& SandboxServer::client_cert_pem() const {
  return impl_->tls.client_cert_pem;
}
const std::string& SandboxServer::client_key_pem() const {
  return impl_->tls.client_key_pem;
}

void SandboxServer::Run() { impl_->http->listen_after_bind(); }

void SandboxServer::Stop() { impl_->http->stop(); }

}  // namespace capigitops::sandbox
