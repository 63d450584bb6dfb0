// Buttons, text blocks and drawn icons shared by the screens.
#include <imgui_internal.h>

#include <algorithm>

#include "glyph_atlas.h"
#include "shaped_text.h"
#include "ui.h"

namespace tp::ui {

bool Ui::button(const std::string& id, Rect r, std::string_view label, Look look, ImFont* font) {
  ImGui::SetCursorScreenPos(r.min);
  bool clicked = ImGui::InvisibleButton(id.c_str(), ImVec2(r.width(), r.height()));
  bool held = ImGui::IsItemActive();
  hits_[id] = r;
  focusable_.push_back(id);
  const bool focused = !focus_.empty() && id == focus_;
  if (focused && select_pending_) {
    clicked = true;  // pressed from a keypad or a physical button
    select_pending_ = false;
  }
  if (focused) {
    // The focus ring: a wide band of ink a little outside the button,
    // clear of its own border, on every theme.
    const float out = std::max(4.0f, m_.gap * 0.5f);
    dl_->AddRect({r.min.x - out, r.min.y - out}, {r.max.x + out, r.max.y + out}, palette_.ink, m_.rounding + out, 0,
                 std::max(4.0f, out * 0.9f));
  }

  ImU32 fill = palette_.surface, ink = palette_.ink, border = palette_.line;
  float border_px = palette_.border;
  switch (look) {
    case Look::primary:
      fill = palette_.accent;
      ink = palette_.on_accent;
      border = palette_.accent;
      break;
    case Look::selected:
      fill = palette_.accent;
      ink = palette_.on_accent;
      border = palette_.ink;
      border_px *= 2.5f;
      break;
    case Look::quiet:
      fill = palette_.background;
      border = palette_.line;
      break;
    case Look::warning:
      fill = palette_.warning_ink;
      ink = palette_.on_accent;
      border = palette_.warning_ink;
      break;
    case Look::key:
    case Look::plain:
      break;
  }
  if (held) {
    // Pressed: darker and nudged down, visible in the same frame as the touch.
    fill = (look == Look::primary || look == Look::selected || look == Look::warning) ? palette_.ink : palette_.pressed;
    if (look == Look::primary || look == Look::selected || look == Look::warning) ink = palette_.on_accent;
  }
  float lift = held ? 2.0f : 0.0f;
  Rect body{{r.min.x, r.min.y + lift}, {r.max.x, r.max.y + lift}};
  if (!held && look != Look::quiet)  // a soft shadow makes targets read as pressable
    dl_->AddRectFilled({r.min.x, r.min.y + 3}, {r.max.x, r.max.y + 3}, (palette_.line & 0x00FFFFFF) | 0x90000000, m_.rounding);
  dl_->AddRectFilled(body.min, body.max, fill, m_.rounding);
  dl_->AddRect(body.min, body.max, border, m_.rounding, 0, border_px);
  if (!label.empty()) {
    ImFont* f = font ? font : fonts_.button;
    // A label wider than its button takes a smaller face (a narrow bar, a wide vowel sign on a key).
    for (ImFont* smaller : {fonts_.button, fonts_.label})
      if (f != smaller && f->FontSize > smaller->FontSize && text_width(f, label) > r.width() - 8.0f) f = smaller;
    if (auto shaped_label = shaped(f, label)) {
      ImVec2 c = body.center();
      // As tall as ImGui's own label (a line is FontSize; lines below it add the spacing), so both centre alike.
      float w = shaped_label->width,
            h = f->FontSize + shaped_label->line_height * static_cast<float>(std::max<std::size_t>(shaped_label->lines.size(), 1) - 1);
      atlas_->draw(dl_, *shaped_label, {c.x - w * 0.5f, c.y - h * 0.5f}, w, ink, true);
      return clicked;
    }
    ImVec2 size = f->CalcTextSizeA(f->FontSize, FLT_MAX, 0, label.data(), label.data() + label.size());
    ImVec2 c = body.center();
    dl_->AddText(f, f->FontSize, {c.x - size.x * 0.5f, c.y - size.y * 0.5f}, ink, label.data(), label.data() + label.size());
  }
  return clicked;
}

namespace {

std::vector<std::string_view> wrap_lines(ImFont* font, std::string_view text, float wrap_width) {
  std::vector<std::string_view> lines;
  const char* s = text.data();
  const char* end = text.data() + text.size();
  while (s < end) {
    const char* line_end = font->CalcWordWrapPositionA(1.0f, s, end, wrap_width);
    if (line_end == s) line_end = s + 1;  // a single glyph wider than the box
    const char* nl = static_cast<const char*>(memchr(s, '\n', static_cast<std::size_t>(line_end - s)));
    if (nl) line_end = nl;
    std::string_view line(s, static_cast<std::size_t>(line_end - s));
    while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
    lines.push_back(line);
    s = line_end;
    while (s < end && (*s == ' ' || *s == '\n')) ++s;
  }
  return lines;
}

// Narrows the wrap width while the line count stays the same, so that a
// two-line question splits near the middle instead of leaving one word alone.
float balanced_width(ImFont* font, std::string_view text, float wrap_width) {
  std::size_t lines = wrap_lines(font, text, wrap_width).size();
  if (lines < 2) return wrap_width;
  float lo = wrap_width * 0.4f, hi = wrap_width;
  for (int i = 0; i < 12; ++i) {
    float mid = (lo + hi) * 0.5f;
    if (wrap_lines(font, text, mid).size() > lines)
      lo = mid;
    else
      hi = mid;
  }
  return hi + 1.0f;
}

}  // namespace

std::shared_ptr<const Layout> Ui::shaped(ImFont* font, std::string_view text, float wrap_width) {
  if (!shaper_ || !atlas_ || !font || !needs_shaping(text)) return nullptr;
  // The regular face for body text and small labels, the bold one for the rest (fonts.h).
  const Weight weight = (font == fonts_.body || font == fonts_.label) ? Weight::regular : Weight::bold;
  return shaper_->layout(text, shaper_->em_for_imgui_size(font->FontSize), weight, wrap_width);
}

float Ui::measure_block(ImFont* font, std::string_view text, float wrap_width) {
  if (auto layout = shaped(font, text, wrap_width)) return layout->height();
  return static_cast<float>(wrap_lines(font, text, wrap_width).size()) * font->FontSize * 1.18f;
}

float Ui::text_block(ImFont* font, std::string_view text, float center_x, float top, float wrap_width, ImU32 color, bool centred,
                     float left) {
  if (auto layout = shaped(font, text, wrap_width)) {
    // Centred lines on center_x; else in the box from `left`, a right-to-left
    // line at its right end.
    atlas_->draw(dl_, *layout, {centred ? center_x - wrap_width * 0.5f : left, top}, wrap_width, color, centred);
    return layout->height();
  }
  float line_h = line_height(font);
  float y = top;
  if (centred) wrap_width = balanced_width(font, text, wrap_width);
  for (std::string_view line : wrap_lines(font, text, wrap_width)) {
    float w = text_width(font, line);
    float x = centred ? center_x - w * 0.5f : left;
    dl_->AddText(font, font->FontSize, {x, y}, color, line.data(), line.data() + line.size());
    y += line_h;
  }
  return y - top;
}

void Ui::text_at(ImFont* font, std::string_view text, ImVec2 pos, ImU32 color) {
  if (auto layout = shaped(font, text)) {
    atlas_->draw(dl_, *layout, pos, layout->width, color);
    return;
  }
  dl_->AddText(font, font->FontSize, pos, color, text.data(), text.data() + text.size());
}

float Ui::text_width(ImFont* font, std::string_view text) {
  if (auto layout = shaped(font, text)) return layout->width;
  return font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, text.data(), text.data() + text.size()).x;
}

