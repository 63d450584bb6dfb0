// ATTRACT: the question, readable from two metres, an invitation that
// changes language every few seconds, and the language choices.
#include "text.h"
#include "ui.h"

namespace tp::ui {

void Ui::draw_attract(const Visit& v, TimePoint now) {
  const QuestionSet& set = v.question_set();

  // Language choices, top right, each named in itself.
  float lang_h = m_.target;
  if (set.languages.size() > 1) {
    float x = m_.display.x - m_.margin;
    for (auto it = set.languages.rbegin(); it != set.languages.rend(); ++it) {
      float w = std::max(m_.target * 1.6f, text_width(fonts_.button, it->name) + m_.body_px * 1.6f);
      Rect r{{x - w, m_.margin}, {x, m_.margin + lang_h}};
      if (button("lang." + it->code, r, it->name, v.language() == it->code ? Look::selected : Look::plain))
        events_.emplace_back(ev::SelectLanguage{it->code});
      x -= w + m_.gap;
    }
  }

  // The question, centred in a warm card.
  float wrap = std::min(m_.display.x - 4 * m_.margin, m_.question_px * 18.0f);
  std::string prompt = v.prompt();
  float prompt_h = measure_block(fonts_.question, prompt, wrap);
  float dots = m_.number_px * 0.9f;  // the scale hint below the question
  float invite_h = m_.target;
  float block_h = prompt_h + m_.gap * 4 + dots + m_.gap * 5 + invite_h;
  float area_top = m_.margin + lang_h + m_.gap * 2;
  float top = area_top + std::max(0.0f, (m_.display.y - m_.margin - area_top - block_h) * 0.45f);
  float cx = m_.display.x * 0.5f;

  text_block(fonts_.question, prompt, cx, top, wrap, palette_.ink);
  float y = top + prompt_h + m_.gap * 4;

  // A quiet row of eleven circles hints at what comes next (no colour ramp).
  float step = std::min(dots * 1.35f, (m_.display.x - 2 * m_.margin) / 11.0f);
  float x0 = cx - step * 5.0f;
  for (int i = 0; i <= 10; ++i) {
    ImVec2 c{x0 + step * static_cast<float>(i), y + dots * 0.5f};
    dl_->AddCircleFilled(c, dots * 0.42f, palette_.surface);
    dl_->AddCircle(c, dots * 0.42f, palette_.line, 0, palette_.border);
    std::string n = std::to_string(i);
    float w = text_width(fonts_.label, n);
    text_at(fonts_.label, n, {c.x - w * 0.5f, c.y - fonts_.label->FontSize * 0.55f}, palette_.muted);
  }
  y += dots + m_.gap * 5;

  // The invitation greets in each language in turn.
  const auto& langs = set.languages;
  const std::string& code = langs[v.greeting_index(now) % langs.size()].code;
  const std::string& invite = v.strings().get(code, "attract_invite");
  float iw = text_width(fonts_.button, invite) + m_.body_px * 3.0f;
  Rect pill{{cx - iw * 0.5f, y}, {cx + iw * 0.5f, y + invite_h}};
  dl_->AddRectFilled(pill.min, pill.max, palette_.accent, invite_h * 0.5f);
  float tw = text_width(fonts_.button, invite);
  text_at(fonts_.button, invite, {cx - tw * 0.5f, pill.center().y - fonts_.button->FontSize * 0.55f}, palette_.on_accent);

  // The promise of anonymity, small, at the foot.
  const std::string& note = v.t("attract_private");
  float nw = text_width(fonts_.label, note);
  text_at(fonts_.label, note, {cx - nw * 0.5f, m_.display.y - m_.margin - fonts_.label->FontSize}, palette_.muted);

  if (tapped_outside_targets()) events_.emplace_back(ev::Tap{});
}

}  // namespace tp::ui
