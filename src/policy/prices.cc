// The price table: lookup and loading of `kind: PriceTable` files.
#include "capigitops/policy.h"
#include "policy/decode_common.h"
#include "util/glob.h"

namespace capigitops {
namespace {

using policy_internal::ReadAmount;
using PriceMap = std::map<Provider, std::map<std::string, Price>>;

const Price* FindPrice(const PriceMap& all, Provider p,
                       const std::string& type) {
  auto by_provider = all.find(p);
  if (by_provider == all.end()) return nullptr;
  const auto& entries = by_provider->second;
  if (auto exact = entries.find(type); exact != entries.end()) {
    return &exact->second;
  }
  // The longest matching glob is the most specific one.
  const Price* best = nullptr;
  size_t best_length = 0;
  for (const auto& [key, price] : entries) {
    bool is_glob = key.find_first_of("*?") != std::string::npos;
    if (is_glob && GlobMatch(key, type) &&
        (best == nullptr || key.size() > best_length)) {
      best = &price;
      best_length = key.size();
    }
  }
  return best;
}

void DecodeEntry(const yaml::Node& key, const yaml::Node& value,
                 const std::string& path, DecodeContext* ctx, Price* price) {
  price->file = ctx->file;
  price->mark = key.mark;
  FieldReader r(&value, path, ctx);
  if (!r.ok()) return;
  double amount = 0;
  if (ReadAmount(&r, value, "onDemand", &amount, ctx, true)) {
    price->on_demand = amount;
  }
  if (ReadAmount(&r, value, "spot", &amount, ctx)) price->spot = amount;
  r.Bool("includesAccelerators", &price->includes_accelerators);
  r.Finish();
}

// machineTypes: {gcp: {n1-standard-4: {onDemand: 0.19, spot: 0.04}}}
void DecodeSection(const yaml::Node* node, const std::string& path,
                   DecodeContext* ctx, PriceMap* out) {
  if (node == nullptr) return;
  if (!node->IsMap()) {
    ctx->Error(node->mark, path,
               "expected a map of providers, got " + node->Describe());
    return;
  }
  for (const auto& [pkey, types] : node->map) {
    std::string ppath = path + "." + pkey.scalar;
    std::optional<Provider> provider =
        policy_internal::ReadProvider(pkey, ppath, ctx);
    if (!provider) continue;
    if (!types.IsMap()) {
      ctx->Error(types.mark, ppath,
                 "expected a map of types to prices, got " + types.Describe());
      continue;
    }
    for (const auto& [tkey, entry] : types.map) {
      std::string tpath = ppath + "." + tkey.scalar;
      std::string glob_error = GlobError(tkey.scalar);
      if (!glob_error.empty()) {
        ctx->Error(tkey.mark, tpath, "invalid type name: " + glob_error);
        continue;
      }
      Price price;
      DecodeEntry(tkey, entry, tpath, ctx, &price);
      (*out)[*provider][tkey.scalar] = std::move(price);
    }
  }
}

void DecodePriceTable(const yaml::Node& doc, DecodeContext* ctx,
                      PriceTable* table) {
  FieldReader top(&doc, "", ctx);
  if (!top.ok()) return;
  policy_internal::DecodeHeader(&top, doc, ctx);
  std::string currency;
  if (top.String("currency", &currency)) {
    if (!table->currency.empty() && currency != table->currency) {
      ctx->Error(doc.Find("currency")->mark, "currency",
                 "currency " + currency + " differs from " + table->currency +
                     " of the prices loaded before: use one currency");
    }
    table->currency = currency;
  } else if (table->currency.empty()) {
    table->currency = "USD";
  }
  DecodeSection(top.Child("machineTypes"), "machineTypes", ctx,
                &table->machine_types);
  DecodeSection(top.Child("accelerators"), "accelerators", ctx,
                &table->accelerators);
  top.Finish();
}

}  // namespace

const Price* PriceTable::MachinePrice(Provider p,
                                      const std::string& type) const {
  return FindPrice(machine_types, p, type);
}

const Price* PriceTable::AcceleratorPrice(Provider p,
                                          const std::string& type) const {
  return FindPrice(accelerators, p, type);
}

Diagnostics LoadPriceTable(const std::string& file, std::string_view text,
                           PriceTable* table) {
  Diagnostics diags;
  std::vector<yaml::Node> docs = yaml::ParseDocuments(text, file, &diags);
  if (HasErrors(diags)) return diags;
  if (docs.empty()) {
    diags.push_back({file, 1, 1, "", "empty file: expected a PriceTable"});
    return diags;
  }
  // Decode into a copy so that a broken file changes nothing.
  PriceTable merged = *table;
  DecodeContext ctx{file, &diags, nullptr};
  for (const yaml::Node& doc : docs) {
    std::string kind = policy_internal::DocumentKind(doc);
    if (kind != "PriceTable") {
      const yaml::Node* at = doc.IsMap() ? doc.Find("kind") : nullptr;
      ctx.Error(at ? at->mark : doc.mark, "kind",
                "expected kind PriceTable, got " +
                    (kind.empty() ? std::string("none") : "\"" + kind + "\""));
      continue;
    }
    DecodePriceTable(doc, &ctx, &merged);
  }
  if (!HasErrors(diags)) *table = std::move(merged);
  return diags;
}

}  // namespace capigitops
