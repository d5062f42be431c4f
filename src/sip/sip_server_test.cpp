// SipServer against raw SIP over UDP on 127.0.0.1: the request validator, OPTIONS, the
// registrar's challenge and refusal, and an INVITE answered with G.711 and the caller's
// telephone-event payload type. (Calls with real peers: tests/voice/.)

#include "sip/sip_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace sb::sip {
namespace {

class Recorder final : public SipEvents {
 public:
  void on_incoming_call(const IncomingCall& call) override {
    std::lock_guard lock(mu);
    calls.push_back(call);
    cv.notify_all();
  }
  void on_answered(LegId) override {}
  void on_ended(LegId leg, EndReason reason, int) override {
    std::lock_guard lock(mu);
    ended.emplace_back(leg, reason);
    cv.notify_all();
  }
  void on_dtmf(LegId, char d) override {
    std::lock_guard lock(mu);
    digits.push_back(d);
  }
  void on_hold(LegId, bool) override {}
  void on_registration(const Registration&) override {}
  void on_playback_done(LegId) override {}
  ReferAnswer on_refer(const ReferRequest& r) override {
    std::lock_guard lock(mu);
    refers.push_back(r.target);
    if (r.target == "sales") return {};
    return {404, "Unknown Transfer Target"};
  }

  template <typename Pred>
  bool wait(Pred p) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(5), p);  // lint:allow (test timeout)
  }

  std::mutex mu;
  std::condition_variable cv;
  std::vector<IncomingCall> calls;
  std::vector<std::pair<LegId, EndReason>> ended;
  std::string digits;
  std::vector<std::string> refers;
};

class Udp {
 public:
  Udp() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Udp() { ::close(fd_); }
  int port() const { return port_; }
  void send(int to_port, const std::string& msg) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(to_port));
    ::sendto(fd_, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  }
  // The next datagram, or "" after 3 s.
  std::string recv() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 3000) <= 0) return "";
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  }
  // The next response whose status line starts with `prefix` (skipping provisional ones).
  std::string recv_status(const std::string& prefix) {
    for (int i = 0; i < 5; ++i) {
      std::string m = recv();
      if (m.empty() || m.rfind(prefix, 0) == 0) return m;
    }
    return "";
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A request with its own branch and CSeq number (the same branch is a retransmission, the same
// Call-ID and CSeq with another branch a merged request: 482). `cseq` 0: the next number.
std::string request(const std::string& method, int from_port, const std::string& extra,
                    const std::string& body = "", const std::string& cseq_method = "",
                    int cseq = 0) {
  std::string m = method + " sip:1000@127.0.0.1 SIP/2.0\r\n";
  static int counter = 0;
  ++counter;
  m += "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(from_port) + ";branch=z9hG4bK" + method +
       std::to_string(from_port) + "x" + std::to_string(counter) + "\r\n";
  m += "From: <sip:caller@127.0.0.1>;tag=abc\r\nTo: <sip:1000@127.0.0.1>\r\n";
  m += extra;
  m += "CSeq: " + std::to_string(cseq != 0 ? cseq : counter) + " " +
       (cseq_method.empty() ? method : cseq_method) + "\r\n";
  m += "Contact: <sip:caller@127.0.0.1:" + std::to_string(from_port) + ">\r\n";
  m += "Max-Forwards: 70\r\n";
  if (!body.empty()) m += "Content-Type: application/sdp\r\n";
  m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return m;
}

class SipServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SipOptions o;
    o.port = 0;
    o.tcp = false;
    o.rtp_min_port = 41000;
    o.rtp_max_port = 41999;
    o.credentials = [](const std::string& user) -> std::optional<std::string> {
      if (user == "agent1") return digest_ha1("agent1", "switchboard", "secret-password");
      return std::nullopt;
    };
    auto s = SipServer::start(o, events);
    ASSERT_TRUE(s.ok()) << s.status().message();
    server = std::move(*s);
  }
  Recorder events;
  std::unique_ptr<SipServer> server;
};

