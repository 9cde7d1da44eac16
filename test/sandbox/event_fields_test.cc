// capi-sandbox's field selectors on Events: what `kubectl describe` sends
// to find an object's events, and `kubectl get events --field-selector`.
#include <gtest/gtest.h>

#include "selectors.h"

namespace capigitops::sandbox {
namespace {

const nlohmann::json kEvent = nlohmann::json::parse(R"({
  "apiVersion": "v1", "kind": "Event",
  "metadata": {"name": "a.1", "namespace": "ns"},
  "involvedObject": {"kind": "Cluster", "name": "a", "namespace": "ns",
                     "uid": "u-1", "apiVersion": "cluster.x-k8s.io/v1beta2"},
  "reason": "DeletionHeld", "type": "Warning",
  "source": {"component": "capi-gitops"}
})");

bool Selects(const std::string& selector) {
  StatusOr<FieldSelector> s = FieldSelector::Parse(selector);
  EXPECT_TRUE(s.ok()) << selector << ": " << s.status().ToString();
  return s.ok() && s->Matches(kEvent);
}

TEST(EventFieldSelectorTest, SelectsByInvolvedObjectReasonTypeAndSource) {
  EXPECT_TRUE(
      Selects("involvedObject.name=a,involvedObject.namespace=ns,"
              "involvedObject.kind=Cluster,involvedObject.uid=u-1"));
  EXPECT_FALSE(Selects("involvedObject.name=a,involvedObject.uid=u-2"));
  EXPECT_TRUE(Selects("reason=DeletionHeld"));
  EXPECT_FALSE(Selects("reason!=DeletionHeld"));
  EXPECT_TRUE(Selects("type=Warning,source=capi-gitops"));
  EXPECT_FALSE(Selects("involvedObject.fieldPath=spec"));
  EXPECT_FALSE(FieldSelector::Parse("involvedObject.owner=a").ok());
}

}  // namespace
}  // namespace capigitops::sandbox
