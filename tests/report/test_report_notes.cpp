// The notes a report prints: at most ReportOptions::max_notes_shown per
// group, the newest, with a line saying how many there are; the same
// whatever the order of the rows, and the same from a builder fed a visit at
// a time as from build_report().
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <tuple>

#include "html.h"
#include "report.h"
#include "report/report_rows.h"
#include "support.h"

using namespace tp;
using namespace tp::report;
using namespace tp::test;

namespace {

const QuestionReport& question(const Report& r, const std::string& id) {
  for (const auto& q : r.questions)
    if (q.question_id == id) return q;
  FAIL("no question " << id);
  throw;
}

// `count` visits scoring `score` (the demo set's bands: 0, 1-9, 10), each
// with a note to "not_lower", spread over weeks; some texts repeat.
std::vector<AnswerRow> visits_with_notes(int count, int score, const std::string& prefix, std::uint32_t seed = 1) {
  std::mt19937 random(seed);
  std::vector<AnswerRow> rows;
  for (int i = 0; i < count; ++i) {
    const std::string visit = prefix + std::to_string(i);
    const std::int64_t at = kMonday + static_cast<std::int64_t>(random() % 10) * kWeek + 10 * kHour;
    rows.push_back(scale_row(visit, score, at));
    AnswerRow note = text_row(visit, "not_lower", "note " + std::to_string(random() % 60), at);
    if (random() % 4 == 0) note.language = "cy";
    rows.push_back(note);
  }
  return rows;
}

// What the group must print: all its notes in printed order (week, text,
// language), the last `cap` of them.
std::vector<std::tuple<std::int64_t, std::string, std::string>> newest_of_full_sort(const std::vector<AnswerRow>& rows, std::int64_t cap) {
  std::vector<std::tuple<std::int64_t, std::string, std::string>> all;
  for (const auto& r : rows) {
    if (!r.text) continue;
    const std::int64_t monday = (r.recorded_at - kMonday) / kWeek;  // weeks from kMonday: the same order as the Monday's day
    all.emplace_back(monday, *r.text, r.language);
  }
  std::sort(all.begin(), all.end());
  if (static_cast<std::int64_t>(all.size()) > cap) all.erase(all.begin(), all.end() - cap);
  return all;
}

std::vector<std::tuple<std::int64_t, std::string, std::string>> printed(const NoteGroup& g) {
  std::vector<std::tuple<std::int64_t, std::string, std::string>> out;
  for (const auto& n : g.texts) out.emplace_back((n.week.monday_day * kDay - kMonday) / kWeek, n.text, n.language);
  return out;
}

// The rows fed to a builder a visit at a time, the visits and the rows of
// each visit in the order `random` picks.
Report whole_visits_report(std::vector<AnswerRow> rows, const QuestionSet& set, const ReportOptions& options, std::mt19937& random) {
  std::map<std::string, std::vector<AnswerRow>> by_visit;
  for (auto& r : rows) by_visit[r.session_id].push_back(std::move(r));
  std::vector<std::vector<AnswerRow>*> visits;
  for (auto& [id, v] : by_visit) visits.push_back(&v);
  std::shuffle(visits.begin(), visits.end(), random);
  std::vector<QuestionSet> sets = {set};
  ReportBuilder builder(sets, {}, options);
  builder.visits_arrive_whole(true);
  for (auto* v : visits) {
    std::shuffle(v->begin(), v->end(), random);
    for (const auto& r : *v) builder.add(r);
  }
  return builder.finish();
}

}  // namespace

TEST_CASE("a group prints at most 200 notes, the newest, with a line naming how many and where all are", "[report][notes]") {
  const auto set = demo_set();
  ReportOptions options;
  options.all_notes_are_in = "Every note is in answers.csv.";
  auto rows = visits_with_notes(250, 5, "mid");
  for (auto& r : visits_with_notes(200, 10, "top", 2)) rows.push_back(r);
  for (auto& r : visits_with_notes(201, 0, "zero", 3)) rows.push_back(r);

  const Report r = build_report(rows, {set}, {}, options);
  const QuestionReport& q = question(r, "not_lower");
  REQUIRE(q.note_groups.size() == 3);
  const NoteGroup& zero = q.note_groups[0];
  const NoteGroup& mid = q.note_groups[1];
  const NoteGroup& top = q.note_groups[2];
  CHECK(mid.band == ScoreBand{1, 9});
  CHECK(mid.notes.value == 250);  // the count is every note
  CHECK(mid.shown);
  CHECK(mid.texts.size() == static_cast<std::size_t>(kMaxNotesShown));
  CHECK(mid.more_notes == "Showing the newest 200 of 250 notes. Every note is in answers.csv.");
  // Exactly at the cap: every note, no line. One above: the line.
  CHECK(top.notes.value == 200);
  CHECK(top.texts.size() == 200);
  CHECK(top.more_notes.empty());
  CHECK(zero.notes.value == 201);
  CHECK(zero.texts.size() == 200);
  CHECK(zero.more_notes == "Showing the newest 200 of 201 notes. Every note is in answers.csv.");

  // The page says it where the notes are; the admin web names its own download.
  const std::string section = question_section_fragment(q);
  CHECK(section.find("<p class=\"tp-more-notes\">Showing the newest 200 of 250 notes. Every note is in answers.csv.</p>") !=
        std::string::npos);
  options.all_notes_are_in = "Every note is in the CSV download.";
  options.max_notes_shown = 1000;
  const Report wide = build_report(rows, {set}, {}, options);
  CHECK(question(wide, "not_lower").note_groups[1].texts.size() == 250);
  CHECK(question(wide, "not_lower").note_groups[1].more_notes.empty());
  options.max_notes_shown = 10;
  CHECK(question(build_report(rows, {set}, {}, options), "not_lower").note_groups[1].more_notes ==
        "Showing the newest 10 of 250 notes. Every note is in the CSV download.");
  // Without a place named, the line stops after the count.
  options.all_notes_are_in.clear();
  CHECK(question(build_report(rows, {set}, {}, options), "not_lower").note_groups[1].more_notes == "Showing the newest 10 of 250 notes.");
}

