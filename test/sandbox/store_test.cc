#include "store.h"

#include <gtest/gtest.h>

namespace capigitops::sandbox {
namespace {

ObjectKey Ns(const std::string& name) { return {"", "namespaces", "", name}; }
ObjectKey Cm(const std::string& name) {
  return {"", "configmaps", "default", name};
}

Mutation Put(json obj) {
  return [obj](const json*) -> ApiOr<json> { return obj; };
}

json ConfigMap(const std::string& value) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", "x"}}},
          {"data", {{"a", value}}}};
}

class SandboxStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_
                    .Write(Ns("default"), Put({{"metadata", json::object()}}),
                           {false, true})
                    .ok());
  }
  json Write(const ObjectKey& key, json obj) {
    ApiOr<WriteResult> r =
        store_.Write(key, Put(std::move(obj)), {false, true});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value().object : json();
  }
  static uint64_t Rv(const json& obj) {
    return std::stoull(obj["metadata"]["resourceVersion"].get<std::string>());
  }
  Store store_;
};

TEST_F(SandboxStoreTest, CreateSetsServerMetadata) {
  json obj = Write(Cm("x"), ConfigMap("1"));
  const json& m = obj["metadata"];
  EXPECT_EQ(m["generation"], 1);
  EXPECT_EQ(m["namespace"], "default");
  EXPECT_EQ(m["uid"].get<std::string>().size(), 36u);
  EXPECT_FALSE(m["creationTimestamp"].get<std::string>().empty());
}

TEST_F(SandboxStoreTest, ResourceVersionIsGlobalAndMonotonic) {
  uint64_t a = Rv(Write(Cm("a"), ConfigMap("1")));
  uint64_t b = Rv(Write(Cm("b"), ConfigMap("1")));
  uint64_t a2 = Rv(Write(Cm("a"), ConfigMap("2")));
  EXPECT_LT(a, b);
  EXPECT_LT(b, a2);
  EXPECT_EQ(store_.CurrentRv(), a2);
}

TEST_F(SandboxStoreTest, UnchangedWriteKeepsResourceVersion) {
  json first = Write(Cm("x"), ConfigMap("1"));
  json again = Write(Cm("x"), ConfigMap("1"));
  EXPECT_EQ(Rv(first), Rv(again));
  EXPECT_EQ(again["metadata"]["uid"], first["metadata"]["uid"]);
}

TEST_F(SandboxStoreTest, GenerationBumpsOnlyOutsideMetadataAndStatus) {
  Write(Cm("x"), ConfigMap("1"));
  json labeled = ConfigMap("1");
  labeled["metadata"]["labels"] = {{"l", "v"}};
  labeled["status"] = {{"phase", "Ready"}};
  json after_meta = Write(Cm("x"), labeled);
  EXPECT_EQ(after_meta["metadata"]["generation"], 1);
  labeled["data"]["a"] = "2";
  EXPECT_EQ(Write(Cm("x"), labeled)["metadata"]["generation"], 2);
}

TEST_F(SandboxStoreTest, NamespacedObjectsNeedTheirNamespace) {
  ApiOr<WriteResult> r = store_.Write({"", "configmaps", "nope", "x"},
                                      Put(ConfigMap("1")), {false, true});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 404);
  EXPECT_EQ(r.error().message, "namespaces \"nope\" not found");
}

TEST_F(SandboxStoreTest, DryRunStoresNothing) {
  uint64_t rv = store_.CurrentRv();
  ApiOr<WriteResult> r =
      store_.Write(Cm("x"), Put(ConfigMap("1")), {true, true});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().created);
  EXPECT_FALSE(store_.Get(Cm("x")).has_value());
  EXPECT_EQ(store_.CurrentRv(), rv);
}

