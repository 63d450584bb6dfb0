// The one window: SDL2, an OpenGL context, and Dear ImGui's SDL/GL backends.
// Nothing above this layer includes SDL or GL headers. With a rotation the
// window turns ImGui's picture onto the panel and touches back (rotation.h):
// everything above it works in the logical, upright picture.
#pragma once
#include <memory>
#include <string>
#include <vector>

struct ImVec2;

namespace tp::platform {

struct WindowOptions {
  bool fullscreen = true;
  int width = 1280, height = 800;  // when not fullscreen
  int rotation = 0;                // degrees clockwise: 0, 90, 180 or 270 (rotation.h)
  std::string title = "Tenpoint";
};

// Keys that move among the buttons and press one: arrows and Tab, Enter and
// Space, and a USB keypad's arrows and Enter (with Num Lock on or off: 4 6
// 8 2 and 5 too). Three physical buttons wired as Left, Right and Enter serve.
enum class NavKey { left, right, up, down, next, previous, select };

struct Input {
  std::vector<NavKey> keys;    // in the order pressed
  bool any = false;            // something happened; draw a few frames
  bool quit_shortcut = false;  // Alt+F4, Escape, Ctrl+Q or the window's close button
  bool resized = false;
  // The display went away (the compositor or X server ended): nothing drawn
  // can be seen any more, and the kiosk must stop so that its service
  // restarts it with the display. Says how it was noticed.
  std::string display_lost;
};

class Window {
 public:
  // Creates the window, the GL context (GL 3.0, else GLES 3.0, else GLES 2.0
  // when built with TENPOINT_GLES2) and the ImGui backends. The ImGui
  // context must exist already. nullptr with `error` set on failure.
  static std::unique_ptr<Window> open(const WindowOptions& options, std::string& error);
  ~Window();

  // Waits up to `timeout_ms` for input, then takes everything queued.
  Input wait(int timeout_ms);
  // The backends' new frame, then ImGui's display size and mouse turned
  // into the logical picture.
  void new_frame();
  // Renders ImGui's frame, turned onto the panel.
  void render();
  void upload_fonts();  // after the font atlas was rebuilt
  // The size the screens lay out for: the window's, turned by the rotation.
  void logical_size(float& w, float& h) const;
  void set_rotation(int degrees);
  int rotation() const;
  // Outside opening hours the display's own screen saver and power saving
  // (X11's DPMS, a Wayland compositor's idle handling) may act; otherwise
  // SDL keeps them off, as it does by default. Only a change reaches SDL.
  void allow_screen_saver(bool allowed);
  const std::string& gl_description() const { return gl_description_; }

 private:
  Window() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string gl_description_;
};

}  // namespace tp::platform