// The SIP UDP socket gets the receive buffer asked for (or what the kernel allows, reported),
// found behind libre's transport by its address; 0 leaves the kernel default.
TEST(SipUdpReceiveBuffer, IsAppliedToTheSipSocketAndReported) {
  for (std::uint32_t ask : {2u << 20, 0u}) {
    SipOptions o;
    o.port = 0;
    o.tcp = false;
    o.rtp_min_port = 42000;
    o.rtp_max_port = 42099;
    o.udp_receive_buffer = ask;
    Recorder events;
    auto s = SipServer::start(o, events);
    ASSERT_TRUE(s.ok()) << s.status().message();
    const ReceiveBufferReport& r = (*s)->udp_receive_buffer();
    EXPECT_EQ(r.requested, ask);
    // Read the buffer of the socket bound to the SIP port ourselves.
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((*s)->port());
    auto fd = find_bound_udp_socket(reinterpret_cast<const sockaddr*>(&a), sizeof a);
    ASSERT_TRUE(fd.ok()) << fd.status().message();
    int now = 0;
    socklen_t len = sizeof now;
    ASSERT_EQ(getsockopt(*fd, SOL_SOCKET, SO_RCVBUF, &now, &len), 0);
    EXPECT_EQ(r.effective, static_cast<std::uint32_t>(now)) << describe(r);
    if (ask != 0) {
      // Linux reports twice what was set; at least the default's worth more than the default.
      EXPECT_GT(r.effective, 212992u) << describe(r);
    } else {
      EXPECT_FALSE(r.forced);
    }
    // The server still answers on it.
    Udp peer;
    peer.send((*s)->port(),
              request("OPTIONS", peer.port(), "Call-ID: buf" + std::to_string(ask) + "@x\r\n"));
    EXPECT_EQ(peer.recv_status("SIP/2.0 200").rfind("SIP/2.0 200", 0), 0u);
  }
}

TEST(Digest, Ha1IsMd5OfUserRealmPassword) {
  // RFC 2617 section 3.5's example: Mufasa / testrealm@host.com / Circle Of Life.
  EXPECT_EQ(digest_ha1("Mufasa", "testrealm@host.com", "Circle Of Life"),
            "939e7578ed9e3c518a452acee763bce9");
}

TEST_F(SipServerTest, MalformedRequestsGet400) {
  Udp peer;
  peer.send(server->port(), request("OPTIONS", peer.port(), ""));  // no Call-ID
  std::string r = peer.recv();
  EXPECT_EQ(r.rfind("SIP/2.0 400 Missing Call-ID", 0), 0u) << r;

  peer.send(server->port(), request("INVITE", peer.port(), "Call-ID: x1@test\r\n", "", "REGISTER"));
  r = peer.recv();
  EXPECT_EQ(r.rfind("SIP/2.0 400 CSeq Method Does Not Match", 0), 0u) << r;

  std::string bad_len = request("OPTIONS", peer.port(), "Call-ID: x2@test\r\n");
  bad_len.replace(bad_len.find("Content-Length: 0"), 17, "Content-Length: 99");
  peer.send(server->port(), bad_len);
  r = peer.recv();
  EXPECT_EQ(r.rfind("SIP/2.0 400 Content-Length Mismatch", 0), 0u) << r;

  // Garbage that is not SIP at all is dropped; the server keeps answering.
  peer.send(server->port(), std::string("\x01\x02garbage\r\n\r\n", 13));
  peer.send(server->port(), request("OPTIONS", peer.port(), "Call-ID: x3@test\r\n"));
  r = peer.recv();
  EXPECT_EQ(r.rfind("SIP/2.0 200 OK", 0), 0u) << r;
  EXPECT_EQ(server->stats().bad_requests, 3u);  // the garbage never reaches a handler
}

