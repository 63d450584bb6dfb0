// Spoken prompts: espeak-ng turns text into 16-bit mono samples on a worker
// thread, and an AudioOut plays them (SDL2's audio queue) or keeps them (WAV
// files, for tests and for checking a voice without a loudspeaker).
//
// Invariants:
//   1. Nothing here blocks the frame loop: say() and stop() only post to the
//      worker and return; speaking() reads two atomics and the output's queue.
//   2. espeak-ng is touched only on the worker thread (it is not thread-safe).
//      It is started once for the process, by the first Speech, and kept.
//   3. One utterance at a time: say() replaces whatever is being said; stop()
//      cuts synthesis at its next buffer (about 50 ms of sound) and drops
//      what is queued and not yet heard.
//   4. espeak-ng keeps its state in the process: one Speech at a time
//      (open() refuses a second while the first is open).
//   5. The volume is applied to the samples, from 0 to 100 percent of
//      espeak-ng's own level: no sample is ever pushed past full scale.
//
//   IDLE --say--> SYNTHESISING --text done--> PLAYING (queue drains) --> IDLE
//                  |  stop / say (a new utterance)  |  stop: queue cleared
//                  +-------------------------------+----> IDLE (or the new one)
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tp::platform {

// Where the samples of an utterance go. write() and finish() are called on
// the speech worker, clear() and busy() on the frame loop's thread.
class AudioOut {
 public:
  virtual ~AudioOut() = default;
  // A new utterance begins (number counts from 1).
  virtual void begin(std::uint64_t number, const std::string& text, const std::string& language) = 0;
  virtual void write(const std::int16_t* samples, std::size_t count) = 0;
  // The utterance is wholly synthesised; what is queued still plays out.
  virtual void finish() = 0;
  // Drops what has not been heard yet.
  virtual void clear() = 0;
  // Still sounding: samples queued and not yet played.
  virtual bool busy() const = 0;
};

// The default audio device through SDL2's queue (SDL_QueueAudio). Null, with
// the reason, when there is no device (no sound card, no audio server).
std::unique_ptr<AudioOut> open_sdl_audio(int sample_rate, std::string& error);
// Each utterance as DIR/speech-N.wav (with DIR/speech-N.txt: its language
// and text), paced as a sound card would play it, so that stop() leaves a
// file as long as what was heard. The header is kept valid as it grows.
std::unique_ptr<AudioOut> open_wav_files(const std::string& dir, int sample_rate, std::string& error);

class Speech {
 public:
  // Makes the output once the voice's sample rate is known.
  using OutputMaker = std::function<std::unique_ptr<AudioOut>(int sample_rate, std::string& error)>;

  // Starts espeak-ng on the worker (invariant 2) and makes the output. Null,
  // with the reason, when espeak-ng has no data, there is no output, or
  // another Speech is open (invariant 4).
  // `volume_percent`: 1 to 100.
  static std::unique_ptr<Speech> open(int volume_percent, const OutputMaker& make_output, std::string& error);
  ~Speech();
  Speech(const Speech&) = delete;
  Speech& operator=(const Speech&) = delete;

  // Whether espeak-ng has a voice for this language code ("cy", "bn", "pt-BR").
  bool has_voice(std::string_view language) const;
  // The codes of the languages espeak-ng has a voice for, as it names them.
  const std::vector<std::string>& languages() const { return languages_; }
  int sample_rate() const { return sample_rate_; }

  // Speaks `text` (UTF-8) in `language`, replacing whatever was being said.
  // A language without a voice says nothing. Control characters (espeak-ng
  // takes U+0001 as the start of a command) are read as spaces.
  void say(const std::string& text, const std::string& language);
  // Stops at once (invariant 3).
  void stop();
  // Synthesising, or sound still queued.
  bool speaking() const;
  // From the next buffer on (1 to 100).
  void set_volume(int volume_percent);
  // Utterances begun so far.
  std::uint64_t utterances() const { return begun_.load(); }

 private:
  Speech() = default;
  void run(int volume_percent, const OutputMaker& make_output);
  friend struct SpeechCallback;
  // Takes samples from espeak-ng; false: stop this utterance.
  bool take(const short* samples, int count);

  std::thread worker_;
  std::mutex mutex_;
  std::condition_variable wake_;
  // Start-up, under mutex_: the worker reports here before open() returns.
  bool started_ = false;
  std::string start_error_;

  // Requests, under mutex_.
  bool quit_ = false;
  bool pending_ = false;
  std::string pending_text_, pending_language_;

  std::atomic<std::uint64_t> wanted_{0};  // bumped by say() and stop(): a running synthesis with another number stops
  std::atomic<std::uint64_t> begun_{0};
  std::atomic<bool> synthesising_{false};
  bool active_ = false;   // under mutex_: the worker is synthesising
  std::mutex out_mutex_;  // take()'s check and write against stop()'s clear: no old samples after a stop
  std::atomic<float> gain_{1.0f};
  int sample_rate_ = 0;
  std::vector<std::string> languages_;
  std::unique_ptr<AudioOut> out_;
  std::vector<std::int16_t> scaled_;  // the worker's buffer for samples with the volume applied
  std::uint64_t current_ = 0;         // the worker's utterance
};

}  // namespace tp::platform
