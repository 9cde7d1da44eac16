// capi-sandbox writes LIST pages from the stored objects' cached JSON text.
// The bytes must be those the handler wrote before, by copying each item,
// setting apiVersion and kind as served at the requested version and dumping
// the list; and a write must never leave stale text behind.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api.h"
#include "handlers.h"
#include "kinds.h"
#include "selectors.h"
#include "store.h"
#include "stored_object.h"
#include "workload.h"

namespace capigitops::sandbox {
namespace {

// What the LIST handler wrote before the text path, for the items in
// `objects`: copies with SetTypeMeta, in a list dumped by json.
std::string OldListText(const ResourceType& type, const std::string& version,
                        const std::vector<json>& objects, const json& meta) {
  json items = json::array();
  for (json obj : objects) {
    SetTypeMeta(type, version, &obj);
    items.push_back(std::move(obj));
  }
  json list = {{"kind", type.list_kind},
               {"apiVersion", type.GroupVersion(version)},
               {"metadata", meta}};
  list["items"] = std::move(items);
  return list.dump();
}

std::string OldItemText(json obj) {
  obj["apiVersion"] = "example.io/v1alpha1";
  obj["kind"] = "Widget";
  return obj.dump();
}

std::string NewItemText(const StoredObject& stored) {
  std::string out;
  stored.AppendJson(R"("example.io/v1alpha1")", R"("Widget")", &out);
  return out;
}

TEST(SandboxStoredObjectTest, TextIsTheDumpOfTheRetypedCopy) {
  const std::vector<json> objects = {
      json::object(),
      {{"apiVersion", "example.io/v1beta1"}, {"kind", "Widget"}},
      {{"metadata", {{"name", "a"}}}},
      // Members before apiVersion, between apiVersion and kind, after kind.
      {{"Zeta", 1},
       {"a", true},
       {"apiVersion", "old/v0"},
       {"data", {{"k", "v"}}},
       {"immutable", false},
       {"kind", "Old"},
       {"metadata", {{"name", "b"}, {"labels", {{"x", "y"}}}}},
       {"spec", {{"list", {1, 2.5, -3, nullptr}}, {"s", ""}}},
       {"type", "Opaque"}},
      {{"data", {{"quote", "a\"b\\c\n\t"}, {"utf8", "gr\xC3\xBC\xC3\x9F"}}},
       {"zz", json::array()}},
  };
  for (const json& obj : objects) {
    StoredObject stored(obj);
    EXPECT_EQ(NewItemText(stored), OldItemText(obj)) << obj.dump();
    EXPECT_EQ(NewItemText(stored), OldItemText(obj)) << "cached: " << obj;
    EXPECT_EQ(stored.object(), obj);
  }
}

class SandboxListTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ResourceType w;
    w.group = "example.io";
    w.kind = "Widget";
    w.list_kind = "WidgetList";
    w.plural = "widgets";
    w.singular = "widget";
    KindVersion alpha, beta;
    alpha.name = "v1alpha1";
    beta.name = "v1beta1";
    beta.storage = true;
    w.versions = {beta, alpha};
    kinds_.Add(w);
    AddWorkloadKinds(&kinds_);  // Pods, which kubectl gets as a Table
    Reply ns = Send("POST", "/api/v1/namespaces",
                    R"({"apiVersion":"v1","kind":"Namespace",)"
                    R"("metadata":{"name":"default"}})");
    ASSERT_EQ(ns.code, 201) << ns.body.dump();
  }

  // `target` may carry a query; values are taken as written (no escapes).
  Reply Send(const std::string& method, const std::string& target,
             const std::string& body = "",
             const std::string& content_type = "application/json") {
    ApiRequest req;
    req.method = method;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    while (q != std::string::npos) {
      size_t next = target.find('&', q + 1);
      std::string pair = target.substr(q + 1, next - q - 1);
      size_t eq = pair.find('=');
      req.query.emplace(pair.substr(0, eq), pair.substr(eq + 1));
      q = next;
    }
    req.content_type = content_type;
    req.body = body;
    return ServeResource(ApiContext{&kinds_, &store_}, req);
  }

  void Create(const std::string& collection, const std::string& body) {
    Reply r = Send("POST", collection, body);
    ASSERT_EQ(r.code, 201) << r.body.dump();
  }

