// Inventory ConfigMaps are read back from the cluster, where anyone with
// RBAC can edit them: a hand-edited or hostile one is an error, never a
// crash or an exception.
#include "capigitops/inventory.h"

#include <gtest/gtest.h>

namespace capigitops {
namespace {

using nlohmann::json;

json ConfigMap(json data) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", "inv-a"}, {"namespace", "ns"}}},
          {"data", std::move(data)}};
}

TEST(InventoryTest, ReadsItsOwnConfigMapBack) {
  Inventory inv;
  inv.cluster = "a";
  inv.owner = "team";
  inv.objects.insert(ObjRef{"v1", "Secret", "s"});
  StatusOr<Inventory> back = Inventory::FromConfigMap(inv.ToConfigMap("ns"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->cluster, "a");
  EXPECT_EQ(back->objects, inv.objects);
}

TEST(InventoryTest, DeepOrMistypedContentIsAnError) {
  StatusOr<Inventory> deep = Inventory::FromConfigMap(
      ConfigMap({{"cluster", "a"}, {"objects", std::string(100000, '[')}}));
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("corrupt object list"),
            std::string::npos);
  EXPECT_NE(deep.status().message().find("nesting deeper"), std::string::npos);
  // Numbers where strings belong, a list where the data map belongs.
  EXPECT_FALSE(Inventory::FromConfigMap(ConfigMap({{"cluster", 7}})).ok());
  EXPECT_FALSE(Inventory::FromConfigMap(ConfigMap(json::array())).ok());
  EXPECT_FALSE(
      Inventory::FromConfigMap(ConfigMap({{"cluster", "a"}, {"objects", 5}}))
          .ok());
  StatusOr<Inventory> odd = Inventory::FromConfigMap(ConfigMap(
      {{"cluster", "a"},
       {"revision", 3},
       {"objects",
        R"([{"apiVersion": 1, "kind": "Secret", "name": "s"}, 2])"}}));
  ASSERT_TRUE(odd.ok()) << odd.status().ToString();
  EXPECT_EQ(odd->objects.size(), 1u);
  EXPECT_EQ(odd->revision, "");
}

}  // namespace
}  // namespace capigitops
