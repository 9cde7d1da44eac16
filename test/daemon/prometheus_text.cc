#include "daemon/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <sstream>

namespace capigitops {

bool ParsePrometheusText(const std::string& text,
                         std::map<std::string, double>* samples,
                         std::string* error) {
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    // The value follows the last space outside the label braces.
    size_t brace = line.rfind('}');
    size_t space = line.find(' ', brace == std::string::npos ? 0 : brace);
    if (space == std::string::npos) {
      *error = "line " + std::to_string(number) + ": no value: " + line;
      return false;
    }
    std::string key = line.substr(0, space);
    std::string value = line.substr(space + 1);
    if (size_t ts = value.find(' '); ts != std::string::npos) {
      value.resize(ts);  // an optional timestamp follows
    }
    double v = 0;
    if (value == "+Inf") {
      v = INFINITY;
    } else if (value == "-Inf") {
      v = -INFINITY;
    } else {
      auto [end, ec] =
          std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size()) {
        *error = "line " + std::to_string(number) + ": bad value: " + line;
        return false;
      }
    }
    (*samples)[key] = v;
  }
  return true;
}

}  // namespace capigitops
