// ParseJsonItems: a LIST body parsed an item at a time.
//
// A LIST page of 500 CAPI objects is ~1 MB of text and, as one nlohmann
// tree, several times that; the live state reads four kinds at once and
// keeps each item in a far smaller form, so the parsed pages were most of
// what a no-op plan held while it read the live state. nlohmann's SAX
// interface builds the document here, except that each element of the
// top-level "items" array goes elsewhere: built on its own as a tree,
// handed over and freed, or handed over as events (JsonItemSax), so that a
// caller keeping its own form of each item never builds a tree of it (the
// trees' allocations were a quarter of a no-op pass's CPU at 10,000
// clusters).
#include <optional>
#include <string>

#include "capigitops/json.h"

namespace capigitops::yaml {
namespace {

using nlohmann::json;
using Builder = nlohmann::detail::json_sax_dom_parser<json>;

// The SAX handler of a LIST body: the document is built by its own builder,
// the events of each element of the top-level "items" go to `Items`, which
// has the same methods plus Done(), called after an item's last event.
template <typename Items>
class ItemsSax {
 public:
  explicit ItemsSax(Items& items) : items_(items), doc_builder_(doc_, false) {}

  json& doc() { return doc_; }

  bool null() {
    return Value([](auto& b) { return b.null(); });
  }
  bool boolean(bool v) {
    return Value([v](auto& b) { return b.boolean(v); });
  }
  bool number_integer(json::number_integer_t v) {
    return Value([v](auto& b) { return b.number_integer(v); });
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return Value([v](auto& b) { return b.number_unsigned(v); });
  }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return Value([&](auto& b) { return b.number_float(v, s); });
  }
  bool string(json::string_t& v) {
    return Value([&](auto& b) { return b.string(v); });
  }
  bool binary(json::binary_t& v) {
    return Value([&](auto& b) { return b.binary(v); });
  }
  bool start_object(std::size_t n) {
    return Open([n](auto& b) { return b.start_object(n); });
  }
  bool key(json::string_t& k) {
    // "items" of the top-level object: its array is read item by item.
    if (depth_ == 1) items_next_ = k == "items";
    return InItem() ? items_.key(k) : doc_builder_.key(k);
  }
  bool end_object() {
    return Close([](auto& b) { return b.end_object(); });
  }
  bool start_array(std::size_t n) {
    if (depth_ == 1 && items_next_) {  // not given to the document's builder
      items_next_ = false;
      in_items_ = true;
      ++depth_;
      return true;
    }
    return Open([n](auto& b) { return b.start_array(n); });
  }
  bool end_array() {
    if (in_items_ && depth_ == 2) {
      in_items_ = false;
      --depth_;
      return true;
    }
    return Close([](auto& b) { return b.end_array(); });
  }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception&) {
    return false;
  }

 private:
  bool InItem() const { return in_items_ && depth_ >= 2; }
  // The item is complete when the parse is back at the items array.
  bool Done() { return in_items_ && depth_ == 2 ? items_.Done() : true; }
  template <typename F>
  bool Value(F f) {
    items_next_ = false;
    if (!InItem()) return f(doc_builder_);
    return f(items_) && Done();
  }
  template <typename F>
  bool Open(F f) {
    items_next_ = false;
    const bool in_item = InItem();
    ++depth_;
    return in_item ? f(items_) : f(doc_builder_);
  }
  template <typename F>
  bool Close(F f) {
    const bool in_item = InItem();
    --depth_;
    return in_item ? f(items_) && Done() : f(doc_builder_);
  }

  Items& items_;
  json doc_;
  Builder doc_builder_;
  int depth_ = 0;            // containers open
  bool items_next_ = false;  // the top-level key just read was "items"
  bool in_items_ = false;
};

// Each item built as a tree and handed to `each`.
class TreeItems {
 public:
  explicit TreeItems(const std::function<void(json&)>& each) : each_(each) {}

  bool null() { return B().null(); }
  bool boolean(bool v) { return B().boolean(v); }
  bool number_integer(json::number_integer_t v) {
    return B().number_integer(v);
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return B().number_unsigned(v);
  }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return B().number_float(v, s);
  }
  bool string(json::string_t& v) { return B().string(v); }
  bool binary(json::binary_t& v) { return B().binary(v); }
  bool start_object(std::size_t n) { return B().start_object(n); }
  bool key(json::string_t& k) { return B().key(k); }
  bool end_object() { return B().end_object(); }
  bool start_array(std::size_t n) { return B().start_array(n); }
  bool end_array() { return B().end_array(); }
  bool Done() {
    builder_.reset();
    each_(item_);
    item_ = json();
    return true;
  }

 private:
  Builder& B() {
    if (!builder_) {  // an item starts
      item_ = json();
      builder_.emplace(item_, false);
    }
    return *builder_;
  }

  const std::function<void(json&)>& each_;
  json item_;
  std::optional<Builder> builder_;
};

