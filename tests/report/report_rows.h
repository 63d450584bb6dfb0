// Answer rows for the report tests: a few exact ones by hand, and a
// realistic, fixed sample of ten weeks of visits to the demo set.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "report.h"

namespace tp::test {

// Monday 6 January 2025, 00:00 UTC (ISO week 2025-W02).
inline constexpr std::int64_t kMonday = 1736121600;
inline constexpr std::int64_t kHour = 3600;
inline constexpr std::int64_t kDay = 86400;
inline constexpr std::int64_t kWeek = 7 * kDay;

inline report::AnswerRow scale_row(const std::string& session, int score, std::int64_t at = kMonday + 10 * kHour, bool rapid = false) {
  report::AnswerRow r;
  r.set_id = "library-demo";
  r.set_version = 1;
  r.question_id = "library";
  r.session_id = session;
  r.venue = "Central";
  r.language = "en";
  r.score = score;
  r.recorded_at = at;
  r.rapid_repeat = rapid;
  return r;
}

inline report::AnswerRow text_row(const std::string& session, const std::string& question, const std::string& text,
                                  std::int64_t at = kMonday + 10 * kHour, bool rapid = false) {
  report::AnswerRow r = scale_row(session, 0, at, rapid);
  r.question_id = question;
  r.score.reset();
  r.text = text;
  return r;
}

inline report::AnswerRow choice_row(const std::string& session, const std::string& option, std::int64_t at = kMonday + 10 * kHour) {
  report::AnswerRow r = scale_row(session, 0, at);
  r.question_id = "often";
  r.score.reset();
  r.choice = option;
  return r;
}

// Ten weeks of visits to two venues, the same every run (a fixed LCG).
inline std::vector<report::AnswerRow> sample_rows() {
  std::uint64_t state = 20250106;
  auto next = [&](std::uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((state >> 33) % n);
  };
  static const char* kNotLower[] = {"The staff know my name and help with the computers.",
                                    "Quiet space to work, and the Wi-Fi is good.",
                                    "Children's corner is lovely <script>alert('hi')</script>",
                                    "Mae'r staff yn garedig iawn \xE2\x80\x94 diolch!",
                                    "Books arrive quickly when I order them, \"usually\" within a week.",
                                    "It's warm & dry, and I can read the papers."};
  static const char* kOneHigher[] = {"Open later on Thursdays.", "More large-print books.", "A few more chairs by the window.",
                                     "Longer opening on Saturday, please.", "=HYPERLINK(\"http://example.org\")"};
  static const char* kOptions[] = {"first", "weekly", "weekly", "monthly", "rarely"};
  static const int kScores[] = {0, 2, 3, 4, 5, 5, 6, 6, 7, 7, 7, 7, 8, 8, 8, 9, 9, 10};
  std::vector<report::AnswerRow> rows;
  for (int visit = 0; visit < 420; ++visit) {
    const std::string session = "visit-" + std::to_string(visit);
    const std::int64_t at = kMonday + (visit * 10 / 420) * kWeek + next(6) * kDay + (9 + next(9)) * kHour + next(4) * 900;
    const bool rapid = next(40) == 0;
    auto row = scale_row(session, kScores[next(std::size(kScores))], at, rapid);
    row.venue = next(3) == 0 ? "Riverside" : "Central";
    row.language = next(5) == 0 ? "cy" : "en";
    rows.push_back(row);
    const int score = *row.score;
    auto follow = [&](const std::string& question, const std::string& text) {
      auto t = text_row(session, question, text, at, rapid);
      t.venue = row.venue;
      t.language = row.language;
      rows.push_back(t);
    };
    if (next(3) != 0) {
      if (score == 0)
        follow("cope", "Talking to the librarian.");
      else if (score == 10)
        follow("keep_ten", "Everything, really.");
      else
        follow("not_lower", kNotLower[next(std::size(kNotLower))]);
    }
    if (score != 10 && next(2) == 0) follow("one_higher", kOneHigher[next(std::size(kOneHigher))]);
    if (next(4) != 0) {
      auto c = choice_row(session, kOptions[next(std::size(kOptions))], at);
      c.venue = row.venue;
      c.language = row.language;
      c.rapid_repeat = rapid;
      rows.push_back(c);
    }
  }
  // A few small groups, so the report shows "fewer than 5": a quiet week
  // after the ten, and three answers in the evening.
  for (int visit = 0; visit < 6; ++visit) {
    const std::int64_t at = visit < 3 ? kMonday + 10 * kWeek + 2 * kDay + 11 * kHour : kMonday + (visit * 2) * kDay + 19 * kHour;
    rows.push_back(scale_row("small-" + std::to_string(visit), 4 + visit, at));
  }
  return rows;
}

}  // namespace tp::test
