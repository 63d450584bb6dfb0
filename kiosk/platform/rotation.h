// Turning the picture for a panel mounted in portrait or upside down
// ("display_rotation" in the kiosk config).
//
// The screens lay out for the logical size: the window's, with width and
// height swapped at 90 and 270 degrees. After ImGui::Render() the window
// turns ImGui's finished draw data onto the panel (turn_draw_data), and it
// turns touch and mouse positions back into the logical picture before ImGui
// sees them (to_logical). Working on the draw data, not in GL, the same code
// serves the desktop GL and the GLES2 build of ImGui's OpenGL3 back end,
// under X11, Wayland and KMSDRM alike, and costs one pass over a few
// thousand vertices a frame.
//
// Rules:
//   1. Only quarter turns (0, 90, 180, 270): an axis-aligned rectangle stays
//      one, so clip rectangles stay scissor rectangles, and glyph quads stay
//      on the pixel grid (text as sharp as unturned).
//   2. Degrees are clockwise: at 90 the logical top edge runs down the
//      panel's right side, so a panel whose own top edge is on the viewer's
//      left shows it upright.
//   3. to_logical() undoes to_panel() exactly, for points anywhere, on the
//      panel or off it.
#pragma once
#include <imgui.h>

#include <algorithm>

namespace tp::platform {

inline bool is_quarter_turn(int degrees) { return degrees == 90 || degrees == 270; }

// The size the screens lay out for on a panel (a window) of this size.
inline ImVec2 logical_size(ImVec2 panel, int degrees) { return is_quarter_turn(degrees) ? ImVec2(panel.y, panel.x) : panel; }

// Where a point of the logical picture shows on the panel.
inline ImVec2 to_panel(ImVec2 p, ImVec2 panel, int degrees) {
  switch (degrees) {
    case 90:
      return {panel.x - p.y, p.x};
    case 180:
      return {panel.x - p.x, panel.y - p.y};
    case 270:
      return {p.y, panel.y - p.x};
    default:
      return p;
  }
}

// Where a point on the panel (a touch) is in the logical picture.
inline ImVec2 to_logical(ImVec2 p, ImVec2 panel, int degrees) {
  switch (degrees) {
    case 90:
      return {p.y, panel.x - p.x};
    case 180:
      return {panel.x - p.x, panel.y - p.y};
    case 270:
      return {panel.y - p.y, p.x};
    default:
      return p;
  }
}

// Turns a frame's draw data, laid out for logical_size(panel), onto the
// panel: every vertex and clip rectangle, then the display size and the
// framebuffer scale the renderer reads (the panel's).
inline void turn_draw_data(ImDrawData& data, ImVec2 panel, ImVec2 panel_framebuffer_scale, int degrees) {
  if (degrees != 90 && degrees != 180 && degrees != 270) return;
  const ImVec2 origin = data.DisplayPos;
  auto turn = [&](ImVec2 p) {
    ImVec2 q = to_panel({p.x - origin.x, p.y - origin.y}, panel, degrees);
    return ImVec2(q.x + origin.x, q.y + origin.y);
  };
  for (int n = 0; n < data.CmdListsCount; ++n) {
    ImDrawList* list = data.CmdLists[n];
    for (ImDrawVert& v : list->VtxBuffer) v.pos = turn(v.pos);
    for (ImDrawCmd& cmd : list->CmdBuffer) {
      ImVec2 a = turn({cmd.ClipRect.x, cmd.ClipRect.y});
      ImVec2 b = turn({cmd.ClipRect.z, cmd.ClipRect.w});
      cmd.ClipRect = ImVec4(std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.x, b.x), std::max(a.y, b.y));
    }
  }
  data.DisplaySize = panel;
  data.FramebufferScale = panel_framebuffer_scale;
}

}  // namespace tp::platform
