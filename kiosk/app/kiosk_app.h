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
//      is rebuilt between frames whenever another set goes on screen (at once
//      on the attract screen, or when a visit that deferred it ends).
//   5. A signed question set (config/questions/SIGNED.md) is looked for and
//      taken only on the attract screen (or the closed one, outside opening
//      hours: no visit there either), and only after open_signed_set()
//      passed against the trusted key and the serial recorded in the
//      database; a newer serial is recorded before the set goes on screen.
//      Once a signed set is in use, the config's local set is not used.
//   6. A refused signed set changes nothing on screen: the reason is logged
//      and shown in the staff menu, and the set in use stays.
//   7. An export to a USB stick runs on one worker thread with its own
//      read-only database connection; it shares only ExportJob (under its
//      mutex) with the frame loop. While it runs the visit holds the staff
//      menu (Visit::set_staff_busy), and the app waits for it before it ends.
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

#include "export_status.h"
#include "kiosk_config.h"
#include "kiosk_store.h"
#include "kiosk_strings.h"
#include "pin.h"
#include "readback.h"
#include "set_delivery.h"
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
    std::string speech_wav_dir;    // spoken prompts go to WAV files here instead of the sound card
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
  // settings (opening hours included), the staff PIN, the time rounding, the
  // theme and the question set (the local one, unless a signed set is in use;
  // the delivered signed set is looked at again at the next attract screen).
  // The frame loop turns the picture to a new display_rotation.
  ReloadResult reload();

  // The work between two frames: the visit's timers and opening hours, a new
  // signed set while on the attract or closed screen (every
  // kSignedSetCheckEvery, or at once after check_signed_set_soon()), and a
  // font atlas that follows the set on screen.
  // Returns true when the screen may need drawing again.
  bool between_frames(TimePoint now);
  // A tap from the screens. The staff menu's "Install question set from USB
  // stick" runs here, and "Export results" starts here (invariant 7); then
  // the visit takes the event as every other.
  void handle(const Event& event, TimePoint now);
  // Looks at the delivered signed set at the next attract screen even if its
  // time stamp has not changed (SIGHUP, and after an install from USB).
  void check_signed_set_soon() { set_check_requested_ = true; }
  static constexpr auto kSignedSetCheckEvery = std::chrono::seconds(5);
  // How often the staff menu looks for a USB stick being plugged in or pulled.
  static constexpr auto kStickCheckEvery = std::chrono::seconds(2);
  // How often the screen redraws while an export runs, for its progress bar.
  static constexpr auto kExportRedrawEvery = std::chrono::milliseconds(100);

  // A font atlas with no window and no GL texture, for tests that look at
  // which characters it holds. After start_headless().
  [[nodiscard]] bool build_fonts_without_window(int width_px, int height_px);
  // Whether the atlas has a glyph for `c` in the question font (false without an atlas).
  bool atlas_has_glyph(char32_t c) const;

  // ---- what the settings in force are (for tests and the frame loop) ----
  const KioskConfig& config() const { return config_; }
  const Visit& visit() const { return *visit_; }
  const std::string& palette_name() const { return palette_name_; }
  int time_granularity_minutes() const { return stamps_.granularity_minutes(); }
  SystemStamps& stamps() { return stamps_; }
  bool pin_verifies(const std::string& pin) { return pins_.verify(pin); }
  const std::string& db_path() const { return db_path_; }
  const std::string& data_dir() const { return data_dir_; }
  // What the staff menu shows about the question set.
  const QuestionSetStatus& question_set_status() const { return set_status_; }
  // What the staff menu shows about sticks and exporting; brought up to date by between_frames().
  const ExportStatus& export_status() const { return export_status_; }

 private:
  struct Display;  // window, fonts, screens: only in run(), so tests need no display

  // A file's identity and time stamp: a change means "look at it again".
  struct FileStamp {
    bool exists = false;
    unsigned long long device = 0, inode = 0, size = 0;
    long long mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  static FileStamp stamp_of(const std::string& path);

  void log(const std::string& line) const;
  std::optional<QuestionSet> load_questions(const std::string& path);
  // The signed set to start with: the delivered file, else the kiosk's copy
  // of the last one it accepted; nullopt when neither passes.
  std::optional<QuestionSet> load_signed_set_at_start();
  // On the attract screen: takes a new delivered signed set if it passes (invariant 5).
  void check_delivered_set(TimePoint now);
  // Records a newer serial and keeps a copy of the file; false when the serial could not be recorded.
  bool accept_signed_set(const SignedSet& signed_set, const std::string& file_text, const std::string& path, std::int64_t recorded);
  void note_refusal(const OpenedSignedSet& refused, const std::string& path, const TrustedSetKey& key);
  // On the attract screen: the delivered read-back cards, looked at again
  // when the file changes or the day does (readback.h). True when the cards
  // on screen changed.
  bool check_readback(TimePoint now);
  void install_from_usb();
  void enrol_from_usb();
  void start_export(TimePoint now);
  // Sticks while on the staff menu, and the progress or the end of an export: true when it changed.
  bool follow_export(TimePoint now);
  void publish_export_status();
  void publish_set_status();
  void apply_theme(const std::string& name);
  // Read aloud: espeak-ng and its output, opened with the window; off (no
  // button) when the config's speech_volume is 0 or there is no sound.
  void open_speech();
  // Speaks the screen, or stops a second time; stops when the screen or
  // the question changes. Returns true when speech started or stopped.
  void read_aloud();
  bool follow_speech();
  std::optional<StartError> open_display();
  bool build_fonts();
  // Rebuilds the font atlas only when the set on screen brings other text (invariant 4).
  void refresh_fonts();
  int frame_loop();

  Options options_;
  std::string db_path_;
  std::string data_dir_;            // the database's folder: the delivered set, its accepted copy, set-key.pub
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

  QuestionSetStatus set_status_;           // signed_serial is the serial of the signed set in use
  FileStamp delivered_stamp_;              // of question-set.tpset when last looked at
  TimePoint next_set_check_{};             // the attract screen looks at the delivered file again then
  bool set_check_requested_ = false;       // look even if the time stamp is the same
  std::uint64_t atlas_generation_ = 0;     // the visit's set generation the atlas was built for
  std::shared_ptr<const Readback> cards_;  // the read-back cards in use; null: none
  FileStamp cards_stamp_;                  // of readback.tpcards when last looked at
  std::string cards_day_;                  // the day the live cards were picked for
  bool cards_looked_ = false;              // the first look loads whatever is there
  TimePoint next_cards_check_{};

  struct ExportJob;  // the worker thread and what it reports (invariant 7)
  std::unique_ptr<ExportJob> export_job_;
  ExportStatus export_status_;
  std::optional<TimePoint> next_stick_check_;  // empty: look at once (the staff menu just opened)

  std::unique_ptr<Display> display_;
};

}  // namespace tp
