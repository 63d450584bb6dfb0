// The two screens on which the kiosk takes no answers:
//   OUT_OF_SERVICE: storage cannot take answers; say so kindly, keep trying.
//   CLOSED: outside opening hours; dark, so that the panel can sleep, with a
//   short word on when to come back after a tap.
#include <algorithm>

#include "text.h"
#include "ui.h"

namespace tp::ui {

namespace {

// Closed, the window is black (Ui::draw); the notice is a soft light ink on
// it (about 15:1), the same in both themes.
constexpr ImU32 kNightInk = IM_COL32(0xE6, 0xE1, 0xD6, 255);

constexpr const char* kWeekdayKeys[7] = {"weekday_sun", "weekday_mon", "weekday_tue", "weekday_wed",
                                         "weekday_thu", "weekday_fri", "weekday_sat"};

}  // namespace

void Ui::draw_out_of_service(const Visit& v) {
  dl_->AddRectFilled({0, 0}, m_.display, palette_.warning_bg);
  float cx = m_.display.x * 0.5f;
  float wrap = std::min(m_.display.x - 2 * m_.margin, m_.question_px * 18.0f);
  float y = m_.display.y * 0.32f;
  y += text_block(fonts_.question, v.t("oos_title"), cx, y, wrap, palette_.warning_ink) + m_.gap * 2;
  text_block(fonts_.body, v.t("oos_body"), cx, y, wrap, palette_.ink);
}

void Ui::draw_closed(const Visit& v, TimePoint now) {
  if (v.closed_notice_shown(now)) {
    // Nobody has chosen a language yet: the notice speaks each of the set's
    // languages that the kiosk has words for, one under the other.
    const Strings& words = v.strings();
    std::vector<std::string> codes;
    for (const auto& l : v.question_set().languages)
      if (words.has_language(l.code) && std::find(codes.begin(), codes.end(), l.code) == codes.end()) codes.push_back(l.code);
    if (codes.empty()) codes.push_back(v.question_set().default_language);

    const auto& reopens = v.reopens();
    auto when = [&](const std::string& code) -> std::string {
      if (!reopens) return "";
      std::string time = clock_text(reopens->minute);
      if (reopens->days_ahead == 0) return fill(words.get(code, "closed_reopens_today"), {{"time", time}});
      if (reopens->days_ahead == 1) return fill(words.get(code, "closed_reopens_tomorrow"), {{"time", time}});
      return fill(words.get(code, "closed_reopens_on"), {{"day", words.get(code, kWeekdayKeys[reopens->weekday % 7])}, {"time", time}});
    };

    // As large as fits: the question face in one column, else smaller faces,
    // else the languages side by side in two or three columns.
    struct Layout {
      ImFont *title, *line;
      int columns;
    };
    const Layout layouts[] = {{fonts_.question, fonts_.body, 1},
                              {fonts_.button, fonts_.label, 1},
                              {fonts_.button, fonts_.label, 2},
                              {fonts_.label, fonts_.label, 2},
                              {fonts_.label, fonts_.label, 3}};
    const float room = m_.display.y - 2 * m_.margin;
    Layout chosen = layouts[0];
    float column_w = 0, block = 0;
    for (const Layout& l : layouts) {
      chosen = l;
      column_w = (m_.display.x - static_cast<float>(l.columns + 1) * m_.margin) / static_cast<float>(l.columns);
      column_w = std::min(column_w, m_.question_px * 18.0f);
      const std::size_t per_column = (codes.size() + static_cast<std::size_t>(l.columns) - 1) / static_cast<std::size_t>(l.columns);
      block = 0;
      for (std::size_t c = 0; c < static_cast<std::size_t>(l.columns); ++c) {
        float h = 0;
        for (std::size_t i = c * per_column; i < std::min(codes.size(), (c + 1) * per_column); ++i)
          h += measure_block(l.title, words.get(codes[i], "closed_title"), column_w) + m_.gap +
               measure_block(l.line, when(codes[i]), column_w) + m_.gap * 3;
        block = std::max(block, h - m_.gap * 3);
      }
      if (block <= room) break;
    }
    const std::size_t per_column = (codes.size() + static_cast<std::size_t>(chosen.columns) - 1) / static_cast<std::size_t>(chosen.columns);
    const float top = std::max(m_.margin, (m_.display.y - block) * 0.5f);
    for (std::size_t c = 0; c < static_cast<std::size_t>(chosen.columns); ++c) {
      const float cx = m_.display.x * (static_cast<float>(2 * c + 1) / static_cast<float>(2 * chosen.columns));
      float y = top;
      for (std::size_t i = c * per_column; i < std::min(codes.size(), (c + 1) * per_column); ++i) {
        y += text_block(chosen.title, words.get(codes[i], "closed_title"), cx, y, column_w, kNightInk) + m_.gap;
        y += text_block(chosen.line, when(codes[i]), cx, y, column_w, kNightInk) + m_.gap * 3;
      }
    }
  }
  if (tapped_outside_targets()) events_.emplace_back(ev::Tap{});
}

}  // namespace tp::ui
