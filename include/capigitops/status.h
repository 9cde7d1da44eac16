// Status and StatusOr<T>: errors as values across module boundaries.
//
// As in leveldb, success costs nothing and an error carries a code plus a
// message to which each layer prepends its context ("loading clusters/a.yaml:
// ..."). Exceptions from third-party libraries are caught in the adapter that
// calls them and turned into a Status; none crosses a module boundary.
#ifndef CAPIGITOPS_STATUS_H_
#define CAPIGITOPS_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace capigitops {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input from the user: spec, flag, config
  kPolicyDenied,     // a policy rule in enforce mode denied the request
  kNotFound,
  kAlreadyExists,
  kConflict,
  kFailedPrecondition,  // what an action was decided on has changed
  kUnavailable,         // transient: network, 5xx, 429; worth retrying
  kUnauthenticated,
  kPermissionDenied,
  kDeadlineExceeded,
  kInternal,
};

const char* StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return Status(StatusCode::kInvalidArgument, std::move(m));
  }
  static Status PolicyDenied(std::string m) {
    return Status(StatusCode::kPolicyDenied, std::move(m));
  }
  static Status NotFound(std::string m) {
    return Status(StatusCode::kNotFound, std::move(m));
  }
  static Status AlreadyExists(std::string m) {
    return Status(StatusCode::kAlreadyExists, std::move(m));
  }
  static Status Conflict(std::string m) {
    return Status(StatusCode::kConflict, std::move(m));
  }
  static Status FailedPrecondition(std::string m) {
    return Status(StatusCode::kFailedPrecondition, std::move(m));
  }
  static Status Unavailable(std::string m) {
    return Status(StatusCode::kUnavailable, std::move(m));
  }
  static Status Unauthenticated(std::string m) {
    return Status(StatusCode::kUnauthenticated, std::move(m));
  }
  static Status PermissionDenied(std::string m) {
    return Status(StatusCode::kPermissionDenied, std::move(m));
  }
  static Status DeadlineExceeded(std::string m) {
    return Status(StatusCode::kDeadlineExceeded, std::move(m));
  }
  static Status Internal(std::string m) {
    return Status(StatusCode::kInternal, std::move(m));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsConflict() const { return code_ == StatusCode::kConflict; }
  // True when retrying the same operation later may succeed.
  bool transient() const {
    return code_ == StatusCode::kUnavailable ||
           code_ == StatusCode::kDeadlineExceeded;
  }

  // Returns a copy whose message is "context: message".
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

  // "InvalidArgument: message", or "OK".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or an error. REQUIRES: value() only when ok().
template <typename T>
class StatusOr {
 public:
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "StatusOr constructed from an OK status");
    if (status_.ok()) status_ = Status::Internal("StatusOr without a value");
  }
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace capigitops

#define CG_CONCAT_INNER(a, b) a##b
#define CG_CONCAT(a, b) CG_CONCAT_INNER(a, b)

// Returns from the calling function when `expr` yields a non-OK Status.
#define RETURN_IF_ERROR(expr)                 \
  do {                                        \
    ::capigitops::Status cg_status_ = (expr); \
    if (!cg_status_.ok()) return cg_status_;  \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, MakeX());` unwraps a StatusOr or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr)                    \
  auto CG_CONCAT(cg_statusor_, __LINE__) = (expr);     \
  if (!CG_CONCAT(cg_statusor_, __LINE__).ok())         \
    return CG_CONCAT(cg_statusor_, __LINE__).status(); \
  lhs = std::move(CG_CONCAT(cg_statusor_, __LINE__)).value()

#endif  // CAPIGITOPS_STATUS_H_
