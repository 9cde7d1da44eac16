// Watch streams (apiserver/pkg/endpoints/handlers/watch.go): synthetic ADDED
// events for resourceVersion "0" or unset, then every change after the
// starting version; selector changes turn into ADDED/DELETED like the watch
// cache does.
#include "watch.h"

#include <memory>

#include "selectors.h"

namespace capigitops::sandbox {
namespace {

constexpr int kDefaultTimeoutSeconds = 1800;
// Bookmarks double as a liveness probe: a failed write ends the watch.
constexpr auto kBookmarkInterval = std::chrono::seconds(15);

struct WatchSpec {
  ApiContext ctx;
  const ResourceType* type = nullptr;
  ApiPath path;
  LabelSelector labels;
  FieldSelector fields;
  std::string resource_version;
  bool bookmarks = false;
  int timeout_seconds = kDefaultTimeoutSeconds;

  bool Matches(const json& obj) const {
    return fields.Matches(obj) &&
           labels.Matches(obj["metadata"].value("labels", json()));
  }
};

bool WriteEvent(httplib::DataSink& sink, const WatchSpec& w, const char* type,
                json obj) {
  if (obj.value("kind", "") != "Status") {
    SetTypeMeta(*w.type, w.path.version, &obj);
  }
  std::string line =
      json{{"type", type}, {"object", std::move(obj)}}.dump() + "\n";
  return sink.write(line.data(), line.size());
}

bool WriteExpired(httplib::DataSink& sink, const WatchSpec& w, uint64_t rv) {
  ApiError e =
      ExpiredError("too old resource version: " + std::to_string(rv) + " (" +
                   std::to_string(w.ctx.store->OldestWatchableRv()) + ")");
  return WriteEvent(sink, w, "ERROR", e.ToJson());
}

// Returns false when the client is gone.
bool SendEvent(httplib::DataSink& sink, const WatchSpec& w,
               const StoredEvent& e) {
  bool now = w.Matches(*e.object);
  if (e.type == EventType::kModified && e.previous) {
    bool before = w.Matches(*e.previous);
    if (now && !before) return WriteEvent(sink, w, "ADDED", *e.object);
    if (!now && before) return WriteEvent(sink, w, "DELETED", *e.object);
  }
  if (!now) return true;
  return WriteEvent(sink, w, EventTypeName(e.type), *e.object);
}

void Stream(const WatchSpec& w, httplib::DataSink& sink) {
  Store& store = *w.ctx.store;
  auto start = std::chrono::steady_clock::now();
  auto end = start + std::chrono::seconds(w.timeout_seconds);
  uint64_t from = 0;
  if (w.resource_version.empty() || w.resource_version == "0") {
    ListPage page =
        store.List(w.type->group, w.type->plural, w.path.ns, std::nullopt, 0,
                   [&](const json& o) { return w.Matches(o); });
    for (json& obj : page.items) {
      if (!WriteEvent(sink, w, "ADDED", std::move(obj))) return;
    }
    from = page.rv;
  } else {
    try {
      from = std::stoull(w.resource_version);
    } catch (const std::exception&) {
      from = 0;
    }
  }
  auto next_bookmark = start + kBookmarkInterval;
  auto same_resource = [&](const StoredEvent& e) {
    return e.key.group == w.type->group && e.key.resource == w.type->plural &&
           (w.path.ns.empty() || e.key.ns == w.path.ns);
  };
  while (!store.shut_down()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= end) break;
    std::vector<StoredEvent> events;
    uint64_t last = from;
    if (!store.WaitEvents(from, std::min(end, now + std::chrono::seconds(1)),
                          same_resource, &events, &last)) {
      WriteExpired(sink, w, from);
      break;
    }
    for (const StoredEvent& e : events) {
      if (!SendEvent(sink, w, e)) return;
    }
    from = last;
    if (w.bookmarks && std::chrono::steady_clock::now() >= next_bookmark) {
      json mark = {{"metadata", {{"resourceVersion", std::to_string(from)}}}};
      if (!WriteEvent(sink, w, "BOOKMARK", mark)) return;
      next_bookmark += kBookmarkInterval;
    }
    if (!sink.is_writable()) return;
  }
}

void SetError(httplib::Response* res, const ApiError& e) {
  res->status = e.code;
  res->set_content(e.ToJson().dump(), "application/json");
}

}  // namespace

bool IsWatchRequest(const ApiRequest& req) {
  std::string w = req.Param("watch");
  return req.method == "GET" && (w == "true" || w == "1");
}

void ServeWatch(const ApiContext& ctx, const ApiRequest& req,
                httplib::Response* res) {
  auto w = std::make_shared<WatchSpec>();
  w->ctx = ctx;
  ApiError error;
  if (!ParseApiPath(req.path, &w->path) || w->path.resource.empty() ||
      !w->path.name.empty()) {
    return SetError(res, NotFoundPath());
  }
  w->type = ResolveType(ctx, w->path, "GET", &error);
  if (w->type == nullptr) return SetError(res, error);
  StatusOr<LabelSelector> labels =
      LabelSelector::Parse(req.Param("labelSelector"));
  StatusOr<FieldSelector> fields =
      FieldSelector::Parse(req.Param("fieldSelector"));
  if (!labels.ok()) return SetError(res, BadRequest(labels.status().message()));
  if (!fields.ok()) return SetError(res, BadRequest(fields.status().message()));
  w->labels = std::move(labels).value();
  w->fields = std::move(fields).value();
  w->resource_version = req.Param("resourceVersion");
  w->bookmarks = req.Param("allowWatchBookmarks") == "true";
  if (!req.Param("timeoutSeconds").empty()) {
    try {
      w->timeout_seconds = std::max(1, std::stoi(req.Param("timeoutSeconds")));
    } catch (const std::exception&) {
      return SetError(res, BadRequest("invalid timeoutSeconds"));
    }
  }
  res->status = 200;
  res->set_chunked_content_provider("application/json;stream=watch",
                                    [w](size_t, httplib::DataSink& sink) {
                                      Stream(*w, sink);
                                      sink.done();
                                      return true;
                                    });
}

}  // namespace capigitops::sandbox
