#include "gl_textures.h"

#include <SDL.h>

#include <vector>

namespace tp::platform {

namespace {
constexpr unsigned kTexture2D = 0x0DE1;
constexpr unsigned kTextureBinding2D = 0x8069;
constexpr unsigned kRgba = 0x1908;
constexpr unsigned kUnsignedByte = 0x1401;
constexpr unsigned kMinFilter = 0x2801, kMagFilter = 0x2800, kLinear = 0x2601;
constexpr unsigned kWrapS = 0x2802, kWrapT = 0x2803, kClampToEdge = 0x812F;
constexpr unsigned kUnpackAlignment = 0x0CF5;

template <class F>
F fetch(const char* name) {
  return reinterpret_cast<F>(SDL_GL_GetProcAddress(name));
}

unsigned name_of(ImTextureID texture) { return static_cast<unsigned>(reinterpret_cast<std::intptr_t>(texture)); }
}  // namespace

GlTextures::GlTextures()
    : gen_(fetch<GenTextures>("glGenTextures")),
      delete_(fetch<DeleteTextures>("glDeleteTextures")),
      bind_(fetch<BindTexture>("glBindTexture")),
      parameter_(fetch<TexParameteri>("glTexParameteri")),
      image_(fetch<TexImage2D>("glTexImage2D")),
      sub_image_(fetch<TexSubImage2D>("glTexSubImage2D")),
      pixel_store_(fetch<PixelStorei>("glPixelStorei")),
      get_integer_(fetch<GetIntegerv>("glGetIntegerv")) {
  ok_ = gen_ && delete_ && bind_ && parameter_ && image_ && sub_image_ && pixel_store_ && get_integer_;
}

ImTextureID GlTextures::create(int width, int height) {
  if (!ok_) return nullptr;
  int previous = 0;
  get_integer_(kTextureBinding2D, &previous);
  unsigned name = 0;
  gen_(1, &name);
  bind_(kTexture2D, name);
  parameter_(kTexture2D, kMinFilter, static_cast<int>(kLinear));
  parameter_(kTexture2D, kMagFilter, static_cast<int>(kLinear));
  parameter_(kTexture2D, kWrapS, static_cast<int>(kClampToEdge));
  parameter_(kTexture2D, kWrapT, static_cast<int>(kClampToEdge));
  pixel_store_(kUnpackAlignment, 4);
  // GL ES 2 wants the internal format to equal the format: RGBA both.
  std::vector<std::uint32_t> clear(static_cast<std::size_t>(width) * static_cast<std::size_t>(height), 0u);
  image_(kTexture2D, 0, static_cast<int>(kRgba), width, height, 0, kRgba, kUnsignedByte, clear.data());
  bind_(kTexture2D, static_cast<unsigned>(previous));
  return reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(name));
}

void GlTextures::update_rows(ImTextureID texture, int width, int y, int rows, const std::uint32_t* rgba) {
  if (!ok_ || !texture || rows <= 0) return;
  int previous = 0;
  get_integer_(kTextureBinding2D, &previous);
  bind_(kTexture2D, name_of(texture));
  pixel_store_(kUnpackAlignment, 4);
  sub_image_(kTexture2D, 0, 0, y, width, rows, kRgba, kUnsignedByte, rgba);
  bind_(kTexture2D, static_cast<unsigned>(previous));
}

void GlTextures::destroy(ImTextureID texture) {
  if (!ok_ || !texture) return;
  unsigned name = name_of(texture);
  delete_(1, &name);
}

}  // namespace tp::platform
