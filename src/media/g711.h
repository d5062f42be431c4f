#pragma once
// G.711 µ-law (PCMU, RTP payload type 0) and A-law (PCMA, payload type 8), ITU-T G.711.
// Decoding is a table look-up; encoding follows the segment search of the recommendation.

#include <cstddef>
#include <cstdint>
#include <span>

namespace sb::media {

enum class Codec : std::uint8_t { kPcmu = 0, kPcma = 8 };

std::uint8_t linear_to_ulaw(std::int16_t sample);
std::uint8_t linear_to_alaw(std::int16_t sample);
std::int16_t ulaw_to_linear(std::uint8_t code);
std::int16_t alaw_to_linear(std::uint8_t code);

// `out` must hold in.size() samples/codes.
void decode(Codec codec, std::span<const std::uint8_t> in, std::int16_t* out);
void encode(Codec codec, std::span<const std::int16_t> in, std::uint8_t* out);
// µ-law <-> A-law for a relay between legs that negotiated different laws.
void transcode(Codec from, Codec to, std::span<std::uint8_t> inout);

// The code of digital silence in each law (what a paused or idle leg sends).
std::uint8_t silence_code(Codec codec);

}  // namespace sb::media
