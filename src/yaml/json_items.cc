// ParseJsonItems: a LIST body parsed an item at a time.
//
// A LIST page of 500 CAPI objects is ~1 MB of text and, as one nlohmann
// tree, several times that; the live state reads four kinds at once and
// keeps each item in a far smaller form, so the parsed pages were most of
// what a no-op plan held while it read the live state. nlohmann's SAX
// interface builds the document here, except that each element of the
// top-level "items" array is built on its own, handed over and freed.
#include <optional>
#include <string>

#include "capigitops/json.h"

namespace capigitops::yaml {
namespace {

using nlohmann::json;
using Builder = nlohmann::detail::json_sax_dom_parser<json>;

class ItemsSax {
 public:
  explicit ItemsSax(const std::function<void(json&)>& each)
      : each_(each), doc_builder_(doc_, false) {}

  json& doc() { return doc_; }

  bool null() {
    return Value([](Builder& b) { return b.null(); });
  }
  bool boolean(bool v) {
    return Value([v](Builder& b) { return b.boolean(v); });
  }
  bool number_integer(json::number_integer_t v) {
    return Value([v](Builder& b) { return b.number_integer(v); });
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return Value([v](Builder& b) { return b.number_unsigned(v); });
  }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return Value([&](Builder& b) { return b.number_float(v, s); });
  }
  bool string(json::string_t& v) {
    return Value([&](Builder& b) { return b.string(v); });
  }
  bool binary(json::binary_t& v) {
    return Value([&](Builder& b) { return b.binary(v); });
  }
  bool start_object(std::size_t n) {
    return Open([n](Builder& b) { return b.start_object(n); });
  }
  bool key(json::string_t& k) {
    // "items" of the top-level object: its array is read item by item.
    if (depth_ == 1) items_next_ = k == "items";
    return Target().key(k);
  }
  bool end_object() {
    return Close([](Builder& b) { return b.end_object(); });
  }
  bool start_array(std::size_t n) {
    if (depth_ == 1 && items_next_) {  // not given to the document's builder
      items_next_ = false;
      in_items_ = true;
      ++depth_;
      return true;
    }
    return Open([n](Builder& b) { return b.start_array(n); });
  }
  bool end_array() {
    if (in_items_ && depth_ == 2) {
      in_items_ = false;
      --depth_;
      return true;
    }
    return Close([](Builder& b) { return b.end_array(); });
  }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception&) {
    return false;
  }

 private:
  bool InItem() const { return in_items_ && depth_ >= 2; }
  Builder& Target() {
    if (!InItem()) return doc_builder_;
    if (!item_builder_) {  // an item starts
      item_ = json();
      item_builder_.emplace(item_, false);
    }
    return *item_builder_;
  }
  // The item is complete when the parse is back at the items array.
  bool Done() {
    if (in_items_ && depth_ == 2 && item_builder_) {
      item_builder_.reset();
      each_(item_);
      item_ = json();
    }
    return true;
  }
  template <typename F>
  bool Value(F f) {
    items_next_ = false;
    return f(Target()) && Done();
  }
  template <typename F>
  bool Open(F f) {
    items_next_ = false;
    Builder& b = Target();
    ++depth_;
    return f(b);
  }
  template <typename F>
  bool Close(F f) {
    Builder& b = Target();
    --depth_;
    return f(b) && Done();
  }

  const std::function<void(json&)>& each_;
  json doc_;
  Builder doc_builder_;
  json item_;
  std::optional<Builder> item_builder_;
  int depth_ = 0;            // containers open
  bool items_next_ = false;  // the top-level key just read was "items"
  bool in_items_ = false;
};

}  // namespace

StatusOr<json> ParseJsonItems(std::string_view text, const std::string& what,
                              const std::function<void(json&)>& each,
                              const JsonLimits& limits) {
  RETURN_IF_ERROR(CheckJsonLimits(text, what, limits));
  ItemsSax sax(each);
  if (!json::sax_parse(text, &sax, json::input_format_t::json,
                       /*strict=*/true)) {
    return Status::InvalidArgument(what + ": invalid JSON");
  }
  json& doc = sax.doc();
  // The items array was read past the document's builder: drop its key.
  if (doc.is_object()) {
    auto items = doc.find("items");
    if (items != doc.end() && items->is_null()) doc.erase(items);
  }
  return std::move(doc);
}

}  // namespace capigitops::yaml
