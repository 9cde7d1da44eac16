// JSON read from outside (API responses, webhook bodies, exec-plugin output,
// inventories, capi-sandbox request bodies) becomes an nlohmann::json only
// through ParseJson, after a size and depth check. nlohmann's parser is
// iterative, but dump, copy, comparison and every walk over the result
// recurse once per level, so `[[[[…` 100,000 deep would overflow the stack.
// Owned by the yaml module (its nesting pre-scan does the depth check).
#ifndef CAPIGITOPS_JSON_H_
#define CAPIGITOPS_JSON_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "capigitops/status.h"

namespace capigitops::yaml {

struct JsonLimits {
  size_t max_bytes = 128 << 20;  // a LIST page of 500 large objects fits
  int max_depth = 256;  // the deepest CRD schema we know nests about 40
};

// The size and depth checks alone, for a caller that falls back to another
// format when the text is not JSON. InvalidArgument, starting with `what`:
// "<what>: nesting deeper than 256 levels: ... (line 1, column 300)" or
// "<what>: 200000000 bytes of JSON, more than the limit of 134217728".
Status CheckJsonLimits(std::string_view text, const std::string& what,
                       const JsonLimits& limits = {});

// CheckJsonLimits, then the parse: "<what>: invalid JSON" when it fails.
// Never throws.
StatusOr<nlohmann::json> ParseJson(std::string_view text,
                                   const std::string& what,
                                   const JsonLimits& limits = {});

// ParseJson of a Kubernetes LIST body, an item at a time: `each` gets every
// element of the top-level object's "items" array as soon as it is parsed
// (and may move it away), and the document comes back without that array.
// A page of 500 objects is then never one tree, only its text and the item
// being read. When the text turns out invalid, some items may have been
// handed over already. Never throws.
StatusOr<nlohmann::json> ParseJsonItems(
    std::string_view text, const std::string& what,
    const std::function<void(nlohmann::json&)>& each,
    const JsonLimits& limits = {});

// A LIST body's items as the parser's events, for a caller that keeps each
// item in a form of its own (sync's live-object encoding) and wants no tree
// of it: nlohmann's SAX calls, from an item's start_object to its
// end_object. Strings and keys are the parser's buffer, valid during the
// call only.
class JsonItemSax {
 public:
  virtual ~JsonItemSax() = default;
  virtual void null() = 0;
  virtual void boolean(bool value) = 0;
  virtual void number_integer(int64_t value) = 0;
  virtual void number_unsigned(uint64_t value) = 0;
  virtual void number_float(double value) = 0;
  virtual void string(std::string& value) = 0;
  virtual void start_object() = 0;
  virtual void key(std::string& key) = 0;
  virtual void end_object() = 0;
  virtual void start_array() = 0;
  virtual void end_array() = 0;
};

// ParseJsonItems with the items as events: each element of "items" that is
// an object goes to `items`; the first one that is not ends the handing
// over, and the parse, when the text is valid, fails with InvalidArgument
// "<what>: an item is not an object". Never throws.
StatusOr<nlohmann::json> ParseJsonItems(std::string_view text,
                                        const std::string& what,
                                        JsonItemSax& items,
                                        const JsonLimits& limits = {});

// The events the parse of `value`'s text would give (an object value gives
// an item's events), for an item already parsed.
void ReplayJson(const nlohmann::json& value, JsonItemSax& items);

// The text of `value` (indent as nlohmann's dump: -1 = compact). Never
// throws: bytes that are not UTF-8 (a file name from the repository, text a
// server sent) become U+FFFD instead of nlohmann's type_error 316, as the
// YAML emitter does.
std::string DumpJson(const nlohmann::json& value, int indent = -1);

}  // namespace capigitops::yaml

#endif  // CAPIGITOPS_JSON_H_
