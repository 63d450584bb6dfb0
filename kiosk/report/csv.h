// The CSV spreadsheet of a report: the same filtered rows as the figures,
// one line per answer, for staff who want to count for themselves.
//
// What the CSV shows, and why:
//  - Every answer the filter keeps, rapid repeats included and marked
//    (rapid_repeat = yes), so the spreadsheet adds up to the raw data. A
//    line per answer is what a spreadsheet is for: the rule that hides the
//    numbers of groups under 5 applies to the figures (HTML), not to lines.
//  - Notes (text) only where their group (the question's notes after one
//    score band of the visit's scale answer) has at least
//    kMinAnswersForNotes notes: the groups the HTML shows, and every note of
//    them, where the HTML prints only the newest
//    ReportOptions::max_notes_shown and points here for the rest. Other
//    text cells are empty and text_withheld says why. A rapid repeat's note
//    is never shown.
//  - Times rounded down to the hour (kTimeResolution), local time as the
//    caller's ReportOptions give it: "2025-01-06 14:00".
//  - No visit id: lines of one visit cannot be joined. A note carries the
//    band of its visit's score (score_band), as the HTML groups it, never
//    the score itself. Lines are sorted by question, hour and value, never in
//    the order of visits.
//
// Format: RFC 4180 (fields with a comma, a quote or a line break in double
// quotes, quotes doubled), CRLF line ends, UTF-8 with a byte-order mark so
// spreadsheet programs read it as UTF-8. A cell that starts with = + - @, a
// tab or a carriage return gets a leading apostrophe, so no spreadsheet runs
// it as a formula. The columns (kCsvColumns) are the same for every set and
// version: the set id and version are columns of their own.
#pragma once
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "report.h"

namespace tp::report {

inline constexpr std::array<const char*, 13> kCsvColumns = {"set_id",     "set_version",  "venue",        "question_id", "question_type",
                                                            "language",   "hour",         "score",        "choice",      "text",
                                                            "score_band", "rapid_repeat", "text_withheld"};

// Which of the two files report_csv() writes.
//  - report: the spreadsheet of a report, as described above (kCsvColumns).
//  - answers: the raw data of the kiosk's USB export, for the staff who run
//    the kiosk (kAnswersCsvColumns): every answer as stored, with its answer
//    id and visit id, every text in full (the note rules govern the report
//    page, which is the file to share), times still only to the hour, lines
//    in time order. The same format rules apply, and one more so that the
//    protection can be undone exactly: a cell that starts with an apostrophe
//    gets another one too. Removing one leading apostrophe from a cell that
//    starts with ' followed by = + - @ ' tab or carriage return gives the
//    stored value back.
enum class CsvForm { report, answers };

inline constexpr std::array<const char*, 13> kAnswersCsvColumns = {"answer_id",   "visit_id",      "venue",       "set_id", "set_version",
                                                                   "question_id", "question_type", "language",    "hour",   "score",
                                                                   "choice",      "text",          "rapid_repeat"};

// One cell, quoted and protected as above (no separator). `reversible`: the
// answers form's extra rule for a leading apostrophe.
std::string csv_cell(std::string_view value, bool reversible = false);

// The answers form (CsvForm::answers) a few lines at a time, for an export
// that streams a million answers instead of holding them. Given the answers
// in groups that share recorded_at and session_id, the groups in ascending
// order of those two (byte order for the visit id), the lines are the very
// bytes report_csv() gives for all of them at once: header() first, then
// append() per group. One difference, for answers to a question no set
// describes: each line's question_type is guessed from that answer alone
// (report_csv() guesses from all of the question's answers; they agree
// unless one question id was answered with scores and without).
class AnswersCsvLines {
 public:
  AnswersCsvLines(const std::vector<QuestionSet>& sets, std::string venue, ReportOptions options);
  ~AnswersCsvLines();
  AnswersCsvLines(const AnswersCsvLines&) = delete;
  AnswersCsvLines& operator=(const AnswersCsvLines&) = delete;

  // The byte-order mark and the header line.
  static std::string header();
  // The lines of one group, appended to `out`; `group` is put in line order.
  void append(std::vector<const Answer*>& group, std::string& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The whole file: byte-order mark, header line, one line per answer.
std::string report_csv(const std::vector<AnswerRow>& rows, const std::vector<QuestionSet>& sets, const ReportFilter& filter,
                       const ReportOptions& options = {}, CsvForm form = CsvForm::report);

}  // namespace tp::report
