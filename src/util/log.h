// Logs for the long-running controller: one line per event, as text for
// people or JSON lines for log collectors, with a level and key=value fields.
// Thread-safe; messages must already be free of secrets (callers pass
// scrubbed URLs and Status messages, which never carry credentials).
#ifndef CAPIGITOPS_UTIL_LOG_H_
#define CAPIGITOPS_UTIL_LOG_H_

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace capigitops {

enum class LogLevel { kDebug = 0, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

using LogFields = std::vector<std::pair<std::string, std::string>>;

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

}  // namespace capigitops

#endif  // CAPIGITOPS_UTIL_LOG_H_
