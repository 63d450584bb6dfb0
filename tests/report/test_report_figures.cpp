// The figures of a report and the anonymity rules at their exact edges.
#include <catch2/catch.hpp>

#include "report.h"
#include "report/report_rows.h"
#include "support.h"
#include "svg.h"

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

std::vector<AnswerRow> scores(std::initializer_list<std::pair<int, int>> score_times_count, std::int64_t at = kMonday + 10 * kHour) {
  std::vector<AnswerRow> rows;
  int session = 0;
  for (auto [score, count] : score_times_count)
    for (int i = 0; i < count; ++i) rows.push_back(scale_row("s" + std::to_string(session++), score, at));
  return rows;
}

}  // namespace

TEST_CASE("count, median, mean and distribution of known scores", "[report]") {
  const auto set = demo_set();
  Report r = build_report(scores({{3, 5}, {7, 6}, {9, 5}}), {set}, {});
  const QuestionReport& q = question(r, "library");
  CHECK(q.answers.value == 16);
  REQUIRE(q.median_score);
  CHECK(*q.median_score == 7);
  REQUIRE(q.mean_score);
  CHECK(*q.mean_score == Approx(102.0 / 16));
  CHECK(format_mean(*q.mean_score) == "6.4");
  CHECK(q.prompt == "On 0 to 10, how well is your local library working for you?");
  CHECK(q.low_label == "Not at all");
  REQUIRE(q.distribution.size() == 11);
  for (const auto& d : q.distribution) {
    INFO("score " << d.score);
    const std::int64_t expected = d.score == 3 ? 5 : d.score == 7 ? 6 : d.score == 9 ? 5 : 0;
    CHECK(d.answers.value == expected);
    CHECK(d.median == (d.score == 7));
  }
  CHECK(q.set_versions == std::vector<int>{1});

  // An even count: the median lies halfway, and both bars beside it are marked.
  Report even = build_report(scores({{2, 5}, {3, 5}}), {set}, {});
  const QuestionReport& e = question(even, "library");
  CHECK(format_median(*e.median_score) == "2.5");
  CHECK(format_mean(*e.mean_score) == "2.5");
  CHECK(e.distribution[2].median);
  CHECK(e.distribution[3].median);
  CHECK_FALSE(e.distribution[4].median);
  CHECK(format_count(1234567) == "1,234,567");
}

TEST_CASE("the filter keeps a venue, a question and a date range", "[report]") {
  auto rows = scores({{5, 6}});
  for (auto& r : scores({{8, 7}}, kMonday + kWeek)) {
    r.session_id += "-later";
    r.venue = "Riverside";
    rows.push_back(r);
  }
  const auto set = demo_set();
  CHECK(question(build_report(rows, {set}, {}), "library").answers.value == 13);
  ReportFilter venue;
  venue.venue = "Riverside";
  CHECK(question(build_report(rows, {set}, venue), "library").answers.value == 7);
  ReportFilter week;
  week.from = kMonday;
  week.until = kMonday + kWeek;
  Report r = build_report(rows, {set}, week);
  CHECK(question(r, "library").answers.value == 6);
  CHECK(r.from_date == "6 Jan 2025");
  CHECK(r.to_date == "12 Jan 2025");
  ReportFilter one;
  one.question_id = "library";
  CHECK(build_report(rows, {set}, one).questions.size() == 1);
  // Every question of the set is reported, answered or not.
  CHECK(build_report(rows, {set}, {}).questions.size() == set.questions.size());
}

TEST_CASE("a group of 4 shows no numbers, a group of 5 shows them", "[report][anonymity]") {
  const auto set = demo_set();
  {
    Report r = build_report(scores({{6, 4}}), {set}, {});
    const QuestionReport& q = question(r, "library");
    CHECK(q.answers.hidden());
    CHECK(format_shown(q.answers) == "fewer than 5");
    CHECK_FALSE(q.median_score);
    CHECK_FALSE(q.mean_score);
    CHECK(q.distribution[6].answers.hidden());
    CHECK_FALSE(q.distribution[6].median);
    for (const auto& w : q.weeks) CHECK_FALSE(w.mean_score);
    CHECK(svg_distribution_chart(q).empty());
    CHECK(svg_weekly_chart(q).empty());
    CHECK(svg_hourly_chart(q).empty());
  }
  {
    Report r = build_report(scores({{6, 5}}), {set}, {});
    const QuestionReport& q = question(r, "library");
    CHECK(q.answers.value == 5);
    CHECK(q.median_score == 6);
    CHECK(q.distribution[6].answers.value == 5);
    CHECK(q.distribution[6].median);
    CHECK_FALSE(svg_distribution_chart(q).empty());
  }
}

