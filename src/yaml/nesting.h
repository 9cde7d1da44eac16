// Nesting limits checked before any recursive parser sees the text.
//
// The fast scanner, yaml-cpp and nlohmann::json's consumers all recurse once
// per level of nesting, so `[[[[…` 100,000 levels deep in a 200 KB file is
// enough to overflow the stack. These scans are iterative and linear: they
// find the first map or list nested deeper than a limit, or prove there is
// none, in one pass over the text.
#ifndef CAPIGITOPS_YAML_NESTING_H_
#define CAPIGITOPS_YAML_NESTING_H_

#include <optional>
#include <string>
#include <string_view>

#include "capigitops/yaml.h"

namespace capigitops::yaml {

// Where `text` (YAML, any number of documents) first opens a map or list at
// depth max_depth + 1, counting block maps and lists by indentation and
// "- " / "key: " indicators and flow ones by their brackets (a top-level
// map is depth 1, as in Limits::max_depth). Quoted scalars, comments, plain
// scalars and block scalars are skipped as YAML reads them, so brackets in
// text never count. Where the text is not valid YAML the count errs high,
// never low: a shape this scan passes cannot nest deeper in any parser.
std::optional<Mark> FindDeepNesting(std::string_view text, int max_depth);

// The same for JSON (an API response, a webhook body, an exec-plugin
// output): brackets outside strings. Call it before nlohmann::json::parse
// on anything read from outside; parse is iterative, but dump, copy and
// every walk over the result recurse.
std::optional<Mark> FindDeepJsonNesting(std::string_view text, int max_depth);

// "nesting deeper than N levels (…)": the one wording for every check.
std::string NestingMessage(int max_depth);

}  // namespace capigitops::yaml

#endif  // CAPIGITOPS_YAML_NESTING_H_
