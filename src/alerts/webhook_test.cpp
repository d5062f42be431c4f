// The webhook notifier against a real HTTP listener on 127.0.0.1 that refuses the first attempts.

#include "alerts/webhook.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sb::alerts {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// Answers each request with the next status of `statuses` (the last one repeats) and keeps the
// bodies it received.
class Receiver {
 public:
  explicit Receiver(std::vector<int> statuses)
      : statuses_(std::move(statuses)), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~Receiver() {
    stopping_ = true;
    // Wake the blocking accept with a connection of our own.
    boost::system::error_code ignored;
    tcp::socket s(io_);
    s.connect({asio::ip::make_address("127.0.0.1"), port()}, ignored);
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/hook"; }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  std::vector<std::string> content_types() {
    std::lock_guard lock(mu_);
    return content_types_;
  }

 private:
  void serve() {
    while (!stopping_) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      std::string data;
      char buf[4096];
      std::size_t header_end = std::string::npos;
      std::size_t length = 0;
      while (true) {
        const std::size_t n = socket.read_some(asio::buffer(buf), ec);
        if (ec) break;
        data.append(buf, n);
        if (header_end == std::string::npos) {
          header_end = data.find("\r\n\r\n");
          if (header_end == std::string::npos) continue;
          std::string lower = data.substr(0, header_end);
          for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          const auto cl = lower.find("content-length:");
          if (cl != std::string::npos) length = std::stoul(lower.substr(cl + 15));
          const auto ct = lower.find("content-type:");
          std::lock_guard lock(mu_);
          content_types_.push_back(ct == std::string::npos
                                       ? ""
                                       : lower.substr(ct + 13, lower.find("\r\n", ct) - ct - 13));
        }
        if (data.size() >= header_end + 4 + length) break;
      }
      if (header_end == std::string::npos) continue;
      int status = 0;
      {
        std::lock_guard lock(mu_);
        bodies_.push_back(data.substr(header_end + 4, length));
        status = statuses_[std::min(bodies_.size() - 1, statuses_.size() - 1)];
      }
      const std::string reply = "HTTP/1.1 " + std::to_string(status) +
                                " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      asio::write(socket, asio::buffer(reply), ec);
    }
  }

  std::vector<int> statuses_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::vector<std::string> content_types_;
};

WebhookOptions options(const std::string& url, std::vector<std::string>* log) {
  WebhookOptions o;
  o.url = url;
  o.max_attempts = 4;
  o.initial_backoff = 20;
  o.max_backoff = 100;
  o.timeout = 2000;
  o.log = [log](const std::string& line) { log->push_back(line); };
  return o;
}

TEST(Webhook, RetriesUntilTheReceiverAccepts) {
  Receiver receiver({503, 500, 200});
  std::vector<std::string> log;
  auto n = WebhookNotifier::start(options(receiver.url(), &log));
  ASSERT_TRUE(n.ok()) << n.status().message();
  const std::string body = R"({"event":"fired","alert":{"id":1}})";
  (*n)->notify(body);
  ASSERT_TRUE((*n)->drain(10'000));
  const WebhookStats s = (*n)->stats();
  EXPECT_EQ(s.delivered, 1u);
  EXPECT_EQ(s.attempts, 3u);
  EXPECT_EQ(s.failed, 0u);
  const auto bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 3u);
  for (const auto& b : bodies) EXPECT_EQ(b, body);
  EXPECT_NE(receiver.content_types()[0].find("application/json"), std::string::npos);
  EXPECT_TRUE(log.empty());
}

TEST(Webhook, GivesUpAfterMaxAttemptsAndOnARefusal) {
  std::vector<std::string> log;
  {
    Receiver receiver({503});
    auto n = WebhookNotifier::start(options(receiver.url(), &log));
    ASSERT_TRUE(n.ok());
    (*n)->notify("{}");
    ASSERT_TRUE((*n)->drain(10'000));
    EXPECT_EQ((*n)->stats().attempts, 4u);
    EXPECT_EQ((*n)->stats().failed, 1u);
    EXPECT_EQ(receiver.bodies().size(), 4u);
    (*n)->stop();
  }
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("HTTP 503"), std::string::npos) << log[0];
  {
    Receiver receiver({400});
    auto n = WebhookNotifier::start(options(receiver.url(), &log));
    ASSERT_TRUE(n.ok());
    (*n)->notify("{}");
    ASSERT_TRUE((*n)->drain(10'000));
    EXPECT_EQ((*n)->stats().attempts, 1u);  // a 4xx is not retried
    EXPECT_EQ((*n)->stats().failed, 1u);
    (*n)->stop();
  }
}

TEST(Webhook, ConnectionRefusedIsRetriedThenReported) {
  std::uint16_t closed_port = 0;
  {
    asio::io_context io;
    tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = a.local_endpoint().port();
  }  // closed again: nothing listens there now
  std::vector<std::string> log;
  auto o = options("http://127.0.0.1:" + std::to_string(closed_port) + "/", &log);
  o.max_attempts = 2;
  auto n = WebhookNotifier::start(o);
  ASSERT_TRUE(n.ok());
  (*n)->notify("{}");
  ASSERT_TRUE((*n)->drain(10'000));
  EXPECT_EQ((*n)->stats().attempts, 2u);
  EXPECT_EQ((*n)->stats().failed, 1u);
  (*n)->stop();
  ASSERT_EQ(log.size(), 1u);
}

TEST(Webhook, RejectsANonHttpUrl) {
  WebhookOptions o;
  o.url = "ftp://example.org/x";
  EXPECT_EQ(WebhookNotifier::start(o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sb::alerts
