// libFuzzer target for the live read's LIST encoder (targets.h): a LIST body
// from the API server (so hostile) through LiveListEncoder and through the
// tree path it replaced (reference_compact.h); the two must agree item by
// item, value types included.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "capigitops/json.h"
#include "capigitops/labels.h"
#include "fuzz/targets.h"
#include "sync/live_list_encoder.h"
#include "sync/reference_compact.h"

namespace capigitops::fuzz {
namespace {

using nlohmann::json;

// Finds a key given twice in one object anywhere in the text: the tree kept
// the last value, the encoder writes both (documented; no API server sends
// them), so such inputs are not compared.
class DuplicateKeys : public nlohmann::json_sax<json> {
 public:
  bool found = false;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    keys_.emplace_back();
    return true;
  }
  bool key(string_t& k) override {
    if (!keys_.back().insert(k).second) found = true;
    return true;
  }
  bool end_object() override {
    keys_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  std::vector<std::set<std::string>> keys_;
};

[[noreturn]] void Disagree(const std::string& what, const json& tree,
                           const json& encoded) {
  std::fprintf(stderr, "LIST encoder disagrees with the tree path: %s\n",
               what.c_str());
  std::fprintf(stderr, "tree:    %s\n", tree.dump().c_str());
  std::fprintf(stderr, "encoded: %s\n", encoded.dump().c_str());
  __builtin_trap();
}

// What the live read took from the compacted tree (SortItem, as it was).
void CompareNotes(const json& tree, const ListedItem& item) {
  static const json kEmpty = json::object();
  auto m = tree.find("metadata");
  const json& meta = m != tree.end() && m->is_object() ? *m : kEmpty;
  auto l = meta.find("labels");
  const json& labels = l != meta.end() && l->is_object() ? *l : kEmpty;
  auto name = meta.find("name");
  // The tree path threw on a name that is not a string: not compared.
  if (name != meta.end() && !name->is_string()) return;
  const std::string n = name != meta.end() ? name->get<std::string>() : "";
  if (item.name != n) Disagree("metadata.name", tree, item.object.Decode());
  auto ns = meta.find("namespace");
  if (ns != meta.end() && ns->is_string() &&
      item.ns != ns->get<std::string>()) {
    Disagree("metadata.namespace", tree, item.object.Decode());
  }
  if (item.inventory != labels.contains(kInventoryLabel)) {
    Disagree("the inventory label", tree, item.object.Decode());
  }
  auto cluster = labels.find(kClusterLabel);
  if (cluster != labels.end() && cluster->is_string() &&
      (!item.has_cluster_label ||
       item.cluster_label != cluster->get<std::string>())) {
    Disagree("the cluster-name label", tree, item.object.Decode());
  }
}

}  // namespace

int FuzzLiveList(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  DuplicateKeys dup;
  if (!json::sax_parse(text, &dup, json::input_format_t::json, true) ||
      dup.found) {
    return 0;  // not JSON (both paths refuse it alike), or duplicate keys
  }
  std::vector<json> trees;
  StatusOr<json> tree_page = yaml::ParseJsonItems(
      text, "list", [&](json& item) { trees.push_back(std::move(item)); });
  std::vector<ListedItem> encoded;
  LiveListEncoder encoder("example.com/v1", "Thing", [&](ListedItem& item) {
    encoded.push_back(std::move(item));
  });
  StatusOr<json> encoded_page = yaml::ParseJsonItems(text, "list", encoder);
  if (!tree_page.ok() || !encoded_page.ok()) return 0;
  if (trees.size() != encoded.size()) {
    Disagree("the number of items", json(trees.size()), json(encoded.size()));
  }
  for (size_t i = 0; i < trees.size(); ++i) {
    json& tree = trees[i];
    tree["apiVersion"] = "example.com/v1";  // as ListEach set them
    tree["kind"] = "Thing";
    try {
      reference::Compact(&tree);
    } catch (const json::exception&) {
      continue;  // where the tree path threw the encoder writes ""
    }
    const json got = encoded[i].object.Decode();
    const LiveObject old_path(tree);
    if (!reference::Identical(got, old_path.Decode()))
      Disagree("the object", tree, got);
    if (encoded[i].object.EncodedSize() != old_path.EncodedSize()) {
      Disagree("the encoded size", tree, got);
    }
    CompareNotes(tree, encoded[i]);
  }
  return 0;
}

}  // namespace capigitops::fuzz

#ifdef CAPIGITOPS_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return capigitops::fuzz::FuzzLiveList(data, size);
}
#endif
