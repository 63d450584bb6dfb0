// The kiosk's settings file (JSON). See README.md "Configuration" for the keys.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tp {

// When the kiosk takes answers: ranges of local wall-clock time per weekday
// ("opening_hours"). Without it the kiosk is always open.
//
// Rules:
//   1. Times are minutes after local midnight, read from the wall clock in
//      the machine's time zone, so a range means the same hours on the day
//      the clocks change (09:00 stays 09:00 whether it is GMT or BST).
//   2. A range whose end is not after its start runs past midnight into the
//      next day and belongs to the day it starts: "fri": "22:00-02:00" is
//      open from Friday 22:00 to Saturday 02:00.
//   3. A range includes its first minute and not its last: "09:00-17:00" is
//      open at 09:00 and closed at 17:00. "00:00-24:00" is the whole day.
//   4. A parsed config has at least one range in the week: a kiosk that
//      never opens is refused as a mistake.
struct OpeningHours {
  struct Range {
    int from_minute = 0;  // 0..1439
    int to_minute = 0;    // 1..1440; not after from_minute: runs into the next day (rule 2)
    bool operator==(const Range&) const = default;
  };
  static constexpr int kMinutesPerDay = 24 * 60;

  bool always_open = true;                   // no "opening_hours" in the config
  std::array<std::vector<Range>, 7> by_day;  // index 0 is Sunday, as std::tm's tm_wday

  // Open at this local wall-clock minute of this weekday (0 = Sunday)?
  bool open_at(int weekday, int minute) const;
  // Open at this moment, in the machine's local time zone?
  bool open_at_unix(std::int64_t unix_seconds) const;

  struct Opening {
    int days_ahead = 0;  // 0: later the same day
    int weekday = 0;     // 0 = Sunday
    int minute = 0;      // after local midnight
  };
  // The next minute after (weekday, minute) at which the kiosk opens, when it
  // is closed then; nullopt when it is open then or always open.
  std::optional<Opening> next_opening(int weekday, int minute) const;
  std::optional<Opening> next_opening_unix(std::int64_t unix_seconds) const;

  bool operator==(const OpeningHours&) const = default;
};

// "HH:MM" for minutes after midnight (1440 is "24:00").
std::string clock_text(int minute);

struct KioskConfig {
  std::string question_set_path;           // relative paths are taken from the config file's folder
  std::string database_path;               // empty: the per-user data folder
  std::chrono::seconds idle_timeout{45};   // no touch for this long: "Still there?"
  std::chrono::seconds still_there{15};    // then this long to answer it before a full reset
  std::chrono::seconds thanks{6};          // thank-you screen
  std::chrono::seconds rapid_repeat{5};    // a visit this soon after the last is flagged
  std::chrono::seconds greeting_every{4};  // attract screen changes greeting
  int time_granularity_minutes = 15;       // answer times are rounded down to this
  std::string staff_pin_hash;              // Argon2id string from `tenpoint pin-hash`
  int pin_attempts_before_lock = 5;
  std::chrono::seconds pin_lock{60};  // doubles with each further lock, up to a day (pin_lock.h)
  std::string theme = "standard";     // or "high-contrast"
  // The Ed25519 public key (32 raw bytes, base64 in the file) that must sign
  // question sets; empty: the data folder's set-key.pub (SIGNED.md).
  std::string trusted_set_key;
  // Where removable media are mounted: the staff menu looks here for *.tpset files.
  std::vector<std::string> usb_media_dirs{"/media", "/run/media", "/mnt"};
  // How far the picture is turned on the panel, in degrees clockwise: 0, 90,
  // 180 or 270. 90 suits a landscape panel mounted in portrait with its own
  // top edge on the left; 270, with it on the right; 180, upside down.
  int display_rotation = 0;
  // Read aloud: the loudness of spoken prompts, in percent of the voice's
  // full level (1 to 100); 0 takes the Read aloud button away.
  int speech_volume = 80;
  // Outside these hours the screen is dark and takes no answers.
  OpeningHours opening_hours;
};

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws ConfigError with a FILE:LINE:COLUMN message.
KioskConfig load_kiosk_config(const std::string& path);
KioskConfig parse_kiosk_config(const std::string& text, const std::string& path_for_messages, const std::string& base_dir);

}  // namespace tp
