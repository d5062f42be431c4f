#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "media/g711.h"
#include "media/media_poller.h"
#include "media/mixer.h"
#include "media/prompts.h"
#include "media/re_include.h"
#include "media/rtp_socket.h"
#include "media/telephone_event.h"
#include "media/wav.h"

namespace sb::media {
namespace {

TEST(G711, UlawRoundTripIsWithinQuantisationStep) {
  for (int v = -32768; v <= 32767; v += 7) {
    const auto s = static_cast<std::int16_t>(v);
    const int back = ulaw_to_linear(linear_to_ulaw(s));
    // µ-law steps grow with magnitude: the error is at most half a step (1/16 of the segment).
    EXPECT_LE(std::abs(back - std::clamp(v, -32124, 32124)), std::max(8, std::abs(v) / 16)) << v;
  }
}

TEST(G711, AlawRoundTripIsWithinQuantisationStep) {
  for (int v = -32768; v <= 32767; v += 7) {
    const auto s = static_cast<std::int16_t>(v);
    const int back = alaw_to_linear(linear_to_alaw(s));
    EXPECT_LE(std::abs(back - std::clamp(v, -32256, 32256)), std::max(16, std::abs(v) / 16)) << v;
  }
}

TEST(G711, KnownCodes) {
  EXPECT_EQ(linear_to_ulaw(0), 0xff);
  EXPECT_EQ(ulaw_to_linear(0xff), 0);
  EXPECT_EQ(ulaw_to_linear(0x00), -32124);
  EXPECT_EQ(ulaw_to_linear(0x80), 32124);
  EXPECT_EQ(linear_to_alaw(0), 0xd5);
  EXPECT_EQ(alaw_to_linear(0xd5), 8);
  EXPECT_EQ(alaw_to_linear(0x55), -8);
  EXPECT_EQ(silence_code(Codec::kPcmu), 0xff);
}

TEST(G711, DecodeEveryCodeIsStableUnderReencode) {
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<std::uint8_t>(c);
    EXPECT_EQ(ulaw_to_linear(linear_to_ulaw(ulaw_to_linear(code))), ulaw_to_linear(code));
    EXPECT_EQ(linear_to_alaw(alaw_to_linear(code)), code);
  }
}

TEST(Mixer, SumsAndSaturatesInsteadOfWrapping) {
  const std::vector<std::int16_t> a = {1000, -1000, 30000, -30000, 32767, 0};
  const std::vector<std::int16_t> b = {2000, 500, 10000, -10000, 1, 0};
  std::vector<std::int16_t> out(a.size());
  mix_saturating(a, b, out.data());
  EXPECT_EQ(out, (std::vector<std::int16_t>{3000, -500, 32767, -32768, 32767, 0}));
}

// A frame of one constant level in `codec`.
std::vector<std::uint8_t> constant_frame(Codec codec, std::int16_t level, std::size_t n) {
  std::vector<std::int16_t> pcm(n, level);
  std::vector<std::uint8_t> out(n);
  encode(codec, pcm, out.data());
  return out;
}

TEST(Mixer, MonitorMixesBothDirectionsFrameByFrame) {
  MonitorMix mix;
  mix.push(MonitorMix::kHeard, Codec::kPcmu, constant_frame(Codec::kPcmu, 4000, kFrameSamples));
  mix.push(MonitorMix::kSpoken, Codec::kPcma, constant_frame(Codec::kPcma, -1000, kFrameSamples));
  std::uint8_t frame[kFrameSamples];
  mix.next_frame(Codec::kPcmu, frame);
  std::int16_t pcm[kFrameSamples];
  decode(Codec::kPcmu, frame, pcm);
  for (std::int16_t s : pcm)
    EXPECT_NEAR(s, 3000, 300) << "the sum of both sides (within quantisation)";
  EXPECT_EQ(mix.queued(MonitorMix::kHeard), 0u);

  // Loud on both sides: clipped at the top, not wrapped to a negative value.
  mix.push(MonitorMix::kHeard, Codec::kPcmu, constant_frame(Codec::kPcmu, 30000, kFrameSamples));
  mix.push(MonitorMix::kSpoken, Codec::kPcmu, constant_frame(Codec::kPcmu, 30000, kFrameSamples));
  mix.next_frame(Codec::kPcma, frame);
  decode(Codec::kPcma, frame, pcm);
  for (std::int16_t s : pcm) EXPECT_GT(s, 30000);
}

TEST(Mixer, AQuietSideIsSilenceAndABacklogIsBounded) {
  MonitorMix mix;
  // One side only, half a frame: the rest of the frame and the other side are silence.
  mix.push(MonitorMix::kSpoken, Codec::kPcmu, constant_frame(Codec::kPcmu, 2000, 80));
  std::uint8_t frame[kFrameSamples];
  mix.next_frame(Codec::kPcmu, frame);
  std::int16_t pcm[kFrameSamples];
  decode(Codec::kPcmu, frame, pcm);
  EXPECT_NEAR(pcm[0], 2000, 2000 / 16);
  EXPECT_NEAR(pcm[79], 2000, 2000 / 16);
  EXPECT_EQ(pcm[80], 0);
  EXPECT_EQ(pcm[159], 0);
  // Nothing queued: a silent frame.
  mix.next_frame(Codec::kPcma, frame);
  for (std::uint8_t c : frame) EXPECT_EQ(c, silence_code(Codec::kPcma));
  // A side that runs ahead keeps only the newest 200 ms.
  for (int i = 0; i < 15; ++i)
    mix.push(MonitorMix::kHeard, Codec::kPcmu,
             constant_frame(Codec::kPcmu, static_cast<std::int16_t>(100 * i), kFrameSamples));
  EXPECT_EQ(mix.queued(MonitorMix::kHeard), MonitorMix::kMaxQueued);
  mix.next_frame(Codec::kPcmu, frame);
  decode(Codec::kPcmu, frame, pcm);
  EXPECT_NEAR(pcm[0], 500, 500 / 16 + 8) << "the oldest frames kept are from the 6th push on";
}

TEST(G711, TranscodeKeepsTheSignal) {
  std::vector<std::uint8_t> codes;
  for (int v = -30000; v <= 30000; v += 1000)
    codes.push_back(linear_to_ulaw(static_cast<std::int16_t>(v)));
  auto copy = codes;
  transcode(Codec::kPcmu, Codec::kPcma, copy);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const int a = ulaw_to_linear(codes[i]);
    const int b = alaw_to_linear(copy[i]);
    EXPECT_LE(std::abs(a - b), std::max(32, std::abs(a) / 12)) << i;
  }
}

