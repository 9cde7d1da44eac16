// LiveListEncoder against the tree path it replaced: for every item of real
// LIST pages (capi-sandbox's, and one written to hold the odd cases), the
// object encoded from the parser's events decodes to exactly the json that
// compacting the item's tree and encoding it gave, with the same encoded
// size, and the names and labels noted on the way are what were read from
// the tree.
#include "sync/live_list_encoder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "capigitops/labels.h"
#include "sync/live_codec.h"
#include "sync/reference_compact.h"

namespace capigitops {
namespace {

using nlohmann::json;

std::string ReadPage(const std::string& name) {
  std::ifstream in(std::filesystem::path(CAPIGITOPS_SOURCE_DIR) /
                   "test/sync/testdata/live_lists" / name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<ListedItem> Encode(const std::string& body, const std::string& av,
                               const std::string& kind) {
  std::vector<ListedItem> got;
  LiveListEncoder encoder(av, kind,
                          [&](ListedItem& i) { got.push_back(std::move(i)); });
  StatusOr<json> rest = yaml::ParseJsonItems(body, "list", encoder);
  EXPECT_TRUE(rest.ok()) << rest.status().ToString();
  return got;
}

// Every item of `body` as both paths see it.
void ExpectSameAsTreePath(const std::string& body, const std::string& av,
                          const std::string& kind) {
  std::vector<json> trees;
  ASSERT_TRUE(yaml::ParseJsonItems(body, "list", [&](json& item) {
                trees.push_back(std::move(item));
              }).ok());
  std::vector<ListedItem> encoded = Encode(body, av, kind);
  ASSERT_EQ(encoded.size(), trees.size());
  for (size_t i = 0; i < trees.size(); ++i) {
    SCOPED_TRACE(kind + " item " + std::to_string(i));
    json& tree = trees[i];
    tree["apiVersion"] = av;  // as ListEach sets them
    tree["kind"] = kind;
    reference::Compact(&tree);
    const LiveObject old_path(tree);
    EXPECT_TRUE(
        reference::Identical(encoded[i].object.Decode(), old_path.Decode()))
        << encoded[i].object.Decode().dump() << "\n"
        << old_path.Decode().dump();
    EXPECT_EQ(encoded[i].object.EncodedSize(), old_path.EncodedSize());
    // What SortItem read of the tree.
    static const json kEmpty = json::object();
    auto m = tree.find("metadata");
    const json& meta = m != tree.end() && m->is_object() ? *m : kEmpty;
    auto l = meta.find("labels");
    const json& labels = l != meta.end() && l->is_object() ? *l : kEmpty;
    const std::string name = meta.value("name", "");
    EXPECT_EQ(encoded[i].name, name);
    EXPECT_EQ(encoded[i].ns, meta.value("namespace", ""));
    EXPECT_EQ(encoded[i].has_cluster_label ? encoded[i].cluster_label : name,
              labels.value(kClusterLabel, name));
    EXPECT_EQ(encoded[i].inventory, labels.contains(kInventoryLabel));
    // The fakes' path: the tree replayed as events.
    std::vector<ListedItem> replayed;
    LiveListEncoder replay(av, kind, [&](ListedItem& item) {
      replayed.push_back(std::move(item));
    });
    yaml::ReplayJson(tree, replay);
    ASSERT_EQ(replayed.size(), 1u);
    EXPECT_TRUE(
        reference::Identical(replayed[0].object.Decode(), old_path.Decode()))
        << replayed[0].object.Decode().dump() << "\n"
        << old_path.Decode().dump();
  }
}

TEST(LiveListEncoderTest, SandboxPagesDecodeAsTheTreePathDid) {
  ExpectSameAsTreePath(ReadPage("clusters.json"), "cluster.x-k8s.io/v1beta2",
                       "Cluster");
  ExpectSameAsTreePath(ReadPage("kubeadmcontrolplanes.json"),
                       "controlplane.cluster.x-k8s.io/v1beta2",
                       "KubeadmControlPlane");
  ExpectSameAsTreePath(ReadPage("machinedeployments.json"),
                       "cluster.x-k8s.io/v1beta2", "MachineDeployment");
  ExpectSameAsTreePath(ReadPage("configmaps.json"), "v1", "ConfigMap");
  ExpectSameAsTreePath(ReadPage("inventories.json"), "v1", "ConfigMap");
  EXPECT_FALSE(HasFailure());
  std::vector<ListedItem> inventories =
      Encode(ReadPage("inventories.json"), "v1", "ConfigMap");
  ASSERT_EQ(inventories.size(), 2u);
  EXPECT_TRUE(inventories[0].inventory);
}

// Managed fields of every operation and shape, kubectl's last-applied copy,
// nested and empty containers, every kind of number, escapes, keys not in
// the table yet, item-level apiVersion and kind to be replaced.
TEST(LiveListEncoderTest, OddItemsDecodeAsTheTreePathDid) {
  const std::string body = ReadPage("edge_cases.json");
  ASSERT_FALSE(body.empty());
  ExpectSameAsTreePath(body, "v1", "ConfigMap");
  std::vector<ListedItem> items = Encode(body, "v1", "ConfigMap");
  ASSERT_EQ(items.size(), 7u);
  const json first = items[0].object.Decode();
  const json& fields = first["metadata"]["managedFields"];
  ASSERT_EQ(fields.size(), 4u) << fields.dump();  // the Apply entries
  EXPECT_EQ(fields[0]["manager"], "capi-gitops");
  EXPECT_EQ(fields[0]["fieldsV1"],
            json::parse(R"({"f:data":{"f:b":{},"f:list":{}},
                            "f:metadata":{"f:labels":{
                              "f:capigitops.io/cluster":{}}}})"));
  EXPECT_EQ(fields[2]["fieldsV1"],
            json::parse(R"({"f:spec":{"f:x":{},"f:y":{},"f:w":{}}})"));
  EXPECT_FALSE(first["metadata"].contains("creationTimestamp"));
  EXPECT_EQ(first["metadata"]["annotations"], json({{"keep", "me"}}));
  EXPECT_EQ(items[0].cluster_label, "c1");
  EXPECT_EQ(items[1].object.Decode()["kind"], "ConfigMap");
  EXPECT_FALSE(items[1].object.Decode()["metadata"].contains("managedFields"));
  EXPECT_TRUE(items[2].inventory);
  EXPECT_EQ(items[2].ns, "elsewhere");
}

// Containers of 128 and more entries need a count wider than the one byte
// reserved for it, at every level.
TEST(LiveListEncoderTest, LongContainersWidenTheirCounts) {
  json item = {{"metadata", {{"name", "big"}}}};
  json& wide = item["spec"]["wide"];
  for (int i = 0; i < 300; ++i) wide["k" + std::to_string(i)] = i;
  json& ann = item["metadata"]["annotations"];
  for (int i = 0; i < 130; ++i) ann["a" + std::to_string(i)] = "v";
  item["spec"]["long"] = json::array();
  for (int i = 0; i < 20000; ++i)
    item["spec"]["long"].push_back(json::array({i, json::object()}));
  json list = {{"items", json::array({item, item})}};
  ExpectSameAsTreePath(list.dump(), "example.com/v1", "Big");
}

// A full key table: keys it cannot take are written out in full. In a child
// process, since the table is the process's and never shrinks.
TEST(LiveListEncoderDeathTest, KeysBeyondAFullTableAreWrittenOut) {
  EXPECT_EXIT(
      {
        live_codec::KeyTable& keys = live_codec::Keys();
        {
          std::unique_lock lock(keys.mu);
          for (uint32_t i = 0;
               keys.Intern("filler-" + std::to_string(i), true) <
               live_codec::KeyTable::kMaxKeys;
               ++i) {
          }
        }
        ExpectSameAsTreePath(
            R"({"items":[{"metadata":{"name":"n","labels":{"unseen-1":"a"}},
                "spec":{"unseen-2":{"unseen-3":[{"unseen-4":1}]}}}]})",
            "v1", "ConfigMap");
        std::shared_lock lock(keys.mu);
        const bool full =
            keys.Intern("unseen-2", false) == live_codec::KeyTable::kMaxKeys;
        std::exit(full && !::testing::Test::HasFailure() ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// A key a server sent twice is written twice; the planner's in-place
// comparison counts it once, and each of its values must match.
TEST(LiveListEncoderTest, AKeySentTwiceIsComparedConservatively) {
  std::vector<ListedItem> same =
      Encode(R"({"items":[{"metadata":{"name":"x"},"a":1,"a":1}]})", "v1",
             "ConfigMap");
  ASSERT_EQ(same.size(), 1u);
  EXPECT_TRUE(same[0].object.Contains(json{{"a", 1}}));
  EXPECT_FALSE(same[0].object.Contains(json{{"a", 1}, {"b", 2}}));
  std::vector<ListedItem> differ =
      Encode(R"({"items":[{"metadata":{"name":"x"},"a":1,"a":2}]})", "v1",
             "ConfigMap");
  ASSERT_EQ(differ.size(), 1u);
  EXPECT_FALSE(differ[0].object.Contains(json{{"a", 1}}));
  EXPECT_FALSE(differ[0].object.Contains(json{{"a", 2}}));
}

}  // namespace
}  // namespace capigitops
