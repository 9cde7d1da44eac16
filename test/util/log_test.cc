#include "util/log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace capigitops {
namespace {

// 2026-11-27T10:00:00.042Z
int64_t FixedMs() { return 1795773600042; }

TEST(LoggerTest, TextLinesHaveTimeLevelMessageAndQuotedFields) {
  std::ostringstream out;
  Logger log(&out, LogFormat::kText, LogLevel::kInfo, FixedMs);
  log.Info("pass finished", {{"result", "success"}, {"why", "a b"}});
  EXPECT_EQ(out.str(),
            "2026-11-27T10:00:00.042Z info  pass finished result=success "
            "why=\"a b\"\n");
}

TEST(LoggerTest, JsonLinesParseAndKeepFields) {
  std::ostringstream out;
  Logger log(&out, LogFormat::kJson, LogLevel::kInfo, FixedMs);
  log.Warn("webhook refused", {{"source", "github"}});
  nlohmann::json j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["ts"], "2026-11-27T10:00:00.042Z");
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["msg"], "webhook refused");
  EXPECT_EQ(j["source"], "github");
  EXPECT_EQ(out.str().rfind("{\"ts\":", 0), 0u);  // ts first
}

TEST(LoggerTest, LevelsBelowTheMinimumAreDropped) {
  std::ostringstream out;
  Logger log(&out, LogFormat::kText, LogLevel::kWarn, FixedMs);
  log.Debug("d");
  log.Info("i");
  log.Error("e");
  EXPECT_EQ(out.str().find(" d"), std::string::npos);
  EXPECT_EQ(out.str().find(" i\n"), std::string::npos);
  EXPECT_NE(out.str().find("error e"), std::string::npos);
}

TEST(LoggerTest, ParsesFormatNames) {
  LogFormat f;
  EXPECT_TRUE(ParseLogFormat("json", &f));
  EXPECT_EQ(f, LogFormat::kJson);
  EXPECT_TRUE(ParseLogFormat("text", &f));
  EXPECT_FALSE(ParseLogFormat("xml", &f));
}

}  // namespace
}  // namespace capigitops
