// Charts as inline SVG. All three share one width of viewBox (480 units),
// with text of 13-16 units, so that it still reads at about 10 px on a 340 px
// phone column; rows rather than columns where the count of items varies
// (weeks, hours), so a long period grows the chart downwards, never narrower.
#include "svg.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "html.h"

namespace tp::report {

namespace {

// DESIGN.md's palette.
constexpr const char* kInk = "#1E2430";
constexpr const char* kMutedInk = "#5A6170";
constexpr const char* kAccent = "#0B6E69";
constexpr const char* kQuietLine = "#D9D5CC";
constexpr const char* kPaper = "#F6F4EF";
constexpr const char* kFonts = "'Noto Sans', 'DejaVu Sans', sans-serif";

constexpr double kWidth = 480;

// Coordinates with at most one decimal, the same on every machine.
std::string num(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, std::round(v * 10) / 10, std::chars_format::fixed, 1);
  std::string s(buf, r.ptr);
  if (s.ends_with(".0")) s.resize(s.size() - 2);
  return s == "-0" ? "0" : s;
}

class Svg {
 public:
  Svg(double height, std::string_view title, std::string_view desc) {
    out_ += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tp-chart\" role=\"img\" viewBox=\"0 0 " + num(kWidth) + " " + num(height) +
            "\" font-family=\"" + escape(kFonts) + "\" font-size=\"15\" fill=\"" + kInk + "\">";
    out_ += "<title>" + escape(title) + "</title><desc>" + escape(desc) + "</desc>";
  }
  void text(double x, double y, std::string_view words, std::string_view anchor = "start", int size = 15, const char* colour = kInk,
            std::string_view extra = "") {
    out_ += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"";
    if (anchor != "start") out_ += " text-anchor=\"" + std::string(anchor) + "\"";
    if (size != 15) out_ += " font-size=\"" + std::to_string(size) + "\"";
    if (colour != kInk) out_ += std::string(" fill=\"") + colour + "\"";
    if (!extra.empty()) out_ += " " + std::string(extra);
    out_ += ">" + escape(words) + "</text>";
  }
  void rect(double x, double y, double w, double h, const char* fill, std::string_view extra = "") {
    out_ += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) + "\" fill=\"" + fill + "\"";
    if (!extra.empty()) out_ += " " + std::string(extra);
    out_ += "/>";
  }
  // A group too small to show: a dashed outline, readable without colour.
  void withheld(double x, double y, double w, double h) {
    rect(x, y, w, h, kPaper, std::string("stroke=\"") + kMutedInk + "\" stroke-width=\"1\" stroke-dasharray=\"4 3\"");
  }
  void line(double x1, double y1, double x2, double y2, const char* colour, double width, std::string_view extra = "") {
    out_ += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) + "\" stroke=\"" + colour +
            "\" stroke-width=\"" + num(width) + "\"";
    if (!extra.empty()) out_ += " " + std::string(extra);
    out_ += "/>";
  }
  void circle(double cx, double cy, double r) {
    out_ += "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"" + num(r) + "\" fill=\"" + kAccent + "\" stroke=\"" + kInk +
            "\" stroke-width=\"1\"/>";
  }
  std::string done() { return out_ + "</svg>"; }

 private:
  std::string out_;
};

// Rough width of text in Noto Sans, to keep labels apart (no font metrics here).
double text_width(std::string_view s, double size) { return 0.56 * size * static_cast<double>(s.size()); }

std::string answers_words(const ShownCount& c) {
  if (c.hidden()) return kFewerThanMinimum;
  return format_count(*c.value) + (*c.value == 1 ? " answer" : " answers");
}

bool nothing_to_show(const QuestionReport& q) { return q.answers.hidden() || q.answers.is_zero(); }

}  // namespace

