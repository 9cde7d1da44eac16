#include <curl/curl.h>

#include <chrono>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <thread>

#include "capigitops/json.h"
#include "capigitops/kube_client.h"
#include "kube/credentials.h"
#include "kube/http.h"

namespace capigitops {
namespace {

using nlohmann::json;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

bool Retryable(long status) { return status == 429 || status >= 500; }

// A response body as JSON, within yaml::JsonLimits: a server (or whatever
// answers in its place) must not crash us with `[[[[…` or exhaust memory.
// Internal, as before: the server broke the protocol.
StatusOr<json> ParseBody(const std::string& body, const std::string& what,
                         bool want_object) {
  StatusOr<json> doc = yaml::ParseJson(body, what);
  if (!doc.ok()) return Status::Internal(doc.status().message());
  if (want_object && !doc->is_object()) {
    return Status::Internal(what + ": invalid JSON (not an object)");
  }
  return doc;
}

}  // namespace

KubeClient::KubeClient(RestConfig config,
                       std::unique_ptr<HttpTransport> transport,
                       ClientOptions options)
    : config_(std::move(config)),
      transport_(std::move(transport)),
      credentials_(std::make_unique<CredentialSource>(config_)),
      options_(options),
      tokens_(options.burst) {
  StartPass();
}

void KubeClient::StartPass() {
  deadline_us_ = options_.pass_timeout_ms > 0
                     ? NowMicros() + options_.pass_timeout_ms * 1000
                     : 0;
}

long KubeClient::RemainingMs() const {
  int64_t deadline = deadline_us_;
  if (deadline == 0) return std::numeric_limits<long>::max();
  return static_cast<long>((deadline - NowMicros()) / 1000);
}

KubeClient::~KubeClient() = default;

StatusOr<std::unique_ptr<KubeClient>> KubeClient::Create(
    const RestConfig& config, const ClientOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<HttpTransport> t, NewCurlTransport(config));
  return std::make_unique<KubeClient>(config, std::move(t), options);
}

std::string KubeClient::Path(const ResourceInfo& r, const std::string& ns,
                             const std::string& name) {
  std::string p = r.group.empty() ? "/api/" + r.version
                                  : "/apis/" + r.group + "/" + r.version;
  if (r.namespaced && !ns.empty()) p += "/namespaces/" + ns;
  p += "/" + r.plural;
  if (!name.empty()) p += "/" + name;
  return p;
}

void KubeClient::Throttle() {
  if (options_.qps <= 0) return;
  while (true) {
    int64_t wait_us = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      int64_t now = NowMicros();
      if (last_refill_us_ == 0) last_refill_us_ = now;
      tokens_ =
          std::min<double>(options_.burst, tokens_ + (now - last_refill_us_) *
                                                         options_.qps / 1e6);
      last_refill_us_ = now;
      if (tokens_ >= 1) {
        tokens_ -= 1;
        return;
      }
      wait_us = static_cast<int64_t>((1 - tokens_) * 1e6 / options_.qps);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(wait_us));
  }
}