  // The LIST reply at `target`, checked to be the old handler's bytes for
  // the objects the store returns for the same query.
  json List(const std::string& target, const ResourceType& type,
            const std::string& version, const std::string& ns,
            const std::optional<ObjectKey>& after, size_t limit,
            const std::function<bool(const json&)>& match) {
    Reply r = Send("GET", target);
    EXPECT_EQ(r.code, 200) << ReplyText(r);
    EXPECT_FALSE(r.body_text.empty()) << "not written as text";
    StatusOr<json> parsed = ReplyJson(r);
    EXPECT_TRUE(parsed.ok()) << r.body_text;
    if (!parsed.ok()) return json();
    ListPage page =
        store_.List(type.group, type.plural, ns, after, limit, match);
    EXPECT_EQ(r.body_text,
              OldListText(type, version, page.items, (*parsed)["metadata"]));
    EXPECT_EQ(ReplyText(r), r.body_text);
    return *parsed;
  }

  static std::vector<std::string> Names(const json& list) {
    std::vector<std::string> out;
    for (const json& item : list["items"]) {
      out.push_back(item["metadata"]["name"].get<std::string>());
    }
    return out;
  }

  KindRegistry kinds_;
  Store store_;
};

constexpr char kListedConfigMaps[] = "/api/v1/namespaces/default/configmaps";

TEST_F(SandboxListTextTest, PagedSelectedListIsTheOldListByteForByte) {
  for (int i = 0; i < 7; ++i) {
    std::string n = std::to_string(i);
    Create(kListedConfigMaps,
           R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-)" +
               n + R"(","labels":{"team":")" + (i % 2 == 0 ? "a" : "b") +
               R"("}},"data":{"i":")" + n + R"("},"immutable":false})");
  }
  const ResourceType& cm = *kinds_.Find("", "v1", "configmaps");
  LabelSelector team_a = *LabelSelector::Parse("team=a");
  auto match = [&](const json& obj) {
    return team_a.Matches(obj["metadata"].value("labels", json()));
  };
  std::vector<std::string> seen;
  std::optional<ObjectKey> after;
  std::string query = "?limit=2&labelSelector=team=a";
  for (int page = 0; page < 4; ++page) {
    json list =
        List(kListedConfigMaps + query, cm, "v1", "default", after, 2, match);
    for (const std::string& n : Names(list)) seen.push_back(n);
    for (const json& item : list["items"]) {
      EXPECT_EQ(item["apiVersion"], "v1");
      EXPECT_EQ(item["kind"], "ConfigMap");
    }
    EXPECT_EQ(list["metadata"]["resourceVersion"],
              std::to_string(store_.CurrentRv()));
    if (!list["metadata"].contains("continue")) break;
    std::string token = list["metadata"]["continue"].get<std::string>();
    std::optional<ContinueToken> decoded = DecodeContinue(token);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->name, seen.back());
    after = ObjectKey{"", "configmaps", "default", decoded->name};
    query = "?limit=2&labelSelector=team=a&continue=" + token;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"cm-0", "cm-2", "cm-4", "cm-6"}));
  // A field selector, and a list that matches nothing.
  json one =
      List(std::string(kListedConfigMaps) + "?fieldSelector=metadata.name=cm-3",
           cm, "v1", "default", std::nullopt, 0,
           [](const json& o) { return o["metadata"]["name"] == "cm-3"; });
  EXPECT_EQ(Names(one), std::vector<std::string>{"cm-3"});
  json none =
      List(std::string(kListedConfigMaps) + "?labelSelector=team=c", cm, "v1",
           "default", std::nullopt, 0, [](const json&) { return false; });
  EXPECT_TRUE(none["items"].is_array() && none["items"].empty());
}

