// Inside the report library: the one pass over the rows that both the
// figures (report.cpp) and the CSV (csv.cpp) start from, so that the two can
// never disagree about which rows a filter keeps, which visit a note belongs
// to, or which notes may be shown. Not part of the library's interface.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "report.h"

namespace tp::report::detail {

struct QuestionKey {
  std::string set_id, question_id;
  auto operator<=>(const QuestionKey&) const = default;
};

struct QuestionInfo {
  QuestionKey key;
  const QuestionSet* set = nullptr;        // the highest version that has the question; null if no set has it
  const Question* question = nullptr;      // from that set
  QuestionType type = QuestionType::text;  // from the set, else guessed from the answers
};

// Which group a note belongs to: the visit's scale answer and its band.
struct NoteKey {
  QuestionKey question;  // the text question
  std::string scale_question_id;
  std::optional<ScoreBand> band;
  auto operator<=>(const NoteKey&) const = default;
};

struct Analysis {
  std::vector<const AnswerRow*> rows;                 // the filter's rows, input order
  std::vector<QuestionInfo> questions;                // report order
  std::map<QuestionKey, std::size_t> question_index;  // into questions
  std::vector<std::optional<NoteKey>> note_of;        // per row: the group of a note (rapid repeats have none)
  std::map<NoteKey, std::int64_t> note_group_size;

  const QuestionInfo& info(const AnswerRow& row) const { return questions[question_index.at({row.set_id, row.question_id})]; }
  // A note may be shown: its group has at least kMinAnswersForNotes notes.
  bool note_shown(std::size_t row) const { return note_of[row] && note_group_size.at(*note_of[row]) >= kMinAnswersForNotes; }
};

Analysis analyse(const std::vector<AnswerRow>& rows, const std::vector<QuestionSet>& sets, const ReportFilter& filter);

// A note is a non-empty text answer that is not a rapid repeat.
bool is_note(const AnswerRow& row);

// Text in the report's language: `language` if present, else the set's default, else any.
std::string pick(const Translated& text, const std::string& language, const std::string& default_language);

// ---- Local calendar (proleptic Gregorian, days since 1970-01-01) -------------
struct LocalTime {
  std::int64_t day = 0;  // days since 1970-01-01
  int hour = 0;
};
LocalTime local_time(std::int64_t unix_seconds, const ReportOptions& options);
IsoWeek iso_week(std::int64_t day);
std::string date_text(std::int64_t day);  // "6 Jan 2025"
std::string iso_date(std::int64_t day);   // "2025-01-06"

// Invalid UTF-8 becomes U+FFFD and control characters other than tab and
// line breaks are dropped, so that every output stays well-formed.
std::string clean_utf8(std::string_view text);

}  // namespace tp::report::detail
