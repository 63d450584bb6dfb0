// Frame-level drawing: one borderless window covering the display, the
// screen of the moment, and the hidden staff gesture.
#include "ui.h"

#include <algorithm>
#include <cmath>

#include "keyboard_layouts.h"
#include "text.h"

namespace tp::ui {

std::vector<Event> Ui::draw(const Visit& v, TimePoint now) {
  events_.clear();
  hits_.clear();
  last_card_.reset();
  focusable_.clear();
  ImGui::SetNextWindowPos({0, 0});
  ImGui::SetNextWindowSize(m_.display);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, {0, 0});
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0);
  // Closed, the window is black and nothing else is drawn but a notice after a tap.
  ImU32 background = v.screen() == Screen::closed ? IM_COL32(0, 0, 0, 255) : palette_.background;
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImGui::ColorConvertU32ToFloat4(background));
  ImGui::Begin("tenpoint", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoNav);
  dl_ = ImGui::GetWindowDrawList();
  // Large-text mode: this visit's faces and sizes (Visit invariant 7).
  const bool large = v.large_text() && v.screen() != Screen::staff_pin && v.screen() != Screen::staff_menu &&
                     v.screen() != Screen::out_of_service && v.screen() != Screen::closed;
  fonts_ = large && large_fonts_ ? *large_fonts_ : base_fonts_;
  m_ = large ? base_m_.enlarged() : base_m_;
  // A visit in a right-to-left language mirrors the resident's screens (the
  // scale, Back and Done); staff screens stay as they are.
  const Language* language = v.question_set().language(v.language());
  rtl_ = language && language->right_to_left;

  switch (v.screen()) {
    case Screen::attract:
      draw_attract(v, now);
      break;
    case Screen::scale:
      draw_scale(v);
      break;
    case Screen::text:
      draw_text(v);
      break;
    case Screen::choice:
      draw_choice(v);
      break;
    case Screen::thanks:
      draw_thanks(v);
      break;
    case Screen::still_there:
      draw_still_there(v, now);
      break;
    case Screen::staff_pin:
      draw_staff_pin(v, now);
      break;
    case Screen::staff_menu:
      draw_staff_menu(v);
      break;
    case Screen::out_of_service:
      draw_out_of_service(v);
      break;
    case Screen::closed:
      draw_closed(v, now);
      break;
  }
  watch_staff_corner(now);
  // The focused button left the screen (another screen came): no focus.
  if (!focus_.empty() && std::find(focusable_.begin(), focusable_.end(), focus_) == focusable_.end()) focus_.clear();
  select_pending_ = false;

  ImGui::End();
  ImGui::PopStyleColor();
  ImGui::PopStyleVar(2);
  return events_;
}

void Ui::navigate(NavKey key) {
  std::vector<std::pair<std::string, Rect>> targets;
  for (const auto& id : focusable_)
    if (auto it = hits_.find(id); it != hits_.end()) targets.emplace_back(id, it->second);
  if (key == NavKey::select) {
    select_pending_ = true;
    return;
  }
  if (targets.empty()) return;
  // Reading order: rows from the top (a row: centres within half a target
  // of each other), then across in the visit's direction.
  auto reading_before = [&](const std::pair<std::string, Rect>& a, const std::pair<std::string, Rect>& b) {
    const float ay = a.second.center().y, by = b.second.center().y;
    if (std::fabs(ay - by) > m_.target * 0.5f) return ay < by;
    return rtl_ ? a.second.center().x > b.second.center().x : a.second.center().x < b.second.center().x;
  };
  std::sort(targets.begin(), targets.end(), reading_before);
  auto current = std::find_if(targets.begin(), targets.end(), [&](const auto& t) { return t.first == focus_; });
  if (current == targets.end()) {
    focus_ = targets.front().first;
    return;
  }
  if (key == NavKey::next || key == NavKey::previous) {
    auto at = static_cast<std::size_t>(current - targets.begin());
    at = key == NavKey::next ? (at + 1) % targets.size() : (at + targets.size() - 1) % targets.size();
    focus_ = targets[at].first;
    return;
  }
  // The nearest button that way, its sideways distance counting double;
  // none that way: the focus stays.
  const ImVec2 from = current->second.center();
  const std::string* best = nullptr;
  float best_cost = 0;
  for (const auto& [id, r] : targets) {
    if (id == focus_) continue;
    const float dx = r.center().x - from.x, dy = r.center().y - from.y;
    float along = 0, across_axis = 0;
    switch (key) {
      case NavKey::left:
        along = -dx, across_axis = dy;
        break;
      case NavKey::right:
        along = dx, across_axis = dy;
        break;
      case NavKey::up:
        along = -dy, across_axis = dx;
        break;
      default:
        along = dy, across_axis = dx;
        break;
    }
    if (along <= 1.0f) continue;
    const float cost = along + 2.0f * std::fabs(across_axis);
    if (!best || cost < best_cost) {
      best = &id;
      best_cost = cost;
    }
  }
  if (best) focus_ = *best;
}

