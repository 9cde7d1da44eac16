#include "testing/fake_kube_api.h"

#include <exception>
#include <stdexcept>

#include "api.h"  // capi-sandbox's request handler
#include "capigitops/kube_client.h"
#include "kinds.h"
#include "kube/http.h"
#include "store.h"

namespace capigitops {
namespace {

using nlohmann::json;

constexpr char kServer[] = "http://fake-kube-api";

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

// Hands the client's requests to the sandbox's handler, without HTTP.
class SandboxTransport : public HttpTransport {
 public:
  explicit SandboxTransport(sandbox::ApiContext ctx) : ctx_(ctx) {}

  StatusOr<HttpResponse> Send(const HttpRequest& req) override {
    sandbox::ApiRequest ar;
    ar.method = req.method;
    std::string target = req.url.substr(sizeof(kServer) - 1);
    size_t q = target.find('?');
    ar.path = target.substr(0, q);
    if (q != std::string::npos) ParseQuery(target.substr(q + 1), &ar);
    for (const auto& [name, value] : req.headers) {
      if (name == "Content-Type") ar.content_type = value;
    }
    ar.body = req.body;
    sandbox::Reply reply;
    try {
      if (ar.method != "GET" || !ServeDiscovery(ctx_, ar, &reply)) {
        reply = ServeResource(ctx_, ar);
      }
    } catch (const std::exception& e) {
      return Status::Internal(std::string("sandbox handler: ") + e.what());
    }
    HttpResponse resp;
    resp.status = reply.code;
    resp.body = !reply.body_text.empty() ? std::move(reply.body_text)
                : reply.body.is_string() ? reply.body.get<std::string>()
                                         : reply.body.dump();
    return resp;
  }

 private:
  static void ParseQuery(const std::string& query, sandbox::ApiRequest* ar) {
    size_t start = 0;
    while (start <= query.size()) {
      size_t end = query.find('&', start);
      if (end == std::string::npos) end = query.size();
      std::string pair = query.substr(start, end - start);
      size_t eq = pair.find('=');
      if (!pair.empty()) {
        ar->query.emplace(
            PercentDecode(pair.substr(0, eq)),
            eq == std::string::npos ? "" : PercentDecode(pair.substr(eq + 1)));
      }
      start = end + 1;
    }
  }

  sandbox::ApiContext ctx_;
};

std::string Key(const std::string& ns, const std::string& name) {
  return ns + "/" + name;
}

}  // namespace

FakeKubeApi::FakeKubeApi(int concurrency)
    : kinds_(std::make_unique<sandbox::KindRegistry>()),
      store_(std::make_unique<sandbox::Store>()),
      concurrency_(concurrency) {
  sandbox::AddBuiltinCapiKinds(kinds_.get());
  sandbox::ApiContext ctx;
  ctx.kinds = kinds_.get();
  ctx.store = store_.get();
  RestConfig rc;
  rc.server = kServer;
  rc.token = "fake";
  ClientOptions options;
  options.qps = 0;  // no rate limit
  options.max_retries = 0;
  options.concurrency = concurrency;
  client_ = std::make_unique<KubeClient>(
      rc, std::make_unique<SandboxTransport>(ctx), options);
}

FakeKubeApi::~FakeKubeApi() = default;

void FakeKubeApi::ServeWorkloadKinds(bool kueue) {
  auto add = [&](const std::string& group, const std::string& version,
                 const std::string& kind, const std::string& plural,
                 bool namespaced) {
    sandbox::ResourceType t;
    t.group = group;
    t.kind = kind;
    t.list_kind = kind + "List";
    t.plural = plural;
    t.singular = plural.substr(0, plural.size() - 1);
    t.namespaced = namespaced;
    sandbox::KindVersion v;
    v.name = version;
    v.storage = true;
    t.versions.push_back(v);
    kinds_->Add(std::move(t));
  };
  add("", "v1", "Node", "nodes", false);
  add("", "v1", "Pod", "pods", true);
  add("batch", "v1", "Job", "jobs", true);
  if (kueue) add("kueue.x-k8s.io", "v1beta1", "Workload", "workloads", true);
  client_->ForgetDiscovery();
}

Status FakeKubeApi::Begin(const std::string& verb, const std::string& kind,
                          const std::string& name, bool dry_run) {
  std::lock_guard<std::mutex> lock(mu_);
  log_.push_back({verb, kind, name, dry_run});
  for (const Fault& f : faults_) {
    if (f.verb == verb && (f.kind.empty() || f.kind == kind) &&
        (f.name.empty() || f.name == name)) {
      return f.status;
    }
  }
  return Status::Ok();
}

StatusOr<ResourceInfo> FakeKubeApi::Resolve(const std::string& api_version,
                                            const std::string& kind) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (unserved_.count(kind)) {
      return Status::NotFound("the management cluster does not serve " + kind +
                              " in " + api_version);
    }
  }
  return client_->Resolve(api_version, kind);
}

