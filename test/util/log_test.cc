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
  EXPECT_EQ(j["time"], "2026-11-27T10:00:00.042Z");
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["msg"], "webhook refused");
  EXPECT_EQ(j["source"], "github");
  EXPECT_EQ(out.str().rfind("{\"time\":", 0), 0u);  // time first
}

TEST(LoggerTest, NumbersAndBooleansStayTypedInJson) {
  std::ostringstream out;
  Logger log(&out, LogFormat::kJson, LogLevel::kInfo, FixedMs);
  long applied = 3;
  log.Info("pass finished", {{"cluster", "dev-sandbox"},
                             {"applied", applied},
                             {"exit", 0},
                             {"seconds", 1.25},
                             {"leader", true}});
  nlohmann::json j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["cluster"], "dev-sandbox");
  EXPECT_TRUE(j["applied"].is_number_integer());
  EXPECT_EQ(j["applied"], 3);
  EXPECT_EQ(j["exit"], 0);
  EXPECT_DOUBLE_EQ(j["seconds"].get<double>(), 1.25);
  EXPECT_EQ(j["leader"], true);
  std::ostringstream text;
  Logger(&text, LogFormat::kText, LogLevel::kInfo, FixedMs)
      .Info("x", {{"applied", applied}, {"seconds", 1.25}, {"ok", false}});
  EXPECT_EQ(
      text.str(),
      "2026-11-27T10:00:00.042Z info  x applied=3 seconds=1.25 ok=false\n");
}

TEST(LoggerTest, LineLogBufTurnsEachLineIntoARecord) {
  std::ostringstream out;
  Logger log(&out, LogFormat::kJson, LogLevel::kInfo, FixedMs);
  {
    LineLogBuf buf(&log, {{"command", "plan"}});
    std::ostream err(&buf);
    err << "capi-gitops: cannot read\n"
        << "clusters/a.yaml:3:1: warning: unused\n\n"
        << "applied " << 5 << "/10 objects\n"
        << "no newline at the end";
  }
  std::istringstream lines(out.str());
  std::vector<nlohmann::json> got;
  for (std::string line; std::getline(lines, line);) {
    got.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(got.size(), 4u) << out.str();  // the empty line is dropped
  EXPECT_EQ(got[0]["level"], "error");
  EXPECT_EQ(got[0]["msg"], "capi-gitops: cannot read");
  EXPECT_EQ(got[0]["command"], "plan");
  EXPECT_EQ(got[1]["level"], "warn");
  EXPECT_EQ(got[2]["level"], "info");
  EXPECT_EQ(got[2]["msg"], "applied 5/10 objects");
  EXPECT_EQ(got[3]["msg"], "no newline at the end");
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
