// The idle phase of a pass, after the TTL's: with what ReadWorkloads read
// from each watched workload cluster (the idle signals, and whether it is
// usable in the status file's sense), decide (writeback's DecideIdle), keep
// the clock on the live Cluster, and act as the TTL does: a teardown is
// committed to Git first and then deleted within the same deletion budget;
// a hibernation is a one-line commit (spec.hibernate: true) that the next
// pass renders as GPU pools at zero.
#include <algorithm>
#include <set>

#include "capigitops/duration.h"
#include "capigitops/labels.h"
#include "reconcile/idle_signals.h"
#include "reconcile/reconciler.h"

namespace capigitops {
namespace {

using nlohmann::json;

constexpr char kIdleClusterApiVersion[] = "cluster.x-k8s.io/v1beta2";

std::optional<int64_t> AnnotationTime(const json& cluster, const char* key) {
  const json ann = cluster.value("metadata", json::object())
                       .value("annotations", json::object());
  if (!ann.is_object() || !ann.contains(key) || !ann[key].is_string()) {
    return std::nullopt;
  }
  return ParseRfc3339(ann[key].get<std::string>());
}

bool BeingDeleted(const json& cluster) {
  return cluster.value("metadata", json::object())
      .contains("deletionTimestamp");
}

}  // namespace

struct Reconciler::IdleCandidate {
  const ClusterResult* cluster = nullptr;
  json live;             // the live Cluster, decoded
  bool observe = false;  // spec.idle set: the workload cluster was read
};

// Live clusters this pass may decide on: not blocked, not torn down by the
// TTL, not being deleted.
std::vector<Reconciler::IdleCandidate> Reconciler::IdleCandidates() {
  std::vector<IdleCandidate> out;
  for (const ClusterResult& c : ev_.clusters) {
    const std::string& name = c.request.name;
    if (desired_.blocked.count(name) || expired_.count(name)) continue;
    auto l =
        live_.objects.find(ObjRef{kIdleClusterApiVersion, "Cluster", name});
    if (l == live_.objects.end()) continue;
    IdleCandidate cand;
    cand.cluster = &c;
    cand.observe = c.request.idle.has_value();
    cand.live = l->second.Decode();
    if (BeingDeleted(cand.live)) continue;
    bool has_state = AnnotationTime(cand.live, kIdleSinceAnnotation) ||
                     AnnotationTime(cand.live, kHibernatedSinceAnnotation);
    if (cand.observe || c.request.hibernate || has_state) {
      out.push_back(std::move(cand));
    }
  }
  return out;
}

// Kubernetes' own namespaces, the add-on catalog's release namespaces
// (gpu-operator, tigera-operator: their validator and exporter pods are not
// user work) and the repository's idle.ignoreNamespaces.
std::set<std::string> Reconciler::IdleIgnoredNamespaces() const {
  std::set<std::string> ignored(BuiltinIdleIgnoredNamespaces().begin(),
                                BuiltinIdleIgnoredNamespaces().end());
  for (const Addon& addon : ev_.repo.catalog.addons) {
    if (addon.helm && !addon.helm->namespace_name.empty())
      ignored.insert(addon.helm->namespace_name);
  }
  for (const std::string& ns : ev_.repo.config.idle.ignore_namespaces) {
    ignored.insert(ns);
  }
  return ignored;
}

// The decision's input: this pass's reading (the signals, and `usable` as
// the status file decides it) and the clock from the live Cluster.
IdleInput Reconciler::IdleInputOf(const IdleCandidate& c) const {
  const std::string& name = c.cluster->request.name;
  IdleInput in;
  in.request = &c.cluster->request;
  auto seen = idle_observed_.find(name);
  if (!c.observe) {
    // Hibernated by hand, or a left-over clock: nothing to read.
  } else if (deps_.workload == nullptr) {
    in.observation.unreadable = "workload clusters are not read in this mode";
  } else if (seen == idle_observed_.end()) {
    in.observation.unreadable = "not read in this pass";
  } else {
    in.observation = seen->second;
  }
  auto w = workload_.find(name);
  if (w == workload_.end()) {
    in.not_usable = "not read in this pass";
  } else {
    Usability u = SummarizeUsability(w->second);
    in.usable = u.usable;
    in.not_usable = u.reason;
  }
  in.idle_since = AnnotationTime(c.live, kIdleSinceAnnotation);
  in.hibernated_since = AnnotationTime(c.live, kHibernatedSinceAnnotation);
  in.last_activity = AnnotationTime(c.live, kLastActivityAnnotation);
  in.now = options_.now;
  return in;
}

// The clock lives in annotations on the live Cluster, applied by their own
// field manager: the Cluster's apply (field manager capi-gitops) does not
// list them, so it neither removes them nor conflicts with them, and
// leaving a key out here removes it (this manager owned it).
void Reconciler::WriteIdleAnnotations(const IdleCandidate& c,
                                      const IdleDecision& d) {
  const json& live = c.live;
  auto same = [&](const char* key, const std::optional<int64_t>& want) {
    return AnnotationTime(live, key) == want;
  };
  if (same(kIdleSinceAnnotation, d.idle_since) &&
      same(kHibernatedSinceAnnotation, d.hibernated_since) &&
      same(kLastActivityAnnotation, d.last_activity)) {
    return;
  }
  json ann = json::object();
  if (d.idle_since) ann[kIdleSinceAnnotation] = FormatRfc3339(*d.idle_since);
  if (d.hibernated_since) {
    ann[kHibernatedSinceAnnotation] = FormatRfc3339(*d.hibernated_since);
  }
  if (d.last_activity) {
    ann[kLastActivityAnnotation] = FormatRfc3339(*d.last_activity);
  }
  json patch = {{"apiVersion", kIdleClusterApiVersion},
                {"kind", "Cluster"},
                {"metadata",
                 {{"name", c.cluster->request.name},
                  {"namespace", desired_.ns},
                  {"annotations", ann}}}};
  ApplyOptions options;
  options.field_manager = kIdleFieldManager;
  StatusOr<json> applied = deps_.kube->Apply(patch, options);
  if (!applied.ok()) {
    // Not fatal: the next pass starts the clock again, which only delays.
    Note("error: " + c.cluster->request.name +
             ": writing the idle clock: " + applied.status().message(),
         true);
  }
}

void Reconciler::DecideIdleClusters() {
  std::vector<IdleCandidate> candidates = IdleCandidates();
  std::vector<const IdleCandidate*> teardowns;
  for (const IdleCandidate& c : candidates) {
    const ClusterRequest& req = c.cluster->request;
    IdleInput in = IdleInputOf(c);
    const IdleDecision& d = idle_[req.name] = DecideIdle(in);
    WriteIdleAnnotations(c, d);
    if (req.idle) result_.idle_seconds[req.name] = IdleSeconds(d, in.now);
    if (d.step != IdleStep::kNone) {
      result_.idle_decisions[IdleStepName(d.step)]++;
    }
    if (d.state == "unreadable" || d.kept) {
      Note(req.name + ": idle: " + d.reason);
    }
    if (d.acts_at > in.now && !d.kept) {
      int64_t in_s = d.acts_at - in.now;
      std::optional<int64_t>& first = result_.next_idle_action_in;
      if (!first || in_s < *first) first = in_s;
    }
    if (d.step == IdleStep::kHibernate) CommitHibernate(c);
    if (d.step == IdleStep::kTeardown) teardowns.push_back(&c);
  }
  TearDownIdle(std::move(teardowns));
}

// Within what the deletion budget leaves after this pass's TTL teardowns
// (they are already pending deletions), longest idle first.
void Reconciler::TearDownIdle(std::vector<const IdleCandidate*> due) {
  if (due.empty()) return;
  auto since = [&](const IdleCandidate* c) {
    const IdleDecision& d = idle_[c->cluster->request.name];
    return d.idle_since.value_or(d.hibernated_since.value_or(0));
  };
  std::sort(due.begin(), due.end(),
            [&](const IdleCandidate* a, const IdleCandidate* b) {
              if (since(a) != since(b)) return since(a) < since(b);
              return a->cluster->request.name < b->cluster->request.name;
            });
  size_t allowed = TeardownAllowance(due.size());
  for (size_t i = 0; i < due.size(); ++i) {
    const ClusterRequest& req = due[i]->cluster->request;
    if (i >= allowed) {
      Note(req.name + ": idle, " +
           (options_.sync.prune
                ? "its teardown waits for a later pass: this pass may delete "
                  "no more clusters (safety.deletionBudget)"
                : "its teardown waits: pruning is off"));
      continue;
    }
    Teardown t;
    t.cluster = due[i]->cluster;
    auto inv = live_.inventories.find(req.name);
    t.created_at = inv == live_.inventories.end() ? 0 : inv->second.created_at;
    t.idle_message = IdleTeardownCommitMessage(req, idle_[req.name]);
    CommitTeardown(t);
  }
  RemoveExpired();
}

// spec.hibernate: true in the cluster's file, that line only, committed
// only onto a tip where the file is still what this pass decided on.
bool Reconciler::CommitHibernate(const IdleCandidate& c) {
  const ClusterRequest& req = c.cluster->request;
  auto file = snapshot_.files.find(req.file);
  if (file == snapshot_.files.end()) return false;
  StatusOr<std::string> edited = SetHibernateLine(file->second, true);
  if (!edited.ok()) {
    Note("error: " + req.name + ": cannot hibernate: " + req.file + ": " +
             edited.status().message(),
         true);
    return false;
  }
  std::string full = HibernateCommitMessage(req, idle_[req.name]);
  CommitRequest commit_req = NewCommit(options_.branch, full);
  commit_req.changes[req.file] = *edited;
  commit_req.expect[req.file] = file->second;
  StatusOr<std::string> commit = deps_.spec->CommitAndPush(commit_req);
  std::string subject = full.substr(0, full.find('\n'));
  if (!commit.ok()) {
    if (commit.status().code() == StatusCode::kFailedPrecondition) {
      Note(req.name + ": hibernation dropped: " + commit.status().message() +
           "; the next pass decides again on the new spec");
      return false;
    }
    if (result_.git_write.ok()) result_.git_write = commit.status();
    Note("error: committing the hibernation of " + req.name + ": " +
             commit.status().message(),
         true);
    return false;
  }
  if (commit->empty()) {
    Note(req.name + ": idle; the hibernation was not committed");
    return false;
  }
  Note(subject + " (commit " + commit->substr(0, 12) + ")");
  return true;
}

}  // namespace capigitops
