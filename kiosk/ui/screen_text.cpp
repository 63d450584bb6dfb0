// TEXT: a follow-up in the resident's own words, typed on a keyboard the
// kiosk draws itself. "You chose 7 · Change" keeps the score in view.
#include "text.h"
#include "ui.h"

namespace tp::ui {

namespace {

constexpr float kMinKey = 48.0f;  // px: 9 mm on a 7-inch 800x480 panel

struct Key {
  std::string label;  // shown
  std::string id;     // hit name: key.<id>
  float units = 1.0f;
  enum Kind { type, shift, backspace, space, to_letters, to_symbols, to_accents } kind = type;
};

// Ten keys a row (QWERTY) where they fit at touch size; otherwise seven a
// row in alphabetical order, which narrow portrait screens can hold at 9 mm.
std::vector<std::vector<Key>> keys_for(KeyboardLayer layer, const std::string& extras, bool shifted, bool compact, const Visit& v) {
  auto letters = [&](std::string_view row) {
    std::vector<Key> out;
    for (char32_t c : decode_utf8(row)) {
      std::string s;
      append_utf8(s, c);
      std::string shown = shifted ? to_upper(s) : s;
      out.push_back({shown, s, 1.0f, Key::type});
    }
    return out;
  };
  auto with = [](std::vector<Key> row, std::initializer_list<Key> more, bool front = false) {
    if (front) row.insert(row.begin(), more);
    else row.insert(row.end(), more);
    return row;
  };
  Key space{v.t("keyboard_space"), "space", 5.0f, Key::space};
  Key back{"", "backspace", 1.5f, Key::backspace};
  std::vector<std::vector<Key>> rows;
  if (compact) {
    auto chunks = [&](std::string_view all, std::size_t per_row, std::size_t max_rows) {
      std::u32string cps = decode_utf8(all);
      for (std::size_t i = 0; i < cps.size() && rows.size() < max_rows; i += per_row) {
        std::string row;
        for (std::size_t j = i; j < std::min(cps.size(), i + per_row); ++j) append_utf8(row, cps[j]);
        rows.push_back(letters(row));
      }
    };
    Key shift{"", "shift", 1.0f, Key::shift};
    Key erase{"", "backspace", 1.0f, Key::backspace};
    switch (layer) {
      case KeyboardLayer::letters: {
        chunks("abcdefghijklmnopqrstuvwxyz,.", 7, 4);
        std::vector<Key> bottom{shift, {v.t("keyboard_symbols"), "symbols", 1.5f, Key::to_symbols}};
        if (!extras.empty()) bottom.push_back({"àé", "accents", 1.0f, Key::to_accents});
        bottom.push_back({space.label, "space", extras.empty() ? 3.5f : 2.5f, Key::space});
        bottom.push_back(erase);
        rows.push_back(bottom);
        break;
      }
      case KeyboardLayer::symbols:
        chunks("1234567890-/:;()£&@\"'#?!%*+=", 7, 4);
        rows.push_back({{v.t("keyboard_letters"), "letters", 2.0f, Key::to_letters}, {space.label, "space", 4.0f, Key::space}, erase});
        break;
      case KeyboardLayer::accents:
        chunks(extras, 7, 4);
        rows.push_back({{v.t("keyboard_letters"), "letters", 2.0f, Key::to_letters}, shift, {space.label, "space", 3.0f, Key::space}, erase});
        break;
    }
    return rows;
  }
  switch (layer) {
    case KeyboardLayer::letters: {
      rows.push_back(letters("qwertyuiop"));
      rows.push_back(letters("asdfghjkl'"));
      rows.push_back(with(with(letters("zxcvbnm"), {Key{"", "shift", 1.5f, Key::shift}}, true), {back}));
      std::vector<Key> bottom{{v.t("keyboard_symbols"), "symbols", 1.5f, Key::to_symbols}};
      if (!extras.empty()) bottom.push_back({decode_utf8(extras).size() > 1 ? "àé" : extras, "accents", 1.5f, Key::to_accents});
      space.units = extras.empty() ? 5.5f : 4.0f;
      bottom.push_back(space);
      for (const char* p : {",", ".", "?"}) bottom.push_back({p, p, 1.0f, Key::type});
      rows.push_back(bottom);
      break;
    }
    case KeyboardLayer::symbols:
      rows.push_back(letters("1234567890"));
      rows.push_back(letters("-/:;()£&@\""));
      rows.push_back(with(letters("#.,?!'%*"), {Key{"", "backspace", 2.0f, Key::backspace}}));
      rows.push_back({{v.t("keyboard_letters"), "letters", 2.0f, Key::to_letters}, {space.label, "space", 6.0f, Key::space},
                      {"+", "+", 1.0f, Key::type}, {"=", "=", 1.0f, Key::type}});
      break;
    case KeyboardLayer::accents: {
      std::u32string cps = decode_utf8(extras);
      for (std::size_t i = 0; i < cps.size() && rows.size() < 3; i += 10) {
        std::string row;
        for (std::size_t j = i; j < std::min(cps.size(), i + 10); ++j) append_utf8(row, cps[j]);
        rows.push_back(letters(row));
      }
      rows.push_back({{v.t("keyboard_letters"), "letters", 2.0f, Key::to_letters}, {"", "shift", 1.5f, Key::shift},
                      {space.label, "space", 5.0f, Key::space}, back});
      break;
    }
  }
  return rows;
}

}  // namespace

void Ui::draw_keyboard(const Visit& v, Rect area) {
  std::string extras;
  if (const Language* lang = v.question_set().language(v.language())) extras = lang->keyboard_extra;
  bool compact = (area.width() - m_.gap * 9) / 10.0f < kMinKey;
  float columns = compact ? 7.0f : 10.0f;
  auto rows = keys_for(v.layer(), extras, v.shift(), compact, v);
  float rows_n = static_cast<float>(rows.size());
  float key_h = std::min((area.height() - m_.gap * (rows_n - 1)) / rows_n, m_.target * 1.2f);
  float unit = std::min((area.width() - m_.gap * (columns - 1)) / columns, m_.target * 1.6f);
  float total_h = key_h * rows_n + m_.gap * (rows_n - 1);
  float y = area.max.y - total_h;  // close to the action bar, like a phone's keyboard
  for (const auto& row : rows) {
    auto key_width = [&](const Key& k) { return unit * k.units + m_.gap * (k.units - 1.0f); };
    float row_w = m_.gap * static_cast<float>(row.size() - 1);
    for (const auto& k : row) row_w += key_width(k);
    float x = area.center().x - row_w * 0.5f;
    for (const auto& k : row) {
      float w = key_width(k);
      Rect r{{x, y}, {x + w, y + key_h}};
      bool active_shift = k.kind == Key::shift && v.shift();
      if (button("key." + k.id, r, k.label, active_shift ? Look::selected : Look::key, k.kind == Key::type ? fonts_.question : fonts_.button)) {
        switch (k.kind) {
          case Key::type: events_.emplace_back(ev::TypeText{k.label}); break;
          case Key::shift: events_.emplace_back(ev::ToggleShift{}); break;
          case Key::backspace: events_.emplace_back(ev::Backspace{}); break;
          case Key::space: events_.emplace_back(ev::TypeText{" "}); break;
          case Key::to_letters: events_.emplace_back(ev::SetLayer{KeyboardLayer::letters}); break;
          case Key::to_symbols: events_.emplace_back(ev::SetLayer{KeyboardLayer::symbols}); break;
          case Key::to_accents: events_.emplace_back(ev::SetLayer{KeyboardLayer::accents}); break;
        }
      }
      float icon = std::min(key_h, w) * 0.7f;
      bool held = ImGui::IsItemActive();
      ImVec2 c = r.center();
      if (held) c.y += 2.0f;
      if (k.kind == Key::backspace) icon_backspace(c, icon, palette_.ink);
      if (k.kind == Key::shift) icon_shift(c, icon, active_shift ? palette_.on_accent : palette_.ink, active_shift);
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

  // "You chose 7  [Change]": in the action bar where there is room, else on top.
  if (v.score()) {
    std::string chose = fill(v.t("you_chose"), {{"score", std::to_string(*v.score())}});
    float h = m_.portrait ? m_.target * 0.8f : bar.height();
    float bw = std::max(kMinKey * 1.5f, text_width(fonts_.button, v.t("change")) + m_.body_px * 2);
    float x = m_.margin, top = y;
    if (!m_.portrait) {
      float chip_w = text_width(fonts_.body, chose) + m_.gap * 2 + bw;
      x = cx - chip_w * 0.5f;
      top = bar.min.y;
    }
    text_at(fonts_.body, chose, {x, top + (h - fonts_.body->FontSize) * 0.5f}, palette_.ink);
    x += text_width(fonts_.body, chose) + m_.gap * 2;
    if (button("change", {{x, top}, {x + bw, top + h}}, v.t("change"), Look::quiet)) events_.emplace_back(ev::ChangeScore{});
    if (m_.portrait) y += h + m_.gap;
  }

  float wrap = std::min(m_.display.x - 2 * m_.margin, m_.question_px * 22.0f);
  y += text_block(fonts_.question, v.prompt(), cx, y, wrap, palette_.ink) + m_.gap;

  // The answer box shows the end of the text when it is long.
  float box_h = fonts_.body->FontSize * 1.18f * 2 + m_.gap * 2.5f;
  Rect box{{m_.margin, y}, {m_.display.x - m_.margin, y + box_h}};
  card(box, palette_.surface, palette_.accent);
  float pad = m_.gap * 1.5f;
  float counter_w = text_width(fonts_.label, "0000/0000") + pad;
  float text_wrap = box.width() - pad * 2 - counter_w;
  const std::string& typed = v.text();
  dl_->PushClipRect({box.min.x + pad, box.min.y + m_.gap * 0.5f}, {box.max.x - pad - counter_w, box.max.y - m_.gap * 0.5f}, true);
  if (typed.empty()) {
    text_at(fonts_.body, v.t("type_here"), {box.min.x + pad + 8, box.min.y + pad}, palette_.muted);
    dl_->AddRectFilled({box.min.x + pad, box.min.y + pad}, {box.min.x + pad + 3, box.min.y + pad + fonts_.body->FontSize}, palette_.accent);
  } else {
    float h = measure_block(fonts_.body, typed, text_wrap);
    float top = box.min.y + pad;
    float room = box.height() - pad * 2;
    if (h > room) top -= h - room;
    text_block(fonts_.body, typed, 0, top, text_wrap, palette_.ink, false, box.min.x + pad);
    // The cursor sits after the last character of the last wrapped line.
    float line_h = fonts_.body->FontSize * 1.18f;
    std::string_view last_line = typed;
    const char* s = typed.data();
    const char* end = s + typed.size();
    while (s < end) {
      const char* e = fonts_.body->CalcWordWrapPositionA(1.0f, s, end, text_wrap);
      if (e == s) e = s + 1;
      if (e >= end) {
        last_line = std::string_view(s, static_cast<std::size_t>(end - s));
        break;
      }
      s = e;
      while (s < end && *s == ' ') ++s;
    }
    float cy = top + (h / line_h - 1) * line_h;
    float cxp = box.min.x + pad + text_width(fonts_.body, last_line) + 2;
    dl_->AddRectFilled({cxp, cy}, {cxp + 3, cy + fonts_.body->FontSize}, palette_.accent);
  }
  dl_->PopClipRect();
  std::string count = std::to_string(v.text_length()) + "/" + std::to_string(q.max_length);
  bool full = static_cast<int>(v.text_length()) >= q.max_length;
  text_at(fonts_.label, count, {box.max.x - pad - text_width(fonts_.label, count), box.max.y - pad - fonts_.label->FontSize},
          full ? palette_.warning_ink : palette_.muted);
  y = box.max.y + m_.gap * 1.5f;

  draw_keyboard(v, {{m_.margin, y}, {m_.display.x - m_.margin, bar.min.y - m_.gap * 1.5f}});

  // Back and Skip on the left, Done on the right; narrower where space is short.
  float bw = std::max(m_.target * 2.0f, text_width(fonts_.button, v.t("skip")) + m_.body_px * 2);
  float dw = std::max(m_.target * 2.6f, text_width(fonts_.button, v.t("done")) + m_.body_px * 3);
  float scale = std::min(1.0f, (bar.width() - m_.gap * 4) / (2 * bw + dw));
  if (!m_.portrait && v.score()) scale = std::min(scale, 0.8f);
  bw *= scale;
  dw *= scale;
  if (button("back", {{bar.min.x, bar.min.y}, {bar.min.x + bw, bar.max.y}}, v.t("back"), Look::quiet)) events_.emplace_back(ev::Back{});
  if (button("skip", {{bar.min.x + bw + m_.gap, bar.min.y}, {bar.min.x + 2 * bw + m_.gap, bar.max.y}}, v.t("skip"), Look::plain))
    events_.emplace_back(ev::Skip{});
  if (button("done", {{bar.max.x - dw, bar.min.y}, {bar.max.x, bar.max.y}}, v.t("done"), Look::primary)) events_.emplace_back(ev::Done{});
}

}  // namespace tp::ui
