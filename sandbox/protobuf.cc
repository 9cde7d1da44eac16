// Protobuf wire format (https://protobuf.dev/programming-guides/encoding/)
// with the field numbers of k8s.io/api/core/v1/generated.proto and
// k8s.io/apimachinery/pkg/runtime/generated.proto.
#include "protobuf.h"

#include <functional>
#include <string>

#include "util.h"

namespace capigitops::sandbox {
namespace {

using nlohmann::json;

struct Field {
  int number = 0;
  int wire_type = 0;
  uint64_t varint = 0;
  std::string_view bytes;  // wire type 2
};

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }

  bool Next(Field* f) {
    uint64_t key = 0;
    if (!Varint(&key)) return false;
    f->number = static_cast<int>(key >> 3);
    f->wire_type = static_cast<int>(key & 7);
    switch (f->wire_type) {
      case 0:
        return Varint(&f->varint);
      case 1:
        return Skip(8);
      case 5:
        return Skip(4);
      case 2: {
        uint64_t len = 0;
        if (!Varint(&len) || len > data_.size() - pos_) return false;
        f->bytes = data_.substr(pos_, len);
        pos_ += len;
        return true;
      }
      default:
        return false;
    }
  }

 private:
  bool Varint(uint64_t* out) {
    *out = 0;
    for (int shift = 0; shift < 64 && pos_ < data_.size(); shift += 7) {
      unsigned char b = static_cast<unsigned char>(data_[pos_++]);
      *out |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool Skip(size_t n) {
    if (n > data_.size() - pos_) return false;
    pos_ += n;
    return true;
  }

  std::string_view data_;
  size_t pos_ = 0;
};

using Handler = std::function<bool(const Field&)>;

// Calls `handle` for every field; false on malformed input.
bool ForEach(std::string_view message, const Handler& handle) {
  Reader r(message);
  Field f;
  while (!r.done()) {
    if (!r.Next(&f) || !handle(f)) return false;
  }
  return true;
}

// A map<string, string|bytes> entry: key = 1, value = 2.
bool MapEntry(std::string_view entry, json* map, bool bytes_value) {
  std::string key, value;
  bool ok = ForEach(entry, [&](const Field& f) {
    if (f.wire_type != 2) return true;
    if (f.number == 1) key = f.bytes;
    if (f.number == 2) value = f.bytes;
    return true;
  });
  (*map)[key] = bytes_value ? Base64Encode(value) : value;
  return ok;
}

bool ObjectMeta(std::string_view msg, json* meta) {
  return ForEach(msg, [&](const Field& f) {
    if (f.wire_type != 2) return true;
    std::string s(f.bytes);
    switch (f.number) {
      case 1:
        (*meta)["name"] = s;
        break;
      case 2:
        (*meta)["generateName"] = s;
        break;
      case 3:
        (*meta)["namespace"] = s;
        break;
      case 11:
        return MapEntry(f.bytes, &(*meta)["labels"], false);
      case 12:
        return MapEntry(f.bytes, &(*meta)["annotations"], false);
      case 14:
        (*meta)["finalizers"].push_back(s);
        break;
    }
    return true;
  });
}

bool DecodeObject(const std::string& kind, std::string_view raw, json* obj) {
  *obj = {{"apiVersion", "v1"}, {"kind", kind}, {"metadata", json::object()}};
  return ForEach(raw, [&](const Field& f) {
    if (f.number == 1 && f.wire_type == 2) {
      return ObjectMeta(f.bytes, &(*obj)["metadata"]);
    }
    if (kind == "Namespace" && f.wire_type == 2 &&
        (f.number == 2 || f.number == 3)) {
      return ForEach(f.bytes, [&](const Field& g) {
        if (g.number != 1 || g.wire_type != 2) return true;
        if (f.number == 2) {
          (*obj)["spec"]["finalizers"].push_back(std::string(g.bytes));
        } else {
          (*obj)["status"]["phase"] = std::string(g.bytes);
        }
        return true;
      });
    }
    if (kind == "ConfigMap") {
      if (f.number == 2 && f.wire_type == 2)
        return MapEntry(f.bytes, &(*obj)["data"], false);
      if (f.number == 3 && f.wire_type == 2)
        return MapEntry(f.bytes, &(*obj)["binaryData"], true);
      if (f.number == 4 && f.wire_type == 0)
        (*obj)["immutable"] = f.varint != 0;
    }
    if (kind == "Secret") {
      // stringData is write-only: the server folds it into data.
      if ((f.number == 2 || f.number == 4) && f.wire_type == 2) {
        return MapEntry(f.bytes, &(*obj)["data"], true);
      }
      if (f.number == 3 && f.wire_type == 2)
        (*obj)["type"] = std::string(f.bytes);
      if (f.number == 5 && f.wire_type == 0)
        (*obj)["immutable"] = f.varint != 0;
    }
    return true;
  });
}

}  // namespace

StatusOr<json> DecodeKubeProtobuf(std::string_view body) {
  constexpr std::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic) {
    return Status::InvalidArgument("protobuf body without the k8s envelope");
  }
  std::string api_version, kind;
  std::string_view raw;
  bool ok = ForEach(body.substr(4), [&](const Field& f) {
    if (f.wire_type != 2) return true;
    if (f.number == 1) {
      return ForEach(f.bytes, [&](const Field& t) {
        if (t.wire_type == 2 && t.number == 1) api_version = t.bytes;
        if (t.wire_type == 2 && t.number == 2) kind = t.bytes;
        return true;
      });
    }
    if (f.number == 2) raw = f.bytes;
    return true;
  });
  if (!ok) return Status::InvalidArgument("malformed protobuf body");
  if (api_version != "v1" ||
      (kind != "Namespace" && kind != "ConfigMap" && kind != "Secret")) {
    return Status::InvalidArgument("protobuf is not supported for " +
                                   api_version + " " + kind);
  }
  json obj;
  if (!DecodeObject(kind, raw, &obj)) {
    return Status::InvalidArgument("malformed protobuf " + kind);
  }
  return obj;
}

}  // namespace capigitops::sandbox
