// THANKS: the promise that the answer is on disk, then back to attract.
#include "ui.h"

namespace tp::ui {

void Ui::draw_thanks(const Visit& v) {
  float cx = m_.display.x * 0.5f;
  float r = m_.unit * 0.09f;
  float wrap = m_.display.x - 2 * m_.margin;
  float block = r * 2 + m_.gap * 3 + fonts_.question->FontSize * 1.2f + m_.gap + fonts_.body->FontSize * 1.2f;
  float top = (m_.display.y - block) * 0.42f;
  dl_->AddCircleFilled({cx, top + r}, r, palette_.accent, 48);
  icon_check({cx, top + r}, r * 1.2f, palette_.on_accent);
  float y = top + r * 2 + m_.gap * 3;
  y += text_block(fonts_.question, v.t("thanks_title"), cx, y, wrap, palette_.ink) + m_.gap;
  y += text_block(fonts_.body, v.t("thanks_saved"), cx, y, wrap, palette_.ink) + m_.gap * 3;
  text_block(fonts_.label, v.t("thanks_hint"), cx, y, wrap, palette_.muted);
  if (tapped_outside_targets()) events_.emplace_back(ev::Tap{});
}

}  // namespace tp::ui
