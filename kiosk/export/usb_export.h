// "Plug in a USB stick, get results anyone can open": the kiosk's answers
// exported to a new folder on a stick, shared by the staff menu (on the
// kiosk app's worker thread) and `tenpoint export`.
//
//   STICK/VENUE YYYY-MM-DD/          (or "... (2)" when that exists)
//     answers.csv    one line per answer: the raw data for the kiosk's staff
//     report.html    the report page (anonymity rules applied): to share, to print on A4
//     codebook.txt   every column and its values, the question texts of each set version
//     server-bundle/ when the kiosk has a device key (it enrolled): the answers for
//                    `tenpoint-server import`, signed (server_bundle.h)
//       answers.jsonl  one sync batch a line
//       manifest.json  counts, range of seq, each file's size and SHA-256
//       manifest.sig   the manifest signed with the kiosk's device key
//
// Invariants:
//   1. The database is only read, in one read transaction through a
//      read-only connection (AnswerArchive): an export cannot change or lose
//      an answer, whatever happens to the stick. The transaction lasts while
//      the answers are written; the kiosk's commits go on meanwhile (WAL).
//   2. Every file is written as export_folder.h says (no link followed,
//      nothing replaced, a final name only once whole and fsync'd) and read
//      back before the export reports success. "Safe to remove" is said only
//      then.
//   3. A failure is a message in words and leaves no half-written file with
//      a final name: the export's folders and files are removed where the
//      stick still allows it.
//   4. Memory does not grow with the number of answers: they stream from
//      the database to answers.csv and answers.jsonl a visit at a time, and
//      the report tallies them as they pass (counts per question, value,
//      week and hour). Notes reach the report afterwards, with their visits'
//      scores, a visit at a time (ArchiveReader::note_visit_answer); the
//      report keeps each group's count and only the notes it prints (the
//      newest report::kMaxNotesShown; every note is in answers.csv). What is certain
//      not to fit (each answer takes at least a known number of bytes) is
//      refused before the stick is touched; a file that would pass FAT's
//      4 GiB, or a stick that fills up, is found as the bytes go and refused
//      then, its temporary file removed.
//
//   read_answers [AnswerArchive] --begin(count): check size and room,
//     ExportFolder::create, begin answers.csv (and the bundle)--> STREAMING
//   STREAMING --answer() x count: lines of answers.csv and answers.jsonl,
//     the report's tallies--> STREAMING
//   STREAMING --note_visit_answer() x N: the notes placed in their groups--> STREAMING
//   STREAMING --finish: answers.csv, answers.jsonl read back--> write report.html,
//     codebook.txt, manifest.json, manifest.sig --> check_in_place --> ok ("Safe to remove")
//   any failure --> discard()
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "answer_archive.h"
#include "export_folder.h"
#include "kiosk_config.h"
#include "question_set.h"

namespace tp {

inline constexpr const char* kAnswersFile = "answers.csv";
inline constexpr const char* kReportFile = "report.html";
inline constexpr const char* kCodebookFile = "codebook.txt";

struct ExportProgress {
  std::string step;         // "Writing answers.csv (1,234 answers)"
  std::uint64_t done = 0;   // of total: answers written, then bytes read back, then the small files
  std::uint64_t total = 0;  // the whole export's work; 0 before the answers are counted
};

struct ExportRequest {
  std::string stick;                  // the stick's folder; the export makes a new folder in it
  std::string venue;                  // names the folder and heads the files
  std::optional<std::int64_t> since;  // unix seconds (a local midnight); empty: every answer
  std::vector<QuestionSet> sets;      // for the words of the report and the codebook
  std::int64_t now = 0;               // unix seconds: the folder's date, "exported at", the bundle's made_at
  std::string data_dir;               // where kiosk.db lives: the device key (device_key.h); empty: no bundle
  std::uint64_t max_file_bytes = kFatMaxFileBytes;
  // Called on the exporting thread as the export moves on.
  std::function<void(const ExportProgress&)> on_progress;
};

struct ExportOutcome {
  bool ok = false;
  std::string message;  // ok: "Safe to remove the USB stick: ..."; else why not, in words
  std::string folder;   // the folder made (ok only)
  std::int64_t answers = 0;
  std::int64_t bundle_answers = 0;  // in the server bundle (answers of ended visits); 0 without one
  std::vector<std::string> files;   // written, flushed and read back (ok only), "server-bundle/..." for the bundle's
};

ExportOutcome export_results(AnswerArchive& archive, const ExportRequest& request);

// ---- what the staff menu and `tenpoint export` gather for a request ----
// "2025-01-06" as the local midnight that starts it; nullopt when it is not
// a real date in that form.
std::optional<std::int64_t> parse_local_date(const std::string& text);
// The venue the kiosk was enrolled at (device.json beside the database,
// written by tenpoint-sync), else "Tenpoint kiosk".
std::string kiosk_venue(const std::string& data_dir);
// What kiosk_venue() says of a kiosk that was never enrolled.
inline constexpr const char* kUnenrolledVenue = "Tenpoint kiosk";
// The question sets the kiosk holds: the config's local set, the last good
// copy of it, and the signed sets delivered and accepted (opened with the
// trusted key). Each id and version once; files that cannot be read are
// passed over.
std::vector<QuestionSet> kiosk_question_sets(const KioskConfig& config, const std::string& data_dir);

}  // namespace tp
