// The libcurl Notifier against a receiver on 127.0.0.1: what it sends, and
// errors that never name the URL (it is a credential).
#include "capigitops/notifier.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <thread>

namespace capigitops {
namespace {

constexpr char kToken[] = "xoxNOTIFIERTOKEN";

class NotifierTest : public ::testing::Test {
 protected:
  NotifierTest() {
    server_.Post(R"(/hook/.*)", [this](const httplib::Request& req,
                                       httplib::Response& res) {
      body_ = req.body;
      content_type_ = req.get_header_value("Content-Type");
      if (req.path.find("slow") != std::string::npos) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
      }
      res.status = req.path.find("refuse") != std::string::npos ? 403 : 204;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~NotifierTest() override {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& what) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/hook/" + what + "/" +
           kToken;
  }
  static void ExpectNoUrl(const Status& s) {
    EXPECT_EQ(s.message().find(kToken), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("127.0.0.1"), std::string::npos) << s.message();
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::string body_, content_type_;
};

TEST_F(NotifierTest, PostsJsonAndTakesAny2xx) {
  auto notifier = NewCurlNotifier();
  Status s = notifier->Post(Url("ok"), R"({"text":"hi"})");
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(body_, R"({"text":"hi"})");
  EXPECT_EQ(content_type_, "application/json");
}

TEST_F(NotifierTest, ErrorsNeverNameTheUrl) {
  auto notifier = NewCurlNotifier({300, 300});
  Status refused = notifier->Post(Url("refuse"), "{}");
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.message(), "the webhook answered HTTP 403");
  ExpectNoUrl(refused);

  Status slow = notifier->Post(Url("slow"), "{}");
  EXPECT_EQ(slow.code(), StatusCode::kDeadlineExceeded) << slow.message();
  ExpectNoUrl(slow);

  // A port nobody listens on (the receiver's, once stopped).
  std::string closed = Url("ok");
  server_.stop();
  thread_.join();
  thread_ = std::thread([] {});
  Status down = notifier->Post(closed, "{}");
  EXPECT_EQ(down.code(), StatusCode::kUnavailable) << down.message();
  ExpectNoUrl(down);

  Status bad = notifier->Post(std::string("ftp://127.0.0.1/") + kToken, "{}");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument) << bad.message();
  ExpectNoUrl(bad);
}

}  // namespace
}  // namespace capigitops