TEST_F(SipServerTest, RetransmittedRequestGetsTheSameResponse) {
  Udp peer;
  const std::string reg = request("REGISTER", peer.port(), "Call-ID: rt@test\r\n");
  peer.send(server->port(), reg);
  const std::string first = peer.recv();
  peer.send(server->port(), reg);  // same branch: a retransmission
  const std::string again = peer.recv();
  ASSERT_EQ(first.rfind("SIP/2.0 401", 0), 0u) << first;
  EXPECT_EQ(first, again);  // the same nonce, not a second challenge
}

TEST_F(SipServerTest, RegisterIsChallengedAndWrongCredentialsRefused) {
  Udp peer;
  peer.send(server->port(), request("REGISTER", peer.port(), "Call-ID: r1@test\r\n"));
  std::string r = peer.recv();
  ASSERT_EQ(r.rfind("SIP/2.0 401 Unauthorized", 0), 0u) << r;
  const auto n = r.find("nonce=\"");
  ASSERT_NE(n, std::string::npos) << r;
  const std::string nonce = r.substr(n + 7, r.find('"', n + 7) - n - 7);
  EXPECT_NE(r.find("realm=\"switchboard\""), std::string::npos) << r;

  // A response for user "1000" (the To user has no SIP password): 403.
  peer.send(server->port(),
            request("REGISTER", peer.port(),
                    "Call-ID: r1@test\r\nAuthorization: Digest username=\"1000\", "
                    "realm=\"switchboard\", nonce=\"" +
                        nonce +
                        "\", uri=\"sip:127.0.0.1\", "
                        "response=\"00000000000000000000000000000000\", algorithm=MD5\r\n"));
  r = peer.recv();
  EXPECT_EQ(r.rfind("SIP/2.0 403", 0), 0u) << r;
  // A nonce we never issued: challenged again (stale).
  peer.send(server->port(),
            request("REGISTER", peer.port(),
                    "Call-ID: r1@test\r\nAuthorization: Digest username=\"1000\", "
                    "realm=\"switchboard\", nonce=\"forged\", uri=\"sip:127.0.0.1\", "
                    "response=\"00000000000000000000000000000000\"\r\n"));
  r = peer.recv();
  EXPECT_EQ(r.rfind("SIP/2.0 401", 0), 0u) << r;
  EXPECT_NE(r.find("stale=true"), std::string::npos) << r;
  EXPECT_FALSE(server->registered_contact("1000"));
}

std::string sdp_offer(int rtp_port, const std::string& formats, const std::string& extra) {
  return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         "m=audio " +
         std::to_string(rtp_port) + " RTP/AVP " + formats + "\r\n" + extra;
}

TEST_F(SipServerTest, InviteIsAnsweredWithG711AndTheOfferedEventType) {
  Udp peer;
  const std::string offer =
      sdp_offer(40000, "8 96", "a=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\n");
  peer.send(server->port(), request("INVITE", peer.port(), "Call-ID: i1@test\r\n", offer));
  std::string r = peer.recv_status("SIP/2.0 180");
  ASSERT_FALSE(r.empty());
  ASSERT_TRUE(events.wait([&] { return !events.calls.empty(); }));
  const IncomingCall call = events.calls.front();
  EXPECT_EQ(call.did, "1000");
  EXPECT_EQ(call.from_user, "caller");
  EXPECT_EQ(call.transport, "UDP");
  server->answer(call.leg);
  r = peer.recv_status("SIP/2.0 200");
  ASSERT_FALSE(r.empty());
  EXPECT_NE(r.find("m=audio "), std::string::npos) << r;
  EXPECT_NE(r.find("RTP/AVP 8 96"), std::string::npos) << r;
  EXPECT_NE(r.find("a=rtpmap:96 telephone-event/8000"), std::string::npos) << r;
  // ACK with the To tag of the 200.
  const auto to = r.find("\r\nTo: ");
  const std::string to_line = r.substr(to + 2, r.find("\r\n", to + 2) - to - 2);
  const auto cseq_at = r.find("\r\nCSeq: ");
  const int invite_cseq = std::atoi(r.c_str() + cseq_at + 8);
  std::string ack = request("ACK", peer.port(), "Call-ID: i1@test\r\n", "", "", invite_cseq);
  ack.replace(ack.find("To: <sip:1000@127.0.0.1>"), 24, to_line);
  peer.send(server->port(), ack);
  server->hangup(call.leg);
  r = peer.recv_status("BYE ");  // BYE from the server (after any 200 retransmissions)
  EXPECT_EQ(r.rfind("BYE ", 0), 0u) << r;
  ASSERT_TRUE(events.wait([&] { return !events.ended.empty(); }));
  EXPECT_EQ(events.ended.front().second, EndReason::kLocalHangup);
}

