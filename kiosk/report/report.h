// Reports for people: what the answers say, with the anonymity rules applied.
//
// One library, two callers that must never disagree: the admin web of
// tenpoint-server (HTML pages with inline SVG charts) and the staff's USB
// export on the kiosk (a self-contained HTML file and a CSV spreadsheet).
// Both hand plain answer rows, the question sets and a filter to
// build_report(), and render the result with html.h, svg.h and csv.h.
//
// Invariants
//  1. The anonymity rules live here, not in the callers. build_report()
//     returns figures that are already safe to show: a group of 1 to 4
//     answers carries no number at all (ShownCount::value is empty, and the
//     mean and median of such a group are empty too), and notes come only
//     from groups of at least kMinAnswersForNotes. A renderer cannot show
//     what it was never given. A group's notes are all counted, but only
//     the newest kMaxNotesShown (ReportOptions) are printed, with a line
//     saying so (NoteGroup::more_notes).
//  2. Rapid repeats (a visit that began moments after the previous one
//     ended, AnswerRow::rapid_repeat) never enter the main figures: not the
//     count, the median, the charts, the option counts or the notes. They
//     are counted apart (QuestionReport::rapid_repeats), under the same rules.
//  3. Times are no finer than the hour (kTimeResolution): hour of day, the
//     week of a note, the hour column of the CSV.
//  4. Same input, same bytes: nothing depends on the order of the rows, the
//     clock, the locale or the environment. Numbers are written with
//     std::to_chars; the local time comes from the caller (ReportOptions).
//
// Where a rule does not reach (documented, not solved here): a number that is
// shown can sometimes be subtracted from another that is shown (a total of 7
// with one bar of 6 leaves the hidden bar at 1). The rules hide small groups;
// they do not stop sums and differences of the large ones.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "answer.h"
#include "question_set.h"

namespace tp::report {

// ---- Thresholds -------------------------------------------------------------
// A group of fewer answers than this shows the words "fewer than 5" and no
// number: not its count, not its mean or median, not a chart bar. This holds
// for every group the report shows: a question, a score, a week, an hour of
// the day, a choice option, a group of notes, the rapid repeats. A group of
// none shows 0 (nobody can be recognised in it).
inline constexpr std::int64_t kMinAnswersForNumbers = 5;
// What residents wrote is shown only from a group (a question's notes after
// one score band) of at least this many notes, in the HTML and the CSV alike.
inline constexpr std::int64_t kMinAnswersForNotes = 8;
// The most notes a group prints (ReportOptions::max_notes_shown): the newest,
// with a line saying how many there are and where every one of them is. A
// page of tens of thousands of notes is read by nobody, and it would make the
// report's memory grow with the answers (the USB export keeps only these).
inline constexpr std::int64_t kMaxNotesShown = 200;
// No time in a report is finer than this: the hour of the day, or coarser.
inline constexpr std::int64_t kTimeResolution = 3600;  // seconds
// The words every caller shows in place of a hidden number.
inline constexpr const char* kFewerThanMinimum = "fewer than 5";

// ---- Input ------------------------------------------------------------------
// One answer as a report sees it. Built by the caller from its own store
// (from_answer() covers the kiosk's Answer).
struct AnswerRow {
  std::string set_id;
  int set_version = 0;
  std::string question_id;
  std::string session_id;  // links the answers of one visit
  std::string venue;
  std::string language;
  std::optional<int> score;
  std::optional<std::string> text;
  std::optional<std::string> choice;
  std::int64_t recorded_at = 0;  // unix seconds, already rounded on the kiosk
  bool rapid_repeat = false;
  std::string answer_id;  // only the raw answers CSV (CsvForm::answers) shows it
  // How many answers the row stands for. A store may fold answers that are
  // alike in all a report shows (question and version, venue, language,
  // score or choice, rapid repeat, and the quarter hour, finer than any local
  // hour whatever the zone's offset) into one row with no text, visit or
  // answer id. 0: an answer not to count, there only to give a visit
  // (session_id) whose note is among the rows its score, and so its band.
  std::int64_t count = 1;
};

AnswerRow from_answer(const Answer& answer, std::string venue);

struct ReportFilter {
  std::optional<std::string> venue;        // empty: every venue
  std::optional<std::string> set_id;       // empty: every set
  std::optional<std::string> question_id;  // empty: every question
  std::optional<std::int64_t> from;        // unix seconds, inclusive
  std::optional<std::int64_t> until;       // unix seconds, exclusive
};

// Seconds local time is ahead of UTC at a moment. The library reads no time
// zone itself (the std library of Debian 12 has no time-zone database): the
// caller passes one, so the server and the kiosk can agree on it.
using UtcOffset = std::function<std::int64_t(std::int64_t unix_seconds)>;

struct ReportOptions {
  std::string language;                // prompts and labels; empty: each set's default language
  UtcOffset utc_offset;                // empty: UTC
  std::string time_zone_name = "UTC";  // shown beside every time
  // Notes a group prints at most (NoteGroup::texts); 0 prints none, only the count.
  std::int64_t max_notes_shown = kMaxNotesShown;
  // Where every note can be read, as a sentence ending NoteGroup::more_notes
  // when a group prints only some: "Every note is in answers.csv."
  std::string all_notes_are_in;
};

// ---- Output -----------------------------------------------------------------
// A count as people may see it.
struct ShownCount {
  std::optional<std::int64_t> value;  // empty: 1 to kMinAnswersForNumbers - 1

