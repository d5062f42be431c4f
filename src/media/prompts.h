#pragma once
// Prompts and music: 8 kHz mono WAV files loaded once, pre-encoded in both G.711 laws, and a
// player that hands out 20 ms frames of a playlist (looping for music on hold).

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "media/g711.h"

namespace sb::media {

inline constexpr std::size_t kFrameSamples = 160;  // 20 ms at 8 kHz

struct Prompt {
  std::string name;
  std::vector<std::uint8_t> ulaw;
  std::vector<std::uint8_t> alaw;
  const std::vector<std::uint8_t>& encoded(Codec c) const {
    return c == Codec::kPcmu ? ulaw : alaw;
  }
};

Prompt make_prompt(std::string name, std::span<const std::int16_t> pcm);

class PromptLibrary {
 public:
  // Every `*.wav` in `dir`, named by its file stem ("welcome.wav" -> "welcome"). A file in the
  // wrong format fails the load with its name; a missing directory is NotFound.
  static Result<std::shared_ptr<const PromptLibrary>> load_dir(const std::string& dir);
  void add(Prompt p);
  std::shared_ptr<const Prompt> find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, std::shared_ptr<const Prompt>> prompts_;
};

class Player {
 public:
  void start(std::vector<std::shared_ptr<const Prompt>> playlist, bool loop);
  // Adds prompts after what is playing (a looping playlist is replaced: music gives way).
  void append(std::vector<std::shared_ptr<const Prompt>> more);
  void stop() { playlist_.clear(); }
  bool active() const { return !playlist_.empty(); }
  bool looping() const { return loop_ && active(); }
  // Fills one frame of `codec` codes (silence-padded at the end of the playlist). False when
  // the player has nothing (more) to play.
  bool next_frame(Codec codec, std::uint8_t* out);
  // Frames sent since the last start().
  std::uint64_t frames() const { return frames_; }

 private:
  std::vector<std::shared_ptr<const Prompt>> playlist_;
  std::size_t item_ = 0;
  std::size_t offset_ = 0;
  bool loop_ = false;
  std::uint64_t frames_ = 0;
};

}  // namespace sb::media