TEST(TelephoneEvent, ParsesAndDedupesByTimestamp) {
  const std::uint8_t start[] = {5, 0x0a, 0x00, 0xa0};
  const std::uint8_t end[] = {5, 0x8a, 0x03, 0x20};
  auto e = parse_telephone_event(end);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->event, 5);
  EXPECT_TRUE(e->end);
  EXPECT_EQ(e->volume, 10);
  EXPECT_EQ(e->duration, 800);
  EXPECT_FALSE(parse_telephone_event(std::span<const std::uint8_t>(start, 3)));

  DtmfReceiver rx;
  EXPECT_EQ(rx.on_packet(1000, start), '5');
  EXPECT_EQ(rx.on_packet(1000, start), std::nullopt);
  EXPECT_EQ(rx.on_packet(1000, end), std::nullopt);
  EXPECT_EQ(rx.on_packet(1000, end), std::nullopt);
  const std::uint8_t hash[] = {11, 0x8a, 0x03, 0x20};
  EXPECT_EQ(rx.on_packet(2600, hash), '#');
  const std::uint8_t flash[] = {16, 0x8a, 0x03, 0x20};
  EXPECT_EQ(rx.on_packet(4000, flash), std::nullopt);

  // A sender that restarts its timestamps (SIPp, one play_dtmf after another): a different code,
  // or a new start after an end, on a timestamp seen before is a new digit.
  DtmfReceiver again;
  const std::uint8_t one[] = {1, 0x0a, 0x00, 0xa0};
  const std::uint8_t one_end[] = {1, 0x8a, 0x03, 0x20};
  const std::uint8_t nine[] = {9, 0x0a, 0x00, 0xa0};
  EXPECT_EQ(again.on_packet(500, one), '1');
  EXPECT_EQ(again.on_packet(500, one_end), std::nullopt);
  EXPECT_EQ(again.on_packet(500, one_end), std::nullopt);
  EXPECT_EQ(again.on_packet(500, nine), '9');
  EXPECT_EQ(again.on_packet(500, one), '1');
  EXPECT_EQ(again.on_packet(500, one), std::nullopt);
}