TEST_F(SandboxListTextTest, ItemsCarryTheRequestedVersion) {
  const std::string beta =
      "/apis/example.io/v1beta1/namespaces/default/widgets";
  const std::string alpha =
      "/apis/example.io/v1alpha1/namespaces/default/widgets";
  Create(beta, R"({"apiVersion":"example.io/v1beta1","kind":"Widget",)"
               R"("metadata":{"name":"w1"},"spec":{"size":1}})");
  Create(alpha, R"({"apiVersion":"example.io/v1alpha1","kind":"Widget",)"
                R"("metadata":{"name":"w2"},"spec":{"size":2}})");
  const ResourceType& w = *kinds_.Find("example.io", "v1beta1", "widgets");
  auto all = [](const json&) { return true; };
  for (const auto& [path, version] :
       {std::pair{alpha, "v1alpha1"}, std::pair{beta, "v1beta1"},
        std::pair{alpha, "v1alpha1"}}) {
    json list = List(path, w, version, "default", std::nullopt, 0, all);
    EXPECT_EQ(list["apiVersion"], "example.io/" + std::string(version));
    EXPECT_EQ(list["kind"], "WidgetList");
    ASSERT_EQ(Names(list), (std::vector<std::string>{"w1", "w2"}));
    for (const json& item : list["items"]) {
      EXPECT_EQ(item["apiVersion"], "example.io/" + std::string(version));
      EXPECT_EQ(item["kind"], "Widget");
    }
  }
  // Across namespaces (the cluster-wide path) too.
  json every = List("/apis/example.io/v1alpha1/widgets", w, "v1alpha1", "",
                    std::nullopt, 0, all);
  EXPECT_EQ(Names(every), (std::vector<std::string>{"w1", "w2"}));
}

TEST_F(SandboxListTextTest, ListAfterEveryKindOfWriteShowsTheWrite) {
  const ResourceType& cm = *kinds_.Find("", "v1", "configmaps");
  auto all = [](const json&) { return true; };
  auto list = [&] {
    return List(kListedConfigMaps, cm, "v1", "default", std::nullopt, 0, all);
  };
  Create(kListedConfigMaps, R"({"apiVersion":"v1","kind":"ConfigMap",)"
                            R"("metadata":{"name":"x","finalizers":["f/g"]},)"
                            R"("data":{"v":"1"}})");
  json first = list();  // caches x's text
  ASSERT_EQ(first["items"].size(), 1u);
  EXPECT_EQ(first["items"][0]["data"]["v"], "1");
  std::string item = std::string(kListedConfigMaps) + "/x";

  Reply patched = Send("PATCH", item, R"({"data":{"v":"2"}})",
                       "application/merge-patch+json");
  ASSERT_EQ(patched.code, 200) << patched.body.dump();
  json second = list();
  EXPECT_EQ(second["items"][0]["data"]["v"], "2");
  EXPECT_EQ(second["items"][0]["metadata"]["resourceVersion"],
            patched.body["metadata"]["resourceVersion"]);

  json put = second["items"][0];
  put["data"] = {{"v", "3"}, {"w", "new"}};
  Reply updated = Send("PUT", item, put.dump());
  ASSERT_EQ(updated.code, 200) << updated.body.dump();
  json third = list();
  EXPECT_EQ(third["items"][0]["data"], put["data"]);

  // A finalizer holds the delete: the item is listed with its deletion
  // timestamp, then goes when the finalizer is removed.
  ASSERT_EQ(Send("DELETE", item).code, 200);
  json deleting = list();
  ASSERT_EQ(deleting["items"].size(), 1u);
  EXPECT_TRUE(deleting["items"][0]["metadata"].contains("deletionTimestamp"));
  ASSERT_EQ(Send("PATCH", item, R"({"metadata":{"finalizers":null}})",
                 "application/merge-patch+json")
                .code,
            200);
  EXPECT_TRUE(list()["items"].empty());
}

TEST_F(SandboxListTextTest, TableOfAListIsBuiltFromTheText) {
  Create("/api/v1/namespaces/default/pods",
         R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},)"
         R"("spec":{"containers":[{"name":"c","image":"i"}]}})");
  ApiRequest req;
  req.method = "GET";
  req.path = "/api/v1/namespaces/default/pods";
  req.accept = "application/json;as=Table;v=v1;g=meta.k8s.io";
  Reply r = ServeResource(ApiContext{&kinds_, &store_}, req);
  ASSERT_EQ(r.code, 200) << ReplyText(r);
  json table = *ReplyJson(r);
  EXPECT_EQ(table["kind"], "Table");
  ASSERT_EQ(table["rows"].size(), 1u);
  EXPECT_EQ(table["rows"][0]["cells"][0], "p");
  EXPECT_EQ(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
  EXPECT_EQ(table["rows"][0]["object"]["metadata"]["name"], "p");
  EXPECT_TRUE(table["metadata"].contains("resourceVersion"));
}

}  // namespace
}  // namespace capigitops::sandbox
