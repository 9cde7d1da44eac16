// Logs of every command: one line per event, as text for people or JSON
// lines for log collectors (`--log-format json`), with a level and
// structured fields (`cluster`, `revision`, counts as numbers).
// Thread-safe; messages must already be free of secrets (callers pass
// scrubbed URLs and Status messages, which never carry credentials).
#ifndef CAPIGITOPS_UTIL_LOG_H_
#define CAPIGITOPS_UTIL_LOG_H_

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <streambuf>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace capigitops {

enum class LogLevel { kDebug = 0, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

// One field's value: JSON logs keep numbers and booleans as such
// ("applied":3, not "3"), so collectors can compare and sum them.
class LogValue {
 public:
  using Variant = std::variant<std::string, int64_t, double, bool>;
  LogValue(std::string v) : v_(std::move(v)) {}  // NOLINT: implicit by design
  LogValue(std::string_view v) : v_(std::string(v)) {}  // NOLINT
  LogValue(const char* v) : v_(std::string(v)) {}       // NOLINT
  LogValue(bool v) : v_(v) {}                           // NOLINT
  LogValue(double v) : v_(v) {}                         // NOLINT
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) LogValue(T v)
      : v_(static_cast<int64_t>(v)) {}  // NOLINT
  const Variant& value() const { return v_; }
  std::string ToText() const;  // as the text format prints it

 private:
  Variant v_;
};

using LogFields = std::vector<std::pair<std::string, LogValue>>;

class Logger {
 public:
  // `now_ms` gives Unix milliseconds (tests pass a fixed clock).
  Logger(std::ostream* out, LogFormat format, LogLevel min_level,
         std::function<int64_t()> now_ms = nullptr);

  void Log(LogLevel level, std::string_view message,
           const LogFields& fields = {});
  void Debug(std::string_view m, const LogFields& f = {}) {
    Log(LogLevel::kDebug, m, f);
  }
  void Info(std::string_view m, const LogFields& f = {}) {
    Log(LogLevel::kInfo, m, f);
  }
  void Warn(std::string_view m, const LogFields& f = {}) {
    Log(LogLevel::kWarn, m, f);
  }
  void Error(std::string_view m, const LogFields& f = {}) {
    Log(LogLevel::kError, m, f);
  }

  // One formatted line (without the newline); exposed for tests.
  std::string Format(LogLevel level, std::string_view message,
                     const LogFields& fields) const;

 private:
  std::ostream* out_;
  LogFormat format_;
  LogLevel min_level_;
  std::function<int64_t()> now_ms_;
  std::mutex mu_;
};

// "text" or "json"; false for anything else.
bool ParseLogFormat(std::string_view name, LogFormat* format);

// A stream buffer that logs each line written to it, for output that was
// written as plain lines (a command's errors and warnings on stderr) when
// the logs are JSON: every line becomes one record with `fields`. The level
// is read from the line: "warning" makes it warn, "error" or the
// "capi-gitops ...: " prefix of a command's error error, anything else info.
class LineLogBuf : public std::streambuf {
 public:
  LineLogBuf(Logger* log, LogFields fields)
      : log_(log), fields_(std::move(fields)) {}
  ~LineLogBuf() override;

 protected:
  int overflow(int c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;

 private:
  void Put(char c);
  void Emit();
  Logger* log_;
  LogFields fields_;
  std::mutex mu_;  // commands may write stderr from worker threads
  std::string line_;
};

}  // namespace capigitops

#endif  // CAPIGITOPS_UTIL_LOG_H_