void FakeKubeApi::ForgetDiscovery() { client_->ForgetDiscovery(); }

StatusOr<json> FakeKubeApi::Get(const ResourceInfo& r, const std::string& ns,
                                const std::string& name) {
  RETURN_IF_ERROR(Begin("get", r.kind, name, false));
  bool gone_now = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = lingering_.find(Key(ns, name));
    if (r.kind == "Cluster" && it != lingering_.end()) {
      if (it->second == 0) {
        lingering_.erase(it);
        gone_now = true;
      } else if (it->second > 0) {
        --it->second;
      }
    }
  }
  if (gone_now) RETURN_IF_ERROR(client_->Delete(r, ns, name, {}));
  return client_->Get(r, ns, name);
}

StatusOr<std::vector<json>> FakeKubeApi::List(
    const ResourceInfo& r, const std::string& ns,
    const std::string& label_selector) {
  RETURN_IF_ERROR(Begin("list", r.kind, "", false));
  return client_->List(r, ns, label_selector);
}

StatusOr<json> FakeKubeApi::Apply(const json& object,
                                  const ApplyOptions& options) {
  std::string name = object.value("metadata", json::object()).value("name", "");
  RETURN_IF_ERROR(
      Begin("apply", object.value("kind", ""), name, options.dry_run));
  return client_->Apply(object, options);
}

Status FakeKubeApi::Delete(const ResourceInfo& r, const std::string& ns,
                           const std::string& name,
                           const WriteOptions& options) {
  RETURN_IF_ERROR(Begin("delete", r.kind, name, options.dry_run));
  if (r.kind == "Cluster" && linger_reads_ != 0 && !options.dry_run) {
    if (!client_->Get(r, ns, name).ok()) return Status::Ok();  // gone
    std::lock_guard<std::mutex> lock(mu_);
    lingering_.emplace(Key(ns, name), linger_reads_);
    return Status::Ok();
  }
  return client_->Delete(r, ns, name, options);
}

StatusOr<json> FakeKubeApi::Create(const ResourceInfo& r, const json& obj,
                                   const WriteOptions& options) {
  std::string name = obj.value("metadata", json::object()).value("name", "");
  RETURN_IF_ERROR(Begin("create", r.kind, name, options.dry_run));
  return client_->Create(r, obj, options);
}

StatusOr<json> FakeKubeApi::Replace(const ResourceInfo& r, const json& obj,
                                    const WriteOptions& options) {
  std::string name = obj.value("metadata", json::object()).value("name", "");
  RETURN_IF_ERROR(Begin("replace", r.kind, name, options.dry_run));
  return client_->Replace(r, obj, options);
}

void FakeKubeApi::Seed(const json& object, const std::string& manager) {
  std::string ns =
      object.value("metadata", json::object()).value("namespace", "");
  ApplyOptions options;
  options.field_manager = manager;
  if (!ns.empty()) {
    (void)client_->Apply({{"apiVersion", "v1"},
                          {"kind", "Namespace"},
                          {"metadata", {{"name", ns}}}},
                         options);
  }
  StatusOr<json> applied = client_->Apply(object, options);
  if (!applied.ok()) {
    throw std::runtime_error("FakeKubeApi::Seed: " +
                             applied.status().ToString());
  }
}

json FakeKubeApi::Stored(const std::string& api_version,
                         const std::string& kind, const std::string& ns,
                         const std::string& name) {
  StatusOr<ResourceInfo> r = client_->Resolve(api_version, kind);
  if (!r.ok()) return nullptr;
  StatusOr<json> got = client_->Get(*r, ns, name);
  return got.ok() ? *got : json(nullptr);
}

void FakeKubeApi::FailOn(const std::string& verb, const std::string& kind,
                         Status status, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.push_back({verb, kind, name, std::move(status)});
}

void FakeKubeApi::Unserve(const std::string& kind) {
  std::lock_guard<std::mutex> lock(mu_);
  unserved_.insert(kind);
}

std::vector<FakeKubeApi::Request> FakeKubeApi::log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

void FakeKubeApi::ClearLog() {
  std::lock_guard<std::mutex> lock(mu_);
  log_.clear();
}

int FakeKubeApi::Count(const std::string& verb, const std::string& kind) const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const Request& r : log_) {
    if ((verb.empty() || r.verb == verb) && (kind.empty() || r.kind == kind))
      ++n;
  }
  return n;
}

int FakeKubeApi::StoredWrites() const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const Request& r : log_) {
    if (r.verb != "get" && r.verb != "list" && !r.dry_run) ++n;
  }
  return n;
}

}  // namespace capigitops