TEST_CASE("a bar, a week and an hour of 4 show no numbers; of 5 they do", "[report][anonymity]") {
  const auto set = demo_set();
  // Week 1: five at 10:00 scoring 8. Week 2: four at 14:00 scoring 2.
  auto rows = scores({{8, 5}});
  for (auto& r : scores({{2, 4}}, kMonday + kWeek + 14 * kHour)) {
    r.session_id += "-w2";
    rows.push_back(r);
  }
  Report r = build_report(rows, {set}, {});
  const QuestionReport& q = question(r, "library");
  CHECK(q.answers.value == 9);
  CHECK(q.distribution[8].answers.value == 5);
  CHECK(q.distribution[2].answers.hidden());
  CHECK(q.distribution[5].answers.value == 0);  // none: nobody to recognise

  REQUIRE(q.weeks.size() == 2);
  CHECK(q.weeks[0].week.code() == "2025-W02");
  CHECK(q.weeks[0].week.monday() == "6 Jan 2025");
  CHECK(q.weeks[0].answers.value == 5);
  CHECK(q.weeks[0].mean_score == 8);
  CHECK(q.weeks[1].week.code() == "2025-W03");
  CHECK(q.weeks[1].answers.hidden());
  CHECK_FALSE(q.weeks[1].mean_score);

  REQUIRE(q.hours.size() == 24);
  CHECK(q.hours[10].answers.value == 5);
  CHECK(q.hours[14].answers.hidden());
  CHECK(q.hours[12].answers.value == 0);

  // The charts say "fewer than 5" where the tables do, and draw no bar there.
  const std::string hours = svg_hourly_chart(q);
  CHECK(hours.find("fewer than 5") != std::string::npos);
  CHECK(hours.find(">4<") == std::string::npos);
  const std::string weeks = svg_weekly_chart(q);
  CHECK(weeks.find("fewer than 5") != std::string::npos);
  CHECK(weeks.find("2.0") == std::string::npos);  // the hidden week's mean
  const std::string bars = svg_distribution_chart(q);
  CHECK(bars.find("fewer than 5") != std::string::npos);
  CHECK(bars.find("text-anchor=\"middle\">5<") != std::string::npos);  // the count on bar 8
  CHECK(bars.find("text-anchor=\"middle\">4<") == std::string::npos);  // none on bar 2
  CHECK(bars.find("Score 2: fewer than 5.") != std::string::npos);     // its <desc>
}

TEST_CASE("choice options of 4 are hidden, of 5 shown; unknown options kept", "[report][anonymity]") {
  std::vector<AnswerRow> rows;
  for (int i = 0; i < 5; ++i) rows.push_back(choice_row("w" + std::to_string(i), "weekly"));
  for (int i = 0; i < 4; ++i) rows.push_back(choice_row("m" + std::to_string(i), "monthly"));
  rows.push_back(choice_row("x", "daily"));
  Report r = build_report(rows, {demo_set()}, {});
  const QuestionReport& q = question(r, "often");
  CHECK(q.answers.value == 10);
  REQUIRE(q.options.size() == 5);
  CHECK(q.options[0].id == "first");
  CHECK(q.options[0].answers.value == 0);
  CHECK(q.options[1].label == "Every week");
  CHECK(q.options[1].answers.value == 5);
  CHECK(q.options[2].answers.hidden());
  CHECK(q.options[4].id == "daily");
  CHECK(q.options[4].answers.hidden());
}

TEST_CASE("score bands come from the follow-up rules, else 0-3, 4-6, 7-10", "[report]") {
  const auto set = demo_set();
  CHECK(score_bands(*set.find("library")) == std::vector<ScoreBand>{{0, 0}, {1, 9}, {10, 10}});
  Question plain;
  plain.min = 0;
  plain.max = 10;
  CHECK(score_bands(plain) == std::vector<ScoreBand>{{0, 3}, {4, 6}, {7, 10}});
  plain.min = 1;
  plain.max = 5;
  CHECK(score_bands(plain) == std::vector<ScoreBand>{{1, 3}, {4, 5}});
  Question middle;
  middle.next = {{4, 6, "why"}, {std::nullopt, std::nullopt, "end"}};
  CHECK(score_bands(middle) == std::vector<ScoreBand>{{0, 3}, {4, 6}, {7, 10}});
  CHECK(band_label({1, 9}) ==
        "1\xE2\x80\x93"
        "9");
  CHECK(band_label({10, 10}) == "10");
}

