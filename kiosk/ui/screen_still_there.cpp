// STILL_THERE: after a quiet spell, ask before wiping the screen.
#include "text.h"
#include "ui.h"

namespace tp::ui {

void Ui::draw_still_there(const Visit& v, TimePoint now) {
  float cx = m_.display.x * 0.5f;
  float w = std::min(m_.display.x - 2 * m_.margin, m_.unit * 1.2f);
  float h = std::min(m_.display.y - 2 * m_.margin, m_.unit * 0.62f);
  Rect c{{cx - w * 0.5f, (m_.display.y - h) * 0.5f}, {cx + w * 0.5f, (m_.display.y + h) * 0.5f}};
  card(c, palette_.warning_bg, palette_.warning_ink);
  float wrap = w - m_.margin * 2;
  float y = c.min.y + m_.margin;
  y += text_block(fonts_.question, v.t("still_title"), cx, y, wrap, palette_.warning_ink) + m_.gap;
  std::string body = fill(v.t("still_body"), {{"seconds", std::to_string(v.still_there_seconds_left(now))}});
  text_block(fonts_.body, body, cx, y, wrap, palette_.ink);
  float bw = std::min(wrap, std::max(m_.target * 4.0f, text_width(fonts_.button, v.t("still_button")) + m_.body_px * 3));
  Rect b{{cx - bw * 0.5f, c.max.y - m_.margin - m_.target}, {cx + bw * 0.5f, c.max.y - m_.margin}};
  if (button("still_here", b, v.t("still_button"), Look::primary))
    events_.emplace_back(ev::Tap{});
  else if (tapped_outside_targets())
    events_.emplace_back(ev::Tap{});
}

}  // namespace tp::ui
