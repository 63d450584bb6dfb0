// OUT_OF_SERVICE: storage cannot take answers; say so kindly, keep trying.
#include "ui.h"

namespace tp::ui {

void Ui::draw_out_of_service(const Visit& v) {
  dl_->AddRectFilled({0, 0}, m_.display, palette_.warning_bg);
  float cx = m_.display.x * 0.5f;
  float wrap = std::min(m_.display.x - 2 * m_.margin, m_.question_px * 18.0f);
  float y = m_.display.y * 0.32f;
  y += text_block(fonts_.question, v.t("oos_title"), cx, y, wrap, palette_.warning_ink) + m_.gap * 2;
  text_block(fonts_.body, v.t("oos_body"), cx, y, wrap, palette_.ink);
}

}  // namespace tp::ui
