// TTL decisions: when a cluster expires, whether it is torn down or kept, and
// the commit message that records the teardown in Git.
#include <algorithm>
#include <cstdio>
#include <string>

#include "capigitops/duration.h"
#include "capigitops/writeback.h"
#include "writeback/commit_text.h"

namespace capigitops {
namespace {

// "2026-11-27T10:00Z" when the seconds are zero (the usual case, and easier
// to read in `git log --oneline`), else the full RFC 3339 form.
std::string ShortTime(int64_t unix_seconds) {
  std::string full = FormatRfc3339(unix_seconds);  // ...T10:00:00Z
  if (full.size() == 20 && full.compare(16, 4, ":00Z") == 0) {
    return full.substr(0, 16) + "Z";
  }
  return full;
}

// "ttl 4h" or "expiresAt 2026-12-01T18:00:00Z", as the request wrote it.
std::string TtlAsWritten(const Ttl& ttl) {
  switch (ttl.kind) {
    case TtlKind::kDuration:
      return "ttl " +
             (ttl.text.empty() ? FormatDuration(ttl.seconds) : ttl.text);
    case TtlKind::kExpiresAt:
      return "expiresAt " +
             (ttl.text.empty() ? FormatRfc3339(ttl.expires_at) : ttl.text);
    case TtlKind::kNever:
      return "ttl never";
    case TtlKind::kNone:
      break;
  }
  return "no ttl";
}

}  // namespace

// A file name is the repository's, not ours: a newline in it must not
// write lines (trailers, a fake sign-off) into our commit message.
std::string EscapeForCommit(const std::string& text) {
  std::string escaped;
  for (unsigned char ch : text) {
    if (ch < 0x20 || ch == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", ch);
      escaped += buf;
    } else {
      escaped += static_cast<char>(ch);
    }
  }
  return escaped;
}

TtlDecision DecideTtl(const ClusterRequest& req, int64_t created_at,
                      int64_t now) {
  TtlDecision d;
  switch (req.ttl.kind) {
    case TtlKind::kNone:
    case TtlKind::kNever:
      return d;
    case TtlKind::kDuration:
      // Not created yet: the clock starts at the first apply, which is now.
      d.expires_at = (created_at > 0 ? created_at : now) + req.ttl.seconds;
      break;
    case TtlKind::kExpiresAt:
      d.expires_at = req.ttl.expires_at;
      break;
  }
  d.has_expiry = true;
  d.expired = now >= d.expires_at;
  d.expires_in = d.expired ? 0 : d.expires_at - now;
  if (d.expired && req.deletion_protection) {
    d.kept = true;
    d.kept_reason = "expired " + ShortTime(d.expires_at) + " (" +
                    TtlAsWritten(req.ttl) +
                    ") but kept: deletionProtection is true; set "
                    "deletionProtection: false to let the TTL tear it down, "
                    "or extend the ttl";
  }
  return d;
}

std::string TeardownCommitMessage(const ClusterRequest& req,
                                  const TtlDecision& d) {
  std::string details = TtlAsWritten(req.ttl);
  if (!req.owner.empty()) details += ", owner " + req.owner;
  std::string msg = "ttl: tear down " + req.name + ": expired " +
                    ShortTime(d.expires_at) + " (" + details + ")";
  std::string file =
      req.file.empty() ? "clusters/" + req.name + ".yaml" : req.file;
  msg += "\n\n" + EscapeForCommit(file) +
         " removed by capi-gitops: its TTL expired. The cluster is deleted "
         "next (the Cluster first, its other objects after CAPI removed it).\n";
  return msg;
}

bool ExpiresSoon(const TtlDecision& d, int64_t window) {
  return d.has_expiry && !d.expired && d.expires_in <= window;
}

}  // namespace capigitops
