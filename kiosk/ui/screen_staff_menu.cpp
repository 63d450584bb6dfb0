// STAFF_MENU: what a librarian needs at a glance (answers, sync, storage,
// the question set, the version) and the way out, under the dark "Staff" bar
// so that it is never taken for a resident screen.
#include <cstdio>

#include "ui.h"

#ifndef TENPOINT_VERSION
#define TENPOINT_VERSION "0.0.0"
#endif

namespace tp::ui {

namespace {

std::string bytes(std::int64_t b) {
  char buf[32];
  if (b < 0) return "?";
  if (b < 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.0f KB", static_cast<double>(b) / 1024.0);
  else if (b < 1024LL * 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(b) / (1024.0 * 1024.0));
  else
    std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(b) / (1024.0 * 1024.0 * 1024.0));
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
    if (i % 2 == 0)
      dl_->AddRectFilled({m_.margin * 0.5f, y - line * 0.12f}, {m_.display.x - m_.margin * 0.5f, y + line * 0.88f}, palette_.surface);
    text_at(fonts_.body, rows[i].first, {m_.margin, y}, palette_.muted);
    float vx = m_.margin * 2 + label_w;
    float wrap = m_.display.x - vx - m_.margin;
    text_block(fonts_.body, rows[i].second, 0, y, wrap,
               rows[i].first == v.t("staff_storage") && !s.healthy ? palette_.warning_ink : palette_.ink, false, vx);
    y += line;
  }
  if (v.has_pending_question_set()) text_at(fonts_.label, v.t("staff_pending_set"), {m_.margin, y + m_.gap}, palette_.muted);

  float third = (bar.width() - m_.gap * 2) / 3.0f;
  if (button("staff.refresh", {{bar.min.x, bar.min.y}, {bar.min.x + third, bar.max.y}}, v.t("staff_refresh"), Look::plain))
    events_.emplace_back(ev::StaffRefresh{});
  if (button("staff.close", {{bar.min.x + third + m_.gap, bar.min.y}, {bar.min.x + 2 * third + m_.gap, bar.max.y}}, v.t("staff_close"),
             Look::primary))
    events_.emplace_back(ev::StaffClose{});
  if (button("staff.exit", {{bar.max.x - third, bar.min.y}, bar.max}, v.t("staff_exit"), Look::warning))
    events_.emplace_back(ev::StaffExit{});
}

}  // namespace tp::ui