  static ShownCount of(std::int64_t answers);
  bool hidden() const { return !value; }
  bool is_zero() const { return value && *value == 0; }
  bool operator==(const ShownCount&) const = default;
};

// An inclusive range of scores: the notes after a score in it form a group.
struct ScoreBand {
  int low = 0, high = 0;
  bool contains(int score) const { return score >= low && score <= high; }
  bool operator==(const ScoreBand&) const = default;
  auto operator<=>(const ScoreBand&) const = default;
};

// The bands of a scale question. Where the question's follow-up rules have
// score ranges ("when_score"), each run of scores that the same rule catches
// is a band: for the demo set's [0,0], [10,10] and a catch-all that is 0,
// 1-9 and 10, the groups whose follow-ups differ. Without score rules, the
// default bands 0-3, 4-6 and 7-10 (kDefaultBands), cut to the question's
// range; a band left empty by the cut is dropped.
std::vector<ScoreBand> score_bands(const Question& scale);
inline constexpr ScoreBand kDefaultBands[] = {{0, 3}, {4, 6}, {7, 10}};
std::string band_label(ScoreBand band);  // "0–3", or "10" for a band of one

struct IsoWeek {
  int year = 0, week = 0;
  std::int64_t monday_day = 0;  // days since 1970-01-01 (local calendar)

  std::string code() const;    // "2025-W02"
  std::string monday() const;  // "6 Jan 2025"
  bool operator==(const IsoWeek&) const = default;
};

struct ScoreCount {
  int score = 0;
  ShownCount answers;
  bool median = false;  // the median falls on this score (or halfway beside it)
};

struct WeekFigures {
  IsoWeek week;
  ShownCount answers;
  std::optional<double> mean_score;  // scale questions, groups of at least kMinAnswersForNumbers
};

struct HourFigures {
  int hour = 0;  // 0-23, local time
  ShownCount answers;
};

struct OptionFigures {
  std::string id;
  std::string label;  // the set's label, or the id for an option no set names
  ShownCount answers;
};

struct ShownNote {
  std::string text;
  std::string language;
  IsoWeek week;  // notes are dated to the week, never finer
};

// The notes of one text question after one score band of the visit's scale
// answer (or after no score at all).
struct NoteGroup {
  std::string scale_question_id;  // empty when the visit had no scale answer
  std::optional<ScoreBand> band;  // empty when the visit had no scale answer
  std::string label;              // "After a score of 0–3", "Without a score"
  ShownCount notes;               // every note of the group, however many are printed
  bool shown = false;             // at least kMinAnswersForNotes notes
  // Only when shown: the newest ReportOptions::max_notes_shown, by week, then
  // text, then language (the last ones of all the group's notes so sorted).
  std::vector<ShownNote> texts;
  // When texts holds fewer than all: "Showing the newest 200 of 6,250 notes."
  // and ReportOptions::all_notes_are_in. Else empty.
  std::string more_notes;
};

struct RapidRepeats {
  ShownCount answers;
  std::optional<double> median_score, mean_score;
};

struct QuestionReport {
  std::string set_id;
  std::vector<int> set_versions;  // the versions answers came from, ascending
  std::string question_id;
  QuestionType type = QuestionType::scale;
  std::string language;  // of prompt and labels
  std::string prompt;    // {score} reads "[score]", {score_plus_one} "[score + 1]"
  std::string low_label, high_label;
  int score_min = 0, score_max = 10;

