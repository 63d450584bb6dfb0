// STAFF_PIN: the PIN pad behind the five-second corner press. Denser than a
// resident screen, under the dark "Staff" bar, so that it is never taken for
// one; the dots show how many digits were typed, never which.
#include "text.h"
#include "ui.h"

namespace tp::ui {

void Ui::draw_staff_pin(const Visit& v, TimePoint now) {
  staff_header(v, v.t("staff_pin_title"));
  float cx = m_.display.x * 0.5f;
  float top = m_.target * 0.9f + m_.gap * 2;
  Rect bar = bottom_bar();
  float key = std::min(m_.target * 1.25f, (bar.min.y - top - m_.gap * 6 - m_.body_px * 2.4f) / 4.0f);
  key = std::max(key, 48.0f);

  // Dots for the digits typed so far.
  float dot = m_.body_px * 0.35f;
  float y = top + m_.body_px * 0.6f;
  std::size_t n = v.pin_length();
  float row = static_cast<float>(Visit::kMaxPinDigits) * dot * 3;
  for (int i = 0; i < Visit::kMaxPinDigits; ++i) {
    ImVec2 c{cx - row * 0.5f + dot * 1.5f + static_cast<float>(i) * dot * 3, y};
    if (static_cast<std::size_t>(i) < n)
      dl_->AddCircleFilled(c, dot, palette_.ink);
    else
      dl_->AddCircle(c, dot, palette_.line, 0, palette_.border);
  }
  y += dot + m_.gap;
  int locked = v.pin_locked_seconds(now);
  std::string message = locked > 0         ? fill(v.t("staff_pin_locked"), {{"seconds", std::to_string(locked)}})
                        : v.pin_rejected() ? v.t("staff_pin_wrong")
                                           : "";
  if (!message.empty()) text_block(fonts_.body, message, cx, y, m_.display.x - 2 * m_.margin, palette_.warning_ink);
  y += m_.body_px * 1.6f;

  const char* labels[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "", "0", ""};
  float grid_w = key * 3 + m_.gap * 2;
  for (int i = 0; i < 12; ++i) {
    float x = cx - grid_w * 0.5f + static_cast<float>(i % 3) * (key + m_.gap);
    float ky = y + static_cast<float>(i / 3) * (key + m_.gap);
    Rect r{{x, ky}, {x + key * 1.0f, ky + key}};
    if (i == 9) {
      if (button("pin.erase", r, "", Look::key)) events_.emplace_back(ev::PinErase{});
      icon_backspace(r.center(), key * 0.6f, palette_.ink);
    } else if (i == 11) {
      if (button("pin.ok", r, v.t("staff_ok"), Look::primary)) events_.emplace_back(ev::PinSubmit{});
    } else {
      if (button(std::string("pin.") + labels[i], r, labels[i], Look::key, fonts_.number))
        events_.emplace_back(ev::PinDigit{labels[i][0] - '0'});
    }
  }
  float bw = std::max(m_.target * 2.2f, text_width(fonts_.button, v.t("staff_cancel")) + m_.body_px * 2);
  if (button("staff.cancel", {{bar.min.x, bar.min.y}, {bar.min.x + bw, bar.max.y}}, v.t("staff_cancel"), Look::quiet))
    events_.emplace_back(ev::StaffClose{});
}

}  // namespace tp::ui
