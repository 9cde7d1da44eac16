#include "capigitops/kube_api.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "capigitops/json.h"
#include "util/parallel.h"

namespace capigitops {

void KubeApi::ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  ParallelForBlocking(n, fn, static_cast<unsigned>(std::max(1, Concurrency())));
}

Status KubeApi::ListEach(const ResourceInfo& r, const std::string& ns,
                         const std::string& label_selector,
                         const std::function<void(nlohmann::json&)>& each) {
  ASSIGN_OR_RETURN(std::vector<nlohmann::json> items,
                   List(r, ns, label_selector));
  for (nlohmann::json& item : items) each(item);
  return Status::Ok();
}

Status KubeApi::ListEachEvents(const ResourceInfo& r, const std::string& ns,
                               const std::string& label_selector,
                               yaml::JsonItemSax& items) {
  bool not_object = false;
  RETURN_IF_ERROR(ListEach(r, ns, label_selector, [&](nlohmann::json& item) {
    if (!item.is_object()) not_object = true;
    if (!not_object) yaml::ReplayJson(item, items);
  }));
  if (not_object) {
    return Status::Internal("list " + r.Name() + ": an item is not an object");
  }
  return Status::Ok();
}

}  // namespace capigitops
