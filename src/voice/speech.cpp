#include "voice/speech.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "media/wav.h"

extern char** environ;

namespace sb::voice {

namespace {

// Runs argv[0] (searched in PATH) with stdout/stderr to /dev/null; the exit status or an error.
Status run_program(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (err != 0) return Status::unavailable("cannot run " + args[0] + ": " + std::strerror(err));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::unavailable("waiting for " + args[0] + " failed");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Status::unavailable(args[0] + " failed (status " + std::to_string(status) + ")");
  return Status::ok_status();
}

}  // namespace

Result<media::Prompt> synthesize_speech(const std::string& text, const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string dir_template = (fs::temp_directory_path(ec) / "sb-speech-XXXXXX").string();
  if (ec) dir_template = "/tmp/sb-speech-XXXXXX";
  if (mkdtemp(dir_template.data()) == nullptr)
    return Status::io_error(std::string("cannot create a temporary directory: ") +
                            std::strerror(errno));
  const fs::path dir = dir_template;
  const std::string raw = (dir / "raw.wav").string();
  const std::string out = (dir / "out.wav").string();
  Status st = run_program({"espeak-ng", "-v", "en-us", "-s", "160", "-w", raw, "--", text});
  if (st.ok())
    st = run_program({"sox", "-q", raw, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer",
                      out, "norm", "-3"});
  Result<media::Prompt> result = st;
  if (st.ok()) {
    auto pcm = media::read_wav_8k_mono(out);
    if (pcm.ok()) {
      result = media::make_prompt(name, *pcm);
    } else {
      result = pcm.status();
    }
  }
  fs::remove_all(dir, ec);
  return result;
}

std::shared_ptr<const media::Prompt> SpeechCache::find(const std::string& text) const {
  std::lock_guard lock(mu_);
  auto it = prompts_.find(text);
  return it == prompts_.end() ? nullptr : it->second;
}

bool SpeechCache::failed(const std::string& text) const {
  std::lock_guard lock(mu_);
  return failures_.count(text) > 0;
}

Result<std::shared_ptr<const media::Prompt>> SpeechCache::get_or_synthesize(
    const std::string& text) {
  std::string name;
  {
    std::lock_guard lock(mu_);
    if (auto it = prompts_.find(text); it != prompts_.end()) return it->second;
    if (auto it = failures_.find(text); it != failures_.end()) return it->second;
    name = "speech_" + std::to_string(next_name_++);
  }
  auto p = synthesize_speech(text, name);
  std::lock_guard lock(mu_);
  if (!p.ok()) {
    failures_.emplace(text, p.status());
    return p.status();
  }
  if (prompts_.size() >= capacity_) prompts_.clear();
  auto shared = std::make_shared<const media::Prompt>(std::move(*p));
  prompts_.emplace(text, shared);
  return shared;
}

}  // namespace sb::voice
