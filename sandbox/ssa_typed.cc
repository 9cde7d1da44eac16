#include "ssa_typed.h"

#include <set>
#include <utility>
#include <vector>

namespace capigitops::sandbox {
namespace {

using nlohmann::json;

bool EmptyOrNull(const json& v) {
  return v.is_null() || ((v.is_object() || v.is_array()) && v.empty());
}

// The items of an associative list in order, keyed by path element. Items
// that cannot be keyed fall back to their index; repeated keys keep the first
// item (structured-merge-diff ignores repeated occurrences on the live side).
struct IndexedList {
  std::vector<std::string> order;
  std::map<std::string, const json*> items;
};

IndexedList IndexList(const SsaType& type, const json& list) {
  IndexedList out;
  if (!list.is_array()) return out;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string element, error;
    if (!type.ItemElement(list[i], &element, &error)) {
      element = "i:" + std::to_string(i);
    }
    if (out.items.emplace(element, &list[i]).second) {
      out.order.push_back(element);
    }
  }
  return out;
}

class FieldSetWalker {
 public:
  FieldSetWalker(bool strict, FieldSet* set) : strict_(strict), set_(set) {}

  bool Walk(const SsaType& type, const json& value) {
    if (strict_) {
      std::string mismatch = type.KindMismatch(value);
      if (!mismatch.empty()) return Fail(mismatch);
    }
    switch (type.ShapeOf(value)) {
      case Shape::kLeaf:
        set_->Insert(path_);
        return true;
      case Shape::kMap:
        return WalkMap(type, value);
      case Shape::kSet:
      case Shape::kListMap:
        return WalkList(type, value);
    }
    return true;
  }

  const std::string& error() const { return error_; }

 private:
  bool WalkMap(const SsaType& type, const json& value) {
    if (!value.is_object()) return true;
    for (const auto& [key, child] : value.items()) {
      SsaType::FieldInfo info = type.Field(key);
      path_.push_back("f:" + key);
      if (strict_ && !info.allowed) return Fail("field not declared in schema");
      if (!Walk(info.type, child)) return false;
      if (!info.declared) set_->Insert(path_);
      path_.pop_back();
    }
    return true;
  }

  bool WalkList(const SsaType& type, const json& value) {
    if (!value.is_array()) return true;
    std::set<std::string> seen;
    for (size_t i = 0; i < value.size(); ++i) {
      std::string element, error;
      if (!type.ItemElement(value[i], &element, &error)) {
        if (strict_) {
          return Fail("element " + std::to_string(i) + ": " + error);
        }
        element = "i:" + std::to_string(i);
      }
      if (!seen.insert(element).second && strict_) {
        return Fail("duplicate entries for key " + FieldPathString({element}));
      }
      path_.push_back(element);
      if (!Walk(type.Element(), value[i])) return false;
      set_->Insert(path_);
      path_.pop_back();
    }
    return true;
  }

  bool Fail(const std::string& message) {
    std::string where = FieldPathString(path_);
    error_ = where.empty() ? message : where + ": " + message;
    return false;
  }

