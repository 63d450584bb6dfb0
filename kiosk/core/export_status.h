// What the staff menu shows about exporting results to a USB stick. Filled
// by the kiosk app (from the export running on its worker thread), read by
// the staff menu screen; plain data, so the screen never touches the export.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tp {

struct ExportStatus {
  enum class Stage { idle, running, done, failed };

  std::vector<std::string> sticks;  // mounted sticks found under usb_media_dirs, sorted; the first is used
  bool stick_read_only = false;     // the first stick is mounted read-only
  Stage stage = Stage::idle;
  double progress = 0;     // 0 to 1, by bytes written and checked
  std::string step;        // "Writing answers.csv (1,234 answers)"
  std::string message;     // done: "Safe to remove ..."; failed: what went wrong, in words
  std::string folder;      // done: the folder made on the stick
  std::string enrol_file;  // the first stick's enrol.json, when it holds one ("Enrol from stick")

  bool running() const { return stage == Stage::running; }
  bool operator==(const ExportStatus&) const = default;
};

}  // namespace tp
