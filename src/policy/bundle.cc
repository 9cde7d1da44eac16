// Loading a whole policies/ directory: Policy files and price tables.
#include <set>

#include "capigitops/policy.h"
#include "policy/decode_common.h"

namespace capigitops {

void LoadPolicyFiles(const std::map<std::string, std::string>& files,
                     PolicyBundle* bundle, Diagnostics* diags) {
  for (const auto& [file, text] : files) {
    // Parse once to learn the kinds; parse errors are reported only here.
    Diagnostics parse_diags;
    std::vector<yaml::Node> docs =
        yaml::ParseDocuments(text, file, &parse_diags);
    if (HasErrors(parse_diags)) {
      diags->insert(diags->end(), parse_diags.begin(), parse_diags.end());
      continue;
    }
    size_t price_docs = 0;
    for (const yaml::Node& doc : docs) {
      if (policy_internal::DocumentKind(doc) == "PriceTable") ++price_docs;
    }
    if (price_docs > 0 && price_docs < docs.size()) {
      diags->push_back({file, 1, 1, "",
                        "this file mixes PriceTable and other documents: keep "
                        "the price table in a file of its own"});
      continue;
    }
    if (price_docs > 0) {
      Diagnostics d = LoadPriceTable(file, text, &bundle->prices);
      diags->insert(diags->end(), d.begin(), d.end());
    } else {
      LoadPolicies(file, text, &bundle->policies, diags);
    }
  }
}

}  // namespace capigitops