TEST(ReferTo, TheUserOfASipUriOrTheSipError) {
  EXPECT_EQ(parse_refer_to({"<sip:sales@127.0.0.1>"}).user, "sales");
  EXPECT_EQ(parse_refer_to({"<sip:sales@127.0.0.1>"}).code, 0);
  EXPECT_EQ(parse_refer_to({"sip:Sales%20Team@example.com;transport=udp"}).user, "Sales Team");
  EXPECT_EQ(parse_refer_to({"\"Bob\" <sips:bob@pbx.example.com:5061>"}).user, "bob");
  EXPECT_EQ(parse_refer_to({}).code, 400);
  EXPECT_EQ(parse_refer_to({"<sip:a@h>", "<sip:b@h>"}).code, 400);
  EXPECT_EQ(parse_refer_to({"<<<garbage"}).code, 400);
  EXPECT_EQ(parse_refer_to({"<<sip:garbled"}).code, 400);
  EXPECT_EQ(parse_refer_to({""}).code, 400);
  EXPECT_EQ(parse_refer_to({"<tel:+15551234>"}).code, 416);
  EXPECT_EQ(parse_refer_to({"<sip:127.0.0.1>"}).code, 404);
  const ReferTo attended =
      parse_refer_to({"<sip:bob@127.0.0.1?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>"});
  EXPECT_EQ(attended.code, 501);
  EXPECT_EQ(parse_refer_to({"<sip:bob@h?require=replaces&replaces=x>"}).code, 501);
}

// The To line of a response (with the server's tag), to address in-dialog requests.
std::string to_line_of(const std::string& response) {
  const auto to = response.find("\r\nTo: ");
  return response.substr(to + 2, response.find("\r\n", to + 2) - to - 2);
}

