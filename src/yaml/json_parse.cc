// ParseJson: the one way JSON from outside becomes an nlohmann::json. The
// depth check runs first, over the bytes, so a hostile `[[[[…` never reaches
// code that recurses.
#include <string>

#include "capigitops/json.h"
#include "yaml/nesting.h"

namespace capigitops::yaml {

Status CheckJsonLimits(std::string_view text, const std::string& what,
                       const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Status::InvalidArgument(what + ": " + std::to_string(text.size()) +
                                   " bytes of JSON, more than the limit of " +
                                   std::to_string(limits.max_bytes));
  }
  if (std::optional<Mark> at = FindDeepJsonNesting(text, limits.max_depth)) {
    return Status::InvalidArgument(
        what + ": " + NestingMessage(limits.max_depth) + " (line " +
        std::to_string(at->line) + ", column " + std::to_string(at->column) +
        ")");
  }
  return Status::Ok();
}

StatusOr<nlohmann::json> ParseJson(std::string_view text,
                                   const std::string& what,
                                   const JsonLimits& limits) {
  RETURN_IF_ERROR(CheckJsonLimits(text, what, limits));
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded())
    return Status::InvalidArgument(what + ": invalid JSON");
  return doc;
}

std::string DumpJson(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', false,
                    nlohmann::json::error_handler_t::replace);
}

}  // namespace capigitops::yaml
