// Spoken prompts with the real espeak-ng: a voice for each of the demo set's
// languages, sound of a plausible length in a real WAV file, the volume
// applied, and stop() cutting the sound short.
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <thread>

#include "speech.h"
#include "support.h"

using namespace tp;
using namespace std::chrono_literals;

namespace {

// Keeps every sample at once, as fast as espeak-ng makes them: the whole
// utterance, to compare a paced file with.
class Recorder final : public platform::AudioOut {
 public:
  void begin(std::uint64_t, const std::string&, const std::string&) override {
    std::lock_guard lock(mutex);
    samples.clear();
    finished = false;
  }
  void write(const std::int16_t* s, std::size_t n) override {
    std::lock_guard lock(mutex);
    samples.insert(samples.end(), s, s + n);
  }
  void finish() override {
    std::lock_guard lock(mutex);
    finished = true;
  }
  void clear() override {}
  bool busy() const override { return false; }

  std::mutex mutex;
  std::vector<std::int16_t> samples;
  bool finished = false;
};

std::unique_ptr<platform::Speech> open_recording(int volume, Recorder*& recorder) {
  std::string error;
  auto speech = platform::Speech::open(
      volume,
      [&](int, std::string&) {
        auto r = std::make_unique<Recorder>();
        recorder = r.get();
        return r;
      },
      error);
  INFO(error);
  REQUIRE(speech);
  return speech;
}

bool wait_until(const std::function<bool()>& done, std::chrono::seconds limit = 60s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// The samples a 16-bit mono WAV file holds, by its header (0 when it is not
// one). While it is still being written, the header may lag its data.
std::size_t wav_samples(const std::string& path, bool finished = true) {
  const std::string bytes = test::read_file(path);
  if (bytes.size() < 44 || bytes.compare(0, 4, "RIFF") != 0 || bytes.compare(8, 4, "WAVE") != 0) return 0;
  auto u32 = [&](std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 3])) << 24;
  };
  const std::uint32_t data = u32(40);
  if (finished)
    REQUIRE(bytes.size() == 44 + data);  // the header says what the file holds
  else
    REQUIRE(bytes.size() >= 44 + data);
  return data / 2;
}

// espeak-ng's length for a text varies by a few samples from one time to the next.
bool same_length(std::size_t a, std::size_t b) {
  return std::abs(static_cast<double>(a) - static_cast<double>(b)) < 0.02 * static_cast<double>(std::max(a, b));
}

double rms(const std::vector<std::int16_t>& s) {
  double sum = 0;
  for (auto v : s) sum += static_cast<double>(v) * v;
  return s.empty() ? 0 : std::sqrt(sum / static_cast<double>(s.size()));
}

const char* kLongPrompt =
    "On 0 to 10, how well is your local library working for you? Think of the last time you came in, what you came for, "
    "and whether you found it. What would make it one point higher?";

}  // namespace

TEST_CASE("espeak-ng has a voice for each of the demo set's six languages, and none for a made-up one", "[speech]") {
  Recorder* recorder = nullptr;
  auto speech = open_recording(100, recorder);
  for (const char* code : {"en", "cy", "pl", "uk", "ar", "bn", "EN", "en-GB"}) {
    INFO(code);
    CHECK(speech->has_voice(code));
  }
  CHECK_FALSE(speech->has_voice("zz"));
  CHECK_FALSE(speech->has_voice("e"));
  CHECK_FALSE(speech->has_voice(""));
  CHECK(speech->sample_rate() > 8000);
}

