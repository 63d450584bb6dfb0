// The resident and staff screens. A thin layer: draw() reads the visit
// state machine and returns what was tapped as events; it never touches
// storage or the clock.
//
// Frame: events -> ImGui::NewFrame -> Ui::draw -> Visit::handle(each event) -> ImGui::Render
#pragma once
#include <imgui.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "export_status.h"
#include "fonts.h"
#include "readback.h"
#include "set_delivery.h"
#include "theme.h"
#include "visit.h"

namespace tp::ui {

class TextShaper;
class GlyphAtlas;
struct Layout;

struct Rect {
  ImVec2 min, max;
  ImVec2 center() const { return {(min.x + max.x) * 0.5f, (min.y + max.y) * 0.5f}; }
  float width() const { return max.x - min.x; }
  float height() const { return max.y - min.y; }
  bool operator==(const Rect& o) const { return min.x == o.min.x && min.y == o.min.y && max.x == o.max.x && max.y == o.max.y; }
};

enum class Look { plain, primary, selected, quiet, key, warning };

// Keys of a USB keypad, a keyboard's arrows, or three physical buttons
// (left, right, select: wired as arrow keys and Enter) for residents who
// cannot use the touch screen.
enum class NavKey { left, right, up, down, next, previous, select };

class Ui {
 public:
  static constexpr auto kStaffHold = std::chrono::seconds(5);

  Ui(const Fonts& fonts, const Palette& palette, const Metrics& metrics)
      : base_fonts_(fonts), fonts_(fonts), palette_(palette), base_m_(metrics), m_(metrics) {}
  void set_metrics(const Metrics& metrics) { base_m_ = m_ = metrics; }
  // The faces of large-text mode (FontBuilder::build's `large`); without
  // them, large-text mode enlarges the targets only. Must outlive the Ui.
  void set_large_fonts(const Fonts* large) { large_fonts_ = large; }
  // Read aloud: which languages have a voice (null or false: no button),
  // and whether speech is sounding now (the button shows it, and a second
  // tap stops it).
  void set_read_aloud(std::function<bool(const std::string&)> has_voice) { has_voice_ = std::move(has_voice); }
  void set_speaking(bool speaking) { speaking_ = speaking; }
  // What Read aloud says on the screen of `v`: the question, and on the
  // scale its two ends with their numbers, or the choice's options. Empty
  // off the question screens.
  static std::string words_to_read(const Visit& v);
  void set_palette(const Palette& palette) { palette_ = palette; }
  // Where the set on screen came from, a refused delivery, the last USB install: for the staff menu.
  void set_question_set_status(const QuestionSetStatus& status) { set_status_ = status; }
  // Sticks found and the export's progress or outcome: for the staff menu.
  void set_export_status(const ExportStatus& status) { export_status_ = status; }
  // Text that ImGui's one-glyph-per-code-point path would draw wrongly
  // (Arabic, Bengali, any right-to-left run: needs_shaping()) is shaped and
  // drawn through these (shaped_text.h, glyph_atlas.h). Without them, ImGui
  // draws every text as best it can. Both must outlive the Ui.
  void set_shaped_text(TextShaper* shaper, GlyphAtlas* atlas) {
    shaper_ = shaper;
    atlas_ = atlas;
  }

  // The venue's read-back cards, shown in turn with the invitation on the
  // attract screen (readback.h); `today` (YYYY-MM-DD) picks the live ones.
  // Null: none, and the attract screen is as it always was.
  void set_readback(std::shared_ptr<const Readback> cards, std::string today);
  // The cards live today, in turn order.
  std::size_t live_cards() const { return live_.size(); }
  // What the card drawn in the last frame showed, and where: for tests.
  struct CardLayout {
    Rect box;
    std::string quote, answer, count;  // as drawn (shortened where they had to be)
    float bottom = 0;                  // the lowest text line's foot
  };
  const std::optional<CardLayout>& last_card() const { return last_card_; }

  std::vector<Event> draw(const Visit& visit, TimePoint now);

  // Moves the focus ring among the buttons of the last frame drawn, or
  // presses the focused one in the next frame. With nothing focused, the
  // first key focuses the first button in reading order (select on the
  // attract screen starts a visit, as a tap does). A screen change drops
  // the focus.
  void navigate(NavKey key);
  // The id of the focused button ("scale.7"); empty when none.
  const std::string& focused() const { return focus_; }

  // While a finger rests on the staff corner, the frame loop must wake to notice the hold.
  std::optional<TimePoint> wake_at() const;
  // Where each named target was drawn in the last frame ("scale.7", "key.o", "done").
  const std::map<std::string, Rect>& hits() const { return hits_; }

