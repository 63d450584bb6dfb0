// STAFF_PIN and STAFF_MENU: denser, with a dark "Staff" bar so that they are
// never mistaken for a resident screen.
#include <cstdio>

#include "text.h"
#include "ui.h"

#ifndef TENPOINT_VERSION
#define TENPOINT_VERSION "0.0.0"
#endif

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
    if (static_cast<std::size_t>(i) < n) dl_->AddCircleFilled(c, dot, palette_.ink);
    else dl_->AddCircle(c, dot, palette_.line, 0, palette_.border);
  }
  y += dot + m_.gap;
  int locked = v.pin_locked_seconds(now);
  std::string message = locked > 0 ? fill(v.t("staff_pin_locked"), {{"seconds", std::to_string(locked)}})
                                   : v.pin_rejected() ? v.t("staff_pin_wrong") : "";
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
      if (button(std::string("pin.") + labels[i], r, labels[i], Look::key, fonts_.number)) events_.emplace_back(ev::PinDigit{labels[i][0] - '0'});
    }
  }
  float bw = std::max(m_.target * 2.2f, text_width(fonts_.button, v.t("staff_cancel")) + m_.body_px * 2);
  if (button("staff.cancel", {{bar.min.x, bar.min.y}, {bar.min.x + bw, bar.max.y}}, v.t("staff_cancel"), Look::quiet))
    events_.emplace_back(ev::StaffClose{});
}

namespace {

std::string bytes(std::int64_t b) {
  char buf[32];
  if (b < 0) return "?";
  if (b < 1024 * 1024) std::snprintf(buf, sizeof buf, "%.0f KB", static_cast<double>(b) / 1024.0);
  else if (b < 1024LL * 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(b) / (1024.0 * 1024.0));
  else std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(b) / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

}  // namespace

void Ui::draw_staff_menu(const Visit& v) {
  staff_header(v, v.t("staff_menu_title"));
  const StaffStatus& s = v.staff_summary();
  const QuestionSet& set = v.question_set();
  std::vector<std::pair<std::string, std::string>> rows = {
      {v.t("staff_today"), std::to_string(s.answers_today)},
      {v.t("staff_total"), std::to_string(s.answers_total)},
      {v.t("staff_sync"), s.sync_line},
      {v.t("staff_storage"), s.health_message},
      {v.t("staff_db_size"), bytes(s.database_bytes)},
      {v.t("staff_free"), bytes(s.free_disk_bytes)},
      {v.t("staff_questions"), set.id + " v" + std::to_string(set.version)},
      {v.t("staff_version"), TENPOINT_VERSION},
  };
  float y = m_.target * 0.9f + m_.gap * 2;
  float label_w = 0;
  for (const auto& r : rows) label_w = std::max(label_w, text_width(fonts_.body, r.first));
  float line = fonts_.body->FontSize * 1.45f;
  Rect bar = bottom_bar();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i % 2 == 0) dl_->AddRectFilled({m_.margin * 0.5f, y - line * 0.12f}, {m_.display.x - m_.margin * 0.5f, y + line * 0.88f}, palette_.surface);
    text_at(fonts_.body, rows[i].first, {m_.margin, y}, palette_.muted);
    float vx = m_.margin * 2 + label_w;
    float wrap = m_.display.x - vx - m_.margin;
    text_block(fonts_.body, rows[i].second, 0, y, wrap, rows[i].first == v.t("staff_storage") && !s.healthy ? palette_.warning_ink : palette_.ink,
               false, vx);
    y += line;
  }
  if (v.has_pending_question_set()) text_at(fonts_.label, v.t("staff_pending_set"), {m_.margin, y + m_.gap}, palette_.muted);

  float third = (bar.width() - m_.gap * 2) / 3.0f;
  if (button("staff.refresh", {{bar.min.x, bar.min.y}, {bar.min.x + third, bar.max.y}}, v.t("staff_refresh"), Look::plain))
    events_.emplace_back(ev::StaffRefresh{});
  if (button("staff.close", {{bar.min.x + third + m_.gap, bar.min.y}, {bar.min.x + 2 * third + m_.gap, bar.max.y}}, v.t("staff_close"), Look::primary))
    events_.emplace_back(ev::StaffClose{});
  if (button("staff.exit", {{bar.max.x - third, bar.min.y}, bar.max}, v.t("staff_exit"), Look::warning)) events_.emplace_back(ev::StaffExit{});
}

}  // namespace tp::ui
