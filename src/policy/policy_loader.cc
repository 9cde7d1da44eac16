// Loading `kind: Policy` files into Policy values, with every problem
// reported at its line and column.
#include <algorithm>
#include <set>

#include "capigitops/duration.h"
#include "capigitops/loader.h"
#include "capigitops/policy.h"
#include "policy/decode_common.h"
#include "util/glob.h"
#include "util/k8s_names.h"

namespace capigitops {
namespace {

using policy_internal::ReadAmount;
using policy_internal::ReadProvider;

constexpr RuleKind kAllRuleKinds[] = {
    RuleKind::kAllowedProviders,
    RuleKind::kAllowedRegions,
    RuleKind::kAllowedMachineTypes,
    RuleKind::kAllowedAccelerators,
    RuleKind::kMaxReplicas,
    RuleKind::kMaxAccelerators,
    RuleKind::kMaxTtl,
    RuleKind::kRequireTtl,
    RuleKind::kRequiredLabels,
    RuleKind::kMaxHourlyCost,
    RuleKind::kMaxIdleAfter,
    RuleKind::kRequireIdle,
    RuleKind::kAllowedAddons,
    RuleKind::kMaxLifetime,
};

std::string CheckNames() {
  std::string all;
  for (RuleKind k : kAllRuleKinds) {
    all += (all.empty() ? "" : ", ") + std::string(RuleKindName(k));
  }
  return all;
}

// A list of globs under `key`; each must be a valid pattern.
void ReadGlobs(FieldReader* r, const yaml::Node& map, const std::string& key,
               DecodeContext* ctx, std::vector<std::string>* out) {
  if (!r->StringList(key, out)) return;
  const yaml::Node* list = map.Find(key);
  if (out->empty()) {
    ctx->Error(list->mark, r->Field(key),
               "empty list: name at least one pattern");
  }
  for (size_t i = 0; i < out->size() && i < list->seq.size(); ++i) {
    std::string why = GlobError((*out)[i]);
    if (!why.empty()) {
      ctx->Error(list->seq[i].mark,
                 r->Field(key) + "[" + std::to_string(i) + "]",
                 "invalid pattern \"" + (*out)[i] + "\": " + why);
    }
  }
}

class PolicyDecoder {
 public:
  explicit PolicyDecoder(DecodeContext* ctx) : ctx_(ctx) {}

  // Returns false when the document had errors.
  bool Decode(const yaml::Node& doc, Policy* policy) {
    size_t errors_before = ctx_->diags->size();
    FieldReader top(&doc, "", ctx_);
    if (!top.ok()) return false;
    policy->file = ctx_->file;
    policy->mark = doc.mark;
    policy->name = policy_internal::DecodeHeader(&top, doc, ctx_);
    const yaml::Node* spec = top.Child("spec");
    top.Finish();
    if (spec == nullptr) {
      ctx_->Error(doc.mark, "spec",
                  "required field is missing: spec: {rules: [...]}");
    } else {
      DecodeSpec(*spec, policy);
    }
    return ctx_->diags->size() == errors_before;
  }

 private:
  void DecodeSpec(const yaml::Node& spec, Policy* policy) {
    FieldReader s(&spec, "spec", ctx_);
    if (!s.ok()) return;
    std::string description;
    s.String("description", &description);
    if (const yaml::Node* sel = s.Child("selector")) {
      DecodeSelector(*sel, &policy->selector);
    }
    const yaml::Node* rules = s.Child("rules");
    s.Finish();
    if (rules == nullptr || !rules->IsSeq() || rules->seq.empty()) {
      ctx_->Error(rules ? rules->mark : spec.mark, "spec.rules",
                  rules == nullptr || rules->IsSeq()
                      ? "a policy needs at least one rule"
                      : "expected a list of rules, got " + rules->Describe());
      return;
    }
    std::set<std::string> names;
    for (size_t i = 0; i < rules->seq.size(); ++i) {
      std::string path = "spec.rules[" + std::to_string(i) + "]";
      PolicyRule rule;
      DecodeRule(rules->seq[i], path, &rule);
      if (!rule.name.empty() && !names.insert(rule.name).second) {
        ctx_->Error(rules->seq[i].Find("name")->mark, path + ".name",
                    "duplicate rule name \"" + rule.name + "\"");
      }
      policy->rules.push_back(std::move(rule));
    }
  }

  void DecodeSelector(const yaml::Node& node, PolicySelector* sel) {
    FieldReader r(&node, "spec.selector", ctx_);
    if (!r.ok()) return;
    ReadGlobs(&r, node, "clusters", ctx_, &sel->clusters);
    ReadGlobs(&r, node, "owners", ctx_, &sel->owners);
    if (const yaml::Node* list = r.Child("providers")) {
      ReadProviderList(*list, "spec.selector.providers", &sel->providers);
    }
    if (r.StringMap("labels", &sel->labels)) {
      for (const auto& [key, value] : node.Find("labels")->map) {
        std::string why = GlobError(value.scalar);
        if (!IsLabelKey(key.scalar)) {
          ctx_->Error(key.mark, "spec.selector.labels." + key.scalar,
                      "\"" + key.scalar + "\" is not a valid label key");
        } else if (!why.empty()) {
          ctx_->Error(value.mark, "spec.selector.labels." + key.scalar,
                      "invalid pattern \"" + value.scalar + "\": " + why);
        }
      }
    }
    r.Finish();
  }