  bool strict_;
  FieldSet* set_;
  FieldPath path_;
  std::string error_;
};

json MergeMaps(const SsaType& type, const json& lhs, const json& rhs) {
  if (EmptyOrNull(lhs) && EmptyOrNull(rhs)) return rhs;
  json out = json::object();
  if (lhs.is_object()) {
    for (const auto& [key, left] : lhs.items()) {
      auto right = rhs.is_object() ? rhs.find(key) : rhs.end();
      out[key] = (rhs.is_object() && right != rhs.end())
                     ? Merge(type.Field(key).type, left, *right)
                     : left;
    }
  }
  if (rhs.is_object()) {
    for (const auto& [key, right] : rhs.items()) {
      if (!out.contains(key)) out[key] = right;
    }
  }
  return out;
}

// Port of mergingWalker.visitListItems: live order is kept, applied items
// shared with live appear in the applied order, new applied items are placed
// after the live item they follow in the applied list.
json MergeLists(const SsaType& type, const json& lhs, const json& rhs) {
  if (EmptyOrNull(lhs) && EmptyOrNull(rhs)) return rhs;
  IndexedList left = IndexList(type, lhs);
  IndexedList right = IndexList(type, rhs);
  std::vector<std::string> shared;
  for (const std::string& pe : right.order) {
    if (left.items.count(pe)) shared.push_back(pe);
  }
  // The shared item expected next in applied order (nullptr when none).
  size_t shared_pos = 0;
  const std::string* next_shared = nullptr;
  auto advance = [&] {
    next_shared = shared_pos < shared.size() ? &shared[shared_pos++] : nullptr;
  };
  advance();
  std::set<std::string> merged_right;
  json out = json::array();
  auto merge_item = [&](const std::string& pe) {
    auto l = left.items.find(pe);
    const json& r = *right.items.at(pe);
    out.push_back(l == left.items.end() ? r
                                        : Merge(type.Element(), *l->second, r));
  };
  size_t li = 0, ri = 0;
  const size_t ln = left.order.size(), rn = right.order.size();
  while (li < ln || ri < rn) {
    if (li < ln && ri < rn) {
      const std::string& pe = left.order[li];
      if (pe == right.order[ri]) {
        merged_right.insert(pe);
        merge_item(pe);
        ++li;
        ++ri;
        advance();
        continue;
      }
      if (right.items.count(pe) && next_shared && *next_shared != pe) {
        ++li;  // shared item, but not the one wanted in this round
        continue;
      }
    }
    if (li < ln) {
      const std::string& pe = left.order[li];
      if (!right.items.count(pe)) {
        out.push_back(*left.items.at(pe));
        ++li;
        continue;
      }
      if (merged_right.count(pe)) {
        ++li;
        continue;
      }
    }
    if (ri < rn) {
      const std::string pe = right.order[ri];
      merged_right.insert(pe);
      merge_item(pe);
      ++ri;
      if (next_shared && *next_shared == pe) advance();
    }
  }
  return out;
}

class Comparer {
 public:
  explicit Comparer(Comparison* out) : out_(out) {}

  void Walk(const SsaType& type, const json* lhs, const json* rhs) {
    if (lhs == nullptr || rhs == nullptr) {
      const json& present = lhs != nullptr ? *lhs : *rhs;
      (lhs != nullptr ? out_->removed : out_->added).Insert(path_);
      if (type.ShapeOf(present) != Shape::kLeaf && !EmptyOrNull(present)) {
        WalkChildren(type, lhs, rhs);
      }
      return;
    }
    Shape shape = type.ShapeOf(*lhs);
    if (shape != type.ShapeOf(*rhs) || shape == Shape::kLeaf ||
        (EmptyOrNull(*lhs) && EmptyOrNull(*rhs))) {
      if (*lhs != *rhs) out_->modified.Insert(path_);
      return;
    }
    WalkChildren(type, lhs, rhs);
  }

 private:
  void WalkChildren(const SsaType& type, const json* lhs, const json* rhs) {
    const json& any = lhs != nullptr ? *lhs : *rhs;
    if (type.ShapeOf(any) == Shape::kMap) {
      static const json kEmpty = json::object();
      const json& l = lhs != nullptr && lhs->is_object() ? *lhs : kEmpty;
      const json& r = rhs != nullptr && rhs->is_object() ? *rhs : kEmpty;
      for (const auto& [key, left] : l.items()) {
        auto right = r.find(key);
        Descend("f:" + key, type.Field(key).type, &left,
                right == r.end() ? nullptr : &*right);
      }
      for (const auto& [key, right] : r.items()) {
        if (!l.contains(key)) {
          Descend("f:" + key, type.Field(key).type, nullptr, &right);
        }
      }
      return;
    }
    static const json kNull;
    IndexedList l = IndexList(type, lhs != nullptr ? *lhs : kNull);
    IndexedList r = IndexList(type, rhs != nullptr ? *rhs : kNull);
    for (const std::string& pe : l.order) {
      auto right = r.items.find(pe);
      Descend(pe, type.Element(), l.items[pe],
              right == r.items.end() ? nullptr : right->second);
    }
    for (const std::string& pe : r.order) {
      if (!l.items.count(pe)) Descend(pe, type.Element(), nullptr, r.items[pe]);
    }
  }

