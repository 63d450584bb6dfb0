// The kiosk's settings file (JSON). See README.md "Configuration" for the keys.
#pragma once
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace tp {

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
};

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws ConfigError with a FILE:LINE:COLUMN message.
KioskConfig load_kiosk_config(const std::string& path);
KioskConfig parse_kiosk_config(const std::string& text, const std::string& path_for_messages, const std::string& base_dir);

}  // namespace tp