std::string svg_distribution_chart(const QuestionReport& q) {
  if (q.type != QuestionType::scale || nothing_to_show(q) || q.distribution.empty()) return {};
  constexpr double kSide = 8, kTop = 34, kPlot = 150, kBase = kTop + kPlot;
  std::int64_t highest = 1;
  for (const auto& d : q.distribution)
    if (d.answers.value) highest = std::max(highest, *d.answers.value);

  // End labels under the two ends, on two lines when they would meet.
  const bool two_lines = text_width(q.low_label, 15) + text_width(q.high_label, 15) + 16 > kWidth - 2 * kSide;
  const double label_y = kBase + 66;
  const double height = label_y + (two_lines ? 20 : 0) + 10;

  std::string desc = "Answers for each score from " + std::to_string(q.score_min) + " to " + std::to_string(q.score_max) + ". ";
  for (const auto& d : q.distribution) desc += "Score " + std::to_string(d.score) + ": " + answers_words(d.answers) + ". ";
  if (q.median_score) desc += "Median " + format_median(*q.median_score) + ".";
  Svg svg(height, "Answers by score", desc);

  const double slot = (kWidth - 2 * kSide) / static_cast<double>(q.distribution.size());
  const double bar = slot * 0.64;
  for (std::size_t i = 0; i < q.distribution.size(); ++i) {
    const ScoreCount& d = q.distribution[i];
    const double mid = kSide + slot * (static_cast<double>(i) + 0.5);
    if (d.answers.hidden()) {
      svg.withheld(mid - bar / 2, kTop, bar, kPlot);
      svg.text(0, 0, kFewerThanMinimum, "middle", 14, kMutedInk,
               "transform=\"translate(" + num(mid + 5) + " " + num(kTop + kPlot / 2) + ") rotate(-90)\"");
    } else if (d.answers.is_zero()) {
      svg.text(mid, kBase - 6, "0", "middle", 15, kMutedInk);
    } else {
      const double h = std::max(2.0, kPlot * static_cast<double>(*d.answers.value) / static_cast<double>(highest));
      svg.rect(mid - bar / 2, kBase - h, bar, h, d.median ? kAccent : kMutedInk);
      svg.text(mid, kBase - h - 6, format_count(*d.answers.value), "middle");
    }
    svg.text(mid, kBase + 22, std::to_string(d.score), "middle", 16, kInk, d.median ? "font-weight=\"700\"" : "");
    if (d.median) svg.text(mid, kBase + 40, "median", "middle", 13, kAccent, "font-weight=\"700\"");
  }
  svg.line(kSide, kBase, kWidth - kSide, kBase, kMutedInk, 1);
  if (!q.low_label.empty()) svg.text(kSide, label_y, q.low_label, "start", 15, kMutedInk);
  if (!q.high_label.empty()) svg.text(kWidth - kSide, label_y + (two_lines ? 20 : 0), q.high_label, "end", 15, kMutedInk);
  return svg.done();
}

std::string svg_weekly_chart(const QuestionReport& q) {
  if (q.type != QuestionType::scale || nothing_to_show(q) || q.weeks.empty()) return {};
  constexpr double kLabelX = 8, kPlotLeft = 124, kPlotRight = 392, kCountX = 472, kRowsTop = 58, kRow = 30;
  const double span = std::max(1, q.score_max - q.score_min);
  auto x_of = [&](double score) { return kPlotLeft + (kPlotRight - kPlotLeft) * (score - q.score_min) / span; };
  const double height = kRowsTop + kRow * static_cast<double>(q.weeks.size()) + 8;

  std::string desc = "Mean score and answers for each week, from the week of " + q.weeks.front().week.monday() + ". ";
  for (const auto& w : q.weeks) {
    desc += "Week of " + w.week.monday() + ": " + answers_words(w.answers);
    if (w.mean_score) desc += ", mean " + format_mean(*w.mean_score);
    desc += ". ";
  }
  Svg svg(height, "Mean score by week", desc);

  svg.text(kLabelX, 18, "Week of", "start", 14, kMutedInk);
  svg.text((kPlotLeft + kPlotRight) / 2, 18, "Mean score", "middle", 14, kMutedInk);
  svg.text(kCountX, 18, "Answers", "end", 14, kMutedInk);
  for (int s = q.score_min; s <= q.score_max; ++s) {
    svg.text(x_of(s), 44, std::to_string(s), "middle", 14, kMutedInk);
    svg.line(x_of(s), 50, x_of(s), height - 6, kQuietLine, 1);
  }
  // Lines first, so the dots sit on top; a week without a mean is a gap.
  for (std::size_t i = 0; i + 1 < q.weeks.size(); ++i) {
    if (!q.weeks[i].mean_score || !q.weeks[i + 1].mean_score) continue;
    const double y1 = kRowsTop + kRow * (static_cast<double>(i) + 0.5);
    svg.line(x_of(*q.weeks[i].mean_score), y1, x_of(*q.weeks[i + 1].mean_score), y1 + kRow, kAccent, 2);
  }
  for (std::size_t i = 0; i < q.weeks.size(); ++i) {
    const WeekFigures& w = q.weeks[i];
    const double cy = kRowsTop + kRow * (static_cast<double>(i) + 0.5);
    svg.text(kLabelX, cy + 5, w.week.monday());
    if (w.answers.hidden()) {
      svg.withheld(kPlotLeft, cy - 11, kPlotRight - kPlotLeft, 22);
      svg.text((kPlotLeft + kPlotRight) / 2, cy + 5, kFewerThanMinimum, "middle", 14, kMutedInk);
      continue;
    }
    svg.text(kCountX, cy + 5, format_count(*w.answers.value), "end");
    if (w.answers.is_zero()) {
      svg.text((kPlotLeft + kPlotRight) / 2, cy + 5, "no answers", "middle", 14, kMutedInk);
    } else if (w.mean_score) {
      const double cx = x_of(*w.mean_score);
      svg.circle(cx, cy, 5);
      const bool right = cx < kPlotRight - 34;
      svg.text(right ? cx + 9 : cx - 9, cy - 6, format_mean(*w.mean_score), right ? "start" : "end", 14, kInk, "font-weight=\"700\"");
    }
  }
  return svg.done();
}

