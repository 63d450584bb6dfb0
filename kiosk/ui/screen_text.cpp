// TEXT: a follow-up in the resident's own words, typed on a keyboard the
// kiosk draws itself. "You chose 7 · Change" keeps the score in view, and a
// line under the box says that contact details are removed before saving.
#include "keyboard_layouts.h"
#include "text.h"
#include "ui.h"

namespace tp::ui {

void Ui::draw_keyboard(const Visit& v, Rect area) {
  std::string extras;
  if (const Language* lang = v.question_set().language(v.language())) extras = lang->keyboard_extra;
  KeyboardShape shape = keyboard_shape_for(area.width(), m_.gap, v.language());
  float columns = static_cast<float>(keyboard_columns(shape, v.language()));
  KeyboardWords words{v.t("keyboard_space"), v.t("keyboard_symbols"), v.t("keyboard_letters")};
  KeyRows rows = keyboard_rows(shape, v.layer(), extras, v.shift(), words, v.language());
  float rows_n = static_cast<float>(rows.size());
  float key_h = std::min((area.height() - m_.gap * (rows_n - 1)) / rows_n, m_.target * 1.2f);
  float unit = std::min((area.width() - m_.gap * (columns - 1)) / columns, m_.target * 1.6f);
  float total_h = key_h * rows_n + m_.gap * (rows_n - 1);
  float y = area.max.y - total_h;  // close to the action bar, like a phone's keyboard
  auto key_width = [&](const KeySpec& k) { return unit * k.units + m_.gap * (k.units - 1.0f); };
  // One face for every letter: the largest in which each fits its key.
  ImFont* letters = fonts_.question;
  for (ImFont* face : {fonts_.question, fonts_.button, fonts_.label}) {
    letters = face;
    bool fits = true;
    for (const auto& row : rows)
      for (const auto& k : row)
        if (k.kind == KeySpec::type && text_width(face, k.label) > key_width(k) - 8.0f) fits = false;
    if (fits) break;
  }
  for (const auto& row : rows) {
    float row_w = m_.gap * static_cast<float>(row.size() - 1);
    for (const auto& k : row) row_w += key_width(k);
    float x = area.center().x - row_w * 0.5f;
    for (const auto& k : row) {
      float w = key_width(k);
      Rect r{{x, y}, {x + w, y + key_h}};
      bool active_shift = k.kind == KeySpec::shift && v.shift();
      if (button("key." + k.id, r, k.label, active_shift ? Look::selected : Look::key, k.kind == KeySpec::type ? letters : fonts_.button)) {
        switch (k.kind) {
          case KeySpec::type:
            events_.emplace_back(ev::TypeText{k.label});
            break;
          case KeySpec::shift:
            events_.emplace_back(ev::ToggleShift{});
            break;
          case KeySpec::backspace:
            events_.emplace_back(ev::Backspace{});
            break;
          case KeySpec::space:
            events_.emplace_back(ev::TypeText{" "});
            break;
          case KeySpec::to_letters:
            events_.emplace_back(ev::SetLayer{KeyboardLayer::letters});
            break;
          case KeySpec::to_symbols:
            events_.emplace_back(ev::SetLayer{KeyboardLayer::symbols});
            break;
          case KeySpec::to_accents:
            events_.emplace_back(ev::SetLayer{KeyboardLayer::accents});
            break;
        }
      }
      float icon = std::min(key_h, w) * 0.7f;
      bool held = ImGui::IsItemActive();
      ImVec2 c = r.center();
      if (held) c.y += 2.0f;
      if (k.kind == KeySpec::backspace) icon_backspace(c, icon, palette_.ink);
      if (k.kind == KeySpec::shift) icon_shift(c, icon, active_shift ? palette_.on_accent : palette_.ink, active_shift);
      x += w + m_.gap;
    }
    y += key_h + m_.gap;
  }
}

void Ui::draw_text(const Visit& v) {
  const Question& q = *v.question();
  float cx = m_.display.x * 0.5f;
  float y = m_.margin * (m_.portrait ? 1.0f : 0.6f);
  Rect bar = bottom_bar();
  bar.min.y = bar.max.y - std::min(m_.target, m_.unit * 0.11f);

  // Back and Skip on the left, then Read aloud and Larger text, Done on the
  // right; narrower where space is short (right to left: mirrored).
  float bw = std::max(m_.target * 2.0f, text_width(fonts_.button, v.t("skip")) + m_.body_px * 2);
  float dw = std::max(m_.target * 2.6f, text_width(fonts_.button, v.t("done")) + m_.body_px * 3);
  // "You chose 7  [Change]": in the action bar, before Done, in landscape;
  // in portrait on a row of its own at the top, with Read aloud and Larger
  // text at that row's other end.
  std::string chose = v.score() ? fill(v.t("you_chose"), {{"score", std::to_string(*v.score())}}) : std::string();
  const float change_w = std::max(kMinKeyPx * 1.5f, text_width(fonts_.button, v.t("change")) + m_.body_px * 2);
  const float chip_w = v.score() ? text_width(fonts_.body, chose) + m_.gap * 2 + change_w : 0;
  const bool top_row = m_.portrait;
  // In landscape the bar holds everything: as many of the tools' words as
  // fit with Back, Skip and Done at no less than 60% of their width.
  const float chip_room = v.score() ? chip_w + m_.gap * 2 : 0;
  auto scale_for = [&](Words words) {
    const float in_bar = top_row ? 0 : chip_room + tools_width(v, words) + m_.gap * 2;
    float scale = std::min(1.0f, (bar.width() - m_.gap * 4 - in_bar) / (2 * bw + dw));
    if (v.score() && !top_row) scale = std::min(scale, 0.8f);
    return scale;
  };
  Words tool_words = Words::none;
  if (!top_row)
    for (Words w : {Words::all, Words::read_aloud})
      if (scale_for(w) >= 0.6f) {
        tool_words = w;
        break;
      }
  const float scale = scale_for(tool_words);
  bw = std::max(48.0f, bw * scale);
  dw = std::max(48.0f, dw * scale);
  // In portrait, the tools share the top row with the score, or have a row of their own under it.
  const float room = bar.width() - chip_room;
  const bool tools_beside = !top_row || !v.score() || tools_width(v, Words::none) <= room;
  if (top_row) tool_words = words_fitting(v, tools_beside ? room : bar.width());

  if (top_row) {
    const float h = std::max(48.0f, m_.target * 0.8f);
    if (v.score()) {
      // Right to left, the words and the button trade places (across()).
      const float chose_w = text_width(fonts_.body, chose);
      const Rect words = across({{m_.margin, y}, {m_.margin + chose_w, y + h}});
      text_at(fonts_.body, chose, {words.min.x, y + (h - fonts_.body->FontSize) * 0.5f}, palette_.ink);
      const float x = m_.margin + chose_w + m_.gap * 2;
      if (button("change", across({{x, y}, {x + change_w, y + h}}), v.t("change"), Look::quiet)) events_.emplace_back(ev::ChangeScore{});
    }
    if (!tools_beside) y += h + m_.gap;
    draw_tools(v, m_.display.x - m_.margin - tools_width(v, tool_words), y, h, tool_words);
    y += h + m_.gap;
  } else if (v.score()) {
    const float x = bar.max.x - dw - m_.gap * 2 - chip_w, h = bar.height();
    const float chose_w = text_width(fonts_.body, chose);
    const Rect words = across({{x, bar.min.y}, {x + chose_w, bar.min.y + h}});
    text_at(fonts_.body, chose, {words.min.x, bar.min.y + (h - fonts_.body->FontSize) * 0.5f}, palette_.ink);
    const float cx0 = x + chose_w + m_.gap * 2;
    if (button("change", across({{cx0, bar.min.y}, {cx0 + change_w, bar.max.y}}), v.t("change"), Look::quiet))
      events_.emplace_back(ev::ChangeScore{});
  }

  float wrap = std::min(m_.display.x - 2 * m_.margin, m_.question_px * 22.0f);
  y += text_block(fonts_.question, v.prompt(), cx, y, wrap, palette_.ink) + m_.gap;

  // The answer box shows the end of the text when it is long.
  // Two lines of typing; one in large-text mode on a short screen, where
  // the keyboard needs the height to keep its keys 48 px tall.
  const float box_lines = v.large_text() && m_.display.y < 600 ? 1.0f : 2.0f;
  float box_h = line_height(fonts_.body) * box_lines + m_.gap * 2.5f;
  Rect box{{m_.margin, y}, {m_.display.x - m_.margin, y + box_h}};
  card(box, palette_.surface, palette_.accent);
  float pad = m_.gap * 1.5f;
  float counter_w = text_width(fonts_.label, "0000/0000") + pad;
  float text_wrap = box.width() - pad * 2 - counter_w;
  const std::string& typed = v.text();
  dl_->PushClipRect({box.min.x + pad, box.min.y + m_.gap * 0.5f}, {box.max.x - pad - counter_w, box.max.y - m_.gap * 0.5f}, true);
  if (typed.empty()) {
    // The caret where typing starts: the right end of the line, right to left.
    const std::string& hint = v.t("type_here");
    const float caret_x = rtl_ ? box.min.x + pad + text_wrap - 3 : box.min.x + pad;
    const float hint_x = rtl_ ? caret_x - 8 - text_width(fonts_.body, hint) : box.min.x + pad + 8;
    text_at(fonts_.body, hint, {hint_x, box.min.y + pad}, palette_.muted);
    dl_->AddRectFilled({caret_x, box.min.y + pad}, {caret_x + 3, box.min.y + pad + fonts_.body->FontSize}, palette_.accent);
  } else {
    float h = measure_block(fonts_.body, typed, text_wrap);
    float top = box.min.y + pad;
    float room = box.height() - pad * 2;
    if (h > room) top -= h - room;
    text_block(fonts_.body, typed, 0, top, text_wrap, palette_.ink, false, box.min.x + pad);
    // The cursor sits after the last character of the last wrapped line.
    float line_h = line_height(fonts_.body);
    float cy = top + (h / line_h - 1) * line_h;
    float cxp = box.min.x + pad + caret_offset(fonts_.body, typed, text_wrap) + 2;
    dl_->AddRectFilled({cxp, cy}, {cxp + 3, cy + fonts_.body->FontSize}, palette_.accent);
  }
  dl_->PopClipRect();
  std::string count = std::to_string(v.text_length()) + "/" + std::to_string(q.max_length);
  bool full = static_cast<int>(v.text_length()) >= q.max_length;
  text_at(fonts_.label, count, {box.max.x - pad - text_width(fonts_.label, count), box.max.y - pad - fonts_.label->FontSize},
          full ? palette_.warning_ink : palette_.muted);
  // One quiet line under the box: what the kiosk takes out before it stores the note.
  y = box.max.y + m_.gap * 0.6f;
  y += text_block(fonts_.label, v.t("text_details_removed"), 0, y, box.width(), palette_.muted, false, box.min.x) + m_.gap * 0.9f;

  draw_keyboard(v, {{m_.margin, y}, {m_.display.x - m_.margin, bar.min.y - m_.gap * 1.5f}});

  if (button("back", across({{bar.min.x, bar.min.y}, {bar.min.x + bw, bar.max.y}}), v.t("back"), Look::quiet))
    events_.emplace_back(ev::Back{});
  if (button("skip", across({{bar.min.x + bw + m_.gap, bar.min.y}, {bar.min.x + 2 * bw + m_.gap, bar.max.y}}), v.t("skip"), Look::plain))
    events_.emplace_back(ev::Skip{});
  if (button("done", across({{bar.max.x - dw, bar.min.y}, {bar.max.x, bar.max.y}}), v.t("done"), Look::primary))
    events_.emplace_back(ev::Done{});
  if (!top_row) draw_tools(v, bar.min.x + 2 * bw + m_.gap * 2, bar.min.y, bar.height(), tool_words);
}

}  // namespace tp::ui