  void Descend(const std::string& element, const SsaType& type, const json* lhs,
               const json* rhs) {
    path_.push_back(element);
    Walk(type, lhs, rhs);
    path_.pop_back();
  }

  Comparison* out_;
  FieldPath path_;
};

}  // namespace

StatusOr<FieldSet> ToFieldSet(const SsaType& type, const json& value,
                              bool strict) {
  FieldSet set;
  FieldSetWalker walker(strict, &set);
  if (!walker.Walk(type, value)) return Status::InvalidArgument(walker.error());
  return set;
}

json Merge(const SsaType& type, const json& lhs, const json& rhs) {
  Shape left = type.ShapeOf(lhs);
  Shape right = type.ShapeOf(rhs);
  if (left != right || right == Shape::kLeaf) return rhs;
  if (right == Shape::kMap) return MergeMaps(type, lhs, rhs);
  return MergeLists(type, lhs, rhs);
}

void Comparison::ExcludeFields(const FieldSet& fields) {
  if (fields.empty()) return;
  added = added.RecursiveDifference(fields);
  modified = modified.RecursiveDifference(fields);
  removed = removed.RecursiveDifference(fields);
}

Comparison Compare(const SsaType& type, const json* lhs, const json* rhs) {
  Comparison out;
  if (lhs == nullptr && rhs == nullptr) return out;
  Comparer(&out).Walk(type, lhs, rhs);
  return out;
}

json RemoveItems(const SsaType& type, const json& value,
                 const FieldSet& items) {
  Shape shape = type.ShapeOf(value);
  if (shape == Shape::kLeaf) return value;
  if (EmptyOrNull(value)) return nullptr;
  if (shape == Shape::kMap) {
    json out = json::object();
    for (const auto& [key, child] : value.items()) {
      const std::string element = "f:" + key;
      if (items.HasMember(element)) continue;
      const FieldSet* below = items.Child(element);
      out[key] = below == nullptr
                     ? child
                     : RemoveItems(type.Field(key).type, child, *below);
    }
    return out.empty() ? json() : out;
  }
  json out = json::array();
  for (size_t i = 0; i < value.size(); ++i) {
    std::string element, error;
    if (!type.ItemElement(value[i], &element, &error)) {
      element = "i:" + std::to_string(i);
    }
    if (items.HasMember(element)) continue;
    const FieldSet* below = items.Child(element);
    if (below == nullptr) {
      out.push_back(value[i]);
      continue;
    }
    json kept = RemoveItems(type.Element(), value[i], *below);
    if (!kept.is_null()) out.push_back(std::move(kept));
  }
  return out.empty() ? json() : out;
}

FieldSet EnsureNamedFieldsAreMembers(const SsaType& type, const FieldSet& set) {
  FieldSet out;
  out.set_member(set.member());
  for (const auto& [element, child] : set.children()) {
    SsaType child_type = SsaType::Deduced();
    bool declared = false;
    if (element.rfind("f:", 0) == 0) {
      SsaType::FieldInfo info = type.Field(element.substr(2));
      child_type = info.type;
      declared = info.declared;
    } else {
      child_type = type.Element();
    }
    FieldSet named = EnsureNamedFieldsAreMembers(child_type, child);
    if (declared) named.set_member(true);
    out.mutable_children().emplace(element, std::move(named));
  }
  return out;
}

void DropNulls(json* value) {
  if (value->is_object()) {
    for (auto it = value->begin(); it != value->end();) {
      if (it->is_null()) {
        it = value->erase(it);
      } else {
        DropNulls(&*it);
        ++it;
      }
    }
  } else if (value->is_array()) {
    for (json& item : *value) DropNulls(&item);
  }
}

}  // namespace capigitops::sandbox