HourSpan hours_with_answers(const QuestionReport& q) {
  HourSpan span{24, -1};
  for (const auto& h : q.hours) {
    if (h.answers.is_zero()) continue;
    span.first = std::min(span.first, h.hour);
    span.last = std::max(span.last, h.hour);
  }
  return span;
}

std::string svg_hourly_chart(const QuestionReport& q) {
  const HourSpan span = hours_with_answers(q);
  if (nothing_to_show(q) || span.empty()) return {};
  constexpr double kLabelX = 8, kBarLeft = 64, kBarRight = 400, kRowsTop = 32, kRow = 26;
  const int rows = span.last - span.first + 1;
  const double height = kRowsTop + kRow * rows + 8;
  std::int64_t highest = 1;
  for (const auto& h : q.hours)
    if (h.answers.value) highest = std::max(highest, *h.answers.value);

  auto hour_label = [](int h) { return std::string(h < 10 ? "0" : "") + std::to_string(h) + ":00"; };
  std::string desc = "Answers for each hour of the day, from " + hour_label(span.first) + " to " + hour_label(span.last) +
                     "; no answers outside these hours. ";
  for (int h = span.first; h <= span.last; ++h) desc += hour_label(h) + ": " + answers_words(q.hours[h].answers) + ". ";
  Svg svg(height, "Answers by hour of the day", desc);

  svg.text(kLabelX, 18, "Hour", "start", 14, kMutedInk);
  svg.text(kBarLeft, 18, "Answers", "start", 14, kMutedInk);
  for (int h = span.first; h <= span.last; ++h) {
    const ShownCount& c = q.hours[h].answers;
    const double cy = kRowsTop + kRow * (h - span.first + 0.5);
    svg.text(kLabelX, cy + 5, hour_label(h));
    if (c.hidden()) {
      svg.withheld(kBarLeft, cy - 10, kBarRight - kBarLeft, 20);
      svg.text(kBarLeft + 8, cy + 5, kFewerThanMinimum, "start", 14, kMutedInk);
    } else if (c.is_zero()) {
      svg.text(kBarLeft + 4, cy + 5, "0", "start", 15, kMutedInk);
    } else {
      const double w = std::max(2.0, (kBarRight - kBarLeft) * static_cast<double>(*c.value) / static_cast<double>(highest));
      svg.rect(kBarLeft, cy - 8, w, 16, kMutedInk);
      svg.text(kBarLeft + w + 6, cy + 5, format_count(*c.value));
    }
  }
  svg.line(kBarLeft, kRowsTop - 2, kBarLeft, height - 6, kMutedInk, 1);
  return svg.done();
}

}  // namespace tp::report
