#pragma once
// An asynchronous WebSocket client for /api/v1/ws (docs/api.md): connects on a caller's executor
// (an io_context or a strand of one, so that many sockets share a few threads), authenticates
// with the session cookie or an API key, sends {"type":"subscribe","channel":...} and hands every
// JSON message to a callback. Callbacks run on the given executor; with a strand, they are
// serialised with whatever else runs on it.
//
// Lifetime: create with WsClient::create() and keep the shared_ptr; pending operations hold a
// reference, so the object lives until the socket is closed. close() may be called from any
// thread.

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "demo/api_client.h"

namespace sb::demo {

struct WsAuth {
  std::string session_token;  // sends Cookie: sb_session=...
  std::string api_key;        // or Authorization: Bearer ...
};

struct WsCallbacks {
  // Called once the server answered {"type":"subscribed"} (ok) or the connection, the handshake
  // or the subscription failed (not ok; on_closed follows).
  std::function<void(Status)> on_ready;
  // Every message after "subscribed" (the full state first, then pushes); also "error" messages.
  std::function<void(const Json&)> on_message;
  // The socket is gone (closed by either side, or failed). Called exactly once.
  std::function<void(Status)> on_closed;
};

// The messages one frame carries, in order: the agent channel sends what one push round has for an
// agent as {"type":"batch","messages":[...]}; any other object is one message. Entries that are
// not objects, and frames that are not objects, are dropped.
std::vector<Json> unbatch(Json frame);

class WsClient : public std::enable_shared_from_this<WsClient> {
 public:
  // channel: "agent" or "supervisor". Starts connecting at once.
  static std::shared_ptr<WsClient> create(boost::asio::any_io_executor executor, const Url& url,
                                          WsAuth auth, std::string channel, WsCallbacks callbacks);
  virtual ~WsClient() = default;

  // Sends a text message (queued; written in order).
  virtual void send(std::string text) = 0;
  // Closes the socket (a WebSocket close frame, then TCP). Idempotent.
  virtual void close() = 0;
  virtual bool ready() const = 0;
  virtual std::uint64_t messages_received() const = 0;
};

}  // namespace sb::demo
