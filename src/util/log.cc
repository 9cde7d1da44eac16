#include "util/log.h"

#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>

#include "capigitops/duration.h"

namespace capigitops {
namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// Values with spaces, quotes or '=' are quoted so a line splits unambiguously.
std::string TextValue(const std::string& v) {
  bool plain = !v.empty();
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') {
      plain = false;
    }
  }
  if (plain) return v;
  return nlohmann::json(v).dump(-1, ' ', false,
                                nlohmann::json::error_handler_t::replace);
}

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string LogValue::ToText() const {
  if (const auto* s = std::get_if<std::string>(&v_)) return *s;
  if (const auto* b = std::get_if<bool>(&v_)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<int64_t>(&v_)) return std::to_string(*i);
  return nlohmann::json(std::get<double>(v_)).dump();
}

Logger::Logger(std::ostream* out, LogFormat format, LogLevel min_level,
               std::function<int64_t()> now_ms)
    : out_(out),
      format_(format),
      min_level_(min_level),
      now_ms_(now_ms ? std::move(now_ms) : SystemNowMs) {}

std::string Logger::Format(LogLevel level, std::string_view message,
                           const LogFields& fields) const {
  std::string ts = FormatRfc3339Fraction(now_ms_() * 1000, 3);
  if (format_ == LogFormat::kJson) {
    // ordered_json keeps time, level, msg first, as log viewers expect.
    nlohmann::ordered_json j;
    j["time"] = ts;
    j["level"] = LevelName(level);
    j["msg"] = std::string(message);
    // Not a structured binding: clang before 16 (the fuzz build) cannot
    // capture one in a lambda.
    for (const auto& field : fields) {
      const auto& key = field.first;
      std::visit([&j, &key](const auto& x) { j[key] = x; },
                 field.second.value());
    }
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string line = ts + " " + LevelName(level);
  line.append(6 - std::string_view(LevelName(level)).size(), ' ');
  line.append(message);
  for (const auto& [k, v] : fields) {
    line += " " + k + "=" + TextValue(v.ToText());
  }
  return line;
}

void Logger::Log(LogLevel level, std::string_view message,
                 const LogFields& fields) {
  if (level < min_level_) return;
  std::string line = Format(level, message, fields);
  std::lock_guard<std::mutex> lock(mu_);
  *out_ << line << std::endl;  // flushed: a crash must not eat the last lines
}

bool ParseLogFormat(std::string_view name, LogFormat* format) {
  if (name == "text") {
    *format = LogFormat::kText;
  } else if (name == "json") {
    *format = LogFormat::kJson;
  } else {
    return false;
  }
  return true;
}

LineLogBuf::~LineLogBuf() {
  if (!line_.empty()) Emit();
}

void LineLogBuf::Put(char c) {
  if (c == '\n') {
    Emit();
  } else {
    line_.push_back(c);
  }
}

int LineLogBuf::overflow(int c) {
  if (c == traits_type::eof()) return traits_type::not_eof(c);
  std::lock_guard<std::mutex> lock(mu_);
  Put(static_cast<char>(c));
  return c;
}

std::streamsize LineLogBuf::xsputn(const char* s, std::streamsize n) {
  std::lock_guard<std::mutex> lock(mu_);
  for (std::streamsize i = 0; i < n; ++i) Put(s[i]);
  return n;
}

void LineLogBuf::Emit() {
  std::string line = std::move(line_);
  line_.clear();
  if (line.find_first_not_of(" \t") == std::string::npos) return;  // spacing
  std::string lower;
  for (char c : line) lower.push_back(static_cast<char>(std::tolower(c)));
  LogLevel level = LogLevel::kInfo;
  if (lower.find("warning") != std::string::npos) {
    level = LogLevel::kWarn;
  } else if (lower.find("error") != std::string::npos ||
             lower.rfind("capi-gitops", 0) == 0) {
    level = LogLevel::kError;
  }
  log_->Log(level, line, fields_);
}

}  // namespace capigitops
