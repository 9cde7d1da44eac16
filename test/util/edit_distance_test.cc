#include "util/edit_distance.h"

#include <gtest/gtest.h>

namespace capigitops {
namespace {

TEST(EditDistanceTest, CountsEdits) {
  EXPECT_EQ(EditDistance("", ""), 0);
  EXPECT_EQ(EditDistance("replicas", "replicas"), 0);
  EXPECT_EQ(EditDistance("replica", "replicas"), 1);    // insertion
  EXPECT_EQ(EditDistance("replicass", "replicas"), 1);  // deletion
  EXPECT_EQ(EditDistance("replicos", "replicas"), 1);   // substitution
  EXPECT_EQ(EditDistance("gpc", "gcp"), 1);             // adjacent swap
  EXPECT_EQ(EditDistance("MachineType", "machinetype"), 0);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(EditDistance("", "abc"), 3);
}

TEST(EditDistanceTest, SuggestsTheClosestLikelyTypo) {
  std::vector<std::string> fields = {"maxReplicas", "maxTTL", "requireTTL",
                                     "allowedRegions"};
  EXPECT_EQ(SuggestClosest("maxReplica", fields), "maxReplicas");
  EXPECT_EQ(SuggestClosest("allowedRegion", fields), "allowedRegions");
  EXPECT_EQ(SuggestClosest("maxttl", fields), "maxTTL");
  EXPECT_EQ(SuggestClosest("gpc", {"gcp", "aws", "azure"}), "gcp");
  // Too far from everything: no suggestion rather than a silly one.
  EXPECT_EQ(SuggestClosest("budget", fields), "");
  EXPECT_EQ(SuggestClosest("x", {"gcp", "aws"}), "");
  EXPECT_EQ(SuggestClosest("anything", {}), "");
}

}  // namespace
}  // namespace capigitops