StatusOr<HttpResponse> KubeClient::SendOnce(const std::string& method,
                                            const std::string& path,
                                            const std::string& body,
                                            const std::string& content_type) {
  // Under 100 ms left is no time to send a request in: fail it now, with
  // the reason, rather than as a timeout.
  long remaining = RemainingMs();
  if (remaining < 100) {
    return Status::DeadlineExceeded(
        "the pass ran out of time (--pass-timeout " +
        (options_.pass_timeout_ms % 1000
             ? std::to_string(options_.pass_timeout_ms) + "ms"
             : std::to_string(options_.pass_timeout_ms / 1000) + "s") +
        ") before " + method + " " + path);
  }
  HttpRequest req;
  req.method = method;
  req.url = config_.server + path;
  req.body = body;
  req.timeout_ms = std::min(options_.timeout_ms, remaining);
  req.headers.emplace_back("Accept", "application/json");
  req.headers.emplace_back("User-Agent", options_.user_agent);
  if (!content_type.empty())
    req.headers.emplace_back("Content-Type", content_type);
  bool refreshed = false;
  while (true) {
    ASSIGN_OR_RETURN(RequestCredentials creds, credentials_->Get(refreshed));
    HttpRequest r = req;
    if (!creds.authorization.empty())
      r.headers.emplace_back("Authorization", creds.authorization);
    r.client_certificate = std::move(creds.client_certificate);
    Throttle();
    stats_.requests++;
    StatusOr<HttpResponse> sent = transport_->Send(r);
    if (options_.on_response) {
      options_.on_response(method, sent.ok() ? sent->status : 0);
    }
    if (!sent.ok()) return sent.status();
    HttpResponse resp = std::move(sent).value();
    // Redirects are never followed (the transport does not), so the token
    // or client certificate only ever goes to the configured server.
    if (resp.status >= 300 && resp.status < 400) {
      auto location = resp.headers.find("location");
      std::string to = location == resp.headers.end() ? "" : location->second;
      return Status::InvalidArgument(
          method + " " + path + ": the server answered " +
          std::to_string(resp.status) + " redirecting to " +
          RedactUrl(to.substr(0, to.find('?'))) +
          "; capi-gitops does not follow redirects (credentials go only "
          "to the kubeconfig's server): fix the server URL");
    }
    // A rotated token or an expired plugin credential: fetch anew once.
    if (resp.status == 401 && !refreshed && credentials_->Refreshable()) {
      refreshed = true;
      continue;
    }
    return resp;
  }
}

StatusOr<HttpResponse> KubeClient::Do(const std::string& method,
                                      const std::string& path,
                                      const std::string& body,
                                      const std::string& content_type) {
  thread_local std::mt19937 rng(std::random_device{}());
  int backoff_ms = 100;
  int timeouts = 0;
  for (int attempt = 0;; ++attempt) {
    StatusOr<HttpResponse> resp = SendOnce(method, path, body, content_type);
    bool timed_out =
        !resp.ok() && resp.status().code() == StatusCode::kDeadlineExceeded;
    if (timed_out && ++timeouts > options_.max_timeout_retries) return resp;
    bool retry =
        resp.ok() ? Retryable(resp->status) : resp.status().transient();
    if (!retry || attempt >= options_.max_retries) return resp;
    int wait_ms = backoff_ms + static_cast<int>(rng() % (backoff_ms / 2 + 1));
    if (resp.ok()) {
      auto it = resp->headers.find("retry-after");
      if (it != resp->headers.end()) {
        int seconds = std::atoi(it->second.c_str());
        if (seconds > 0)
          wait_ms = std::min(seconds * 1000, options_.max_backoff_ms);
      }
    }
    if (wait_ms >= RemainingMs()) return resp;  // no time left to retry
    stats_.retries++;
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    backoff_ms = std::min(backoff_ms * 2, options_.max_backoff_ms);
  }
}

void KubeClient::ForgetDiscovery() {
  std::lock_guard<std::mutex> lock(mu_);
  discovery_.clear();
}