float Ui::line_height(ImFont* font) const { return font->FontSize * 1.18f; }

float Ui::caret_offset(ImFont* font, std::string_view text, float wrap_width) {
  // Shaped: where the last line as laid out ends, in typing order.
  // A right-to-left last line ends at its left end, which lies wrap_width
  // minus its width from the left of the box (glyph_atlas.h aligns it right).
  if (auto layout = shaped(font, text, wrap_width)) {
    if (layout->lines.empty()) return 0.0f;
    const float w = layout->lines.back().width;
    return layout->lines.back().rtl ? wrap_width - w - 8.0f : w;
  }
  // Wraps as wrap_lines() does, but keeps the last line's trailing spaces:
  // a space just typed moves the caret.
  std::string_view last_line = text;
  const char* s = text.data();
  const char* end = s + text.size();
  while (s < end) {
    const char* e = font->CalcWordWrapPositionA(1.0f, s, end, wrap_width);
    if (e == s) e = s + 1;
    if (e >= end) {
      last_line = std::string_view(s, static_cast<std::size_t>(end - s));
      break;
    }
    s = e;
    while (s < end && *s == ' ') ++s;
  }
  return text_width(font, last_line);
}

Rect Ui::across(Rect r) const {
  if (!rtl_) return r;
  return {{m_.display.x - r.max.x, r.min.y}, {m_.display.x - r.min.x, r.max.y}};
}

