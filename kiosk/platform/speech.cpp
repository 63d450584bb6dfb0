#include "speech.h"

#include <SDL.h>
#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>

namespace tp::platform {

// espeak-ng calls back with a plain function; the utterance's user data is the Speech.
struct SpeechCallback {
  static int samples(short* wav, int count, espeak_EVENT* events) {
    auto* self = events ? static_cast<Speech*>(events->user_data) : nullptr;
    if (!self) return 0;
    return self->take(wav, count) ? 0 : 1;  // 1: abort the synthesis
  }
};

namespace {

// ---- SDL2's audio queue ----------------------------------------------------

class SdlAudioOut final : public AudioOut {
 public:
  explicit SdlAudioOut(SDL_AudioDeviceID device) : device_(device) {}
  ~SdlAudioOut() override {
    SDL_CloseAudioDevice(device_);
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
  }
  void begin(std::uint64_t, const std::string&, const std::string&) override {
    SDL_ClearQueuedAudio(device_);
    SDL_PauseAudioDevice(device_, 0);
  }
  void write(const std::int16_t* samples, std::size_t count) override {
    SDL_QueueAudio(device_, samples, static_cast<Uint32>(count * sizeof(std::int16_t)));
  }
  void finish() override {}
  void clear() override { SDL_ClearQueuedAudio(device_); }
  bool busy() const override { return SDL_GetQueuedAudioSize(device_) > 0; }

 private:
  SDL_AudioDeviceID device_;
};

// ---- WAV files, paced like a sound card ---------------------------------------

void put16(std::string& s, std::uint16_t v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>(v >> 8);
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, static_cast<std::uint16_t>(v & 0xFFFF));
  put16(s, static_cast<std::uint16_t>(v >> 16));
}

// The 44-byte header of a 16-bit mono PCM file holding `samples`.
std::string wav_header(int rate, std::uint32_t samples) {
  std::string h = "RIFF";
  put32(h, 36 + samples * 2);
  h += "WAVEfmt ";
  put32(h, 16);
  put16(h, 1);  // PCM
  put16(h, 1);  // mono
  put32(h, static_cast<std::uint32_t>(rate));
  put32(h, static_cast<std::uint32_t>(rate) * 2);
  put16(h, 2);
  put16(h, 16);
  h += "data";
  put32(h, samples * 2);
  return h;
}

class WavFilesOut final : public AudioOut {
 public:
  WavFilesOut(std::string dir, int rate) : dir_(std::move(dir)), rate_(rate) {
    player_ = std::thread([this] { play(); });
  }
  ~WavFilesOut() override {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    player_.join();
  }
  void begin(std::uint64_t number, const std::string& text, const std::string& language) override {
    std::lock_guard lock(mutex_);
    queue_.clear();
    close_file();
    const std::string base = dir_ + "/speech-" + std::to_string(number);
    std::ofstream(base + ".txt", std::ios::binary) << language << '\n' << text << '\n';
    file_.open(base + ".wav", std::ios::binary | std::ios::trunc);
    file_ << wav_header(rate_, 0);
    written_ = 0;
    file_.flush();
    wake_.notify_all();
  }
  void write(const std::int16_t* samples, std::size_t count) override {
    std::lock_guard lock(mutex_);
    queue_.insert(queue_.end(), samples, samples + count);
    wake_.notify_all();
  }
  void finish() override {}
  void clear() override {
    std::lock_guard lock(mutex_);
    queue_.clear();
  }
  bool busy() const override {
    std::lock_guard lock(mutex_);
    return !queue_.empty();
  }

 private:
  // Every 20 ms, what a sound card would have played since the last tick goes to the file.
  void play() {
    using namespace std::chrono;
    auto last = steady_clock::now();
    double owed = 0;  // samples due and not yet written
    std::unique_lock lock(mutex_);
    while (!quit_) {
      wake_.wait_for(lock, milliseconds(20));
      const auto now = steady_clock::now();
      if (queue_.empty()) {
        owed = 0;  // an idle card saves nothing up
        last = now;
        continue;
      }
      owed += duration<double>(now - last).count() * rate_;
      last = now;
      const auto n = std::min(queue_.size(), static_cast<std::size_t>(owed));
      if (n == 0 || !file_.is_open()) continue;
      std::string bytes;
      bytes.reserve(n * 2);
      for (std::size_t i = 0; i < n; ++i) put16(bytes, static_cast<std::uint16_t>(queue_[i]));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      owed -= static_cast<double>(n);
      file_.seekp(0, std::ios::end);
      file_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      written_ += static_cast<std::uint32_t>(n);
      file_.seekp(0);
      file_ << wav_header(rate_, written_);
      file_.flush();
    }
    close_file();
  }
  void close_file() {
    if (file_.is_open()) file_.close();
  }