  ShownCount answers;  // rapid repeats apart
  std::optional<double> median_score, mean_score;
  std::vector<ScoreCount> distribution;  // scale: every score from score_min to score_max
  std::vector<WeekFigures> weeks;        // ISO weeks, the first answer's to the last's, none skipped
  std::vector<HourFigures> hours;        // 24, midnight first
  std::vector<OptionFigures> options;    // choice: the set's order, then unknown ids sorted
  std::vector<NoteGroup> note_groups;    // text: by scale question, then band, "without a score" last
  RapidRepeats rapid_repeats;
};

struct Report {
  ReportFilter filter;
  std::string time_zone_name;
  std::vector<QuestionReport> questions;  // each set (by id) in its own order, then questions no set names
  std::string from_date, to_date;         // the filter's first and last day, "6 Jan 2025"; empty when open
};

// The figures for `filter`. `sets` gives prompts, labels, ranges, options and
// bands; several versions of one set may be given (the highest one's words
// are used). Every question of a matching set is reported, answered or not;
// answers to a question no set describes are reported with their ids.
Report build_report(const std::vector<AnswerRow>& rows, const std::vector<QuestionSet>& sets, const ReportFilter& filter,
                    const ReportOptions& options = {});

// One answer row as ReportBuilder::add() reads it: AnswerRow's fields,
// borrowed for the call, so a caller streaming answers copies no text.
struct RowView {
  std::string_view set_id;
  int set_version = 0;
  std::string_view question_id;
  std::string_view session_id;  // empty: the row names no visit (a folded row)
  std::string_view venue;
  std::string_view language;
  std::optional<int> score;
  const std::string* text = nullptr;  // null: no text
  const std::string* choice = nullptr;
  std::int64_t recorded_at = 0;
  bool rapid_repeat = false;
  std::int64_t count = 1;  // as AnswerRow::count

  static RowView of(const AnswerRow& row);
};

// build_report(), fed one row at a time, for a caller that streams its
// answers (the USB export) and must not hold them all. It keeps tallies per
// question (scores, weeks, hours, options) and, per group of notes, the count
// and only the notes it may print (the newest max_notes_shown: a choice that
// does not depend on the order they came in). The report it ends with is the
// one build_report() makes of the same rows, in any order (invariant 4).
//
// A note's group is its visit's score band, so a note is placed only once
// every scale answer of its visit has been seen. Fed in any order, the
// builder keeps every note and the scores of every visit until finish():
// memory grows with the notes. Told that visits arrive whole
// (visits_arrive_whole), it keeps only the visit being fed, and its memory
// no longer grows with the answers at all.
//
//   any order:      add() x N: notes and visit scores kept --finish()--> notes placed, report
//   visits whole:   add() of visit A ... --a row of visit B--> A's notes placed, only B held
//                   ... --finish()--> the last visit's notes placed, report
class ReportBuilder {
 public:
  // `sets` must outlive the builder.
  ReportBuilder(const std::vector<QuestionSet>& sets, ReportFilter filter, ReportOptions options = {});
  ~ReportBuilder();
  ReportBuilder(const ReportBuilder&) = delete;
  ReportBuilder& operator=(const ReportBuilder&) = delete;

  // A scale answer with a visit is kept to place that visit's notes in a
  // band; a caller that knows no row of this report is a note may turn
  // that off to save the memory (build_report() does).
  void keep_visit_scores(bool keep);
  // A promise from the caller: from now on, the rows that name a visit
  // (session_id) come a visit at a time, every row of one visit before any
  // row of the next (rows that name none may come between). A visit's
  // notes are placed when the next visit starts, not kept to the end. A
  // broken promise gives a report that differs from build_report()'s.
  void visits_arrive_whole(bool whole);
  void add(const RowView& row);
  void add(const AnswerRow& row) { add(RowView::of(row)); }
  // The report; the builder is spent.
  Report finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- Small helpers shared by the renderers ----------------------------------
// Locale-independent numbers: a median as "7" or "6.5", a mean always with
// one decimal ("6.0"), a count with thousands separated ("1,234").
std::string format_median(double value);
std::string format_mean(double value);
std::string format_count(std::int64_t value);
// "12", or "fewer than 5"
std::string format_shown(const ShownCount& count);

}  // namespace tp::report
