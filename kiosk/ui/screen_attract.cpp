// ATTRACT: the question, readable from two metres, an invitation that
// changes language every few seconds, the language choices, and Larger
// text for this visit. With
// read-back cards, the question and the cards take turns (attract_turn):
// "You said", the quote, "We did" and the venue's answer, and this month's
// count, each shortened with an ellipsis to fit, never cut inside a word
// unless one word alone is too long.
#include "text.h"
#include "ui.h"

namespace tp::ui {

void Ui::draw_attract(const Visit& v, TimePoint now) {
  const QuestionSet& set = v.question_set();

  // Language choices, top right, each named in itself. In one row when they
  // fit (in the button face, else a smaller one); else in rows, as many to a
  // row as fit, each button still a full target high.
  // Larger text at the top left, with its word unless that would crowd the
  // languages; in the same place in every language (not mirrored).
  const float width = m_.display.x - 2 * m_.margin;
  const Words tool_words = tool_width(v, Tool::large_text, true) <= width * 0.45f ? Words::all : Words::none;
  const float tool_w = tools_width(v, tool_words);
  {
    const bool rtl = rtl_;
    rtl_ = false;
    draw_tools(v, m_.margin, m_.margin, m_.target, tool_words);
    rtl_ = rtl;
  }
  float lang_h = m_.target;
  if (set.languages.size() > 1) {
    const float room = width - tool_w - m_.gap * 2;
    ImFont* font = fonts_.button;
    auto width_of = [&](const Language& l, ImFont* f) {
      return std::max(m_.target * 1.6f, text_width(f, l.name) + m_.body_px * (f == fonts_.button ? 1.6f : 1.0f));
    };
    auto row_width = [&](ImFont* f) {
      float w = -m_.gap;
      for (const auto& l : set.languages) w += width_of(l, f) + m_.gap;
      return w;
    };
    bool one_row = false;
    for (ImFont* f : {fonts_.button, fonts_.body, fonts_.label}) {
      font = f;
      if ((one_row = row_width(f) <= room)) break;
    }
    if (!one_row) font = fonts_.button;  // rows, then, in the large face
    // Rows from the top, each filled right to left in the set's order.
    std::vector<std::vector<const Language*>> rows(1);
    float used = 0;
    for (const auto& l : set.languages) {
      float w = width_of(l, font);
      if (!rows.back().empty() && used + m_.gap + w > room) {
        rows.emplace_back();
        used = 0;
      }
      used += (rows.back().empty() ? 0 : m_.gap) + w;
      rows.back().push_back(&l);
    }
    float y = m_.margin;
    for (const auto& row : rows) {
      float x = m_.display.x - m_.margin;
      for (auto it = row.rbegin(); it != row.rend(); ++it) {
        const Language& l = **it;
        float w = std::min(width_of(l, font), room);
        Rect r{{x - w, y}, {x, y + m_.target}};
        if (button("lang." + l.code, r, l.name, v.language() == l.code ? Look::selected : Look::plain, font))
          events_.emplace_back(ev::SelectLanguage{l.code});
        x -= w + m_.gap;
      }
      y += m_.target + m_.gap;
    }
    lang_h = static_cast<float>(rows.size()) * m_.target + static_cast<float>(rows.size() - 1) * m_.gap;
  }

  float cx = m_.display.x * 0.5f;
  float invite_h = m_.target;
  // The invitation greets in each language in turn.
  auto invite_pill = [&](float y) {
    const auto& langs = set.languages;
    const std::string& code = langs[v.greeting_index(now) % langs.size()].code;
    const std::string& invite = v.strings().get(code, "attract_invite");
    float iw = text_width(fonts_.button, invite) + m_.body_px * 3.0f;
    Rect pill{{cx - iw * 0.5f, y}, {cx + iw * 0.5f, y + invite_h}};
    dl_->AddRectFilled(pill.min, pill.max, palette_.accent, invite_h * 0.5f);
    float tw = text_width(fonts_.button, invite);
    text_at(fonts_.button, invite, {cx - tw * 0.5f, pill.center().y - fonts_.button->FontSize * 0.55f}, palette_.on_accent);
  };
  float area_top = m_.margin + lang_h + m_.gap * 2;

  // Large text (someone about to answer): the question, not the cards.
  const int turn = v.large_text() ? -1 : attract_turn(v.seconds_on_attract(now), live_.size());
  std::optional<Rect> card_box;
  if (turn >= 0) {
    float pill_y = m_.display.y - m_.margin - fonts_.label->FontSize - m_.gap * 2 - invite_h;
    card_box = draw_readback_card(v, *live_[static_cast<std::size_t>(turn)], area_top);
    invite_pill(pill_y);
  } else {
    // The question, centred in a warm card.
    float wrap = std::min(m_.display.x - 4 * m_.margin, m_.question_px * 18.0f);
    std::string prompt = v.prompt();
    float prompt_h = measure_block(fonts_.question, prompt, wrap);
    float dots = m_.number_px * 0.9f;  // the scale hint below the question
    float block_h = prompt_h + m_.gap * 4 + dots + m_.gap * 5 + invite_h;
    // Where the block would reach the promise at the foot (large text on a
    // short screen), the hint goes.
    const float foot = m_.display.y - m_.margin - fonts_.label->FontSize - m_.gap;
    const bool hint = area_top + block_h <= foot;
    if (!hint) block_h = prompt_h + m_.gap * 4 + invite_h;
    float top = area_top + std::max(0.0f, (foot - area_top - block_h) * 0.45f);

    text_block(fonts_.question, prompt, cx, top, wrap, palette_.ink);
    float y = top + prompt_h + m_.gap * 4;

    // A quiet row of eleven circles hints at what comes next (no colour ramp).
    if (hint) {
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
    }
    invite_pill(y);
  }

  // The promise of anonymity, small, at the foot.
  const std::string& note = v.t("attract_private");
  float nw = text_width(fonts_.label, note);
  text_at(fonts_.label, note, {cx - nw * 0.5f, m_.display.y - m_.margin - fonts_.label->FontSize}, palette_.muted);

  // Select with no button focused starts a visit, as a tap does.
  if (tapped_outside_targets() || (select_pending_ && focus_.empty())) events_.emplace_back(ev::Tap{});
  // Named for tests and the hits file; a tap on the card starts a visit like
  // a tap anywhere else here, so it is named only after the tap is looked at.
  if (card_box) hits_["readback.card"] = *card_box;
}

namespace {

// A code point a line may not start with when text is cut before it: a
// combining mark or a joiner, which belongs to the character before it
// (Bengali vowel signs and virama, Arabic harakat, accents, ZWJ).
bool joins_previous(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x064B && c <= 0x065F) || c == 0x0670 || (c >= 0x0981 && c <= 0x0983) ||
         (c >= 0x09BC && c <= 0x09D7) || (c >= 0x09E2 && c <= 0x09E3) || c == 0x200C || c == 0x200D || (c >= 0xFE00 && c <= 0xFE0F) ||
         (c >= 0x1F3FB && c <= 0x1F3FF);
}

}  // namespace