TEST_CASE("notes show from a group of 8, not 7, grouped by the visit's score band", "[report][anonymity]") {
  const auto set = demo_set();
  auto visits = [](int count, int score, const std::string& prefix) {
    std::vector<AnswerRow> rows;
    for (int i = 0; i < count; ++i) {
      const std::string s = prefix + std::to_string(i);
      rows.push_back(scale_row(s, score));
      rows.push_back(text_row(s, "one_higher", "note " + prefix + std::to_string(i)));
    }
    return rows;
  };
  auto rows = visits(8, 5, "mid");
  for (auto& r : visits(7, 0, "zero")) rows.push_back(r);
  // A note whose visit has no score at all.
  rows.push_back(text_row("lonely", "one_higher", "no score here"));

  Report r = build_report(rows, {set}, {});
  const QuestionReport& q = question(r, "one_higher");
  CHECK(q.answers.value == 16);
  REQUIRE(q.note_groups.size() == 3);
  CHECK(q.note_groups[0].band == ScoreBand{0, 0});
  CHECK(q.note_groups[0].label == "After a score of 0");
  CHECK(q.note_groups[0].notes.value == 7);
  CHECK_FALSE(q.note_groups[0].shown);
  CHECK(q.note_groups[0].texts.empty());
  CHECK(q.note_groups[1].band == ScoreBand{1, 9});
  CHECK(q.note_groups[1].notes.value == 8);
  CHECK(q.note_groups[1].shown);
  REQUIRE(q.note_groups[1].texts.size() == 8);
  CHECK(q.note_groups[1].texts[0].text == "note mid0");
  CHECK(q.note_groups[1].texts[0].week.code() == "2025-W02");
  CHECK_FALSE(q.note_groups[2].band);
  CHECK(q.note_groups[2].notes.hidden());
  CHECK_FALSE(q.note_groups[2].shown);

  // A filter on the question alone still finds each note's visit score.
  ReportFilter only;
  only.question_id = "one_higher";
  CHECK(build_report(rows, {set}, only).questions.at(0).note_groups.size() == 3);
}

TEST_CASE("rapid repeats are counted apart and never mixed into the figures", "[report]") {
  auto rows = scores({{5, 6}});
  for (int i = 0; i < 5; ++i) {
    rows.push_back(scale_row("rapid" + std::to_string(i), 10, kMonday + 10 * kHour, true));
    rows.push_back(text_row("rapid" + std::to_string(i), "keep_ten", "again", kMonday + 10 * kHour, true));
  }
  for (int i = 0; i < 8; ++i) {
    rows.push_back(scale_row("ten" + std::to_string(i), 10));
    rows.push_back(text_row("ten" + std::to_string(i), "keep_ten", "fine"));
  }
  Report r = build_report(rows, {demo_set()}, {});
  const QuestionReport& q = question(r, "library");
  CHECK(q.answers.value == 14);
  CHECK(q.distribution[10].answers.value == 8);
  CHECK(q.hours[10].answers.value == 14);
  CHECK(q.rapid_repeats.answers.value == 5);
  CHECK(q.rapid_repeats.median_score == 10);
  const QuestionReport& notes = question(r, "keep_ten");
  CHECK(notes.answers.value == 8);
  CHECK(notes.rapid_repeats.answers.value == 5);
  REQUIRE(notes.note_groups.size() == 1);
  CHECK(notes.note_groups[0].notes.value == 8);
  for (const auto& n : notes.note_groups[0].texts) CHECK(n.text == "fine");

  // Four rapid repeats: the words, not the number.
  rows.pop_back();
  rows.pop_back();
  auto fewer = rows;
  fewer.erase(std::remove_if(fewer.begin(), fewer.end(), [](const AnswerRow& a) { return a.session_id == "rapid0"; }), fewer.end());
  CHECK(question(build_report(fewer, {demo_set()}, {}), "library").rapid_repeats.answers.hidden());
  CHECK_FALSE(question(build_report(fewer, {demo_set()}, {}), "library").rapid_repeats.median_score);
}

TEST_CASE("local time from the caller's offset decides the hour and the week", "[report]") {
  // Sunday 23:30 UTC is Monday 00:30 an hour east.
  auto rows = scores({{7, 5}}, kMonday - 30 * 60);
  ReportOptions utc;
  ReportOptions east;
  east.utc_offset = [](std::int64_t) { return std::int64_t{3600}; };
  east.time_zone_name = "UTC+1";
  const QuestionReport a = question(build_report(rows, {demo_set()}, {}, utc), "library");
  const QuestionReport b = question(build_report(rows, {demo_set()}, {}, east), "library");
  CHECK(a.hours[23].answers.value == 5);
  CHECK(a.weeks.at(0).week.code() == "2025-W01");
  CHECK(b.hours[0].answers.value == 5);
  CHECK(b.weeks.at(0).week.code() == "2025-W02");
}

TEST_CASE("ISO weeks at the turn of the year", "[report]") {
  // Monday 29 Dec 2025 begins 2026-W01; Friday 1 Jan 2021 is in 2020-W53.
  auto at = [](std::int64_t unix) { return scores({{5, 5}}, unix); };
  CHECK(question(build_report(at(1766966400), {demo_set()}, {}), "library").weeks.at(0).week.code() == "2026-W01");
  CHECK(question(build_report(at(1609459200), {demo_set()}, {}), "library").weeks.at(0).week.code() == "2020-W53");
  CHECK(question(build_report(at(1609459200), {demo_set()}, {}), "library").weeks.at(0).week.monday() == "28 Dec 2020");
}

TEST_CASE("answers to a question no set describes are still reported", "[report]") {
  auto rows = scores({{4, 5}});
  for (auto& r : rows) {
    r.set_id = "old-set";
    r.question_id = "gone";
  }
  Report r = build_report(rows, {demo_set()}, {});
  const QuestionReport& q = question(r, "gone");
  CHECK(q.type == QuestionType::scale);
  CHECK(q.prompt == "gone");
  CHECK(q.answers.value == 5);
  CHECK(r.questions.back().question_id == "gone");
}
