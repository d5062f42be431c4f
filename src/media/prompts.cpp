#include "media/prompts.h"

#include <algorithm>
#include <filesystem>

#include "media/wav.h"

namespace sb::media {

Prompt make_prompt(std::string name, std::span<const std::int16_t> pcm) {
  Prompt p;
  p.name = std::move(name);
  p.ulaw.resize(pcm.size());
  p.alaw.resize(pcm.size());
  encode(Codec::kPcmu, pcm, p.ulaw.data());
  encode(Codec::kPcma, pcm, p.alaw.data());
  return p;
}

Result<std::shared_ptr<const PromptLibrary>> PromptLibrary::load_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::not_found("no prompt directory " + dir);
  auto lib = std::make_shared<PromptLibrary>();
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".wav") continue;
    auto pcm = read_wav_8k_mono(entry.path().string());
    if (!pcm.ok()) return pcm.status();
    lib->add(make_prompt(entry.path().stem().string(), *pcm));
  }
  if (ec) return Status::io_error("reading prompt directory " + dir + ": " + ec.message());
  return std::shared_ptr<const PromptLibrary>(std::move(lib));
}

void PromptLibrary::add(Prompt p) {
  auto name = p.name;
  prompts_[name] = std::make_shared<const Prompt>(std::move(p));
}

std::shared_ptr<const Prompt> PromptLibrary::find(const std::string& name) const {
  auto it = prompts_.find(name);
  return it == prompts_.end() ? nullptr : it->second;
}

std::vector<std::string> PromptLibrary::names() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : prompts_) out.push_back(name);
  return out;
}

void Player::start(std::vector<std::shared_ptr<const Prompt>> playlist, bool loop) {
  playlist_.clear();
  for (auto& p : playlist)
    if (p && !p->ulaw.empty()) playlist_.push_back(std::move(p));
  item_ = 0;
  offset_ = 0;
  loop_ = loop;
  frames_ = 0;
}

void Player::append(std::vector<std::shared_ptr<const Prompt>> more) {
  if (playlist_.empty() || loop_) return start(std::move(more), false);
  for (auto& p : more)
    if (p && !p->ulaw.empty()) playlist_.push_back(std::move(p));
}

bool Player::next_frame(Codec codec, std::uint8_t* out) {
  if (playlist_.empty()) return false;
  std::size_t filled = 0;
  while (filled < kFrameSamples) {
    if (item_ >= playlist_.size()) {
      if (!loop_) break;
      item_ = 0;
    }
    const auto& data = playlist_[item_]->encoded(codec);
    const std::size_t n = std::min(kFrameSamples - filled, data.size() - offset_);
    std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(offset_), n, out + filled);
    filled += n;
    offset_ += n;
    if (offset_ >= data.size()) {
      ++item_;
      offset_ = 0;
    }
  }
  if (filled == 0) {
    playlist_.clear();
    return false;
  }
  std::fill(out + filled, out + kFrameSamples, silence_code(codec));
  ++frames_;
  if (!loop_ && item_ >= playlist_.size()) playlist_.clear();
  return true;
}

}  // namespace sb::media
