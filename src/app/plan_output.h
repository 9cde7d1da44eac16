// Rendering a plan for people (terminal text, pull-request markdown) and for
// machines (JSON). Deletions stand out in every format.
#ifndef CAPIGITOPS_APP_PLAN_OUTPUT_H_
#define CAPIGITOPS_APP_PLAN_OUTPUT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "capigitops/reconcile.h"
#include "capigitops/sync.h"

namespace capigitops {

std::string PlanText(const Plan& plan, const Evaluation& ev, bool color);
std::string PlanMarkdown(const Plan& plan, const Evaluation& ev);
nlohmann::json PlanJson(const Plan& plan, const Evaluation& ev);

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_PLAN_OUTPUT_H_