  void ReadProviderList(const yaml::Node& list, const std::string& field,
                        std::vector<Provider>* out) {
    if (!list.IsSeq() || list.seq.empty()) {
      ctx_->Error(list.mark, field,
                  list.IsSeq()
                      ? "empty list: name at least one provider"
                      : "expected a list of providers, got " + list.Describe());
      return;
    }
    for (size_t i = 0; i < list.seq.size(); ++i) {
      std::string item = field + "[" + std::to_string(i) + "]";
      if (auto p = ReadProvider(list.seq[i], item, ctx_)) out->push_back(*p);
    }
  }

  void DecodeRule(const yaml::Node& node, const std::string& path,
                  PolicyRule* rule) {
    FieldReader r(&node, path, ctx_);
    if (!r.ok()) return;
    rule->mark = node.mark;
    r.String("name", &rule->name, true, "e.g. allowed-providers");
    std::string action;
    if (r.String("action", &action)) {
      if (action == "enforce") {
        rule->action = PolicyAction::kEnforce;
      } else if (action == "warn") {
        rule->action = PolicyAction::kWarn;
      } else {
        ctx_->Error(node.Find("action")->mark, path + ".action",
                    "unsupported action \"" + action +
                        "\": use enforce (deny the request) or warn");
      }
    }
    std::vector<const yaml::Node*> checks;  // the keys of the checks given
    for (RuleKind kind : kAllRuleKinds) {
      r.Known(RuleKindName(kind));
      for (const auto& [key, value] : node.map) {
        if (key.scalar == RuleKindName(kind)) {
          checks.push_back(&key);
          rule->kind = kind;
        }
      }
    }
    // An enforced cost limit that cannot be checked denies by default: an
    // unknown price must not let any size through (requireKnownPrice: false
    // makes it a warning).
    bool require_known = true;
    bool has_require_known = r.Bool("requireKnownPrice", &require_known);
    rule->require_known_price = require_known;
    size_t errors_before = ctx_->diags->size();
    r.Finish();
    bool unknown_keys = ctx_->diags->size() != errors_before;
    if (checks.size() > 1) {
      ctx_->Error(checks[1]->mark, path + "." + checks[1]->scalar,
                  "a rule has exactly one check, and this one already has " +
                      checks[0]->scalar + ": put " + checks[1]->scalar +
                      " in a rule of its own");
      return;
    }
    if (checks.empty()) {
      // An unknown key is most likely the misspelt check: say that only.
      if (!unknown_keys) {
        ctx_->Error(node.mark, path,
                    "rule has no check: add one of " + CheckNames());
      }
      return;
    }
    if (has_require_known && rule->kind != RuleKind::kMaxHourlyCost) {
      ctx_->Error(node.Find("requireKnownPrice")->mark,
                  path + ".requireKnownPrice",
                  "requireKnownPrice only goes with maxHourlyCost");
    }
    DecodeCheck(node, path, &r, rule);
  }

  void DecodeCheck(const yaml::Node& node, const std::string& path,
                   FieldReader* r, PolicyRule* rule) {
    const std::string key = RuleKindName(rule->kind);
    const yaml::Node& value = *node.Find(key);
    switch (rule->kind) {
      case RuleKind::kAllowedProviders: {
        std::vector<Provider> providers;
        ReadProviderList(value, path + "." + key, &providers);
        for (Provider p : providers) rule->patterns.push_back(ProviderName(p));
        break;
      }
      case RuleKind::kAllowedRegions:
      case RuleKind::kAllowedMachineTypes:
      case RuleKind::kAllowedAccelerators:
      case RuleKind::kAllowedAddons:
        ReadGlobs(r, node, key, ctx_, &rule->patterns);
        break;
      case RuleKind::kRequiredLabels:
        ReadLabelKeys(r, node, key, rule);
        break;
      case RuleKind::kMaxReplicas:
      case RuleKind::kMaxAccelerators: {
        int n = 0;
        if (r->Int(key, &n, 0, 1000000)) rule->max_count = n;
        break;
      }
      case RuleKind::kMaxTtl:
      case RuleKind::kMaxLifetime:
        DecodeMaxDuration(value, path + "." + key, &rule->max_ttl_seconds);
        break;
      case RuleKind::kRequireTtl:
      case RuleKind::kRequireIdle:
        DecodeRequireTtl(value, path + "." + key, rule);
        break;
      case RuleKind::kMaxIdleAfter:
        DecodeMaxDuration(value, path + "." + key, &rule->max_idle_seconds);
        break;
      case RuleKind::kMaxHourlyCost:
        ReadAmount(r, node, key, &rule->max_hourly_cost, ctx_);
        break;
    }
  }