TEST_CASE("the notes printed are the last ones of the group's full sort, whatever the cap and the order of the rows", "[report][notes]") {
  const auto set = demo_set();
  auto rows = visits_with_notes(300, 5, "mid", 11);
  std::mt19937 random(5);
  for (std::int64_t cap : {std::int64_t{1}, std::int64_t{7}, std::int64_t{8}, std::int64_t{59}, std::int64_t{200}, std::int64_t{299},
                           std::int64_t{300}, std::int64_t{301}}) {
    INFO("cap " << cap);
    ReportOptions options;
    options.max_notes_shown = cap;
    const auto expected = newest_of_full_sort(rows, cap);
    for (int round = 0; round < 3; ++round) {
      std::shuffle(rows.begin(), rows.end(), random);
      const Report any_order = build_report(rows, {set}, {}, options);
      const NoteGroup& g = question(any_order, "not_lower").note_groups.at(0);
      CHECK(g.notes.value == 300);
      CHECK(printed(g) == expected);
      const Report whole = whole_visits_report(rows, set, options, random);
      CHECK(printed(question(whole, "not_lower").note_groups.at(0)) == expected);
    }
  }
  // A cap of 0 prints no note, but still counts them.
  ReportOptions none;
  none.max_notes_shown = 0;
  const Report counted_only = build_report(rows, {set}, {}, none);
  const NoteGroup& g = question(counted_only, "not_lower").note_groups.at(0);
  CHECK(g.texts.empty());
  CHECK(g.notes.value == 300);
  CHECK(g.more_notes == "Showing the newest 0 of 300 notes.");
}

TEST_CASE("a builder fed a visit at a time makes the report build_report() makes, bands and caps included", "[report][notes]") {
  const auto set = demo_set();
  auto rows = sample_rows();
  for (auto& r : visits_with_notes(230, 7, "many", 4)) rows.push_back(r);
  // A visit with two scale answers, the one that places the note given after it.
  rows.push_back(text_row("two-scores", "not_lower", "placed by the later score"));
  rows.push_back(scale_row("two-scores", 10));
  // Notes of visits with no score, and a note that names no visit.
  for (int i = 0; i < 9; ++i) rows.push_back(text_row("no-score" + std::to_string(i), "not_lower", "no score " + std::to_string(i)));
  rows.push_back(text_row("", "not_lower", "no visit"));
  ReportOptions options;
  options.utc_offset = [](std::int64_t) { return std::int64_t{0}; };
  options.all_notes_are_in = "Every note is in answers.csv.";
  const std::string expected = report_page(build_report(rows, {set}, {}, options));
  CHECK(expected.find("Showing the newest 200 of 465 notes. Every note is in answers.csv.") != std::string::npos);
  std::mt19937 random(9);
  for (int round = 0; round < 3; ++round) CHECK(report_page(whole_visits_report(rows, set, options, random)) == expected);

  // As the USB export feeds it: every row but the notes with no visit named,
  // then the visits with notes, whole (each score again, counting for nothing).
  std::vector<QuestionSet> sets = {set};
  ReportBuilder builder(sets, {}, options);
  builder.visits_arrive_whole(true);
  std::map<std::string, std::vector<AnswerRow>> note_visits;
  for (const auto& r : rows)
    if (r.text && !r.text->empty()) note_visits[r.session_id];
  for (const auto& r : rows) {
    const bool note = r.text && !r.text->empty();
    if (!note) {
      AnswerRow counted = r;
      counted.session_id.clear();
      builder.add(counted);
    }
    if (auto it = note_visits.find(r.session_id); it != note_visits.end() && (note || r.score)) {
      AnswerRow again = r;
      if (!note) again.count = 0;
      it->second.push_back(again);
    }
  }
  for (const auto& [visit, visit_rows] : note_visits)
    for (const auto& r : visit_rows) builder.add(r);
  CHECK(report_page(builder.finish()) == expected);
}