std::string Ui::fit_block(ImFont* font, const std::string& text, float wrap_width, float max_height, const std::string& tail) {
  if (measure_block(font, text, wrap_width) <= max_height) return text;
  const std::string kEllipsis = "\xE2\x80\xA6" + tail;
  // The longest prefix ending at one of `cuts` that fits with the ellipsis, found by halving.
  auto longest = [&](const std::vector<std::size_t>& cuts) -> std::size_t {
    std::size_t lo = 0, hi = cuts.size();
    while (lo < hi) {
      std::size_t mid = (lo + hi + 1) / 2;
      if (measure_block(font, text.substr(0, cuts[mid - 1]) + kEllipsis, wrap_width) <= max_height)
        lo = mid;
      else
        hi = mid - 1;
    }
    return lo == 0 ? 0 : cuts[lo - 1];
  };
  // At the end of a word; else, when the first word alone is too long, at a
  // character that does not belong to the one before it.
  std::vector<std::size_t> words, characters;
  const std::u32string cps = decode_utf8(text);
  std::size_t at = 0;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    std::string one;
    append_utf8(one, cps[i]);
    if (i > 0 && cps[i] == U' ' && cps[i - 1] != U' ') words.push_back(at);
    if (i > 0 && !joins_previous(cps[i])) characters.push_back(at);
    at += one.size();
  }
  std::size_t cut = longest(words);
  if (cut == 0) cut = longest(characters);
  if (cut == 0) return kEllipsis;
  std::string out = text.substr(0, cut);
  while (!out.empty() && (out.back() == ',' || out.back() == ';' || out.back() == ':' || out.back() == ' ')) out.pop_back();
  return out + kEllipsis;
}