StatusOr<ResourceInfo> KubeClient::Resolve(const std::string& api_version,
                                           const std::string& kind) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = discovery_.find(api_version);
    if (it != discovery_.end()) {
      for (const ResourceInfo& r : it->second) {
        if (r.kind == kind) return r;
      }
      return Status::NotFound(
          "the management cluster does not serve " + kind + " in " +
          api_version +
          ": are the provider's CRDs installed (clusterctl init)?");
    }
  }
  std::string path = api_version.find('/') == std::string::npos
                         ? "/api/" + api_version
                         : "/apis/" + api_version;
  ASSIGN_OR_RETURN(HttpResponse resp, Do("GET", path, "", ""));
  std::vector<ResourceInfo> resources;
  if (resp.status == 404) {
    // Group version not served at all: cache the absence.
  } else if (resp.status != 200) {
    return StatusFromResponse(resp.status, resp.body,
                              "discovery of " + api_version);
  } else {
    ASSIGN_OR_RETURN(json doc,
                     ParseBody(resp.body, "discovery of " + api_version, true));
    size_t slash = api_version.find('/');
    for (const json& r : doc.value("resources", json::array())) {
      std::string name = r.value("name", "");
      if (name.empty() || name.find('/') != std::string::npos) continue;
      ResourceInfo info;
      info.group =
          slash == std::string::npos ? "" : api_version.substr(0, slash);
      info.version =
          api_version.substr(slash == std::string::npos ? 0 : slash + 1);
      info.kind = r.value("kind", "");
      info.plural = name;
      info.namespaced = r.value("namespaced", true);
      resources.push_back(info);
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    discovery_[api_version] = resources;
  }
  return Resolve(api_version, kind);
}

StatusOr<json> KubeClient::Get(const ResourceInfo& r, const std::string& ns,
                               const std::string& name) {
  ASSIGN_OR_RETURN(HttpResponse resp, Do("GET", Path(r, ns, name), "", ""));
  if (resp.status != 200) {
    return StatusFromResponse(resp.status, resp.body,
                              "get " + r.Name() + " " + ns + "/" + name);
  }
  return ParseBody(resp.body, "get " + r.Name(), false);
}

StatusOr<std::vector<json>> KubeClient::List(
    const ResourceInfo& r, const std::string& ns,
    const std::string& label_selector) {
  std::vector<json> items;
  RETURN_IF_ERROR(ListEach(r, ns, label_selector, [&](json& item) {
    items.push_back(std::move(item));
  }));
  return items;
}

Status KubeClient::ListEach(const ResourceInfo& r, const std::string& ns,
                            const std::string& label_selector,
                            const std::function<void(json&)>& each) {
  // Item by item as the page is parsed: a caller that keeps a smaller form
  // of each never holds the page as one tree.
  return ListPages(
      r, ns, label_selector,
      [&](const std::string& body, const std::string& what) -> StatusOr<json> {
        Status bad_item = Status::Ok();
        StatusOr<json> list = yaml::ParseJsonItems(body, what, [&](json& item) {
          if (!bad_item.ok()) return;
          if (!item.is_object()) {
            bad_item = Status::Internal(what + ": an item is not an object");
            return;
          }
          // Lists omit apiVersion/kind on items; restore them for callers.
          item["apiVersion"] = r.ApiVersion();
          item["kind"] = r.kind;
          each(item);
        });
        if (!list.ok()) return Status::Internal(list.status().message());
        RETURN_IF_ERROR(bad_item);
        return list;
      });
}

Status KubeClient::ListEachEvents(const ResourceInfo& r, const std::string& ns,
                                  const std::string& label_selector,
                                  yaml::JsonItemSax& items) {
  return ListPages(
      r, ns, label_selector,
      [&](const std::string& body, const std::string& what) -> StatusOr<json> {
        StatusOr<json> list = yaml::ParseJsonItems(body, what, items);
        if (!list.ok()) return Status::Internal(list.status().message());
        return list;
      });
}

