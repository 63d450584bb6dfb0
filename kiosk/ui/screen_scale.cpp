// SCALE: eleven alike buttons, end labels from the question set, Back.
// Right to left (Arabic), the lowest score sits at the right and Back too.
// Read aloud and Larger text share the bar with Back.
// Before a tap no number stands out; the chosen one (when the resident
// comes back to change it) is filled and ringed: a change of shape, not
// only of colour.
#include "ui.h"

namespace tp::ui {

void Ui::draw_scale(const Visit& v) {
  const Question& q = *v.question();
  float cx = m_.display.x * 0.5f;
  float wrap = std::min(m_.display.x - 2 * m_.margin, m_.question_px * 20.0f);
  std::string prompt = v.prompt();
  float prompt_h = text_block(fonts_.question, prompt, cx, m_.margin * 1.5f, wrap, palette_.ink);

  int count = q.max - q.min + 1;
  int per_row = m_.portrait && count > 6 ? (count + 1) / 2 : count;
  int rows = (count + per_row - 1) / per_row;
  float avail = m_.display.x - 2 * m_.margin;
  float side =
      std::min((avail - m_.gap * static_cast<float>(per_row - 1)) / static_cast<float>(per_row), m_.unit * (m_.portrait ? 0.2f : 0.15f));
  side = std::max(side, 48.0f);
  float block_h = side * static_cast<float>(rows) + m_.gap * static_cast<float>(rows - 1) + m_.label_px * 2.2f;
  Rect bar = bottom_bar();
  float area_top = m_.margin * 1.5f + prompt_h + m_.gap * 2;
  float top = area_top + std::max(0.0f, (bar.min.y - area_top - block_h) * 0.45f);

  Rect first{}, last{};
  for (int i = 0; i < count; ++i) {
    int row = i / per_row, col = i % per_row;
    int in_row = std::min(per_row, count - row * per_row);
    float rw = side * static_cast<float>(in_row) + m_.gap * static_cast<float>(in_row - 1);
    float x = cx - rw * 0.5f + static_cast<float>(col) * (side + m_.gap);
    float y = top + static_cast<float>(row) * (side + m_.gap);
    Rect r = across({{x, y}, {x + side, y + side}});  // right to left: the lowest score at the right
    int n = q.min + i;
    bool chosen = v.score() && *v.score() == n;
    if (button("scale." + std::to_string(n), r, std::to_string(n), chosen ? Look::selected : Look::plain, fonts_.number))
      events_.emplace_back(ev::ChooseScore{n});
    if (i == 0) first = r;
    last = r;
  }
  auto label = [&](const Translated& t) {
    auto it = t.find(v.language());
    return it != t.end() ? it->second : std::string();
  };
  float label_y = last.max.y + m_.gap;
  std::string low = label(q.low_label), high = label(q.high_label);
  float low_y = rows > 1 ? first.max.y + m_.gap * 0.5f : label_y;
  if (rows > 1) {
    // Portrait: the low label would sit under the first row; put it above instead so rows stay close.
    low_y = first.min.y - m_.gap * 0.5f - fonts_.label->FontSize;
  }
  // Each end's label under its end of the scale, flush with its outer edge.
  const float low_x = rtl_ ? first.max.x - text_width(fonts_.label, low) : first.min.x;
  const float high_x = rtl_ ? last.min.x : last.max.x - text_width(fonts_.label, high);
  text_at(fonts_.label, low, {low_x, low_y}, palette_.muted);
  text_at(fonts_.label, high, {high_x, label_y}, palette_.muted);

  float bw = std::max(m_.target * 2.2f, text_width(fonts_.button, v.t("back")) + m_.body_px * 2);
  if (button("back", across({{bar.min.x, bar.min.y}, {bar.min.x + bw, bar.max.y}}), v.t("back"), Look::quiet))
    events_.emplace_back(ev::Back{});
  // Read aloud and Larger text at the other end of the bar: with their words where they fit.
  const Words words = words_fitting(v, bar.width() - bw - m_.gap * 2);
  draw_tools(v, bar.max.x - tools_width(v, words), bar.min.y, bar.height(), words);
}

}  // namespace tp::ui
