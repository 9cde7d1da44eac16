// Releasing held mass deletions through Git: approvals.yaml names the
// revision at which the deletions were held and the clusters it releases.
// Bound to that one revision: a later revision's deletions (other clusters,
// or the same names held again later) are not released by it.
#include <algorithm>

#include "capigitops/labels.h"
#include "capigitops/yaml.h"
#include "reconcile/reconciler.h"

namespace capigitops {
namespace {

using nlohmann::json;

// The first document of `text` as JSON; null when it does not parse.
json ParseYaml(const std::string& text, const std::string& file,
               Diagnostics* diags) {
  std::vector<yaml::Node> docs = yaml::ParseDocuments(text, file, diags);
  return docs.empty() ? json() : yaml::ToJson(docs.front());
}

// True when `prefix` (at least 7 hex digits) names `revision`.
bool NamesRevision(const std::string& prefix, const std::string& revision) {
  return prefix.size() >= 7 && revision.rfind(prefix, 0) == 0;
}

}  // namespace

const char kApprovalsFile[] = "approvals.yaml";

std::vector<MassDeletionApproval> ParseApprovals(const FileSet& files,
                                                 Diagnostics* diags) {
  std::vector<MassDeletionApproval> out;
  auto f = files.find(kApprovalsFile);
  if (f == files.end()) return out;
  json doc = ParseYaml(f->second, kApprovalsFile, diags);
  const json list = doc.is_object() ? doc.value("massDeletions", json::array())
                                    : json::array();
  if (!list.is_array()) return out;
  for (const json& item : list) {
    if (!item.is_object()) continue;
    MassDeletionApproval a;
    auto rev = item.find("revision");
    if (rev != item.end() && rev->is_string()) a.revision = *rev;
    for (const json& c : item.value("clusters", json::array())) {
      if (c.is_string()) a.clusters.insert(c.get<std::string>());
    }
    if (a.revision.size() < 7) {
      diags->push_back({kApprovalsFile, 0, 0, "massDeletions.revision",
                        "\"" + (rev == item.end() ? "" : rev->dump()) +
                            "\" is not a revision: give at least 7 hex digits "
                            "of the commit the held deletions name, quoted "
                            "when they are all digits"});
      continue;
    }
    out.push_back(std::move(a));
  }
  return out;
}

json StatusInGit(const FileSet& status_files, const std::string& path) {
  auto f = status_files.find(path);
  if (f == status_files.end()) return json();
  Diagnostics ignored;
  json doc = ParseYaml(f->second, path, &ignored);
  if (!doc.is_object() || !doc.contains("status")) return json();
  return doc["status"].is_object() ? doc["status"] : json();
}

std::string HeldAtRevision(const FileSet& status_files,
                           const std::string& path) {
  json st = StatusInGit(status_files, path);
  if (!st.is_object() || st.value("phase", "") != "DeletionHeld") return "";
  return st.value("heldAtRevision", "");
}

bool Approved(const std::vector<MassDeletionApproval>& approvals,
              const std::string& cluster, const std::string& held_at) {
  if (held_at.empty()) return false;
  return std::any_of(approvals.begin(), approvals.end(),
                     [&](const MassDeletionApproval& a) {
                       return a.clusters.count(cluster) > 0 &&
                              NamesRevision(a.revision, held_at);
                     });
}

// The status files as Git has them before this pass writes any.
const FileSet& Reconciler::CurrentStatus() {
  if (current_status_) return *current_status_;
  current_status_ = snapshot_.files;
  if (deps_.status != deps_.spec) {
    StatusOr<Snapshot> s = deps_.status->Fetch({ev_.repo.config.status_path});
    current_status_ = s.ok() ? s->files : FileSet{};
  }
  return *current_status_;
}

// Records since when each deletion is held, and releases the deletions held
// by the budget that approvals.yaml approves for the revision they were
// held at. The others stay held, so an approval never releases more than it
// names.
void Reconciler::ApplyApprovals(Plan* plan) {
  std::vector<ClusterPlan*> by_budget;
  for (ClusterPlan& cp : plan->clusters) {
    if (cp.action != ClusterAction::kDelete) continue;
    bool resuming = cp.inventory && cp.inventory->deleting;
    if (!cp.deletion_held && (resuming || !plan->budget_exceeded)) continue;
    std::string held_at = HeldAtRevision(CurrentStatus(), StatusPath(cp.name));
    held_at_[cp.name] = held_at.empty() ? snapshot_.commit : held_at;
    if (!cp.deletion_held) by_budget.push_back(&cp);
  }
  if (by_budget.empty()) return;
  Diagnostics diags;
  std::vector<MassDeletionApproval> approvals =
      ParseApprovals(snapshot_.files, &diags);
  for (const Diagnostic& d : diags) Note("error: " + d.ToString(), true);
  std::string released;
  for (const ClusterPlan* cp : by_budget) {
    if (Approved(approvals, cp->name, held_at_[cp->name])) {
      released += (released.empty() ? "" : ", ") + cp->name;
    }
  }
  if (released.empty()) return;
  for (ClusterPlan* cp : by_budget) {
    if (Approved(approvals, cp->name, held_at_[cp->name])) {
      held_at_.erase(cp->name);
      continue;
    }
    cp->deletion_held = true;
    cp->reason = plan->budget_message;
  }
  plan->budget_exceeded = false;
  Note(std::string(kApprovalsFile) + " releases the deletion of " + released);
}

}  // namespace capigitops