TEST_CASE("Each language is spoken as sound, longer for a longer text, softer at a lower volume", "[speech]") {
  Recorder* loud = nullptr;
  auto speech = open_recording(100, loud);
  auto say_all = [&](platform::Speech& s, Recorder& r, const std::string& text, const std::string& lang) {
    s.say(text, lang);
    REQUIRE(wait_until([&] {
      std::lock_guard lock(r.mutex);
      return r.finished && !s.speaking();
    }));
    std::lock_guard lock(r.mutex);
    return r.samples;
  };
  const std::pair<const char*, const char*> prompts[] = {
      {"en", "How well is your library working for you?"},
      {"cy", "Pa mor dda mae eich llyfrgell yn gweithio i chi?"},
      {"pl", "Jak dobrze działa dla ciebie twoja biblioteka?"},
      {"uk", "Наскільки добре вам служить ваша бібліотека?"},
      {"ar", "ما مدى جودة عمل مكتبتك بالنسبة لك؟"},
      {"bn", "আপনার গ্রন্থাগার আপনার জন্য কতটা ভালো কাজ করছে?"},
  };
  const int rate = speech->sample_rate();
  for (const auto& [lang, text] : prompts) {
    INFO(lang);
    auto samples = say_all(*speech, *loud, text, lang);
    const double seconds = static_cast<double>(samples.size()) / rate;
    CHECK(seconds > 1.0);  // a sentence, not a click
    CHECK(seconds < 15.0);
    CHECK(rms(samples) > 300);  // sound, not silence
  }
  const auto short_one = say_all(*speech, *loud, "Thank you.", "en");
  const auto long_one = say_all(*speech, *loud, kLongPrompt, "en");
  CHECK(long_one.size() > short_one.size() * 4);

  const auto full_level = say_all(*speech, *loud, "How well is your library working for you?", "en");
  speech.reset();
  std::string error;
  CHECK(platform::Speech::open(
      100, [](int, std::string&) { return std::make_unique<Recorder>(); }, error));  // one at a time, then another
  Recorder* soft = nullptr;
  auto half = open_recording(50, soft);
  CHECK_FALSE(platform::Speech::open(
      100, [](int, std::string&) { return std::make_unique<Recorder>(); }, error));
  CHECK(error.find("already open") != std::string::npos);
  const auto half_level = say_all(*half, *soft, "How well is your library working for you?", "en");
  // The same voice makes the same sound, give or take a few samples.
  REQUIRE(std::abs(static_cast<double>(full_level.size()) - static_cast<double>(half_level.size())) <
          0.02 * static_cast<double>(full_level.size()));
  const double ratio = rms(half_level) / rms(full_level);
  CHECK(ratio > 0.45);
  CHECK(ratio < 0.55);
}

TEST_CASE("A WAV file paced like a sound card holds the whole utterance, and stop() leaves it short", "[speech]") {
  // Every sample espeak-ng makes for two texts, at once.
  Recorder* recorder = nullptr;
  auto reference = open_recording(100, recorder);
  auto whole_of = [&](const char* text) {
    reference->say(text, "en");
    REQUIRE(wait_until([&] {
      std::lock_guard lock(recorder->mutex);
      return recorder->finished;
    }));
    std::lock_guard lock(recorder->mutex);
    return recorder->samples.size();
  };
  const std::size_t thanks = whole_of("Thank you for your answer.");
  const std::size_t whole = whole_of(kLongPrompt);
  reference.reset();

  const std::string dir = test::scratch_dir("speech-wav");
  std::string error;
  auto speech = platform::Speech::open(
      100, [&](int rate, std::string& e) { return platform::open_wav_files(dir, rate, e); }, error);
  INFO(error);
  REQUIRE(speech);
  const int rate = speech->sample_rate();

  // Whole, at the pace it would be heard.
  speech->say("Thank you for your answer.", "en");
  CHECK(speech->speaking());
  REQUIRE(wait_until([&] { return !speech->speaking(); }));
  CHECK(speech->utterances() == 1);
  CHECK(same_length(wav_samples(dir + "/speech-1.wav"), thanks));
  CHECK(test::read_file(dir + "/speech-1.txt") == "en\nThank you for your answer.\n");

  // Cut short: stopped once a third of a second has been heard.
  speech->say(kLongPrompt, "en");
  REQUIRE(wait_until([&] {
    return std::filesystem::exists(dir + "/speech-2.wav") && wav_samples(dir + "/speech-2.wav") > static_cast<std::size_t>(rate / 3);
  }));
  speech->stop();
  REQUIRE(wait_until([&] { return !speech->speaking(); }));
  std::this_thread::sleep_for(200ms);  // nothing more arrives after the stop
  const std::size_t heard = wav_samples(dir + "/speech-2.wav");
  CHECK(heard < whole / 2);

  // A new utterance replaces one under way.
  speech->say(kLongPrompt, "en");
  speech->say("Thank you for your answer.", "en");
  REQUIRE(wait_until([&] { return !speech->speaking(); }));
  const std::string last = dir + "/speech-" + std::to_string(speech->utterances());
  CHECK(speech->utterances() >= 3);  // the first may be replaced before it began
  CHECK(test::read_file(last + ".txt") == "en\nThank you for your answer.\n");
  CHECK(same_length(wav_samples(last + ".wav"), thanks));

  // Stopped before it began: silent at once, and able to speak again.
  speech->say(kLongPrompt, "en");
  speech->stop();
  REQUIRE(wait_until([&] { return !speech->speaking(); }));
  const auto before = speech->utterances();
  speech->say("Thank you for your answer.", "en");
  REQUIRE(wait_until([&] { return !speech->speaking() && speech->utterances() > before; }));
  CHECK(same_length(wav_samples(dir + "/speech-" + std::to_string(speech->utterances()) + ".wav"), thanks));

  // A control character is not a command to espeak-ng: read as a space, the words sound the same.
  speech->say("Thank you\x01 for your answer.", "en");
  REQUIRE(wait_until([&] { return !speech->speaking(); }));
  CHECK(same_length(wav_samples(dir + "/speech-" + std::to_string(speech->utterances()) + ".wav"), thanks));
}