void Ui::card(Rect r, ImU32 fill, ImU32 border) {
  dl_->AddRectFilled(r.min, r.max, fill, m_.rounding * 1.5f);
  dl_->AddRect(r.min, r.max, border, m_.rounding * 1.5f, 0, palette_.border);
}

std::vector<Ui::Tool> Ui::tools(const Visit& v) const {
  std::vector<Tool> out;
  const bool question = v.screen() == Screen::scale || v.screen() == Screen::text || v.screen() == Screen::choice;
  if (question && has_voice_ && has_voice_(v.language())) out.push_back(Tool::read_aloud);
  if (question || v.screen() == Screen::attract) out.push_back(Tool::large_text);
  return out;
}

float Ui::tool_width(const Visit& v, Tool tool, bool word) {
  if (!word) return m_.target;
  const std::string& text = v.t(tool == Tool::read_aloud ? "read_aloud" : "larger_text");
  const float pad = m_.body_px * 0.8f;
  return std::max(m_.target, pad + m_.target * 0.5f + m_.gap + text_width(fonts_.button, text) + pad);
}

bool Ui::with_word(Words words, Tool tool) { return words == Words::all || (words == Words::read_aloud && tool == Tool::read_aloud); }

float Ui::tools_width(const Visit& v, Words words) {
  float w = 0;
  for (Tool t : tools(v)) w += (w > 0 ? m_.gap : 0) + tool_width(v, t, with_word(words, t));
  return w;
}

Ui::Words Ui::words_fitting(const Visit& v, float room) {
  for (Words w : {Words::all, Words::read_aloud})
    if (tools_width(v, w) <= room) return w;
  return Words::none;
}

float Ui::draw_tools(const Visit& v, float left, float top, float height, Words words) {
  float x = left;
  for (Tool t : tools(v)) {
    const bool word = with_word(words, t);
    const float w = tool_width(v, t, word);
    const Rect r = across({{x, top}, {x + w, top + height}});
    const bool on = t == Tool::read_aloud ? speaking_ : v.large_text();
    const char* id = t == Tool::read_aloud ? "read_aloud" : "large_text";
    if (button(id, r, "", on ? Look::selected : Look::plain)) {
      if (t == Tool::read_aloud)
        events_.emplace_back(ev::ReadAloud{});
      else
        events_.emplace_back(ev::ToggleLargeText{});
    }
    const ImU32 ink = on ? palette_.on_accent : palette_.ink;
    const float lift = ImGui::IsItemActive() ? 2.0f : 0.0f;
    const float icon = std::min(m_.target * 0.5f, height * 0.6f);
    const float pad = m_.body_px * 0.8f;
    // The icon leads: at the left, or at the right in a right-to-left visit.
    ImVec2 icon_at = word ? ImVec2{rtl_ ? r.max.x - pad - icon * 0.5f : r.min.x + pad + icon * 0.5f, r.center().y + lift}
                          : ImVec2{r.center().x, r.center().y + lift};
    if (t == Tool::read_aloud)
      icon_speaker(icon_at, icon, ink, on);
    else
      icon_large_text(icon_at, icon, ink);
    if (word) {
      const std::string& text = v.t(t == Tool::read_aloud ? "read_aloud" : "larger_text");
      const float ww = text_width(fonts_.button, text);
      const float wx = rtl_ ? r.max.x - pad - icon - m_.gap - ww : r.min.x + pad + icon + m_.gap;
      text_at(fonts_.button, text, {wx, r.center().y + lift - fonts_.button->FontSize * 0.55f}, ink);
    }
    x += w + m_.gap;
  }
  return x - left - (x > left ? m_.gap : 0);
}

void Ui::icon_speaker(ImVec2 c, float s, ImU32 color, bool sounding) {
  // A box, its cone, and two sound waves (three while it speaks).
  const float bx = c.x - s * 0.45f, cone = c.x - s * 0.05f;
  dl_->AddRectFilled({bx, c.y - s * 0.13f}, {bx + s * 0.16f, c.y + s * 0.13f}, color);
  ImVec2 pts[4] = {{bx + s * 0.16f, c.y - s * 0.13f}, {cone, c.y - s * 0.36f}, {cone, c.y + s * 0.36f}, {bx + s * 0.16f, c.y + s * 0.13f}};
  dl_->AddConvexPolyFilled(pts, 4, color);
  const int waves = sounding ? 3 : 2;
  for (int i = 0; i < waves; ++i) {
    dl_->PathArcTo({cone, c.y}, s * (0.2f + 0.16f * static_cast<float>(i)), -0.8f, 0.8f, 10);
    dl_->PathStroke(color, 0, std::max(2.0f, s * 0.08f));
  }
}