Rect Ui::draw_readback_card(const Visit& v, const ReadbackCard& shown_card, float top) {
  const bool own = shown_card.texts.count(v.language()) == 0;
  const std::string& lang = own ? shown_card.language : v.language();
  const CardText& t = card_text(shown_card, lang);
  auto word = [&](const char* key) -> const std::string& { return v.strings().get(lang, key); };

  const float bottom = m_.display.y - m_.margin - fonts_.label->FontSize - m_.gap * 4 - m_.target;
  const float width = std::min(m_.display.x - 2 * m_.margin, m_.question_px * 24.0f);
  const float cx = m_.display.x * 0.5f, pad = m_.gap * 2;
  Rect box{{cx - width * 0.5f, top}, {cx + width * 0.5f, bottom}};
  card(box, palette_.surface, palette_.line);
  const float wrap = width - 2 * pad;
  float y = top + pad;
  const float inner = box.height() - 2 * pad;

  // Room: the count's line at the foot, the headings, then the quote gets
  // the larger share of what is left.
  std::string count;
  // Last month's count, in the month after it only (a kiosk long offline says nothing stale).
  if (readback_ && readback_->count && valid_day(readback_day_) && readback_->count->month == previous_month(readback_day_))
    count = fill(word("readback_count"), {{"count", std::to_string(readback_->count->people)}});
  const float count_h = count.empty() ? 0 : measure_block(fonts_.label, count, wrap) + m_.gap;
  const float heading_h = line_height(fonts_.label) + m_.gap * 0.5f;
  const bool answered = !t.we.empty();
  float text_room = inner - count_h - heading_h * (answered ? 2 : 1) - (answered ? m_.gap * 2 : 0);
  if (text_room < line_height(fonts_.body)) text_room = line_height(fonts_.body);
  const float quote_room = answered ? text_room * 0.55f : text_room;

  ImFont* quote_font = fonts_.question;
  std::string quotes;
  for (const auto& q : t.said) quotes += (quotes.empty() ? "" : " ") + ("\xE2\x80\x9C" + q + "\xE2\x80\x9D");
  // The large face when the quote fits in it, else a smaller one, shortened.
  if (measure_block(quote_font, quotes, wrap) > quote_room) quote_font = fonts_.button;
  if (measure_block(quote_font, quotes, wrap) > quote_room) quote_font = fonts_.body;
  // Shortened, the quote keeps its closing mark after the ellipsis.
  const std::string shown = fit_block(quote_font, quotes, wrap, quote_room, "\xE2\x80\x9D");
  const float quote_h = measure_block(quote_font, shown, wrap);
  std::string answer;
  float answer_h = 0;
  if (answered) {
    const float answer_room = std::max(line_height(fonts_.body), text_room - quote_h);
    answer = fit_block(fonts_.body, t.answer, wrap, answer_room);
    answer_h = measure_block(fonts_.body, answer, wrap);
  }
  // The words sit a little above the middle of the room the count leaves.
  const float content_h = heading_h + quote_h + (answered ? m_.gap * 2 + heading_h + answer_h : 0);
  y += std::max(0.0f, (inner - count_h - content_h) * 0.45f);

  text_block(fonts_.label, word("readback_you_said"), cx, y, wrap, palette_.muted);
  y += heading_h;
  y += text_block(quote_font, shown, cx, y, wrap, palette_.ink);
  if (answered) {
    y += m_.gap * 2;
    text_block(fonts_.label, word(t.we == "did" ? "readback_we_did" : "readback_we_will"), cx, y, wrap, palette_.muted);
    y += heading_h;
    y += text_block(fonts_.body, answer, cx, y, wrap, palette_.ink);
  }
  last_card_ = CardLayout{box, shown, answer, count, y};
  if (!count.empty()) {
    const float count_top = box.max.y - pad - count_h + m_.gap;
    if (y > count_top) last_card_->bottom = y;  // overlap: the test sees it
    last_card_->bottom = count_top + text_block(fonts_.label, count, cx, count_top, wrap, palette_.muted);
    if (y > count_top) last_card_->bottom = box.max.y + 1;
  }
  return box;
}

}  // namespace tp::ui
