#include "demo/ws_client.h"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>

namespace sb::demo {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

std::vector<Json> unbatch(Json frame) {
  std::vector<Json> out;
  if (frame.is_discarded() || !frame.is_object()) return out;
  auto it = frame.find("type");
  if (it == frame.end() || !it->is_string() || *it != "batch") {
    out.push_back(std::move(frame));
    return out;
  }
  auto list = frame.find("messages");
  if (list == frame.end() || !list->is_array()) return out;
  for (Json& m : *list)
    if (m.is_object()) out.push_back(std::move(m));
  return out;
}

namespace {

class WsClientImpl final : public WsClient {
 public:
  WsClientImpl(asio::any_io_executor executor, Url url, WsAuth auth, std::string channel,
               WsCallbacks callbacks)
      : executor_(executor),
        resolver_(executor),
        ws_(executor),
        url_(std::move(url)),
        auth_(std::move(auth)),
        channel_(std::move(channel)),
        callbacks_(std::move(callbacks)) {}

  void start() {
    auto self = std::static_pointer_cast<WsClientImpl>(shared_from_this());
    asio::post(executor_, [self] {
      self->resolver_.async_resolve(self->url_.host, std::to_string(self->url_.port),
                                    [self](error_code ec, tcp::resolver::results_type results) {
                                      self->on_resolve(ec, std::move(results));
                                    });
    });
  }

  void send(std::string text) override {
    auto self = std::static_pointer_cast<WsClientImpl>(shared_from_this());
    asio::post(executor_, [self, text = std::move(text)]() mutable {
      if (self->closing_ || self->finished_) return;
      self->outbox_.push_back(std::move(text));
      if (self->handshaken_) self->write_next();
    });
  }

  void close() override {
    auto self = std::static_pointer_cast<WsClientImpl>(shared_from_this());
    asio::post(executor_, [self] { self->do_close(); });
  }

  bool ready() const override { return ready_.load(); }
  std::uint64_t messages_received() const override { return received_.load(); }

 private:
  std::shared_ptr<WsClientImpl> self() {
    return std::static_pointer_cast<WsClientImpl>(shared_from_this());
  }

  void on_resolve(error_code ec, tcp::resolver::results_type results) {
    if (closing_) return finish(Status::unavailable("closed"));
    if (ec) return finish(Status::io_error("resolve " + url_.host + ": " + ec.message()));
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(ws_).async_connect(
        results, [s = self()](error_code e, const tcp::endpoint&) { s->on_connect(e); });
  }

  void on_connect(error_code ec) {
    if (closing_) return finish(Status::unavailable("closed"));
    if (ec) return finish(Status::io_error("connect " + url_.origin() + ": " + ec.message()));
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.set_option(websocket::stream_base::decorator(
        [auth = auth_, origin = url_.origin()](websocket::request_type& req) {
          req.set(beast::http::field::user_agent, "switchboard-demo");
          req.set(beast::http::field::origin, origin);
          if (!auth.api_key.empty()) {
            req.set(beast::http::field::authorization, "Bearer " + auth.api_key);
          } else if (!auth.session_token.empty()) {
            req.set(beast::http::field::cookie, "sb_session=" + auth.session_token);
          }
        }));
    ws_.async_handshake(url_.host_header(), url_.target("/api/v1/ws"),
                        [s = self()](error_code e) { s->on_handshake(e); });
  }

  void on_handshake(error_code ec) {
    if (ec) return finish(Status::io_error("websocket handshake: " + ec.message()));
    handshaken_ = true;
    if (closing_) {
      closing_ = false;  // let do_close() send the close frame now
      return do_close();
    }
    ws_.text(true);
    outbox_.push_front(Json{{"type", "subscribe"}, {"channel", channel_}}.dump());
    write_next();
    read_next();
  }

  void write_next() {
    if (writing_ || outbox_.empty() || closing_) return;
    writing_ = true;
    ws_.async_write(asio::buffer(outbox_.front()), [s = self()](error_code ec, std::size_t) {
      s->writing_ = false;
      s->outbox_.pop_front();
      if (ec) return s->finish(Status::io_error("websocket write: " + ec.message()));
      if (s->closing_) return s->send_close_frame();
      s->write_next();
    });
  }

  void read_next() {
    ws_.async_read(buffer_, [s = self()](error_code ec, std::size_t) { s->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec) {
      if (closing_) return finish(Status::ok_status());  // we asked for it
      if (ec == websocket::error::closed) {
        return finish(
            Status::unavailable("websocket closed: " + std::string(ws_.reason().reason.c_str())));
      }
      return finish(Status::io_error("websocket read: " + ec.message()));
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    received_.fetch_add(1);
    Json frame = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    for (Json& msg : unbatch(frame)) {
      const std::string type = msg.value("type", "");
      if (!subscribed_ && type == "subscribed") {
        subscribed_ = true;
        ready_ = true;
        if (callbacks_.on_ready) callbacks_.on_ready(Status::ok_status());
      } else if (!subscribed_ && type == "error") {
        std::string detail = msg.value("detail", "subscription refused");
        if (msg.contains("status") && msg["status"].is_number_integer()) {
          detail = "status " + std::to_string(msg["status"].get<int>()) + ": " + detail;
        }
        ready_failed_ = true;
        if (callbacks_.on_ready) callbacks_.on_ready(Status::failed_precondition(detail));
        do_close();
        break;
      } else if (callbacks_.on_message) {
        callbacks_.on_message(msg);
      }
    }
    if (!closing_ && !finished_) read_next();
  }

  void do_close() {
    if (closing_ || finished_) return;
    closing_ = true;
    if (!handshaken_) {
      resolver_.cancel();
      beast::get_lowest_layer(ws_).cancel();
      return;  // the pending connect or handshake fails and finishes
    }
    if (!writing_) send_close_frame();  // otherwise the write's completion sends it
  }

  void send_close_frame() {
    if (finished_ || close_sent_) return;
    close_sent_ = true;
    ws_.async_close(websocket::close_code::normal, [s = self()](error_code) {
      error_code ignored;
      beast::get_lowest_layer(s->ws_).socket().close(ignored);
      s->finish(Status::ok_status());
    });
  }

  void finish(Status status) {
    if (finished_) return;
    finished_ = true;
    ready_ = false;
    if (!subscribed_ && !ready_failed_ && callbacks_.on_ready) {
      callbacks_.on_ready(status.ok() ? Status::unavailable("websocket closed before subscribing")
                                      : status);
    }
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    if (callbacks_.on_closed) callbacks_.on_closed(std::move(status));
    // Drop the callbacks: they may hold references that would otherwise form a cycle.
    callbacks_ = {};
  }

  asio::any_io_executor executor_;
  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  Url url_;
  WsAuth auth_;
  std::string channel_;
  WsCallbacks callbacks_;
  std::deque<std::string> outbox_;
  bool writing_ = false;
  bool handshaken_ = false;
  bool subscribed_ = false;
  bool ready_failed_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool finished_ = false;
  std::atomic<bool> ready_{false};
  std::atomic<std::uint64_t> received_{0};
};

}  // namespace

std::shared_ptr<WsClient> WsClient::create(asio::any_io_executor executor, const Url& url,
                                           WsAuth auth, std::string channel,
                                           WsCallbacks callbacks) {
  auto client = std::make_shared<WsClientImpl>(executor, url, std::move(auth), std::move(channel),
                                               std::move(callbacks));
  client->start();
  return client;
}

}  // namespace sb::demo
