// Contrast, computed from what the screens draw: after each frame, every
// glyph (a textured triangle: ImGui's font atlas or the shaped glyph atlas)
// is set against the fills drawn under it before it (solid triangles of one
// colour containing its centre, blended in order over the window's
// background), and the WCAG 2 contrast ratio of its colour against that
// background is taken. Every screen, at three sizes, in both themes and all
// six languages of the demo set, the read-back card included: at least 4.5:1
// in the standard theme and 7:1 in the high-contrast one.
#include <catch2/catch.hpp>
#include <cmath>

#include "fakes/fakes.h"
#include "harness.h"
#include "readback.h"
#include "support.h"

using namespace tp;

namespace {

struct Colour {
  double r = 0, g = 0, b = 0;
};

Colour colour_of(ImU32 c) {
  return {((c >> IM_COL32_R_SHIFT) & 0xFF) / 255.0, ((c >> IM_COL32_G_SHIFT) & 0xFF) / 255.0, ((c >> IM_COL32_B_SHIFT) & 0xFF) / 255.0};
}
double alpha_of(ImU32 c) { return ((c >> IM_COL32_A_SHIFT) & 0xFF) / 255.0; }
Colour over(const Colour& top, double a, const Colour& under) {
  return {top.r * a + under.r * (1 - a), top.g * a + under.g * (1 - a), top.b * a + under.b * (1 - a)};
}
double luminance(const Colour& c) {
  auto lin = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}
double contrast(const Colour& a, const Colour& b) {
  double la = luminance(a), lb = luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

bool inside(const ImVec2& p, const ImDrawVert& a, const ImDrawVert& b, const ImDrawVert& c) {
  auto side = [&](const ImDrawVert& u, const ImDrawVert& v) {
    return (v.pos.x - u.pos.x) * (p.y - u.pos.y) - (v.pos.y - u.pos.y) * (p.x - u.pos.x);
  };
  const float d1 = side(a, b), d2 = side(b, c), d3 = side(c, a);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

struct Worst {
  double ratio = 1e9;
  int glyphs = 0;
  std::string what;
};

// The lowest contrast of any glyph in the last frame rendered.
Worst worst_glyph_contrast(ImU32 window_background) {
  Worst worst;
  const ImVec2 white = ImGui::GetIO().Fonts->TexUvWhitePixel;
  ImDrawData* data = ImGui::GetDrawData();
  for (int l = 0; l < data->CmdListsCount; ++l) {
    const ImDrawList* list = data->CmdLists[l];
    struct Fill {
      const ImDrawVert *a, *b, *c;
    };
    std::vector<Fill> fills;
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      for (unsigned i = 0; i + 2 < cmd.ElemCount; i += 3) {
        const ImDrawVert& a = list->VtxBuffer[static_cast<int>(cmd.VtxOffset + list->IdxBuffer[static_cast<int>(cmd.IdxOffset + i)])];
        const ImDrawVert& b = list->VtxBuffer[static_cast<int>(cmd.VtxOffset + list->IdxBuffer[static_cast<int>(cmd.IdxOffset + i + 1)])];
        const ImDrawVert& c = list->VtxBuffer[static_cast<int>(cmd.VtxOffset + list->IdxBuffer[static_cast<int>(cmd.IdxOffset + i + 2)])];
        auto is_white = [&](const ImDrawVert& v) {
          return cmd.TextureId == ImGui::GetIO().Fonts->TexID && std::fabs(v.uv.x - white.x) < 1e-6f && std::fabs(v.uv.y - white.y) < 1e-6f;
        };
        if (is_white(a) && is_white(b) && is_white(c)) {
          // A fill of one colour; the anti-aliased fringes (alpha fading out) are left out.
          if (a.col == b.col && b.col == c.col && alpha_of(a.col) > 0) fills.push_back({&a, &b, &c});
          continue;
        }
        if (alpha_of(a.col) == 0) continue;
        const ImVec2 centre{(a.pos.x + b.pos.x + c.pos.x) / 3, (a.pos.y + b.pos.y + c.pos.y) / 3};
        Colour background = colour_of(window_background);
        for (const Fill& f : fills)
          if (inside(centre, *f.a, *f.b, *f.c)) background = over(colour_of(f.a->col), alpha_of(f.a->col), background);
        const Colour ink = over(colour_of(a.col), alpha_of(a.col), background);
        const double ratio = contrast(ink, background);
        ++worst.glyphs;
        if (ratio < worst.ratio) {
          worst.ratio = ratio;
          char what[160];
          auto hex = [](const Colour& k) {
            return static_cast<unsigned>(std::lround(k.r * 255)) << 16 | static_cast<unsigned>(std::lround(k.g * 255)) << 8 |
                   static_cast<unsigned>(std::lround(k.b * 255));
          };
          std::snprintf(what, sizeof what, "ink #%06X on #%06X at (%.0f, %.0f), %.2f:1", hex(ink), hex(background), centre.x, centre.y,
                        ratio);
          worst.what = what;
        }
      }
    }
  }
  return worst;
}

}  // namespace

TEST_CASE("every text drawn stands out from what is under it: 4.5:1 standard, 7:1 high contrast", "[ui][contrast]") {
  QuestionSet set = test::demo_set();
  Strings strings = test::demo_strings();
  KioskConfig config;
  const Screen screens[] = {Screen::attract,     Screen::scale,     Screen::text,       Screen::choice,        Screen::thanks,
                            Screen::still_there, Screen::staff_pin, Screen::staff_menu, Screen::out_of_service};
  auto cards = std::make_shared<Readback>();
  cards->venue = "Central Library";
  cards->count = ReadbackCount{"2026-11", 143};
  ReadbackCard card;
  card.id = "1";
  card.language = "en";
  card.from = "2000-01-01";
  card.until = "2999-12-31";
  card.texts["en"] = CardText{{"More seats near the window, please."}, "did", "We moved six armchairs to the window side."};
  card.texts["ar"] = CardText{{"مزيد من المقاعد قرب النافذة من فضلكم."}, "did", "نقلنا ستة كراسي إلى جانب النافذة."};
  cards->cards.push_back(card);
  for (ImVec2 size : {ImVec2{800, 480}, ImVec2{1280, 800}, ImVec2{1080, 1920}}) {
    for (const char* theme : {"standard", "high-contrast"}) {
      const double least = std::string(theme) == "standard" ? 4.5 : 7.0;
      test::ScreenHarness h(size, set, strings, theme);
      h.shape_text();
      ImGui::GetStyle().AntiAliasedLinesUseTex = false;  // lines as plain geometry, apart from the glyphs
      const ImU32 background = ui::palette_named(theme).background;
      for (const auto& language : set.languages) {
        for (Screen target : screens) {
          test::MemoryStore store;
          test::FixedStamps stamps;
          test::FixedPin pins("2468");
          TimePoint now = Clock::now();
          Visit v(set, config, strings, store, store, stamps, pins, now);
          v.handle(ev::SelectLanguage{language.code}, now);
          test::reach(h, v, now, target, &store);
          REQUIRE(v.screen() == target);
          if (target == Screen::text) v.handle(ev::TypeText{"Ok 7"}, now);
          h.frame(v, now);
          Worst w = worst_glyph_contrast(background);
          INFO(size.x << "x" << size.y << " " << theme << " " << language.code << " " << screen_name(target) << ": " << w.what);
          CHECK(w.glyphs > 10);
          CHECK(w.ratio >= least);
        }
        // The attract screen in a read-back card's turn.
        h.ui().set_readback(cards, "2026-12-02");
        test::MemoryStore store;
        test::FixedStamps stamps;
        test::FixedPin pins("2468");
        TimePoint now = Clock::now();
        Visit v(set, config, strings, store, store, stamps, pins, now);
        v.handle(ev::SelectLanguage{language.code}, now);
        h.frame(v, now + std::chrono::seconds(kInviteSeconds + 1));
        REQUIRE(h.ui().last_card());
        Worst w = worst_glyph_contrast(background);
        INFO(size.x << "x" << size.y << " " << theme << " " << language.code << " read-back card: " << w.what);
        CHECK(w.ratio >= least);
        h.ui().set_readback(nullptr, "");
      }
    }
  }
}