std::vector<std::uint8_t> mono_wav(const std::vector<std::int16_t>& s, std::uint32_t rate = 8000,
                                   std::uint16_t channels = 1) {
  std::vector<std::uint8_t> b;
  auto put = [&](std::uint32_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  const std::uint32_t data = static_cast<std::uint32_t>(s.size() * 2);
  b.insert(b.end(), {'R', 'I', 'F', 'F'});
  put(36 + data, 4);
  b.insert(b.end(), {'W', 'A', 'V', 'E', 'f', 'm', 't', ' '});
  put(16, 4);
  put(1, 2);
  put(channels, 2);
  put(rate, 4);
  put(rate * 2 * channels, 4);
  put(2 * channels, 2);
  put(16, 2);
  b.insert(b.end(), {'d', 'a', 't', 'a'});
  put(data, 4);
  for (auto v : s) put(static_cast<std::uint16_t>(v), 2);
  return b;
}

TEST(Wav, ParsesMono8kAndRejectsOtherFormats) {
  auto ok = parse_wav_8k_mono(mono_wav({1, -2, 300}), "a.wav");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(*ok, (std::vector<std::int16_t>{1, -2, 300}));
  auto wrong_rate = parse_wav_8k_mono(mono_wav({1}, 16000), "b.wav");
  ASSERT_FALSE(wrong_rate.ok());
  EXPECT_NE(wrong_rate.status().message().find("b.wav: need 16-bit PCM, 8000 Hz, mono"),
            std::string::npos)
      << wrong_rate.status().message();
  EXPECT_FALSE(parse_wav_8k_mono(mono_wav({1}, 8000, 2), "c.wav").ok());
  auto bytes = mono_wav({1, 2, 3});
  bytes.resize(30);
  EXPECT_FALSE(parse_wav_8k_mono(bytes, "d.wav").ok());
  EXPECT_FALSE(parse_wav_8k_mono(std::vector<std::uint8_t>{'x'}, "e.wav").ok());
}

std::vector<std::int16_t> read_stereo(const std::string& path, int& channels) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
  channels = b.size() >= 24 ? b[22] : 0;
  std::vector<std::int16_t> s;
  for (std::size_t i = 44; i + 1 < b.size(); i += 2)
    s.push_back(static_cast<std::int16_t>(b[i] | (b[i + 1] << 8)));
  return s;
}

TEST(StereoRecorder, AlignsSidesPadsAndPauses) {
  const auto path = (std::filesystem::temp_directory_path() / "sb_media_test_rec.wav").string();
  {
    auto rec = StereoRecorder::create(path, 4);
    ASSERT_TRUE(rec.ok());
    const std::int16_t l[] = {1, 2, 3};
    const std::int16_t r[] = {10, 20};
    (*rec)->push_left(l);
    (*rec)->push_right(r);  // two frames aligned, one left sample waits
    (*rec)->set_paused(true);
    (*rec)->push_right(r);  // silence on the right
    (*rec)->set_paused(false);
    const std::int16_t many[] = {7, 7, 7, 7, 7, 7, 7};
    (*rec)->push_left(many);  // left runs 6 ahead: right padded to within 4
    ASSERT_TRUE((*rec)->close().ok());
    EXPECT_EQ((*rec)->frames_written(), 10u);
  }
  int channels = 0;
  auto s = read_stereo(path, channels);
  EXPECT_EQ(channels, 2);
  const std::vector<std::int16_t> want = {1, 10, 2, 20, 3, 0, 7, 0, 7, 0,
                                          7, 0,  7, 0,  7, 0, 7, 0, 7, 0};
  EXPECT_EQ(s, want);
  auto parsed = parse_wav_8k_mono(mono_wav({}), "x");
  EXPECT_TRUE(parsed.ok());
  std::remove(path.c_str());
}