Status KubeClient::ListPages(const ResourceInfo& r, const std::string& ns,
                             const std::string& label_selector,
                             const PageParser& parse) {
  std::string cont;
  do {
    std::string path = Path(r, ns) + "?limit=500";
    if (!label_selector.empty())
      path += "&labelSelector=" + UrlEncode(label_selector);
    if (!cont.empty()) path += "&continue=" + UrlEncode(cont);
    ASSIGN_OR_RETURN(HttpResponse resp, Do("GET", path, "", ""));
    if (resp.status != 200) {
      return StatusFromResponse(
          resp.status, resp.body,
          "list " + r.Name() + (ns.empty() ? "" : " in " + ns));
    }
    const std::string what = "list " + r.Name();
    ASSIGN_OR_RETURN(json list, parse(resp.body, what));
    if (!list.is_object()) {
      return Status::Internal(what + ": invalid JSON (not an object)");
    }
    auto page = list.find("items");  // only when it is not an array
    if (page != list.end() && !page->is_null()) {
      return Status::Internal(what + ": items is not a list");
    }
    // Read without value(), which throws on a metadata or continue of
    // another type, on a worker thread of the live read.
    cont.clear();
    auto meta = list.find("metadata");
    if (meta != list.end() && meta->is_object()) {
      auto c = meta->find("continue");
      if (c != meta->end() && c->is_string()) cont = c->get<std::string>();
    }
  } while (!cont.empty());
  return Status::Ok();
}

StatusOr<json> KubeClient::Apply(const json& object,
                                 const ApplyOptions& options) {
  std::string api_version = object.value("apiVersion", "");
  std::string kind = object.value("kind", "");
  ASSIGN_OR_RETURN(ResourceInfo r, Resolve(api_version, kind));
  const json& meta = object.value("metadata", json::object());
  std::string name = meta.value("name", "");
  std::string ns = meta.value("namespace", "");
  std::string path =
      Path(r, ns, name) + "?fieldManager=" + UrlEncode(options.field_manager);
  if (options.force) path += "&force=true";
  if (options.dry_run) path += "&dryRun=All";
  ASSIGN_OR_RETURN(HttpResponse resp, Do("PATCH", path, yaml::DumpJson(object),
                                         "application/apply-patch+yaml"));
  if (resp.status != 200 && resp.status != 201) {
    return StatusFromResponse(resp.status, resp.body,
                              "apply " + r.Name() + " " + ns + "/" + name);
  }
  return ParseBody(resp.body, "apply " + r.Name(), false);
}

Status KubeClient::Delete(const ResourceInfo& r, const std::string& ns,
                          const std::string& name,
                          const WriteOptions& options) {
  std::string path = Path(r, ns, name) + "?propagationPolicy=Background";
  if (options.dry_run) path += "&dryRun=All";
  ASSIGN_OR_RETURN(HttpResponse resp, Do("DELETE", path, "", ""));
  if (resp.status == 200 || resp.status == 202 || resp.status == 404)
    return Status::Ok();
  return StatusFromResponse(resp.status, resp.body,
                            "delete " + r.Name() + " " + ns + "/" + name);
}

StatusOr<json> KubeClient::Create(const ResourceInfo& r, const json& obj,
                                  const WriteOptions& options) {
  std::string ns = obj.value("metadata", json::object()).value("namespace", "");
  std::string path = Path(r, ns) + (options.dry_run ? "?dryRun=All" : "");
  ASSIGN_OR_RETURN(HttpResponse resp,
                   Do("POST", path, yaml::DumpJson(obj), "application/json"));
  if (resp.status != 200 && resp.status != 201) {
    return StatusFromResponse(resp.status, resp.body, "create " + r.Name());
  }
  return ParseBody(resp.body, "create " + r.Name(), false);
}

StatusOr<json> KubeClient::Replace(const ResourceInfo& r, const json& obj,
                                   const WriteOptions& options) {
  const json& meta = obj.value("metadata", json::object());
  std::string path =
      Path(r, meta.value("namespace", ""), meta.value("name", ""));
  if (options.dry_run) path += "?dryRun=All";
  ASSIGN_OR_RETURN(HttpResponse resp,
                   Do("PUT", path, yaml::DumpJson(obj), "application/json"));
  if (resp.status != 200)
    return StatusFromResponse(resp.status, resp.body, "update " + r.Name());
  return ParseBody(resp.body, "update " + r.Name(), false);
}

int KubeClient::Concurrency() const { return options_.concurrency; }

}  // namespace capigitops