TEST_F(SipServerTest, ReferInTheDialogIsAcceptedAndNotified) {
  Udp peer;
  const std::string offer = sdp_offer(40004, "0", "a=rtpmap:0 PCMU/8000\r\n");
  peer.send(server->port(), request("INVITE", peer.port(), "Call-ID: rf@test\r\n", offer));
  ASSERT_TRUE(events.wait([&] { return !events.calls.empty(); }));
  const IncomingCall call = events.calls.front();
  server->answer(call.leg);
  std::string r = peer.recv_status("SIP/2.0 200");
  ASSERT_FALSE(r.empty());
  const std::string to_line = to_line_of(r);
  const int invite_cseq = std::atoi(r.c_str() + r.find("\r\nCSeq: ") + 8);
  auto in_dialog = [&](const std::string& method, const std::string& extra, int cseq) {
    std::string m = request(method, peer.port(), "Call-ID: rf@test\r\n" + extra, "", "", cseq);
    m.replace(m.find("To: <sip:1000@127.0.0.1>"), 24, to_line);
    return m;
  };
  peer.send(server->port(), in_dialog("ACK", "", invite_cseq));

  peer.send(server->port(), in_dialog("REFER", "", invite_cseq + 1));
  r = peer.recv_status("SIP/2.0 4");
  EXPECT_EQ(r.rfind("SIP/2.0 400 Missing Refer-To", 0), 0u) << r;
  peer.send(server->port(),
            in_dialog("REFER", "Refer-To: <sip:nobody@127.0.0.1>\r\n", invite_cseq + 2));
  r = peer.recv_status("SIP/2.0 4");
  EXPECT_EQ(r.rfind("SIP/2.0 404 Unknown Transfer Target", 0), 0u) << r;
  peer.send(server->port(),
            in_dialog("REFER", "Refer-To: <sip:bob@127.0.0.1?Replaces=x%3Bto-tag%3D1>\r\n",
                      invite_cseq + 3));
  r = peer.recv_status("SIP/2.0 5");
  EXPECT_EQ(r.rfind("SIP/2.0 501", 0), 0u) << r;

  // A dialog that does not exist (another To tag): 481.
  std::string stray = in_dialog("REFER", "Refer-To: <sip:sales@127.0.0.1>\r\n", invite_cseq + 4);
  stray.replace(stray.find(";tag=", stray.find("\r\nTo: ")), 5, ";tag=ffff");
  peer.send(server->port(), stray);
  r = peer.recv_status("SIP/2.0 4");
  EXPECT_EQ(r.rfind("SIP/2.0 481", 0), 0u) << r;

  // Outside a dialog (no To tag): not supported.
  peer.send(server->port(), request("REFER", peer.port(),
                                    "Call-ID: rf-out@test\r\nRefer-To: <sip:sales@127.0.0.1>\r\n"));
  r = peer.recv_status("SIP/2.0 5");
  EXPECT_EQ(r.rfind("SIP/2.0 501", 0), 0u) << r;

  peer.send(server->port(),
            in_dialog("REFER", "Refer-To: <sip:sales@127.0.0.1>\r\n", invite_cseq + 5));
  r = peer.recv_status("SIP/2.0 2");
  EXPECT_EQ(r.rfind("SIP/2.0 202 Accepted", 0), 0u) << r;
  std::string notify = peer.recv_status("NOTIFY ");
  ASSERT_EQ(notify.rfind("NOTIFY ", 0), 0u) << notify;
  EXPECT_NE(notify.find("Event: refer"), std::string::npos) << notify;
  EXPECT_NE(notify.find("Content-Type: message/sipfrag"), std::string::npos) << notify;
  EXPECT_NE(notify.find("\r\n\r\nSIP/2.0 100 Trying"), std::string::npos) << notify;
  EXPECT_NE(notify.find("Subscription-State: active"), std::string::npos) << notify;
  // A second REFER while the first is pending: 491.
  peer.send(server->port(),
            in_dialog("REFER", "Refer-To: <sip:sales@127.0.0.1>\r\n", invite_cseq + 6));
  r = peer.recv_status("SIP/2.0 4");
  EXPECT_EQ(r.rfind("SIP/2.0 491", 0), 0u) << r;

  server->refer_result(call.leg, 200, "OK");
  notify = peer.recv_status("NOTIFY ");
  ASSERT_EQ(notify.rfind("NOTIFY ", 0), 0u) << notify;
  EXPECT_NE(notify.find("\r\n\r\nSIP/2.0 200 OK"), std::string::npos) << notify;
  EXPECT_NE(notify.find("Subscription-State: terminated"), std::string::npos) << notify;
  {
    std::lock_guard lock(events.mu);
    EXPECT_EQ(events.refers, (std::vector<std::string>{"nobody", "sales"}));
  }
  server->hangup(call.leg);
}

// A response to `req` (its Via, From, To, Call-ID and CSeq), with an optional SDP body.
std::string response_to(const std::string& req, const std::string& status, int contact_port,
                        const std::string& body = "") {
  std::string out = "SIP/2.0 " + status + "\r\n";
  for (const char* name : {"Via: ", "From: ", "To: ", "Call-ID: ", "CSeq: "}) {
    const auto at = req.find(std::string("\r\n") + name);
    if (at != std::string::npos) out += req.substr(at + 2, req.find("\r\n", at + 2) - at);
  }
  out += "Contact: <sip:caller@127.0.0.1:" + std::to_string(contact_port) + ">\r\n";
  if (!body.empty()) out += "Content-Type: application/sdp\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return out;
}

