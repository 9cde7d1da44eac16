#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "capigitops/sync.h"

namespace capigitops {
namespace {

using nlohmann::json;

// Equal, and every value of the same nlohmann type: json's operator==
// counts 2 (integer) and 2u (unsigned) equal, and the planner's IsSubset
// and the status file read them through the type.
void ExpectSameTree(const json& a, const json& b, const std::string& at) {
  ASSERT_EQ(a.type(), b.type()) << at;
  if (a.is_object()) {
    ASSERT_EQ(a.size(), b.size()) << at;
    for (auto it = a.begin(); it != a.end(); ++it) {
      ASSERT_TRUE(b.contains(it.key())) << at << "." << it.key();
      ExpectSameTree(*it, b[it.key()], at + "." + it.key());
    }
  } else if (a.is_array()) {
    ASSERT_EQ(a.size(), b.size()) << at;
    for (size_t i = 0; i < a.size(); ++i)
      ExpectSameTree(a[i], b[i], at + "[" + std::to_string(i) + "]");
  } else {
    EXPECT_EQ(a, b) << at;
  }
}

json Sample(int i) {
  return {
      {"apiVersion", "cluster.x-k8s.io/v1beta2"},
      {"kind", "MachineDeployment"},
      {"metadata",
       {{"name", "c" + std::to_string(i) + "-workers"},
        {"labels", {{"capigitops.io/cluster", "c" + std::to_string(i)}}},
        {"managedFields",
         {{{"manager", "capi-gitops"},
           {"operation", "Apply"},
           {"fieldsV1", {{"f:spec", {{"f:replicas", json::object()}}}}}}}}}},
      {"spec",
       {{"replicas", 3},
        {"offset", -7},
        {"min", std::numeric_limits<int64_t>::min()},
        {"max", std::numeric_limits<uint64_t>::max()},
        {"ratio", 0.25},
        {"paused", false},
        {"ready", true},
        {"nothing", nullptr},
        {"empty", json::object()},
        {"none", json::array()},
        {"text", "grüße \u2713 \"quoted\"\n"},
        {"list", {1, "two", {{"three", 3}}, json::array({4, 5})}}}},
  };
}

TEST(LiveObjectTest, DecodesExactlyWhatWasEncoded) {
  json obj = Sample(0);
  obj["spec"]["unsigned"] = json(std::uint64_t{2});
  obj["spec"]["signed"] = json(std::int64_t{2});
  LiveObject live(obj);
  ExpectSameTree(obj, live.Decode(), "");
  ExpectSameTree(obj, live.Decode(), "");  // decoding does not consume it
  EXPECT_LT(live.EncodedSize(), obj.dump().size());
  for (const json& scalar :
       {json(), json(0), json(-1), json("x"), json(1.5), json::array()}) {
    ExpectSameTree(scalar, LiveObject(scalar).Decode(), scalar.dump());
  }
}

TEST(LiveObjectTest, ADefaultOneIsNull) {
  EXPECT_TRUE(LiveObject().Decode().is_null());
  EXPECT_EQ(LiveObject().EncodedSize(), 0u);
}

TEST(LiveObjectTest, ObjectsEncodedOnSeveralThreadsAtOnceDecode) {
  // The live state's LISTs encode on several threads, sharing the key table.
  constexpr int kThreads = 4, kEach = 200;
  std::vector<std::vector<LiveObject>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &made] {
      for (int i = 0; i < kEach; ++i) {
        json obj = Sample(i);
        obj["metadata"]["labels"]["only-thread-" + std::to_string(t) + "-" +
                                  std::to_string(i % 7)] = "yes";
        made[t].emplace_back(obj);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      json want = Sample(i);
      want["metadata"]["labels"]["only-thread-" + std::to_string(t) + "-" +
                                 std::to_string(i % 7)] = "yes";
      ASSERT_EQ(made[t][i].Decode(), want) << t << " " << i;
    }
  }
}

TEST(LiveObjectTest, LookupFindsTheDecodedObject) {
  LiveState live;
  ObjRef ref = ObjRef::Of(Sample(1));
  live.objects.emplace(ref, LiveObject(Sample(1)));
  std::optional<json> found = live.Find(ref);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, Sample(1));
  EXPECT_FALSE(live.Find(ObjRef{"v1", "ConfigMap", "c1-workers"}).has_value());
}

// 20,000 distinct keys, more than the key table holds, then one more
// object with a new key and a key past the limit: 0 when both round-trip.
int FillTheKeyTable() {
  json obj = json::object();
  for (int i = 0; i < 20000; ++i) obj["key-" + std::to_string(i)] = i;
  if (LiveObject(obj).Decode() != obj) return 1;
  json small = {{"key-19999", 1}, {"another-new-key", 2}};
  return LiveObject(small).Decode() == small ? 0 : 1;
}

// Keys go into one table for the whole process, which stops growing at a
// limit (a controller runs for months); keys past it are written out in
// full. Run in a child process, so that this test's thousands of keys do
// not fill the table of every test after it.
TEST(LiveObjectDeathTest, KeysPastTheTableLimitStillRoundTrip) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::exit(FillTheKeyTable()), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace capigitops
