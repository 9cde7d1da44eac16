// Rendering a plan for people (terminal text, pull-request markdown) and for
// machines (JSON). Deletions stand out in every format.
#ifndef CAPIGITOPS_APP_PLAN_OUTPUT_H_
#define CAPIGITOPS_APP_PLAN_OUTPUT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "capigitops/plan_review.h"
#include "capigitops/reconcile.h"
#include "capigitops/sync.h"

namespace capigitops {

// The spec-level changes, replacements, cost and expiry of `plan`
// (plan_review.h), for the three formats below; `live` is the state the plan
// was built from.
PlanReview ReviewFor(const Plan& plan, const Evaluation& ev,
                     const LiveState& live);

// Text, markdown and JSON carry the same facts: per changed cluster its
// spec-level changes, machine replacements, $/hour before and after and
// absolute expiry; the plan's total cost change; unchanged clusters on one
// line (JSON: "unchanged").
std::string PlanText(const Plan& plan, const Evaluation& ev,
                     const PlanReview& review, bool color);
std::string PlanMarkdown(const Plan& plan, const Evaluation& ev,
                         const PlanReview& review);
nlohmann::json PlanJson(const Plan& plan, const Evaluation& ev,
                        const PlanReview& review);

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_PLAN_OUTPUT_H_
