// The plan review (capigitops/plan_review.h) in the plan's output formats:
// the lines of one cluster, the cost change of the plan, the JSON fields and
// the markdown callout. Text, markdown and JSON take their facts from here.
#ifndef CAPIGITOPS_APP_PLAN_REVIEW_OUTPUT_H_
#define CAPIGITOPS_APP_PLAN_REVIEW_OUTPUT_H_

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "capigitops/plan_review.h"

namespace capigitops {

// The review of `name`, or an empty one (a cluster the review does not know).
const ClusterReview& ReviewOf(const PlanReview& review,
                              const std::string& name);

// The review lines of one cluster: "before spec unknown", "change: ...",
// "REPLACES: ...", "cost: ...", the expiry (with `relative`, e.g. "in 3h",
// in parentheses when given).
std::vector<std::string> ReviewLines(const ClusterReview& r,
                                     const std::string& relative = "");

// "$4.84/hour → $9.68/hour", or "" when the cost does not change.
std::string CostLine(const ClusterReview& r);

// "expiry moves from A to B", "expires A (in 3h)", or "".
std::string ExpiryLine(const ClusterReview& r,
                       const std::string& relative = "");

// "+$2.42/hour", "+$0.58 to +$82.58/hour", with a note when incomplete.
std::string CostChangeSummary(const PlanReview& review);

// beforeSpecKnown, specChanges, replacements, hourlyBefore/After,
// expiresAtBefore/expiresAt, expiryMoves.
void AddReviewJson(const ClusterReview& r, nlohmann::json* entry);

// Markdown: a "Machines will be replaced" callout, or nothing.
void ReplacementCallout(const Plan& plan, const PlanReview& review,
                        std::ostream& out);

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_PLAN_REVIEW_OUTPUT_H_
