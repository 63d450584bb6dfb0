// CHOICE: one question, a few large options, Skip and Back; Read aloud
// and Larger text between those two.
#include "ui.h"

namespace tp::ui {

void Ui::draw_choice(const Visit& v) {
  const Question& q = *v.question();
  float cx = m_.display.x * 0.5f;
  float wrap = std::min(m_.display.x - 2 * m_.margin, m_.question_px * 20.0f);
  float prompt_h = text_block(fonts_.question, v.prompt(), cx, m_.margin * 1.5f, wrap, palette_.ink);

  Rect bar = bottom_bar();
  float bw = std::max(m_.target * 2.2f, text_width(fonts_.button, v.t("skip")) + m_.body_px * 2);
  // Read aloud and Larger text between Back and Skip, with their words where
  // they fit; else on a row of their own above the bar.
  const float room = bar.width() - 2 * bw - m_.gap * 4;
  const bool tools_in_bar = tools_width(v, Words::none) <= room;
  const Words tool_words = words_fitting(v, tools_in_bar ? room : bar.width());
  const float tools_top = tools_in_bar ? bar.min.y : bar.min.y - m_.gap * 2 - m_.target;
  std::size_t n = q.options.size();
  int columns = (!m_.portrait && n > 3) ? 2 : 1;
  float top = m_.margin * 1.5f + prompt_h + m_.gap * 3;
  float avail_h = tools_top - m_.gap * 2 - top;
  std::size_t rows = 0;
  float h = 0;
  // One more column while the options would be shorter than a target (many options, or large text).
  for (;; ++columns) {
    rows = (n + static_cast<std::size_t>(columns) - 1) / static_cast<std::size_t>(columns);
    h = std::min(m_.target * 1.2f, (avail_h - m_.gap * static_cast<float>(rows - 1)) / static_cast<float>(rows));
    if (h >= 48.0f || rows == 1 || columns >= 3) break;
  }
  float w =
      std::min((m_.display.x - 2 * m_.margin - m_.gap * static_cast<float>(columns - 1)) / static_cast<float>(columns), m_.unit * 1.1f);
  float total_w = w * static_cast<float>(columns) + m_.gap * static_cast<float>(columns - 1);
  float total_h = h * static_cast<float>(rows) + m_.gap * static_cast<float>(rows - 1);
  top += std::max(0.0f, (avail_h - total_h) * 0.4f);
  for (std::size_t i = 0; i < n; ++i) {
    const Option& o = q.options[i];
    float x = cx - total_w * 0.5f + static_cast<float>(i % static_cast<std::size_t>(columns)) * (w + m_.gap);
    float y = top + static_cast<float>(i / static_cast<std::size_t>(columns)) * (h + m_.gap);
    auto it = o.label.find(v.language());
    if (button("option." + o.id, across({{x, y}, {x + w, y + h}}), it != o.label.end() ? it->second : o.id, Look::plain))
      events_.emplace_back(ev::ChooseOption{o.id});
  }

  if (button("back", across({{bar.min.x, bar.min.y}, {bar.min.x + bw, bar.max.y}}), v.t("back"), Look::quiet))
    events_.emplace_back(ev::Back{});
  if (button("skip", across({{bar.max.x - bw, bar.min.y}, {bar.max.x, bar.max.y}}), v.t("skip"), Look::plain))
    events_.emplace_back(ev::Skip{});
  draw_tools(v, bar.center().x - tools_width(v, tool_words) * 0.5f, tools_top, tools_in_bar ? bar.height() : m_.target, tool_words);
}

}  // namespace tp::ui
