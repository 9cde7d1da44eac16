// LiveObject::Contains and Get read the encoding in place; they must answer
// exactly as IsSubset and a lookup on the decoded tree do. Random trees and
// random mutations of them are compared both ways, encoded by the encoder
// and by hand (keys inline, varints padded, as a LIST encoder may write).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "capigitops/diff.h"
#include "capigitops/sync.h"
#include "sync/live_codec.h"

namespace capigitops {

// Objects from hand-written bytes (LiveObject's friend).
struct LiveObjectBytes {
  static LiveObject Make(std::string bytes) {
    LiveObject o;
    o.bytes_ = std::move(bytes);
    return o;
  }
};

namespace {

using nlohmann::json;
using KeyPath = std::vector<std::string>;

class TreeGen {
 public:
  explicit TreeGen(uint32_t seed) : rng_(seed) {}

  int Int(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool OneIn(int n) { return Int(n) == 0; }

  // Few distinct keys, so desired and live trees share most of theirs; now
  // and then a new one (a key the table does not hold yet).
  std::string Key() {
    static const char* const kPool[] = {
        "metadata", "spec", "name", "labels", "annotations", "a", "b",
        "c",        "f:x",  "",     "ünï",    "replicas",    "k", "key-9"};
    if (OneIn(25)) return "view-test-new-" + std::to_string(fresh_++);
    return kPool[Int(std::size(kPool))];
  }

  json Scalar() {
    switch (Int(11)) {
      case 0:
        return nullptr;
      case 1:
        return true;
      case 2:
        return false;
      case 3:
        return Int(7) - 3;  // integer
      case 4:
        return static_cast<uint64_t>(Int(4));  // unsigned
      case 5:
        return std::vector<double>{-1.0, 0.5, 2.0, 3.0}[Int(4)];
      case 6:
        return std::numeric_limits<int64_t>::min();
      case 7:
        return std::numeric_limits<uint64_t>::max();
      default:
        return std::vector<std::string>{"", "x", "y", "xy"}[Int(4)];
    }
  }

  json Tree(int depth) {
    if (depth == 0 || OneIn(3)) return Scalar();
    if (Int(3) != 0) {
      json o = json::object();
      for (int i = Int(5); i > 0; --i) o[Key()] = Tree(depth - 1);
      return o;
    }
    json a = json::array();
    for (int i = Int(4); i > 0; --i) a.push_back(Tree(depth - 1));
    return a;
  }

  // A desired tree made from a live one: mostly the same, with a changed
  // scalar, a number of another type with the same value, a key live does
  // not have (sometimes an empty map or list), a live key left out, an
  // array of another length.
  json Mutate(const json& live, int depth) {
    if (OneIn(12)) return Tree(depth);  // anything, of any type
    if (live.is_object()) {
      json d = json::object();
      for (auto it = live.begin(); it != live.end(); ++it) {
        if (OneIn(4)) continue;  // a key only live has
        d[it.key()] = OneIn(3) ? *it : Mutate(*it, depth - 1);
      }
      if (OneIn(6)) d[Key()] = Tree(depth - 1);
      if (OneIn(6)) d[Key()] = OneIn(2) ? json::object() : json::array();
      return d;
    }
    if (live.is_array()) {
      json d = json::array();
      for (const json& e : live) d.push_back(OneIn(3) ? e : Mutate(e, depth));
      if (OneIn(8)) d.push_back(Tree(depth - 1));
      if (OneIn(8) && !d.empty()) d.erase(d.size() - 1);
      return d;
    }
    if (live.is_number()) {
      const double v = live.get<double>();
      switch (Int(5)) {
        case 0:  // the same value as a float
          return v;
        case 1:
          if (v >= 0 && v < 1e18) return static_cast<uint64_t>(v);
          break;
        case 2:
          if (v > -1e18 && v < 1e18) return static_cast<int64_t>(v);
          break;
        case 3:
          return Scalar();
      }
      return live;
    }
    return OneIn(3) ? Scalar() : live;
  }

  // A path into `tree`: mostly keys it has, sometimes one it lacks, and
  // sometimes through a level that is no object.
  KeyPath PathInto(const json& tree) {
    KeyPath p;
    const json* at = &tree;
    for (int n = Int(4); n > 0; --n) {
      if (at && at->is_object() && !at->empty() && !OneIn(5)) {
        auto it = at->begin();
        std::advance(it, Int(static_cast<int>(at->size())));
        p.push_back(it.key());
        at = &*it;
      } else {
        p.push_back(Key());
        at = nullptr;
      }
    }
    return p;
  }

  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
  int fresh_ = 0;
};

// The encoding as another writer may produce it: each key inline or as a
// table index at random, each varint padded to a random width.
class HandEncoder {
 public:
  explicit HandEncoder(TreeGen* gen) : gen_(gen) {}

