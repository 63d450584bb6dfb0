// Signed question sets on a kiosk: the trusted key, installing a delivered
// file, finding one on a USB stick, and the staff menu's words about them.
// The file format is signed_set.h; the whole design is in
// config/questions/SIGNED.md.
//
//   server --signs--> .tpset --tenpoint-sync, `tenpoint questions install`,
//                               staff menu "Install from USB stick"-->
//   DATA/question-set.tpset (whole or not at all) --kiosk, on the attract screen:
//   open_signed_set() against the recorded serial--> in use, serial recorded
//
// Invariants:
//   1. install_signed_set() checks a file exactly as the kiosk will (the
//      trusted key, a serial above the recorded one and above the file
//      already in place, the set's own rules) and writes it only if it
//      passes. A refusal or a failed write leaves the delivered file as it was.
//   2. A file is written whole or not at all: a temporary file in the same
//      folder, fsync, rename over the old one, fsync of the folder.
//   3. The kiosk never trusts the delivered file because of who wrote it: it
//      opens it with open_signed_set() itself before every use.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk_config.h"
#include "signed_set.h"
#include "status.h"

namespace tp {

struct TrustedSetKey {
  std::string key;      // 32 raw bytes; empty when there is none
  std::string source;   // "the config's trusted_set_key" or the path of set-key.pub
  std::string problem;  // why there is none, when there is none
};
// The config's "trusted_set_key", else the data folder's set-key.pub.
TrustedSetKey find_trusted_set_key(const KioskConfig& config, const std::string& data_dir);

// The whole file, or a failure: unreadable, not a regular file, or larger
// than max_bytes (refused before reading it, so a huge file costs nothing).
Result<std::string> read_file_capped(const std::string& path, std::size_t max_bytes);
// Writes `bytes` to `path` whole or not at all (invariant 2), mode 0644.
Status write_file_atomically(const std::string& path, std::string_view bytes);

// open_signed_set() on a file; a file that cannot be read is refused as
// `unreadable`, one over kMaxSignedSetFileBytes as `too_large`. The text read
// goes to `file_text` when given (the kiosk keeps a copy of what it accepts).
OpenedSignedSet open_signed_set_file(const std::string& path, std::string_view trusted_key, std::int64_t current_serial,
                                     SerialRule rule = SerialRule::newer, std::string* file_text = nullptr);

struct SetInstallResult {
  bool installed = false;
  std::optional<SetRefusal> refusal;  // refused by a check; unset when installed or when the write failed
  std::string message;                // what happened, in words, for the terminal or the staff menu
  std::string source;                 // the file installed or refused (the chosen one, from a USB stick)
  std::int64_t serial = 0;            // of the set installed
  std::string set_id;
  int set_version = 0;
};

// Checks `source_path` as the kiosk will and writes it to the data folder's
// question-set.tpset (invariant 1). `recorded_serial` is the highest serial
// the kiosk has accepted (SetSerials). The kiosk starts the set at its next
// attract screen.
SetInstallResult install_signed_set(const std::string& source_path, const std::string& data_dir, std::string_view trusted_key,
                                    std::int64_t recorded_serial);

// How deep below each media folder a .tpset file may lie:
// /media/USER/LABEL/set.tpset and /run/media/USER/LABEL/sets/set.tpset.
constexpr int kUsbSearchDepth = 4;
// Every *.tpset file (any case, not hidden) under `roots`, sorted. Folders
// that are missing or unreadable are passed over.
std::vector<std::string> find_set_files(const std::vector<std::string>& roots);
// Installs, with install_signed_set(), the valid file with the highest serial
// found under `roots` (the config's usb_media_dirs).
SetInstallResult install_set_from_usb(const std::vector<std::string>& roots, const std::string& data_dir, std::string_view trusted_key,
                                      std::int64_t recorded_serial);

// ---- words for the staff menu and the log ----
// What the staff menu says about the question set, beside the set itself.
struct QuestionSetStatus {
  std::int64_t signed_serial = 0;  // of the signed set in use; 0: the config's local file is in use
  std::string refused;             // "Question set from the server refused: signed by another key"; empty: nothing refused
  std::string usb;                 // the outcome of the last install from a USB stick; empty before one
};
// "library-demo v4 · serial 43 · signed by the server" or "library-demo v1 · local file".
std::string describe_set_in_use(const std::string& set_id, int version, std::int64_t signed_serial);
std::string describe_set_refusal(const std::string& reason);

}  // namespace tp
