// The one window: SDL2, an OpenGL context, and Dear ImGui's SDL/GL backends.
// Nothing above this layer includes SDL or GL headers.
#pragma once
#include <memory>
#include <string>
#include <vector>

struct ImVec2;

namespace tp::platform {

struct WindowOptions {
  bool fullscreen = true;
  int width = 1280, height = 800;  // when not fullscreen
  std::string title = "Tenpoint";
};

struct Input {
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
  void new_frame();
  void render();
  void upload_fonts();  // after the font atlas was rebuilt
  void drawable_size(float& w, float& h) const;
  const std::string& gl_description() const { return gl_description_; }

 private:
  Window() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string gl_description_;
};

}  // namespace tp::platform