  std::string Encode(const json& j) {
    std::string out;
    Value(j, &out);
    return out;
  }

 private:
  void Varint(uint64_t v, std::string* out) {
    int width = 1;
    for (uint64_t rest = v >> 7; rest; rest >>= 7) ++width;
    width = std::min(10, width + (gen_->OneIn(3) ? gen_->Int(3) : 0));
    for (int i = 0; i < width - 1; ++i, v >>= 7) {
      out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    }
    out->push_back(static_cast<char>(v & 0x7f));
  }

  void Key(const std::string& key, std::string* out) {
    uint32_t k = live_codec::KeyTable::kMaxKeys;
    if (!gen_->OneIn(3)) {
      live_codec::KeyTable& keys = live_codec::Keys();
      std::unique_lock lock(keys.mu);
      k = keys.Intern(key, /*may_add=*/true);
    }
    if (k < live_codec::KeyTable::kMaxKeys) {
      Varint(uint64_t{k} << 1, out);
    } else {
      Varint((uint64_t{key.size()} << 1) | 1, out);
      out->append(key);
    }
  }

  void Value(const json& j, std::string* out) {
    using namespace live_codec;
    switch (j.type()) {
      case json::value_t::boolean:
        out->push_back(j.get<bool>() ? kTrue : kFalse);
        return;
      case json::value_t::number_integer: {
        const int64_t v = j.get<int64_t>();
        out->push_back(kInt);
        Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63),
               out);
        return;
      }
      case json::value_t::number_unsigned:
        out->push_back(kUint);
        Varint(j.get<uint64_t>(), out);
        return;
      case json::value_t::number_float: {
        const double d = j.get<double>();
        char bytes[sizeof d];
        std::memcpy(bytes, &d, sizeof d);
        out->push_back(kFloat);
        out->append(bytes, sizeof d);
        return;
      }
      case json::value_t::string:
        out->push_back(kString);
        Varint(j.get_ref<const std::string&>().size(), out);
        out->append(j.get_ref<const std::string&>());
        return;
      case json::value_t::array:
        out->push_back(kArray);
        Varint(j.size(), out);
        for (const json& e : j) Value(e, out);
        return;
      case json::value_t::object:
        out->push_back(kObject);
        Varint(j.size(), out);
        for (auto it = j.begin(); it != j.end(); ++it) {
          Key(it.key(), out);
          Value(*it, out);
        }
        return;
      default:
        out->push_back(kNull);
        return;
    }
  }

