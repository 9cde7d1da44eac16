// Parses the Prometheus text exposition format back, for tests of /metrics.
#ifndef CAPIGITOPS_TEST_DAEMON_PROMETHEUS_TEXT_H_
#define CAPIGITOPS_TEST_DAEMON_PROMETHEUS_TEXT_H_

#include <map>
#include <string>

namespace capigitops {

// "name{labels}" -> value (the label part rendered exactly as in the
// input); false on a malformed line.
bool ParsePrometheusText(const std::string& text,
                         std::map<std::string, double>* samples,
                         std::string* error);

}  // namespace capigitops

#endif  // CAPIGITOPS_TEST_DAEMON_PROMETHEUS_TEXT_H_
