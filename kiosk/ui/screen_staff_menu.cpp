// STAFF_MENU: what a librarian needs at a glance (answers, sync, storage,
// the question set and where it came from, the version), installing a
// question set from a USB stick, exporting results to one (a progress bar
// while it runs, then "Safe to remove"), and the way out, under the dark
// "Staff" bar so that it is never taken for a resident screen.
#include <algorithm>
#include <cstdio>

#include "ui.h"
#include "version.h"

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
      {v.t("staff_questions"), describe_set_in_use(set.id, set.version, set_status_.signed_serial)},
      {v.t("staff_version"), std::string(TENPOINT_VERSION) + " (" + build_commit() + ")"},
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
    float used = text_block(fonts_.body, rows[i].second, 0, y, wrap,
                            rows[i].first == v.t("staff_storage") && !s.healthy ? palette_.warning_ink : palette_.ink, false, vx);
    y += line + std::max(0.0f, used - line_height(fonts_.body));  // a long value wraps onto further lines
  }
  // Above the bottom bar, as wide as its label needs (at least a third of the bar).
  std::string usb_label = v.t("staff_install_usb");
  float usb_w = std::min(bar.width(), std::max((bar.width() - m_.gap * 2) / 3.0f, text_width(fonts_.button, usb_label) + m_.margin * 2));
  Rect usb{{bar.min.x, bar.min.y - m_.gap - m_.target}, {bar.min.x + usb_w, bar.min.y - m_.gap}};
  const ExportStatus& ex = export_status_;
  if (ex.running()) {
    // The whole row becomes the progress bar; nothing else can be started meanwhile.
    Rect row{{bar.min.x, usb.min.y}, {bar.max.x, usb.max.y}};
    card(row, palette_.surface, palette_.line);
    float fill = row.min.x + row.width() * static_cast<float>(std::clamp(ex.progress, 0.0, 1.0));
    dl_->AddRectFilled(row.min, {fill, row.max.y}, palette_.accent, m_.gap * 0.25f);
    hits_["staff.export_progress"] = row;
    text_block(fonts_.label, ex.step.empty() ? v.t("staff_export_running") : ex.step, row.center().x,
               row.center().y - line_height(fonts_.label) * 0.5f, row.width(), palette_.ink);
  } else {
    if (!ex.enrol_file.empty()) {
      // A stick with a server's enrolment file: install, export and enrol share the row in thirds.
      float third = (bar.width() - m_.gap * 2) / 3.0f;
      Rect install{{bar.min.x, usb.min.y}, {bar.min.x + third, usb.max.y}};
      Rect exp{{install.max.x + m_.gap, usb.min.y}, {install.max.x + m_.gap + third, usb.max.y}};
      Rect enrol{{exp.max.x + m_.gap, usb.min.y}, {bar.max.x, usb.max.y}};
      if (button("staff.install_usb", install, usb_label, Look::plain)) events_.emplace_back(ev::StaffInstallFromUsb{});
      if (button("staff.export_usb", exp, v.t("staff_export_usb"), Look::plain)) events_.emplace_back(ev::StaffExportToUsb{});
      if (button("staff.enrol_usb", enrol, v.t("staff_enrol_usb"), Look::plain)) events_.emplace_back(ev::StaffEnrolFromUsb{});
    } else if (button("staff.install_usb", usb, usb_label, Look::plain)) {
      events_.emplace_back(ev::StaffInstallFromUsb{});
    }
    if (ex.enrol_file.empty() && !ex.sticks.empty()) {
      std::string export_label = v.t("staff_export_usb");
      float export_w = std::min(bar.max.x - usb.max.x - m_.gap, std::max(usb_w, text_width(fonts_.button, export_label) + m_.margin * 2));
      Rect exp{{usb.max.x + m_.gap, usb.min.y}, {usb.max.x + m_.gap + export_w, usb.max.y}};
      if (button("staff.export_usb", exp, export_label, Look::plain)) events_.emplace_back(ev::StaffExportToUsb{});
    }
  }

  // Notes about the question set, in the smaller type, between the rows and
  // that button. On a small screen a long note is cut off there rather than
  // drawn over the button; the log keeps every word.
  y += m_.gap * 0.5f;
  float note_wrap = m_.display.x - m_.margin * 2;
  dl_->PushClipRect({0, y}, {m_.display.x, usb.min.y - m_.gap * 0.25f}, true);
  auto note = [&](const std::string& text, ImU32 color) {
    if (!text.empty()) y += text_block(fonts_.label, text, 0, y, note_wrap, color, false, m_.margin) + m_.gap * 0.25f;
  };
  if (v.staff_pin_is_demo()) note(v.t("staff_demo_pin"), palette_.warning_ink);
  if (v.has_pending_question_set()) note(v.t("staff_pending_set"), palette_.muted);
  note(set_status_.refused, palette_.warning_ink);
  note(set_status_.usb, palette_.ink);
  if (ex.running()) note(v.t("staff_export_running"), palette_.ink);
  if (ex.stage == ExportStatus::Stage::done) {
    y += text_block(fonts_.body, v.t("staff_export_safe"), 0, y, note_wrap, palette_.accent, false, m_.margin) + m_.gap * 0.25f;
    std::string where = v.t("staff_export_where");
    if (auto at = where.find("{folder}"); at != std::string::npos) where.replace(at, 8, ex.folder);
    note(where, palette_.ink);
  }
  if (ex.stage == ExportStatus::Stage::failed) note(ex.message, palette_.warning_ink);
  if (!ex.running() && ex.stick_read_only && ex.stage == ExportStatus::Stage::idle)
    note(v.t("staff_export_read_only"), palette_.warning_ink);
  dl_->PopClipRect();
  if (ex.running()) return;  // no way out until the export has finished (the visit holds the menu too)

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