 private:
  void draw_attract(const Visit& v, TimePoint now);
  Rect draw_readback_card(const Visit& v, const ReadbackCard& card, float top);
  // `text` shortened at a word (else a character) with an ellipsis so that
  // it wraps into at most `max_height`; whole when it fits.
  // `tail` (a closing quotation mark) follows the ellipsis.
  std::string fit_block(ImFont* font, const std::string& text, float wrap_width, float max_height, const std::string& tail = "");
  void draw_scale(const Visit& v);
  void draw_text(const Visit& v);
  void draw_keyboard(const Visit& v, Rect area);
  void draw_choice(const Visit& v);
  void draw_thanks(const Visit& v);
  void draw_still_there(const Visit& v, TimePoint now);
  void draw_staff_pin(const Visit& v, TimePoint now);
  void draw_staff_menu(const Visit& v);
  void draw_out_of_service(const Visit& v);
  void draw_closed(const Visit& v, TimePoint now);
  void watch_staff_corner(TimePoint now);

  // ---- widgets (widgets.cpp) ----
  // Every measurement and drawing of text goes through these, never through
  // ImGui's font calls in a screen file, so that a text path with shaping
  // (for scripts ImGui cannot join) can replace them in one place.
  bool button(const std::string& id, Rect r, std::string_view label, Look look, ImFont* font = nullptr);
  // Word-wrapped, each line centred on center_x; returns the height used.
  float text_block(ImFont* font, std::string_view text, float center_x, float top, float wrap_width, ImU32 color, bool centred = true,
                   float left = 0);
  float measure_block(ImFont* font, std::string_view text, float wrap_width);
  void text_at(ImFont* font, std::string_view text, ImVec2 pos, ImU32 color);
  float text_width(ImFont* font, std::string_view text);
  // The distance from one line of a text block to the next.
  float line_height(ImFont* font) const;
  // How far along the last wrapped line of `text` it ends, trailing spaces
  // included: where the typing caret goes.
  float caret_offset(ImFont* font, std::string_view text, float wrap_width);
  void card(Rect r, ImU32 fill, ImU32 border);
  // `r` mirrored across the middle of the screen in a right-to-left visit, else `r`.
  Rect across(Rect r) const;
  // The shaped layout of `text` in `font`'s size and weight, wrapped to
  // `wrap_width` (<= 0: no wrapping); null when ImGui's own path draws it.
  std::shared_ptr<const Layout> shaped(ImFont* font, std::string_view text, float wrap_width = 0);
  // Read aloud and Larger text, side by side from `left` in a row `height`
  // tall (right to left: mirrored); each with its word, or its icon alone.
  // Returns the width they take.
  enum class Tool { read_aloud, large_text };
  // Which tools show their word: all, Read aloud's only (Larger text's
  // icon speaks for itself), or none.
  enum class Words { none, read_aloud, all };
  std::vector<Tool> tools(const Visit& v) const;
  static bool with_word(Words words, Tool tool);
  float tool_width(const Visit& v, Tool tool, bool word);
  float tools_width(const Visit& v, Words words);
  // The most words that fit in `room`.
  Words words_fitting(const Visit& v, float room);
  float draw_tools(const Visit& v, float left, float top, float height, Words words);
  void icon_check(ImVec2 center, float size, ImU32 color);
  void icon_speaker(ImVec2 center, float size, ImU32 color, bool sounding);
  void icon_large_text(ImVec2 center, float size, ImU32 color);
  void icon_backspace(ImVec2 center, float size, ImU32 color);
  void icon_shift(ImVec2 center, float size, ImU32 color, bool filled);
  void staff_header(const Visit& v, std::string_view title);
  bool tapped_outside_targets() const;
  Rect bottom_bar() const;

  const Fonts& base_fonts_;
  const Fonts* large_fonts_ = nullptr;
  Fonts fonts_;  // the faces of this frame: large-text mode's, or the standard ones
  Palette palette_;
  Metrics base_m_;
  Metrics m_;  // the sizes of this frame
  std::function<bool(const std::string&)> has_voice_;
  bool speaking_ = false;
  ImDrawList* dl_ = nullptr;
  std::vector<Event> events_;
  std::map<std::string, Rect> hits_;
  std::optional<TimePoint> corner_pressed_since_;
  QuestionSetStatus set_status_;
  ExportStatus export_status_;
  TextShaper* shaper_ = nullptr;
  GlyphAtlas* atlas_ = nullptr;
  std::string focus_;                   // the button with the focus ring
  bool select_pending_ = false;         // press the focused button (or tap the attract screen) in the next frame
  std::vector<std::string> focusable_;  // the buttons of the last frame, in the order drawn
  std::shared_ptr<const Readback> readback_;
  std::string readback_day_;  // the day the cards were picked for
  std::vector<const ReadbackCard*> live_;
  std::optional<CardLayout> last_card_;
  bool rtl_ = false;  // the visit's language is written right to left (set by draw())
};

// Every character the screens may show for this set, for the font atlas.
std::string text_in_use(const QuestionSet& set, const Strings& strings);
// Every character of the cards, for the font atlas.
std::string text_in_use(const Readback& cards);

}  // namespace tp::ui
