// Placeholder server-side apply. Ownership is tracked per leaf field; lists
// are atomic. The real engine (sandbox/ssa.h) replaces ServerSideApply and
// RecordUpdateManager here.
#include "apply_adapter.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace capigitops::sandbox {
namespace {

using Path = std::vector<std::string>;  // map keys from the root
using FieldSet = std::set<Path>;

struct Entry {
  json raw;  // the managedFields entry as stored
  FieldSet fields;
  std::string Id() const {
    return raw.value("manager", "") + "|" + raw.value("operation", "") + "|" +
           raw.value("subresource", "");
  }
};

bool Excluded(const Path& p) {
  if (p.size() == 1) return p[0] == "apiVersion" || p[0] == "kind";
  if (p[0] != "metadata") return false;
  static const std::set<std::string> kOwnable = {
      "labels", "annotations", "finalizers", "ownerReferences"};
  return kOwnable.count(p[1]) == 0;
}

void CollectLeaves(const json& v, Path* prefix, FieldSet* out) {
  if (v.is_object() && !v.empty()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      prefix->push_back(it.key());
      CollectLeaves(*it, prefix, out);
      prefix->pop_back();
    }
    return;
  }
  if (!prefix->empty()) out->insert(*prefix);
}

FieldSet Leaves(const json& v) {
  FieldSet out;
  Path prefix;
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      prefix = {it.key()};
      if (it.key() == "metadata") {
        for (auto m = it->begin(); it->is_object() && m != it->end(); ++m) {
          Path p = {"metadata", m.key()};
          if (!Excluded(p)) CollectLeaves(*m, &p, &out);
        }
      } else if (!Excluded(prefix)) {
        CollectLeaves(*it, &prefix, &out);
      }
    }
  }
  return out;
}

json ToFieldsV1(const FieldSet& fields) {
  json root = json::object();
  for (const Path& p : fields) {
    json* node = &root;
    for (const std::string& k : p) node = &(*node)["f:" + k];
    if (node->is_null()) *node = json::object();
  }
  return root;
}

void FromFieldsV1(const json& node, Path* prefix, FieldSet* out) {
  bool has_child = false;
  for (auto it = node.begin(); node.is_object() && it != node.end(); ++it) {
    if (it.key().rfind("f:", 0) != 0) continue;
    has_child = true;
    prefix->push_back(it.key().substr(2));
    FromFieldsV1(*it, prefix, out);
    prefix->pop_back();
  }
  if (!has_child && !prefix->empty()) out->insert(*prefix);
}

std::vector<Entry> ReadEntries(const json* obj) {
  std::vector<Entry> out;
  if (obj == nullptr) return out;
  const json meta = obj->value("metadata", json::object());
  for (const json& raw : meta.value("managedFields", json::array())) {
    Entry e{raw, {}};
    Path prefix;
    FromFieldsV1(raw.value("fieldsV1", json::object()), &prefix, &e.fields);
    out.push_back(std::move(e));
  }
  return out;
}

void WriteEntries(std::vector<Entry> entries, json* obj) {
  json list = json::array();
  for (Entry& e : entries) {
    if (e.fields.empty()) continue;
    e.raw["fieldsType"] = "FieldsV1";
    e.raw["fieldsV1"] = ToFieldsV1(e.fields);
    list.push_back(e.raw);
  }
  if (list.empty()) {
    (*obj)["metadata"].erase("managedFields");
  } else {
    (*obj)["metadata"]["managedFields"] = list;
  }
}

const json* ValueAt(const json& v, const Path& p) {
  const json* cur = &v;
  for (const std::string& k : p) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(k);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

void EraseAt(json* v, const Path& p) {
  json* cur = v;
  for (size_t i = 0; i + 1 < p.size(); ++i) {
    if (!cur->is_object() || !cur->contains(p[i])) return;
    cur = &(*cur)[p[i]];
  }
  if (cur->is_object()) cur->erase(p.back());
}

void MergeInto(json* target, const json& src) {
  for (auto it = src.begin(); it != src.end(); ++it) {
    if (it->is_object() && target->contains(it.key()) &&
        (*target)[it.key()].is_object()) {
      MergeInto(&(*target)[it.key()], *it);
    } else if (it->is_null()) {
      target->erase(it.key());
    } else {
      (*target)[it.key()] = *it;
    }
  }
}

std::string PathText(const Path& p) {
  std::string s;
  for (const std::string& k : p) s += "." + k;
  return s;
}

std::string ManagerText(const json& raw) {
  std::string s = "\"" + raw.value("manager", "") + "\"";
  if (raw.value("operation", "") == "Update") {
    s += " using " + raw.value("apiVersion", "");
  }
  if (!raw.value("subresource", "").empty()) {
    s += " with subresource \"" + raw.value("subresource", "") + "\"";
  }
  return s;
}

ApiError ConflictsError(
    const std::map<std::string, std::vector<Path>>& by_mgr) {
  size_t n = 0;
  std::vector<StatusCause> causes;
  for (const auto& [mgr, paths] : by_mgr) {
    for (const Path& p : paths) {
      causes.push_back(
          {"FieldManagerConflict", "conflict with " + mgr, PathText(p)});
      ++n;
    }
  }
  std::string msg = "Apply failed with " + std::to_string(n) + " conflict" +
                    (n == 1 ? "" : "s") + ": ";
  if (n == 1) {
    msg += causes[0].message + ": " + causes[0].field;
  } else {
    std::string sep;
    for (const auto& [mgr, paths] : by_mgr) {
      msg += sep + "conflicts with " + mgr + ":";
      for (const Path& p : paths) msg += "\n- " + PathText(p);
      sep = "\n";
    }
  }
  ApiError e;
  e.code = 409;
  e.reason = "Conflict";
  e.message = msg;
  json jc = json::array();
  for (const StatusCause& c : causes) {
    jc.push_back(
        {{"reason", c.reason}, {"message", c.message}, {"field", c.field}});
  }
  e.details = {{"causes", jc}};
  return e;
}

Entry& FindOrAdd(std::vector<Entry>* entries, const json& raw) {
  Entry probe{raw, {}};
  for (Entry& e : *entries) {
    if (e.Id() == probe.Id()) return e;
  }
  entries->push_back(std::move(probe));
  return entries->back();
}

}  // namespace