TEST(SipSessionRefresh, ReInvitesAndEndsTheLegWhenTheFarEndLostTheCall) {
  Recorder events;
  SipOptions o;
  o.port = 0;
  o.tcp = false;
  o.rtp_min_port = 42000;
  o.rtp_max_port = 42999;
  o.rtp_timeout_ms = 0;
  o.session_refresh_ms = 1000;
  auto started = SipServer::start(o, events);
  ASSERT_TRUE(started.ok()) << started.status().message();
  std::unique_ptr<SipServer> server = std::move(*started);
  Udp peer;
  const std::string offer = sdp_offer(40006, "0", "a=rtpmap:0 PCMU/8000\r\n");
  peer.send(server->port(), request("INVITE", peer.port(), "Call-ID: sr@test\r\n", offer));
  ASSERT_TRUE(events.wait([&] { return !events.calls.empty(); }));
  const LegId leg = events.calls.front().leg;
  server->answer(leg);
  std::string r = peer.recv_status("SIP/2.0 200");
  ASSERT_FALSE(r.empty());
  const int invite_cseq = std::atoi(r.c_str() + r.find("\r\nCSeq: ") + 8);
  std::string ack = request("ACK", peer.port(), "Call-ID: sr@test\r\n", "", "", invite_cseq);
  ack.replace(ack.find("To: <sip:1000@127.0.0.1>"), 24, to_line_of(r));
  peer.send(server->port(), ack);

  // The first refresh is answered: the call goes on.
  std::string reinvite = peer.recv_status("INVITE ");
  ASSERT_EQ(reinvite.rfind("INVITE ", 0), 0u) << reinvite;
  EXPECT_NE(reinvite.find("m=audio "), std::string::npos) << "the leg's SDP again";
  peer.send(server->port(), response_to(reinvite, "200 OK", peer.port(), offer));
  EXPECT_EQ(peer.recv_status("ACK ").rfind("ACK ", 0), 0u);
  EXPECT_GE(server->stats().refreshes, 1u);
  {
    std::lock_guard lock(events.mu);
    EXPECT_TRUE(events.ended.empty());
  }
  // The next one finds a far end that lost the dialog: the leg ends.
  reinvite = peer.recv_status("INVITE ");
  ASSERT_EQ(reinvite.rfind("INVITE ", 0), 0u) << reinvite;
  peer.send(server->port(),
            response_to(reinvite, "481 Call/Transaction Does Not Exist", peer.port()));
  ASSERT_TRUE(events.wait([&] { return !events.ended.empty(); }));
  EXPECT_EQ(events.ended.front().first, leg);
  EXPECT_EQ(events.ended.front().second, EndReason::kRejected);
  EXPECT_EQ(server->stats().legs, 0u);
}

TEST_F(SipServerTest, InviteWithoutACommonCodecIs488AndWithoutSdpToo) {
  Udp peer;
  const std::string offer = sdp_offer(40002, "9", "a=rtpmap:9 G722/8000\r\n");
  peer.send(server->port(), request("INVITE", peer.port(), "Call-ID: i2@test\r\n", offer));
  std::string r = peer.recv_status("SIP/2.0 488");
  EXPECT_FALSE(r.empty());
  peer.send(server->port(), request("INVITE", peer.port(), "Call-ID: i3@test\r\n"));
  r = peer.recv_status("SIP/2.0 488");
  EXPECT_FALSE(r.empty());
  std::string garbage_sdp = request("INVITE", peer.port(), "Call-ID: i4@test\r\n", "hello");
  peer.send(server->port(), garbage_sdp);
  r = peer.recv_status("SIP/2.0 4");
  EXPECT_FALSE(r.empty());
  EXPECT_TRUE(events.calls.empty());
}

}  // namespace
}  // namespace sb::sip