  std::string dir_;
  int rate_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::int16_t> queue_;
  std::ofstream file_;
  std::uint32_t written_ = 0;
  bool quit_ = false;
  std::thread player_;
};

// espeak-ng's list of (priority byte, language name, NUL) pairs, ending with a zero byte.
std::vector<std::string> voice_languages() {
  std::vector<std::string> out;
  const espeak_VOICE** voices = espeak_ListVoices(nullptr);
  for (int i = 0; voices && voices[i]; ++i) {
    const char* p = voices[i]->languages;
    while (p && *p) {
      const std::string name(p + 1);
      if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
      p += 1 + name.size() + 1;
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

std::unique_ptr<AudioOut> open_sdl_audio(int sample_rate, std::string& error) {
  if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
    error = std::string("no audio: ") + SDL_GetError();
    return nullptr;
  }
  SDL_AudioSpec want{};
  want.freq = sample_rate;
  want.format = AUDIO_S16SYS;
  want.channels = 1;
  want.samples = 1024;
  SDL_AudioSpec have{};
  SDL_AudioDeviceID device = SDL_OpenAudioDevice(nullptr, 0, &want, &have, 0);  // SDL converts if the card wants otherwise
  if (device == 0) {
    error = std::string("no audio device: ") + SDL_GetError();
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
    return nullptr;
  }
  return std::make_unique<SdlAudioOut>(device);
}

std::unique_ptr<AudioOut> open_wav_files(const std::string& dir, int sample_rate, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    error = "unable to make the folder " + dir + " for spoken prompts: " + ec.message();
    return nullptr;
  }
  return std::make_unique<WavFilesOut>(dir, sample_rate);
}

namespace {
std::atomic<bool> g_speech_open{false};  // invariant 4
}  // namespace

std::unique_ptr<Speech> Speech::open(int volume_percent, const OutputMaker& make_output, std::string& error) {
  if (g_speech_open.exchange(true)) {
    error = "spoken prompts are already open in this process";
    return nullptr;
  }
  std::unique_ptr<Speech> s(new Speech());
  s->set_volume(volume_percent);
  s->worker_ = std::thread([self = s.get(), volume_percent, make_output] { self->run(volume_percent, make_output); });
  std::unique_lock lock(s->mutex_);
  s->wake_.wait(lock, [&] { return s->started_; });
  if (!s->start_error_.empty()) {
    error = s->start_error_;
    lock.unlock();
    s->worker_.join();  // it has ended
    s.reset();
    return nullptr;
  }
  return s;
}

Speech::~Speech() {
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
  }
  wanted_.fetch_add(1);
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  g_speech_open = false;
}

void Speech::run(int, const OutputMaker& make_output) {
  // Started once for the process and never ended: espeak-ng 1.51 hangs when
  // started again after espeak_Terminate(). One Speech at a time (invariant 4)
  // keeps every call on one thread at a time.
  static const int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 50, nullptr, espeakINITIALIZE_DONT_EXIT);
  std::string error;
  if (rate <= 0) error = "espeak-ng could not start (is espeak-ng-data installed?)";
  if (error.empty()) {
    espeak_SetSynthCallback(&SpeechCallback::samples);
    languages_ = voice_languages();
    sample_rate_ = rate;
    out_ = make_output(rate, error);
    if (!out_ && error.empty()) error = "no audio output";
  }
  {
    std::lock_guard lock(mutex_);
    started_ = true;
    start_error_ = error;
  }
  wake_.notify_all();
  if (!error.empty()) return;

  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return quit_ || pending_; });
    if (quit_) break;
    std::string text = std::move(pending_text_), language = std::move(pending_language_);
    pending_ = false;
    current_ = wanted_.load();
    synthesising_ = true;
    active_ = true;
    lock.unlock();

    const std::uint64_t number = begun_.fetch_add(1) + 1;
    out_->begin(number, text, language);
    espeak_VOICE spec{};
    spec.languages = language.c_str();
    if (espeak_SetVoiceByProperties(&spec) == EE_OK) {
      espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, this);
      out_->finish();
    }

    lock.lock();
    active_ = false;
    synthesising_ = pending_;  // a new utterance waiting keeps speaking() true
  }
  lock.unlock();
  out_.reset();
}

bool Speech::take(const short* samples, int count) {
  std::lock_guard out_lock(out_mutex_);
  if (wanted_.load() != current_) return false;  // stop() or a new say() since this began
  if (!samples || count <= 0) return true;
  scaled_.resize(static_cast<std::size_t>(count));
  const float gain = gain_.load();
  for (int i = 0; i < count; ++i) scaled_[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(std::lround(samples[i] * gain));
  out_->write(scaled_.data(), scaled_.size());
  return true;
}

void Speech::set_volume(int volume_percent) { gain_ = static_cast<float>(std::clamp(volume_percent, 1, 100)) / 100.0f; }

bool Speech::has_voice(std::string_view language) const {
  const std::string want = lower(language);
  for (const auto& l : languages_) {
    const std::string have = lower(l);
    if (have == want) return true;
    // "en" has a voice when "en-gb" does, and "pt-br" when "pt" does.
    if (have.size() > want.size() && have.compare(0, want.size(), want) == 0 && have[want.size()] == '-') return true;
    if (want.size() > have.size() && want.compare(0, have.size(), have) == 0 && want[have.size()] == '-') return true;
  }
  return false;
}

void Speech::say(const std::string& text, const std::string& language) {
  std::string plain = text;
  for (char& c : plain)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') c = ' ';
  {
    std::lock_guard lock(mutex_);
    std::lock_guard out_lock(out_mutex_);
    pending_ = true;
    pending_text_ = std::move(plain);
    pending_language_ = language;
    wanted_.fetch_add(1);
    synthesising_ = true;  // speaking() from this moment, not from when the worker wakes
    // Under the lock: the worker cannot have begun the new utterance yet.
    if (out_) out_->clear();
  }
  wake_.notify_all();
}

void Speech::stop() {
  {
    std::lock_guard lock(mutex_);
    std::lock_guard out_lock(out_mutex_);
    pending_ = false;
    wanted_.fetch_add(1);
    synthesising_ = active_;  // nothing waits now; the worker clears it when its synthesis ends
    if (out_) out_->clear();
  }
}

bool Speech::speaking() const {
  if (synthesising_.load()) return true;
  return out_ && out_->busy();
}

}  // namespace tp::platform