  void ReadLabelKeys(FieldReader* r, const yaml::Node& node,
                     const std::string& key, PolicyRule* rule) {
    if (!r->StringList(key, &rule->patterns)) return;
    const yaml::Node* list = node.Find(key);
    if (rule->patterns.empty()) {
      ctx_->Error(list->mark, r->Field(key), "empty list: name a label key");
    }
    for (size_t i = 0; i < rule->patterns.size(); ++i) {
      if (!IsLabelKey(rule->patterns[i])) {
        ctx_->Error(list->seq[i].mark,
                    r->Field(key) + "[" + std::to_string(i) + "]",
                    "\"" + rule->patterns[i] + "\" is not a valid label key");
      }
    }
  }

  void DecodeMaxDuration(const yaml::Node& value, const std::string& field,
                         int64_t* out) {
    std::optional<std::string> text = FieldReader::ScalarString(value);
    std::optional<int64_t> secs = text ? ParseDuration(*text) : std::nullopt;
    if (!secs) {
      ctx_->Error(
          value.mark, field,
          value.Describe() + " is not a duration: use e.g. 90m, 4h, 7d or 2w");
      return;
    }
    *out = *secs;
  }

  // requireTTL, requireIdle: always | {always, forAccelerators, forSpot}
  void DecodeRequireTtl(const yaml::Node& value, const std::string& field,
                        PolicyRule* rule) {
    RequireTtl& req = rule->require_ttl;
    if (value.IsScalar() && value.scalar == "always") {
      req.always = true;
      return;
    }
    if (!value.IsMap()) {
      ctx_->Error(value.mark, field,
                  "expected always or {forAccelerators: true, forSpot: true}, "
                  "got " +
                      value.Describe());
      return;
    }
    FieldReader r(&value, field, ctx_);
    r.Bool("always", &req.always);
    r.Bool("forAccelerators", &req.for_accelerators);
    r.Bool("forSpot", &req.for_spot);
    r.Finish();
    if (!req.always && !req.for_accelerators && !req.for_spot) {
      ctx_->Error(value.mark, field,
                  "requires nothing: set always, forAccelerators or forSpot "
                  "to true");
    }
  }

  DecodeContext* ctx_;
};

}  // namespace

const char* RuleKindName(RuleKind kind) {
  switch (kind) {
    case RuleKind::kAllowedProviders:
      return "allowedProviders";
    case RuleKind::kAllowedRegions:
      return "allowedRegions";
    case RuleKind::kAllowedMachineTypes:
      return "allowedMachineTypes";
    case RuleKind::kAllowedAccelerators:
      return "allowedAccelerators";
    case RuleKind::kMaxReplicas:
      return "maxReplicas";
    case RuleKind::kMaxAccelerators:
      return "maxAcceleratorsPerCluster";
    case RuleKind::kMaxTtl:
      return "maxTTL";
    case RuleKind::kRequireTtl:
      return "requireTTL";
    case RuleKind::kRequiredLabels:
      return "requiredLabels";
    case RuleKind::kMaxHourlyCost:
      return "maxHourlyCost";
    case RuleKind::kMaxIdleAfter:
      return "maxIdleAfter";
    case RuleKind::kRequireIdle:
      return "requireIdle";
    case RuleKind::kAllowedAddons:
      return "allowedAddons";
    case RuleKind::kMaxLifetime:
      return "maxLifetime";
  }
  return "";
}

void LoadPolicies(const std::string& file, std::string_view text,
                  std::vector<Policy>* out, Diagnostics* diags) {
  Diagnostics local;
  std::vector<yaml::Node> docs = yaml::ParseDocuments(text, file, &local);
  DecodeContext ctx{file, &local, nullptr};
  for (const yaml::Node& doc :
       HasErrors(local) ? std::vector<yaml::Node>{} : docs) {
    std::string kind = policy_internal::DocumentKind(doc);
    if (kind == "PriceTable") continue;
    if (kind != "Policy") {
      const yaml::Node* at = doc.IsMap() ? doc.Find("kind") : nullptr;
      ctx.Error(at ? at->mark : doc.mark, "kind",
                "expected kind Policy or PriceTable, got " +
                    (kind.empty() ? std::string("none") : "\"" + kind + "\""));
      continue;
    }
    Policy policy;
    if (!PolicyDecoder(&ctx).Decode(doc, &policy)) continue;
    auto same = std::find_if(out->begin(), out->end(), [&](const Policy& p) {
      return p.name == policy.name;
    });
    if (same != out->end()) {
      const yaml::Node* name = doc.Find("metadata")->Find("name");
      ctx.Error(name->mark, "metadata.name",
                "policy \"" + policy.name + "\" is already defined in " +
                    same->file + ":" + std::to_string(same->mark.line) +
                    ": policy names must be unique");
      continue;
    }
    out->push_back(std::move(policy));
  }
  diags->insert(diags->end(), local.begin(), local.end());
}

}  // namespace capigitops