TEST(StereoRecorder, InterleavesUnevenPacketsOfBothSidesInOrder) {
  const auto path = (std::filesystem::temp_directory_path() / "sb_media_test_rec2.wav").string();
  std::vector<std::int16_t> left_in, right_in;
  {
    auto rec = StereoRecorder::create(path, 400);
    ASSERT_TRUE(rec.ok());
    // Packets of different sizes, each side running ahead of the other by turns.
    const std::size_t left_sizes[] = {160, 80, 240, 160, 20};
    const std::size_t right_sizes[] = {100, 160, 160, 160, 80};
    for (int round = 0; round < 20; ++round) {
      for (int i = 0; i < 5; ++i) {
        std::vector<std::int16_t> l(left_sizes[i]), r(right_sizes[(i + round) % 5]);
        for (auto& v : l) v = static_cast<std::int16_t>(left_in.size() + (&v - l.data()) + 1);
        for (auto& v : r)
          v = static_cast<std::int16_t>(-1 - static_cast<int>(right_in.size() + (&v - r.data())));
        (*rec)->push_left(l);
        (*rec)->push_right(r);
        left_in.insert(left_in.end(), l.begin(), l.end());
        right_in.insert(right_in.end(), r.begin(), r.end());
      }
    }
    ASSERT_EQ(left_in.size(), right_in.size());
    ASSERT_TRUE((*rec)->close().ok());
    EXPECT_EQ((*rec)->frames_written(), left_in.size());
  }
  int channels = 0;
  auto s = read_stereo(path, channels);
  ASSERT_EQ(s.size(), 2 * left_in.size());
  for (std::size_t i = 0; i < left_in.size(); ++i) {
    ASSERT_EQ(s[2 * i], left_in[i]) << i;
    ASSERT_EQ(s[2 * i + 1], right_in[i]) << i;
  }
  std::remove(path.c_str());
}

TEST(Player, PlaysPlaylistThenStopsOrLoops) {
  std::vector<std::int16_t> pcm(200, 1000);
  auto p = std::make_shared<const Prompt>(make_prompt("x", pcm));
  Player player;
  std::uint8_t frame[kFrameSamples];
  player.start({p}, false);
  ASSERT_TRUE(player.next_frame(Codec::kPcmu, frame));
  EXPECT_EQ(frame[0], linear_to_ulaw(1000));
  ASSERT_TRUE(player.next_frame(Codec::kPcmu, frame));
  EXPECT_EQ(frame[39], linear_to_ulaw(1000));
  EXPECT_EQ(frame[40], 0xff);  // padded with silence
  EXPECT_FALSE(player.next_frame(Codec::kPcmu, frame));
  EXPECT_FALSE(player.active());

  player.start({p}, true);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(player.next_frame(Codec::kPcma, frame));
  EXPECT_EQ(frame[0], linear_to_alaw(1000));
  EXPECT_EQ(player.frames(), 10u);
}

TEST(Player, AppendQueuesAfterWhatPlaysAndReplacesMusic) {
  auto a = std::make_shared<const Prompt>(make_prompt("a", std::vector<std::int16_t>(160, 1000)));
  auto b = std::make_shared<const Prompt>(make_prompt("b", std::vector<std::int16_t>(160, -1000)));
  Player player;
  std::uint8_t frame[kFrameSamples];
  player.append({a});  // nothing playing: starts
  player.append({b});  // queued after a
  ASSERT_TRUE(player.next_frame(Codec::kPcmu, frame));
  EXPECT_EQ(frame[0], linear_to_ulaw(1000));
  ASSERT_TRUE(player.next_frame(Codec::kPcmu, frame));
  EXPECT_EQ(frame[0], linear_to_ulaw(-1000));
  EXPECT_FALSE(player.next_frame(Codec::kPcmu, frame));

  player.start({a}, true);  // music
  player.append({b});       // a prompt replaces the music
  ASSERT_TRUE(player.next_frame(Codec::kPcmu, frame));
  EXPECT_EQ(frame[0], linear_to_ulaw(-1000));
  EXPECT_FALSE(player.next_frame(Codec::kPcmu, frame));
}