TEST_F(SandboxStoreTest, FinalizersHoldDeletionUntilRemoved) {
  json obj = ConfigMap("1");
  obj["metadata"]["finalizers"] = {"example.com/hold"};
  Write(Cm("x"), obj);
  ApiOr<WriteResult> del = store_.Delete(Cm("x"), {});
  ASSERT_TRUE(del.ok());
  EXPECT_FALSE(del.value().deleted);
  std::optional<json> pending = store_.Get(Cm("x"));
  ASSERT_TRUE(pending.has_value());
  EXPECT_TRUE((*pending)["metadata"].contains("deletionTimestamp"));
  EXPECT_EQ((*pending)["metadata"]["generation"], 2);

  json added = *pending;
  added["metadata"]["finalizers"].push_back("example.com/new");
  ApiOr<WriteResult> rejected = store_.Write(Cm("x"), Put(added), {});
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().code, 422);

  json cleared = *pending;
  cleared["metadata"]["finalizers"] = json::array();
  ApiOr<WriteResult> r = store_.Write(Cm("x"), Put(cleared), {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().deleted);
  EXPECT_FALSE(store_.Get(Cm("x")).has_value());
}

TEST_F(SandboxStoreTest, DeleteRemovesOwnedDependents) {
  json owner = Write(Cm("owner"), ConfigMap("1"));
  json dependent = ConfigMap("2");
  dependent["metadata"]["ownerReferences"] = {
      {{"uid", owner["metadata"]["uid"]},
       {"kind", "ConfigMap"},
       {"name", "owner"}}};
  Write(Cm("dep"), dependent);
  ASSERT_TRUE(store_.Delete(Cm("owner"), {}).ok());
  EXPECT_FALSE(store_.Get(Cm("dep")).has_value());
}

TEST_F(SandboxStoreTest, ListPagesInKeyOrder) {
  for (const char* n : {"c", "a", "b"}) Write(Cm(n), ConfigMap(n));
  auto all = [](const json&) { return true; };
  ListPage first =
      store_.List("", "configmaps", "default", std::nullopt, 2, all);
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.items[0]["metadata"]["name"], "a");
  ASSERT_TRUE(first.next.has_value());
  ListPage rest = store_.List("", "configmaps", "default", first.next, 2, all);
  ASSERT_EQ(rest.items.size(), 1u);
  EXPECT_EQ(rest.items[0]["metadata"]["name"], "c");
  EXPECT_FALSE(rest.next.has_value());
}

TEST_F(SandboxStoreTest, WatchSeesEventsAfterResourceVersion) {
  uint64_t start = store_.CurrentRv();
  Write(Cm("x"), ConfigMap("1"));
  Write(Cm("x"), ConfigMap("2"));
  ASSERT_TRUE(store_.Delete(Cm("x"), {}).ok());
  std::vector<StoredEvent> events;
  uint64_t last = 0;
  ASSERT_TRUE(store_.WaitEvents(
      start, std::chrono::steady_clock::now(),
      [](const StoredEvent&) { return true; }, &events, &last));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, EventType::kAdded);
  EXPECT_EQ(events[1].type, EventType::kModified);
  EXPECT_EQ(events[2].type, EventType::kDeleted);
  EXPECT_EQ(last, store_.CurrentRv());
}

TEST_F(SandboxStoreTest, WatchFromCompactedVersionExpires) {
  Store small(/*max_events=*/2);
  small.Write(Ns("default"), Put({{"metadata", json::object()}}),
              {false, true});
  for (const char* v : {"1", "2", "3"}) {
    small.Write(Cm("x"), Put(ConfigMap(v)), {false, true});
  }
  std::vector<StoredEvent> events;
  uint64_t last = 0;
  EXPECT_FALSE(small.WaitEvents(
      1, std::chrono::steady_clock::now(),
      [](const StoredEvent&) { return true; }, &events, &last));
}

TEST_F(SandboxStoreTest, SnapshotRestoresObjectsAndVersion) {
  Write(Cm("x"), ConfigMap("1"));
  Store copy;
  copy.Restore(store_.Snapshot());
  EXPECT_EQ(copy.CurrentRv(), store_.CurrentRv());
  EXPECT_EQ(copy.Get(Cm("x")), store_.Get(Cm("x")));
}

}  // namespace
}  // namespace capigitops::sandbox
