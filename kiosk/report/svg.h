// Charts as inline SVG text: no scripts, no external references, no ids (so
// any number of them can sit in one page), scaled to the container's width
// by their viewBox. Each has role="img", a <title> and a <desc> that reads
// out every number, and visible text for every axis value. Colour never
// carries meaning alone: the median bar is also labelled "median", and a
// hidden group is a dashed outline with the words "fewer than 5".
//
// Each chart draws only what build_report() gave it, so it obeys the
// anonymity rules by construction. Each returns an empty string when there
// is nothing to draw (no answers, or fewer than 5 in all).
#pragma once
#include <string>

#include "report.h"

namespace tp::report {

// Eleven bars (or the question's own range), counts written on the bars,
// the set's end labels under the two ends. Scale questions only.
std::string svg_distribution_chart(const QuestionReport& question);
// One row per ISO week: the mean score as a dot on the 0-10 axis, joined to
// the next week's, and the week's count. Scale questions only.
std::string svg_weekly_chart(const QuestionReport& question);
// One row per hour of the day with answers (empty hours before the first and
// after the last are left out), a bar and its count.
std::string svg_hourly_chart(const QuestionReport& question);

// The hours svg_hourly_chart() and its table show: [first, last], or
// nothing when no hour has answers.
struct HourSpan {
  int first = 0, last = -1;
  bool empty() const { return last < first; }
};
HourSpan hours_with_answers(const QuestionReport& question);

}  // namespace tp::report