void Ui::icon_large_text(ImVec2 c, float s, ImU32 color) {
  // A small "A" beside a large one, on one baseline.
  ImFont* f = fonts_.question;
  const float small = s * 0.55f, large = s * 1.0f;
  const float ws = f->CalcTextSizeA(small, FLT_MAX, 0, "A").x, wl = f->CalcTextSizeA(large, FLT_MAX, 0, "A").x;
  // A capital stands about 0.72 of the size above its baseline: centre the large one.
  const float left = c.x - (ws + wl + s * 0.05f) * 0.5f, base = c.y + large * 0.36f;
  dl_->AddText(f, small, {left, base - f->Ascent * small / f->FontSize}, color, "A");
  dl_->AddText(f, large, {left + ws + s * 0.05f, base - f->Ascent * large / f->FontSize}, color, "A");
}

void Ui::icon_check(ImVec2 c, float s, ImU32 color) {
  ImVec2 pts[3] = {{c.x - s * 0.35f, c.y + s * 0.02f}, {c.x - s * 0.1f, c.y + s * 0.27f}, {c.x + s * 0.38f, c.y - s * 0.25f}};
  dl_->AddPolyline(pts, 3, color, 0, s * 0.12f);
}

void Ui::icon_backspace(ImVec2 c, float s, ImU32 color) {
  float w = s * 0.55f, h = s * 0.32f;
  ImVec2 pts[5] = {{c.x - w, c.y}, {c.x - w * 0.45f, c.y - h}, {c.x + w, c.y - h}, {c.x + w, c.y + h}, {c.x - w * 0.45f, c.y + h}};
  dl_->AddPolyline(pts, 5, color, ImDrawFlags_Closed, s * 0.06f);
  float x = c.x + w * 0.25f, d = h * 0.45f;
  dl_->AddLine({x - d, c.y - d}, {x + d, c.y + d}, color, s * 0.06f);
  dl_->AddLine({x - d, c.y + d}, {x + d, c.y - d}, color, s * 0.06f);
}

void Ui::icon_shift(ImVec2 c, float s, ImU32 color, bool filled) {
  float w = s * 0.38f, h = s * 0.4f;
  ImVec2 pts[7] = {{c.x, c.y - h},         {c.x + w, c.y}, {c.x + w * 0.45f, c.y}, {c.x + w * 0.45f, c.y + h}, {c.x - w * 0.45f, c.y + h},
                   {c.x - w * 0.45f, c.y}, {c.x - w, c.y}};
  if (filled)
    dl_->AddConvexPolyFilled(pts, 7, color);
  else
    dl_->AddPolyline(pts, 7, color, ImDrawFlags_Closed, s * 0.06f);
}

Rect Ui::bottom_bar() const {
  float h = m_.target;
  return {{m_.margin, m_.display.y - m_.margin - h}, {m_.display.x - m_.margin, m_.display.y - m_.margin}};
}

bool Ui::tapped_outside_targets() const {
  // A tap is a short press and release that began away from every button;
  // a long rest of the finger (the staff gesture) is not a tap.
  const ImGuiIO& io = ImGui::GetIO();
  if (!ImGui::IsMouseReleased(0) || io.MouseDownDurationPrev[0] > 1.0f || corner_pressed_since_) return false;
  ImVec2 p = io.MouseClickedPos[0];
  for (const auto& [id, r] : hits_)
    if (p.x >= r.min.x && p.x < r.max.x && p.y >= r.min.y && p.y < r.max.y) return false;
  return true;
}

void Ui::staff_header(const Visit& v, std::string_view title) {
  float h = m_.target * 0.9f;
  dl_->AddRectFilled({0, 0}, {m_.display.x, h}, palette_.staff_bar);
  std::string text = v.t("staff_header") + "  ·  " + std::string(title);
  text_at(fonts_.button, text, {m_.margin, (h - fonts_.button->FontSize) * 0.5f}, palette_.on_accent);
}

}  // namespace tp::ui
