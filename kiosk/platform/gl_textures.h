// RGBA textures the kiosk fills itself, beside ImGui's font texture: the
// glyph atlas of shaped text (kiosk/ui/glyph_atlas.h) lives in one. GL is
// reached through SDL at run time, as in window.cpp, so the same code runs
// on desktop GL, GL ES 3 and GL ES 2.
#pragma once
#include <imgui.h>

#include <cstdint>

namespace tp::platform {

class GlTextures {
 public:
  // Needs the window's GL context to be current (Window::open() leaves it so).
  GlTextures();
  bool ok() const { return ok_; }

  // A texture of width x height RGBA pixels, all transparent, with linear
  // filtering and clamped edges; nullptr when GL refuses.
  ImTextureID create(int width, int height);
  // Replaces whole rows [y, y + rows): `rgba` holds width x rows pixels.
  // Whole rows need no GL_UNPACK_ROW_LENGTH, which GL ES 2 lacks.
  void update_rows(ImTextureID texture, int width, int y, int rows, const std::uint32_t* rgba);
  void destroy(ImTextureID texture);

 private:
  using GenTextures = void (*)(int, unsigned*);
  using DeleteTextures = void (*)(int, const unsigned*);
  using BindTexture = void (*)(unsigned, unsigned);
  using TexParameteri = void (*)(unsigned, unsigned, int);
  using TexImage2D = void (*)(unsigned, int, int, int, int, int, unsigned, unsigned, const void*);
  using TexSubImage2D = void (*)(unsigned, int, int, int, int, int, unsigned, unsigned, const void*);
  using PixelStorei = void (*)(unsigned, int);
  using GetIntegerv = void (*)(unsigned, int*);
  GenTextures gen_ = nullptr;
  DeleteTextures delete_ = nullptr;
  BindTexture bind_ = nullptr;
  TexParameteri parameter_ = nullptr;
  TexImage2D image_ = nullptr;
  TexSubImage2D sub_image_ = nullptr;
  PixelStorei pixel_store_ = nullptr;
  GetIntegerv get_integer_ = nullptr;
  bool ok_ = false;
};

}  // namespace tp::platform