void Ui::watch_staff_corner(TimePoint now) {
  // Top-left corner, a square of 12% of the short side: small enough that a
  // resident will not rest a finger there for five seconds by chance.
  float side = m_.unit * 0.12f;
  const ImGuiIO& io = ImGui::GetIO();
  bool inside = io.MouseDown[0] && io.MousePos.x >= 0 && io.MousePos.y >= 0 && io.MousePos.x < side && io.MousePos.y < side;
  if (!inside) {
    corner_pressed_since_.reset();
    return;
  }
  if (!corner_pressed_since_) corner_pressed_since_ = now;
  if (now - *corner_pressed_since_ >= kStaffHold) {
    events_.emplace_back(ev::StaffGesture{});
    corner_pressed_since_.reset();
  }
}

std::optional<TimePoint> Ui::wake_at() const {
  if (!corner_pressed_since_) return std::nullopt;
  return *corner_pressed_since_ + kStaffHold;
}

void Ui::set_readback(std::shared_ptr<const Readback> cards, std::string today) {
  readback_ = std::move(cards);
  readback_day_ = today;
  live_.clear();
  if (!readback_) return;
  for (const auto& c : readback_->cards)
    if (card_live(c, today)) live_.push_back(&c);
}

std::string Ui::words_to_read(const Visit& v) {
  const Question* q = v.question();
  if (!q || (v.screen() != Screen::scale && v.screen() != Screen::text && v.screen() != Screen::choice)) return "";
  auto in_language = [&](const Translated& t) {
    auto it = t.find(v.language());
    return it != t.end() ? it->second : std::string();
  };
  std::string words = v.prompt();
  // Each part ends a sentence, so that the voice pauses between them.
  auto sentence = [&](const std::string& part) {
    if (part.empty()) return;
    if (!words.empty()) words += '\n';
    words += part;
  };
  if (v.screen() == Screen::scale) {
    const std::string low = in_language(q->low_label), high = in_language(q->high_label);
    if (!low.empty()) sentence(std::to_string(q->min) + ": " + low + ".");
    if (!high.empty()) sentence(std::to_string(q->max) + ": " + high + ".");
  } else if (v.screen() == Screen::choice) {
    for (const auto& o : q->options) {
      const std::string label = in_language(o.label);
      if (!label.empty()) sentence(label + ".");
    }
  }
  return words;
}

std::string text_in_use(const Readback& cards) {
  std::string all = "\xE2\x80\x9C\xE2\x80\x9D\xE2\x80\xA6";  // the quotation marks and the ellipsis drawn around them
  for (const auto& c : cards.cards)
    for (const auto& [lang, t] : c.texts) {
      for (const auto& q : t.said) all += q;
      all += t.answer;
    }
  return all;
}

std::string text_in_use(const QuestionSet& set, const Strings& strings) {
  std::string all = strings.all_text();
  for (const auto& l : set.languages) {
    all += l.name + l.keyboard_extra + to_upper(l.keyboard_extra);
    // The language's own keyboard (Cyrillic ones are drawn from the atlas).
    if (const layout::ScriptKeyboard* k = script_keyboard(l.code)) {
      std::string keys = std::string(k->accents) + std::string(k->compact_letters) + std::string(k->compact_shift);
      for (int i = 0; i < k->row_count; ++i) keys += std::string(k->rows[i]) + (k->shift_rows ? std::string(k->shift_rows[i]) : "");
      for (int i = 0; i < k->punctuation_count; ++i) keys += k->punctuation[i];
      all += keys + to_upper(keys);
    }
  }
  for (const auto& q : set.questions) {
    for (const auto* t : {&q.prompt, &q.low_label, &q.high_label})
      for (const auto& [lang, text] : *t) all += text;
    for (const auto& o : q.options)
      for (const auto& [lang, text] : o.label) all += text;
  }
  for (const auto& [lang, rule] : set.articles) {  // drawn in front of quoted scores
    all += rule.other;
    for (const auto& [number, word] : rule.by_number) all += word;
  }
  all += "·€£";
  return all;
}

}  // namespace tp::ui