  TreeGen* gen_;
};

// The value at `path` in a decoded tree.
std::optional<json> LookUpDecoded(const json& tree, const KeyPath& path) {
  const json* at = &tree;
  for (const std::string& key : path) {
    if (!at->is_object()) return std::nullopt;
    auto it = at->find(key);
    if (it == at->end()) return std::nullopt;
    at = &*it;
  }
  return *at;
}

std::optional<json> GetAt(const LiveObject& live, const KeyPath& p) {
  switch (p.size()) {
    case 0:
      return live.Get({});
    case 1:
      return live.Get({p[0]});
    case 2:
      return live.Get({p[0], p[1]});
    default:
      return live.Get({p[0], p[1], p[2]});
  }
}

struct ViewTally {
  int contained = 0, not_contained = 0, found = 0, missing = 0;
  std::string first_disagreement;
};

// Compares Contains and Get with IsSubset and LookUp on `pairs` random
// pairs, half of them encoded by hand.
ViewTally CompareViews(uint32_t seed, int pairs) {
  TreeGen gen(seed);
  HandEncoder hand(&gen);
  ViewTally t;
  for (int i = 0; i < pairs && t.first_disagreement.empty(); ++i) {
    const json tree = gen.Tree(4);
    const LiveObject live =
        i % 2 ? LiveObjectBytes::Make(hand.Encode(tree)) : LiveObject(tree);
    const json decoded = live.Decode();
    if (decoded != tree) {
      t.first_disagreement = "decoding " + tree.dump();
      break;
    }
    for (int m = 0; m < 4; ++m) {
      const json desired = m == 0 ? tree : gen.Mutate(tree, 4);
      const bool want = IsSubset(desired, decoded);
      (want ? t.contained : t.not_contained)++;
      if (live.Contains(desired) != want) {
        t.first_disagreement =
            "Contains: desired " + desired.dump() + " live " + tree.dump();
      }
      const KeyPath path = gen.PathInto(tree);
      const std::optional<json> at = LookUpDecoded(decoded, path);
      (at ? t.found : t.missing)++;
      const std::optional<json> got = GetAt(live, path);
      if (got != at || (got && got->type() != at->type())) {
        t.first_disagreement =
            "Get: " + json(path).dump() + " in " + tree.dump();
      }
    }
  }
  return t;
}

TEST(LiveViewTest, ContainsAndGetAnswerAsTheDecodedTree) {
  ViewTally t = CompareViews(17, 4000);
  EXPECT_EQ(t.first_disagreement, "");
  // Both answers common, so that a wrong one would show.
  EXPECT_GT(t.contained, 2000);
  EXPECT_GT(t.not_contained, 2000);
  EXPECT_GT(t.found, 2000);
  EXPECT_GT(t.missing, 2000);
}

TEST(LiveViewTest, NumbersCompareByValueAcrossTypes) {
  LiveObject live(json{{"spec", {{"replicas", 3}, {"ratio", 0.5}}}});
  EXPECT_TRUE(live.Contains(json{{"spec", {{"replicas", 3.0}}}}));
  EXPECT_TRUE(live.Contains(json{{"spec", {{"replicas", uint64_t{3}}}}}));
  EXPECT_FALSE(live.Contains(json{{"spec", {{"replicas", 3.5}}}}));
  EXPECT_FALSE(live.Contains(json{{"spec", {{"replicas", "3"}}}}));
  EXPECT_FALSE(live.Contains(json{{"spec", {{"ratio", 0}}}}));
}

TEST(LiveViewTest, OnlyEmptyMapsAndListsMayBeMissingLive) {
  LiveObject live(json{{"spec", {{"list", {1, 2}}}}});
  EXPECT_TRUE(live.Contains(json{{"spec", {{"empty", json::object()}}}}));
  EXPECT_TRUE(live.Contains(json{{"spec", {{"none", json::array()}}}}));
  EXPECT_FALSE(live.Contains(json{{"spec", {{"x", {{"y", 1}}}}}}));
  EXPECT_FALSE(live.Contains(json{{"spec", {{"list", {1}}}}}));
  EXPECT_FALSE(live.Contains(json{{"spec", {{"list", {1, 2, 3}}}}}));
  EXPECT_TRUE(live.Contains(json{{"spec", {{"list", {1, 2}}}}}));
  // Present, an empty map must still be a map.
  EXPECT_FALSE(live.Contains(json{{"spec", {{"list", json::object()}}}}));
}

TEST(LiveViewTest, GetDecodesOnlyThePathAndSaysWhenItIsMissing) {
  LiveObject live(json{
      {"metadata",
       {{"annotations", {{"capigitops.io/revision", "abc"}}}, {"name", "c1"}}},
      {"spec", "not an object"}});
  EXPECT_EQ(live.Get({"metadata", "annotations", "capigitops.io/revision"}),
            json("abc"));
  EXPECT_EQ(live.Get({"metadata", "name"}), json("c1"));
  EXPECT_FALSE(live.Get({"metadata", "labels"}).has_value());
  EXPECT_FALSE(live.Get({"spec", "replicas"}).has_value());
  EXPECT_EQ(live.Get({}), live.Decode());
}

TEST(LiveViewTest, ADefaultOneIsNull) {
  EXPECT_TRUE(LiveObject().Contains(json()));
  EXPECT_FALSE(LiveObject().Contains(json::object()));
  EXPECT_EQ(LiveObject().Get({}), json());
  EXPECT_FALSE(LiveObject().Get({"metadata"}).has_value());
}

// The planner's check on the decoded object (planner.cc before it read the
// encoding): does an Apply entry of `manager` own a field `desired` lacks?
bool OwnsFieldsNotInDecoded(const json& fields, const json& desired) {
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    const std::string& key = it.key();
    if (key.rfind("f:", 0) != 0) continue;
    if (!desired.is_object()) return true;
    auto field = desired.find(key.substr(2));
    if (field == desired.end()) return true;
    if (it->is_object() && !it->empty() &&
        OwnsFieldsNotInDecoded(*it, *field)) {
      return true;
    }
  }
  return false;
}

