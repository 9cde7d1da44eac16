#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capigitops/json.h"

namespace capigitops::yaml {
namespace {

using nlohmann::json;

TEST(ParseJsonItemsTest, HandsOverEachItemAndReturnsTheRest) {
  const json list = {
      {"apiVersion", "v1"},
      {"kind", "ConfigMapList"},
      {"metadata", {{"continue", "page-2"}, {"resourceVersion", "42"}}},
      {"items",
       {{{"metadata", {{"name", "a"}}}, {"data", {{"items", "not the list"}}}},
        {{"metadata", {{"name", "b"}}},
         {"data", json::object()},
         {"list", {1, {{"items", json::array({2})}}, json::array()}}},
        {{"metadata", {{"name", "c"}}}, {"n", -1.5}, {"ok", true}}}}};
  std::vector<json> got;
  StatusOr<json> rest = ParseJsonItems(
      list.dump(), "list", [&](json& item) { got.push_back(std::move(item)); });
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], list["items"][i]);
  json without = list;
  without.erase("items");
  EXPECT_EQ(*rest, without);
}

TEST(ParseJsonItemsTest, ItemsThatAreNotAnArrayStayInTheDocument) {
  int calls = 0;
  auto count = [&](json&) { ++calls; };
  for (const char* text :
       {R"({"items": {"a": [1]}})", R"({"items": "x"})", R"({"items": 3})"}) {
    StatusOr<json> doc = ParseJsonItems(text, "list", count);
    ASSERT_TRUE(doc.ok()) << text;
    EXPECT_EQ(*doc, json::parse(text)) << text;
  }
  StatusOr<json> null_items = ParseJsonItems(R"({"items": null})", "l", count);
  ASSERT_TRUE(null_items.ok());
  EXPECT_EQ(*null_items, json::object());
  // Not the top-level object's: an ordinary array.
  StatusOr<json> nested =
      ParseJsonItems(R"({"a": {"items": [1, 2]}})", "l", count);
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ((*nested)["a"]["items"], json::array({1, 2}));
  StatusOr<json> top = ParseJsonItems(R"([{"items": [1]}])", "l", count);
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(*top, json::parse(R"([{"items": [1]}])"));
  EXPECT_EQ(calls, 0);
}

TEST(ParseJsonItemsTest, ScalarItemsAndEmptyListsToo) {
  std::vector<json> got;
  auto keep = [&](json& item) { got.push_back(item); };
  ASSERT_TRUE(
      ParseJsonItems(R"({"items": [1, "two", null, []]})", "l", keep).ok());
  EXPECT_EQ(got, (std::vector<json>{1, "two", nullptr, json::array()}));
  got.clear();
  StatusOr<json> empty = ParseJsonItems(R"({"items": [], "k": 1})", "l", keep);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(*empty, json({{"k", 1}}));
}

TEST(ParseJsonItemsTest, InvalidOrTooDeepIsAnError) {
  auto ignore = [](json&) {};
  StatusOr<json> bad =
      ParseJsonItems(R"({"items": [{"a": 1}, {"b": )", "list", ignore);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "list: invalid JSON");
  std::string deep =
      R"({"items": [)" + std::string(300, '[') + std::string(300, ']') + "]}";
  StatusOr<json> too_deep = ParseJsonItems(deep, "list", ignore);
  ASSERT_FALSE(too_deep.ok());
  EXPECT_NE(too_deep.status().message().find("nesting deeper than"),
            std::string::npos)
      << too_deep.status().message();
}

// Writes the events it gets as text, one item per line.
class EventLog : public JsonItemSax {
 public:
  std::vector<std::string> items;
  void null() override { Add("null"); }
  void boolean(bool v) override { Add(v ? "true" : "false"); }
  void number_integer(int64_t v) override { Add("i" + std::to_string(v)); }
  void number_unsigned(uint64_t v) override { Add("u" + std::to_string(v)); }
  void number_float(double v) override { Add("f" + std::to_string(v)); }
  void string(std::string& v) override { Add("'" + v + "'"); }
  void start_object() override {
    if (depth_++ == 0) items.emplace_back();
    Add("{");
  }
  void key(std::string& k) override { Add(k + ":"); }
  void end_object() override {
    --depth_;
    Add("}");
  }
  void start_array() override {
    ++depth_;
    Add("[");
  }
  void end_array() override {
    --depth_;
    Add("]");
  }

 private:
  void Add(const std::string& event) { items.back() += event + " "; }
  int depth_ = 0;
};

TEST(ParseJsonItemsTest, EventsOfEachItemAndTheRest) {
  const std::string text =
      R"({"kind": "L", "items": [{"a": [1, -2, 0.5, "x\u00e9"], "b": {}},
          {"items": [null, true]}], "metadata": {"continue": "c"}})";
  EventLog log;
  StatusOr<json> rest = ParseJsonItems(text, "list", log);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(*rest, json::parse(R"({"kind": "L",
                                   "metadata": {"continue": "c"}})"));
  EXPECT_EQ(log.items, (std::vector<std::string>{
                           "{ a: [ u1 i-2 f0.500000 'x\xc3\xa9' ] b: { } } ",
                           "{ items: [ null true ] } "}));
  // A parsed item replayed gives the events of its text (keys sorted, as
  // the tree holds them).
  EventLog replayed;
  ReplayJson(json::parse(R"({"b": {}, "a": [1, -2, 0.5, "x\u00e9"]})"),
             replayed);
  EXPECT_EQ(replayed.items, std::vector<std::string>{log.items[0]});
}

TEST(ParseJsonItemsTest, AnItemThatIsNotAnObjectIsAnErrorAsEvents) {
  EventLog log;
  StatusOr<json> got =
      ParseJsonItems(R"({"items": [{"a": 1}, [2], {"b": 3}]})", "list", log);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "list: an item is not an object");
  EXPECT_EQ(log.items, std::vector<std::string>{"{ a: u1 } "});  // then none
  // Invalid text says so first.
  EventLog other;
  got = ParseJsonItems(R"({"items": [1, {"a": )", "list", other);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "list: invalid JSON");
  EXPECT_TRUE(other.items.empty());
}

}  // namespace
}  // namespace capigitops::yaml