// Each item that is an object handed over as events; the first that is not
// stops the handing over.
class EventItems {
 public:
  explicit EventItems(JsonItemSax& sax) : sax_(sax) {}

  bool not_object() const { return not_object_; }

  bool null() {
    return Give(false, [this] { sax_.null(); });
  }
  bool boolean(bool v) {
    return Give(false, [&] { sax_.boolean(v); });
  }
  bool number_integer(json::number_integer_t v) {
    return Give(false, [&] { sax_.number_integer(v); });
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return Give(false, [&] { sax_.number_unsigned(v); });
  }
  bool number_float(json::number_float_t v, const json::string_t&) {
    return Give(false, [&] { sax_.number_float(v); });
  }
  bool string(json::string_t& v) {
    return Give(false, [&] { sax_.string(v); });
  }
  bool binary(json::binary_t&) {  // JSON text has none
    return Give(false, [] {});
  }
  bool start_object(std::size_t) {
    return Give(true, [this] { sax_.start_object(); });
  }
  bool key(json::string_t& k) {
    return Give(false, [&] { sax_.key(k); });
  }
  bool end_object() {
    return Give(false, [this] { sax_.end_object(); });
  }
  bool start_array(std::size_t) {
    return Give(false, [this] { sax_.start_array(); });
  }
  bool end_array() {
    return Give(false, [this] { sax_.end_array(); });
  }
  bool Done() {
    at_start_ = true;
    return true;
  }

 private:
  template <typename F>
  bool Give(bool opens_object, F f) {
    if (at_start_) {
      at_start_ = false;
      if (!opens_object) not_object_ = true;
    }
    if (!not_object_) f();
    return true;
  }

  JsonItemSax& sax_;
  bool at_start_ = true;  // the next event is an item's first
  bool not_object_ = false;
};

template <typename Items>
StatusOr<json> ParseItems(std::string_view text, const std::string& what,
                          Items& items, const JsonLimits& limits) {
  RETURN_IF_ERROR(CheckJsonLimits(text, what, limits));
  ItemsSax<Items> sax(items);
  if (!json::sax_parse(text, &sax, json::input_format_t::json,
                       /*strict=*/true)) {
    return Status::InvalidArgument(what + ": invalid JSON");
  }
  json& doc = sax.doc();
  // The items array was read past the document's builder: drop its key.
  if (doc.is_object()) {
    auto it = doc.find("items");
    if (it != doc.end() && it->is_null()) doc.erase(it);
  }
  return std::move(doc);
}

}  // namespace

StatusOr<json> ParseJsonItems(std::string_view text, const std::string& what,
                              const std::function<void(json&)>& each,
                              const JsonLimits& limits) {
  TreeItems items(each);
  return ParseItems(text, what, items, limits);
}

StatusOr<json> ParseJsonItems(std::string_view text, const std::string& what,
                              JsonItemSax& sax, const JsonLimits& limits) {
  EventItems items(sax);
  StatusOr<json> doc = ParseItems(text, what, items, limits);
  if (doc.ok() && items.not_object()) {
    return Status::InvalidArgument(what + ": an item is not an object");
  }
  return doc;
}

void ReplayJson(const json& value, JsonItemSax& items) {
  switch (value.type()) {
    case json::value_t::boolean:
      return items.boolean(value.get<bool>());
    case json::value_t::number_integer:
      return items.number_integer(value.get<int64_t>());
    case json::value_t::number_unsigned:
      return items.number_unsigned(value.get<uint64_t>());
    case json::value_t::number_float:
      return items.number_float(value.get<double>());
    case json::value_t::string: {
      std::string s = value.get<std::string>();
      return items.string(s);
    }
    case json::value_t::array:
      items.start_array();
      for (const json& e : value) ReplayJson(e, items);
      return items.end_array();
    case json::value_t::object:
      items.start_object();
      for (auto it = value.begin(); it != value.end(); ++it) {
        std::string k = it.key();
        items.key(k);
        ReplayJson(*it, items);
      }
      return items.end_object();
    default:  // null, and binary, which no JSON text yields
      return items.null();
  }
}

}  // namespace capigitops::yaml