bool AppliedFieldsOutsideDecoded(const json& live, const json& desired,
                                 const std::string& manager) {
  static const json kEmpty = json::object();
  auto m = live.find("metadata");
  const json& meta = m != live.end() && m->is_object() ? *m : kEmpty;
  auto fields = meta.find("managedFields");
  if (fields == meta.end() || !fields->is_array()) return false;
  for (const json& mf : *fields) {
    if (mf.value("manager", "") != manager ||
        mf.value("operation", "") != "Apply") {
      continue;
    }
    auto owned = mf.find("fieldsV1");
    if (owned == mf.end()) continue;
    if (owned->is_object() && OwnsFieldsNotInDecoded(*owned, desired))
      return true;
  }
  return false;
}

// A fieldsV1 tree: "f:" keys (nested), list entries and ".".
json FieldsTree(TreeGen& gen, int depth) {
  static const char* const kKeys[] = {
      "f:a", "f:b", "f:c", "f:spec", "k:{\"name\":\"x\"}", "."};
  json o = json::object();
  for (int i = gen.Int(4); i > 0; --i) {
    const char* key = kKeys[gen.Int(std::size(kKeys))];
    o[key] = depth == 0 || gen.OneIn(3)
                 ? (gen.OneIn(6) ? gen.Scalar() : json::object())
                 : FieldsTree(gen, depth - 1);
  }
  return o;
}

// A desired object setting most of what `fields` names, not all.
json DesiredFor(TreeGen& gen, const json& fields) {
  if (gen.OneIn(10)) return gen.Scalar();
  json d = json::object();
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (it.key().rfind("f:", 0) != 0 || gen.OneIn(4)) continue;
    d[it.key().substr(2)] =
        it->is_object() ? DesiredFor(gen, *it) : gen.Scalar();
  }
  if (gen.OneIn(4)) d[gen.Key()] = gen.Scalar();
  return d;
}

TEST(LiveViewTest, AppliedFieldsOutsideAnswersAsTheDecodedCheck) {
  TreeGen gen(19);
  HandEncoder hand(&gen);
  int outside = 0, inside = 0;
  for (int i = 0; i < 3000; ++i) {
    const json fields = FieldsTree(gen, 3);
    json entries = json::array();
    for (int e = gen.Int(3) + 1; e > 0; --e) {
      json mf = json::object();
      if (!gen.OneIn(8)) mf["manager"] = gen.OneIn(4) ? "other" : "capi-gitops";
      if (!gen.OneIn(8)) mf["operation"] = gen.OneIn(4) ? "Update" : "Apply";
      if (!gen.OneIn(8)) mf["fieldsV1"] = gen.OneIn(8) ? gen.Scalar() : fields;
      entries.push_back(mf);
    }
    json tree = {{"kind", "X"},
                 {"metadata", {{"name", "n"}, {"managedFields", entries}}}};
    if (gen.OneIn(10)) tree["metadata"]["managedFields"] = gen.Scalar();
    if (gen.OneIn(10)) tree["metadata"] = gen.Scalar();
    const LiveObject live =
        i % 2 ? LiveObjectBytes::Make(hand.Encode(tree)) : LiveObject(tree);
    const json desired = DesiredFor(gen, fields);
    const std::string manager = gen.OneIn(10) ? "" : "capi-gitops";
    const bool want = AppliedFieldsOutsideDecoded(tree, desired, manager);
    (want ? outside : inside)++;
    ASSERT_EQ(live.AppliedFieldsOutside(desired, manager), want)
        << "desired " << desired.dump() << " live " << tree.dump();
  }
  EXPECT_GT(outside, 300);  // 420 with this seed
  EXPECT_GT(inside, 600);
}

// With the key table full, new keys are written inline: the comparison
// runs again in a child process, so that the filled table does not carry
// into every test after it.
int CompareWithTheKeyTableFull() {
  json obj = json::object();
  for (int i = 0; i < 20000; ++i) obj["view-fill-" + std::to_string(i)] = i;
  LiveObject filled(obj);
  if (!filled.Contains(obj) || filled.Get({"view-fill-19999"}) != json(19999))
    return 1;
  return CompareViews(18, 1000).first_disagreement.empty() ? 0 : 2;
}

TEST(LiveViewDeathTest, KeysPastTheTableLimitCompareTheSame) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::exit(CompareWithTheKeyTableFull()),
              ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace capigitops
