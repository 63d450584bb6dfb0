// The kiosk as one object: it owns the config, the words, the answer store,
// the clock stamps, the staff PIN checker and the visit, and (when it runs
// for real) the window, the fonts and the screens.
//
// Invariants:
//   1. The visit holds references to config_, strings_, the store, stamps_ and
//      pins_; they are members declared before visit_ and are changed in place,
//      never replaced, so those references stay valid for the app's lifetime.
//   2. reload() applies a config all or nothing: a file that cannot be read or
//      parsed changes nothing and is logged with its FILE:LINE:COLUMN message.
//   3. A new question set never interrupts a resident: the visit takes it on
//      the attract screen (at once, or when the current visit ends).
//   4. The font atlas holds the characters of the question set on screen; it
//      is rebuilt when a new set brings different text, between frames only.
//
//   NEW --start_headless()--> STARTED --run() opens the window--> RUNNING
//                                |  ^                                |
//                                +--+ reload() (SIGHUP while RUNNING)|
//                                                                    v
//              SIGINT / SIGTERM / staff exit / --exit-after-frames: STOPPED
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "kiosk_config.h"
#include "kiosk_store.h"
#include "kiosk_strings.h"
#include "pin.h"
#include "system_stamps.h"
#include "visit.h"

namespace tp {

class KioskApp {
 public:
  struct Options {
    std::string config_path;
    std::string db_path;           // empty: the config's "database", else the per-user data folder
    std::string windowed;          // "WIDTHxHEIGHT" for a window; empty: fullscreen
    std::string hits_file;         // keep the current screen and its touch targets here (JSON)
    int exit_after_frames = 0;     // > 0: stop after drawing this many frames
    std::string translations_dir;  // empty: the installed or source tree's assets/translations
    // Where progress and problems go; stderr, prefixed "tenpoint-kiosk: ", when empty.
    std::function<void(const std::string&)> log;
  };

  // Why the kiosk could not start, and the process exit code that says so.
  struct StartError {
    int exit_code;  // 2: the config or question set needs fixing; 1: this machine (display, fonts)
    std::string message;
  };

  // What a reload did.
  struct ReloadResult {
    bool applied = false;             // false: the config file was refused and nothing changed
    bool question_set_waits = false;  // the new set starts when the current visit ends
    std::string message;              // as logged
  };

  explicit KioskApp(Options options);
  ~KioskApp();
  KioskApp(const KioskApp&) = delete;
  KioskApp& operator=(const KioskApp&) = delete;

  // Reads the config, words and question set, opens the store and builds
  // the visit: everything but the window. Problems are logged as well.
  [[nodiscard]] std::optional<StartError> start_headless();
  // Starts (if not yet started), opens the window and runs the frame loop
  // until asked to stop. Returns the process exit code.
  int run();
  // Re-reads the config file and applies what follows from it: the visit's
  // settings, the staff PIN, the time rounding, the theme and the question set.
  ReloadResult reload();

  // ---- what the settings in force are (for tests and the frame loop) ----
  const KioskConfig& config() const { return config_; }
  const Visit& visit() const { return *visit_; }
  const std::string& palette_name() const { return palette_name_; }
  int time_granularity_minutes() const { return stamps_.granularity_minutes(); }
  SystemStamps& stamps() { return stamps_; }
  bool pin_verifies(const std::string& pin) { return pins_.verify(pin); }
  const std::string& db_path() const { return db_path_; }

 private:
  struct Display;  // window, fonts, screens: only in run(), so tests need no display

  void log(const std::string& line) const;
  std::optional<QuestionSet> load_questions(const std::string& path);
  void apply_theme(const std::string& name);
  std::optional<StartError> open_display();
  bool build_fonts();
  // Rebuilds the font atlas only when the set on screen brings other text (invariant 4).
  void refresh_fonts();
  int frame_loop();

  Options options_;
  std::string db_path_;
  std::string last_good_set_path_;  // a copy of the last set that loaded, beside the database
  std::string palette_name_ = "standard";
  Clock::time_point started_{};

  // Declared before visit_, which refers to them (invariant 1).
  KioskConfig config_;
  Strings strings_;
  std::unique_ptr<KioskStore> store_;
  SystemStamps stamps_{15};
  Argon2PinChecker pins_{""};
  std::unique_ptr<Visit> visit_;

  std::unique_ptr<Display> display_;
};

}  // namespace tp