ApiOr<json> ServerSideApply(const ApplyInput& in) {
  json result = in.live ? *in.live : json::object();
  std::vector<Entry> entries = ReadEntries(in.live);
  FieldSet applied = Leaves(in.applied);
  json self_raw = {{"manager", in.manager},
                   {"operation", "Apply"},
                   {"apiVersion", in.api_version},
                   {"time", in.now}};
  if (!in.subresource.empty()) self_raw["subresource"] = in.subresource;
  std::string self_id = Entry{self_raw, {}}.Id();
  std::map<std::string, std::vector<Path>> conflicts;
  for (Entry& e : entries) {
    if (e.Id() == self_id) continue;
    for (const Path& p : applied) {
      if (!e.fields.count(p)) continue;
      const json* have = ValueAt(result, p);
      const json* want = ValueAt(in.applied, p);
      if (have && want && *have == *want) continue;
      conflicts[ManagerText(e.raw)].push_back(p);
    }
  }
  if (!conflicts.empty() && !in.force) return ConflictsError(conflicts);
  for (Entry& e : entries) {
    if (e.Id() == self_id || !in.force) continue;
    for (const Path& p : applied) {
      const json* have = ValueAt(result, p);
      const json* want = ValueAt(in.applied, p);
      if (!(have && want && *have == *want)) e.fields.erase(p);
    }
  }
  MergeInto(&result, in.applied);
  Entry& self = FindOrAdd(&entries, self_raw);
  for (const Path& p : self.fields) {
    if (applied.count(p)) continue;
    bool shared = std::any_of(
        entries.begin(), entries.end(),
        [&](const Entry& e) { return e.Id() != self_id && e.fields.count(p); });
    if (!shared) EraseAt(&result, p);
  }
  if (self.fields != applied) {
    self.fields = applied;
    self.raw["time"] = in.now;
    self.raw["apiVersion"] = in.api_version;
  }
  WriteEntries(std::move(entries), &result);
  return result;
}

void RecordUpdateManager(const json* live, json* updated,
                         const std::string& manager, const std::string& now,
                         const std::string& api_version,
                         const std::string& subresource) {
  std::vector<Entry> entries = ReadEntries(updated);
  FieldSet now_fields = Leaves(*updated);
  FieldSet changed;
  for (const Path& p : now_fields) {
    const json* before = live ? ValueAt(*live, p) : nullptr;
    if (!before || *before != *ValueAt(*updated, p)) changed.insert(p);
  }
  json self_raw = {{"manager", manager},
                   {"operation", "Update"},
                   {"apiVersion", api_version},
                   {"time", now}};
  if (!subresource.empty()) self_raw["subresource"] = subresource;
  std::string self_id = Entry{self_raw, {}}.Id();
  for (Entry& e : entries) {
    for (auto it = e.fields.begin(); it != e.fields.end();) {
      bool gone = !now_fields.count(*it);
      bool taken = e.Id() != self_id && changed.count(*it);
      it = (gone || taken) ? e.fields.erase(it) : std::next(it);
    }
  }
  if (!changed.empty()) {
    Entry& self = FindOrAdd(&entries, self_raw);
    self.fields.insert(changed.begin(), changed.end());
    self.raw["time"] = now;
    self.raw["apiVersion"] = api_version;
  }
  WriteEntries(std::move(entries), updated);
}

ApiOr<json> ApplyMergePatch(const json& live, const json& patch) {
  if (!patch.is_object())
    return BadRequest("merge patch must be a JSON object");
  json out = live;
  out.merge_patch(patch);
  return out;
}

ApiOr<json> ApplyJsonPatch(const json& live, const json& patch) {
  if (!patch.is_array()) return BadRequest("JSON patch must be a list");
  try {
    return live.patch(patch);
  } catch (const json::exception& e) {
    ApiError err;
    err.code = 422;
    err.reason = "Invalid";
    err.message = std::string(
                      "the server rejected our request due to an "
                      "error in our request: ") +
                  e.what();
    return err;
  }
}

}  // namespace capigitops::sandbox