TEST(Prompts, BuiltInSetLoads) {
#ifndef SB_PROMPTS_DIR
  GTEST_SKIP() << "the build did not generate prompts (espeak-ng or sox missing)";
#else
  const char* dir = SB_PROMPTS_DIR;
  auto lib = PromptLibrary::load_dir(dir);
  ASSERT_TRUE(lib.ok()) << lib.status().message();
  for (const char* name :
       {"welcome", "menu", "please_hold", "thank_you", "music", "digit_0", "digit_9", "position",
        "number_0", "number_20", "number_90", "wait_about", "minutes", "wait_short"}) {
    auto p = (*lib)->find(name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_GT(p->ulaw.size(), 2000u) << name;  // at least a quarter second of speech
  }
  EXPECT_FALSE(PromptLibrary::load_dir("/nonexistent/prompts").ok());
#endif
}

// Two sockets on the loopback interface, driven by libre's loop on this thread.
struct Collect final : RtpReceiver {
  struct Got {
    std::uint8_t pt;
    bool marker;
    std::uint16_t seq;
    std::uint32_t ts, ssrc;
    std::vector<std::uint8_t> payload;
  };
  std::vector<Got> got;
  std::size_t stop_after = 0;
  std::unique_ptr<RtpSocket>* close_at_first = nullptr;  // destroys this socket mid-batch
  void on_rtp(const RtpPacket& p) override {
    got.push_back({p.pt, p.marker, p.seq, p.ts, p.ssrc, {p.payload.begin(), p.payload.end()}});
    if (close_at_first != nullptr) close_at_first->reset();
    if (got.size() == stop_after) re_cancel();
  }
};

void run_loop_until_cancelled() {
  tmr timeout;
  tmr_init(&timeout);
  tmr_start(
      &timeout, 5000, [](void*) { re_cancel(); }, nullptr);
  (void)re_main(nullptr);
  tmr_cancel(&timeout);
}

TEST(RtpSocket, DeliversABurstInOrderWithHeadersAndFeedsRtcpCounts) {
  ASSERT_EQ(libre_init(), 0);
  {
    Collect at_a, at_b;
    auto a = RtpSocket::open("127.0.0.1", 20000, 30000, at_a);
    auto b = RtpSocket::open("127.0.0.1", 20000, 30000, at_b);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_TRUE((*a)->set_remote("127.0.0.1", (*b)->local_port()).ok());
    ASSERT_TRUE((*b)->set_remote("127.0.0.1", (*a)->local_port()).ok());
    // 40 packets queue on b's socket before the loop runs, then come out in order.
    constexpr int kCount = 40;
    for (int i = 0; i < kCount; ++i) {
      const std::vector<std::uint8_t> payload(160, static_cast<std::uint8_t>(i));
      (*a)->send(8, i == 0, 1000 + 160 * static_cast<std::uint32_t>(i), payload);
    }
    at_b.stop_after = kCount;
    run_loop_until_cancelled();
    ASSERT_EQ(at_b.got.size(), static_cast<std::size_t>(kCount));
    for (int i = 0; i < kCount; ++i) {
      const auto& g = at_b.got[static_cast<std::size_t>(i)];
      EXPECT_EQ(g.pt, 8);
      EXPECT_EQ(g.marker, i == 0);
      EXPECT_EQ(g.seq, static_cast<std::uint16_t>(at_b.got[0].seq + i));
      EXPECT_EQ(g.ts, 1000 + 160 * static_cast<std::uint32_t>(i));
      EXPECT_EQ(g.ssrc, at_b.got[0].ssrc);
      EXPECT_EQ(g.payload, std::vector<std::uint8_t>(160, static_cast<std::uint8_t>(i)));
    }
    EXPECT_EQ((*a)->stats().sent, static_cast<std::uint64_t>(kCount));
    EXPECT_EQ((*b)->stats().received, static_cast<std::uint64_t>(kCount));

    // One packet back, so that a's RTCP session knows b's source.
    const std::uint8_t one[] = {1, 2, 3};
    (*b)->send(0, false, 7, one);
    at_a.stop_after = 1;
    run_loop_until_cancelled();
    ASSERT_EQ(at_a.got.size(), 1u);
    EXPECT_EQ(at_a.got[0].payload, std::vector<std::uint8_t>({1, 2, 3}));

    // The RTCP sessions count what went through the sockets (what their reports carry).
    auto at_b_counts = (*b)->rtcp_counts(at_b.got[0].ssrc);
    ASSERT_TRUE(at_b_counts.ok());
    EXPECT_EQ(at_b_counts->sent, 1u);
    EXPECT_GE(at_b_counts->received, static_cast<std::uint32_t>(kCount - 2));  // after probation
    EXPECT_EQ(at_b_counts->lost, 0);
    auto at_a_counts = (*a)->rtcp_counts(at_a.got[0].ssrc);
    ASSERT_TRUE(at_a_counts.ok());
    EXPECT_EQ(at_a_counts->sent, static_cast<std::uint32_t>(kCount));
    EXPECT_EQ((*a)->rtcp_counts(12345).status().code(), StatusCode::kNotFound);
  }
  libre_close();
}

TEST(RtpSocket, AReceiverThatClosesItsSocketGetsNoMorePackets) {
  ASSERT_EQ(libre_init(), 0);
  {
    Collect at_a, at_b;
    auto a = RtpSocket::open("127.0.0.1", 20000, 30000, at_a);
    auto b = RtpSocket::open("127.0.0.1", 20000, 30000, at_b);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_TRUE((*a)->set_remote("127.0.0.1", (*b)->local_port()).ok());
    const std::uint8_t payload[] = {0xff, 0xff};
    for (int i = 0; i < 5; ++i) (*a)->send(0, false, 0, payload);
    std::unique_ptr<RtpSocket> owned = std::move(*b);
    at_b.close_at_first = &owned;  // five packets wait; the first one closes the socket
    at_b.stop_after = 1;
    run_loop_until_cancelled();
    EXPECT_EQ(at_b.got.size(), 1u);
    EXPECT_EQ(owned, nullptr);
  }
  libre_close();
}

// The same two behaviours with the sockets in a MediaPoller (what SipServer does).
TEST(MediaPoller, RtpSocketsDeliverTheirBurstInOrderAndCloseMidBatch) {
  ASSERT_EQ(libre_init(), 0);
  {
    auto poller = MediaPoller::start(4);
    ASSERT_TRUE(poller.ok()) << poller.status().message();
    Collect at_a, at_b;
    auto a = RtpSocket::open("127.0.0.1", 20000, 30000, at_a, poller->get());
    auto b = RtpSocket::open("127.0.0.1", 20000, 30000, at_b, poller->get());
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_TRUE((*a)->set_remote("127.0.0.1", (*b)->local_port()).ok());
    constexpr int kCount = 40;
    for (int i = 0; i < kCount; ++i) {
      const std::vector<std::uint8_t> payload(160, static_cast<std::uint8_t>(i));
      (*a)->send(8, false, 160 * static_cast<std::uint32_t>(i), payload);
    }
    at_b.stop_after = kCount;
    run_loop_until_cancelled();
    ASSERT_EQ(at_b.got.size(), static_cast<std::size_t>(kCount));
    for (int i = 0; i < kCount; ++i)
      EXPECT_EQ(at_b.got[static_cast<std::size_t>(i)].ts, 160 * static_cast<std::uint32_t>(i));

    // Five more wait; the first one closes b's socket: no more calls for it.
    for (int i = 0; i < 5; ++i) (*a)->send(8, false, 0, std::vector<std::uint8_t>(160, 0));
    std::unique_ptr<RtpSocket> owned = std::move(*b);
    at_b.close_at_first = &owned;
    at_b.stop_after = kCount + 1;
    run_loop_until_cancelled();
    EXPECT_EQ(at_b.got.size(), static_cast<std::size_t>(kCount + 1));
    EXPECT_EQ(owned, nullptr);
  }
  libre_close();
}

// A descriptor on libre's loop (the SIP socket) is read between every `batch` RTP packets,
// however many RTP sockets have packets waiting.
TEST(MediaPoller, LibresOwnDescriptorsGetATurnEveryBatch) {
  ASSERT_EQ(libre_init(), 0);
  {
    constexpr int kBatch = 2;
    constexpr int kSockets = 8;
    constexpr int kSip = 3;
    auto poller = MediaPoller::start(kBatch);
    ASSERT_TRUE(poller.ok());
    // What happened, in order: 'r' an RTP packet, 's' a datagram read from the "SIP" socket.
    std::string order;
    struct Note final : RtpReceiver {
      std::string* order = nullptr;
      std::size_t stop_at = 0;
      void on_rtp(const RtpPacket&) override {
        order->push_back('r');
        if (order->size() == stop_at) re_cancel();
      }
    };
    std::vector<std::unique_ptr<Note>> notes;
    std::vector<std::unique_ptr<RtpSocket>> sockets;
    Collect sink;
    auto sender = RtpSocket::open("127.0.0.1", 20000, 30000, sink);
    ASSERT_TRUE(sender.ok());
    for (int i = 0; i < kSockets; ++i) {
      notes.push_back(std::make_unique<Note>());
      notes.back()->order = &order;
      notes.back()->stop_at = kSockets + kSip;
      auto s = RtpSocket::open("127.0.0.1", 20000, 30000, *notes.back(), poller->get());
      ASSERT_TRUE(s.ok());
      ASSERT_TRUE((*sender)->set_remote("127.0.0.1", (*s)->local_port()).ok());
      (*sender)->send(0, false, 0, std::vector<std::uint8_t>(160, 0xff));
      sockets.push_back(std::move(*s));
    }
    // The "SIP" socket: on libre's loop, one datagram read per call, like libre's UDP handler.
    const int sip = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(sip, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(sip, reinterpret_cast<sockaddr*>(&addr), &len);
    for (int i = 0; i < kSip; ++i)
      ::sendto(sip, "x", 1, 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    struct SipRead {
      int fd;
      std::string* order;
      std::size_t stop_at;
    } sip_read{sip, &order, kSockets + kSip};
    ASSERT_EQ(fd_listen(
                  sip, FD_READ,
                  [](int, void* arg) {
                    auto* s = static_cast<SipRead*>(arg);
                    char c;
                    if (::recv(s->fd, &c, 1, MSG_DONTWAIT) == 1) s->order->push_back('s');
                    if (s->order->size() == s->stop_at) re_cancel();
                  },
                  &sip_read),
              0);
    run_loop_until_cancelled();
    fd_close(sip);
    ::close(sip);
    ASSERT_EQ(order.size(), static_cast<std::size_t>(kSockets + kSip)) << order;
    // Once libre's loop has reported the SIP socket, it reads a datagram at least every `batch`
    // RTP packets (one turn of the poller per wake-up). The first report may come one wake-up
    // late (seen in CI: "rrrrsrrsrrs"), so the first read may follow 2 * batch packets. Without
    // the poller all 8 packets (one per socket and wake-up) would come first.
    int rtp = 0;
    int sip_reads = 0;
    int since_sip = 0;
    for (char c : order) {
      if (c == 'r') {
        ++rtp;
        ++since_sip;
        if (sip_reads < kSip) {
          EXPECT_LE(since_sip, sip_reads == 0 ? 2 * kBatch : kBatch) << order;
        }
      } else {
        ++sip_reads;
        since_sip = 0;
      }
    }
    EXPECT_EQ(rtp, kSockets);
    EXPECT_GE((*poller)->turns(), static_cast<std::uint64_t>(kSockets / kBatch));
    EXPECT_EQ((*poller)->events(), static_cast<std::uint64_t>(kSockets));
  }
  libre_close();
}

}  // namespace
}  // namespace sb::media
