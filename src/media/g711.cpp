#include "media/g711.h"

#include <array>

namespace sb::media {
namespace {

constexpr int kUlawBias = 0x84;
constexpr int kUlawClip = 32635;

constexpr std::int16_t ulaw_decode_one(std::uint8_t code) {
  const int u = ~code & 0xff;
  int t = ((u & 0x0f) << 3) + kUlawBias;
  t <<= (u & 0x70) >> 4;
  return static_cast<std::int16_t>((u & 0x80) != 0 ? kUlawBias - t : t - kUlawBias);
}

constexpr std::int16_t alaw_decode_one(std::uint8_t code) {
  const int a = code ^ 0x55;
  int t = (a & 0x0f) << 4;
  const int seg = (a & 0x70) >> 4;
  if (seg == 0) {
    t += 8;
  } else {
    t += 0x108;
    t <<= seg - 1;
  }
  return static_cast<std::int16_t>((a & 0x80) != 0 ? t : -t);
}

constexpr std::array<std::int16_t, 256> make_table(std::int16_t (*fn)(std::uint8_t)) {
  std::array<std::int16_t, 256> t{};
  for (int i = 0; i < 256; ++i) t[static_cast<std::size_t>(i)] = fn(static_cast<std::uint8_t>(i));
  return t;
}

constexpr std::array<std::int16_t, 256> kUlaw = make_table(ulaw_decode_one);
constexpr std::array<std::int16_t, 256> kAlaw = make_table(alaw_decode_one);

}  // namespace

std::uint8_t linear_to_ulaw(std::int16_t sample) {
  int s = sample;
  const int sign = (s >> 8) & 0x80;
  if (sign != 0) s = -s;
  if (s > kUlawClip) s = kUlawClip;
  s += kUlawBias;
  int exponent = 7;
  for (int mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1) --exponent;
  const int mantissa = (s >> (exponent + 3)) & 0x0f;
  return static_cast<std::uint8_t>(~(sign | (exponent << 4) | mantissa));
}

std::uint8_t linear_to_alaw(std::int16_t sample) {
  int s = sample;
  int mask = 0xd5;  // sign bit set for positive values, then even bits inverted
  if (s < 0) {
    mask = 0x55;
    s = -s - 1;
  }
  s >>= 3;  // 13-bit magnitude
  if (s > 0xfff) s = 0xfff;
  int seg = 0;
  for (int v = s >> 5; v != 0; v >>= 1) ++seg;
  int code = seg << 4;
  code |= seg < 2 ? (s >> 1) & 0x0f : (s >> seg) & 0x0f;
  return static_cast<std::uint8_t>(code ^ mask);
}

std::int16_t ulaw_to_linear(std::uint8_t code) { return kUlaw[code]; }
std::int16_t alaw_to_linear(std::uint8_t code) { return kAlaw[code]; }

void decode(Codec codec, std::span<const std::uint8_t> in, std::int16_t* out) {
  const auto& table = codec == Codec::kPcmu ? kUlaw : kAlaw;
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = table[in[i]];
}

void encode(Codec codec, std::span<const std::int16_t> in, std::uint8_t* out) {
  if (codec == Codec::kPcmu) {
    for (std::size_t i = 0; i < in.size(); ++i) out[i] = linear_to_ulaw(in[i]);
  } else {
    for (std::size_t i = 0; i < in.size(); ++i) out[i] = linear_to_alaw(in[i]);
  }
}

void transcode(Codec from, Codec to, std::span<std::uint8_t> inout) {
  if (from == to) return;
  for (auto& c : inout)
    c = to == Codec::kPcmu ? linear_to_ulaw(kAlaw[c]) : linear_to_alaw(kUlaw[c]);
}

std::uint8_t silence_code(Codec codec) { return codec == Codec::kPcmu ? 0xff : 0xd5; }

}  // namespace sb::media
