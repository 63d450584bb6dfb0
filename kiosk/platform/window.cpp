#include "window.h"

#include <SDL.h>
#include <SDL_syswm.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>
#include <imgui_impl_sdl.h>

#include <cstring>
#include <optional>

#include "drm_connectors.h"
#include "rotation.h"

#ifdef TENPOINT_HAVE_WAYLAND
#include <wayland-client.h>
#endif

namespace tp::platform {

namespace {

// The few GL calls made outside ImGui's backend, fetched at run time so that
// one binary works with desktop GL and GLES alike.
using GlViewport = void (*)(int, int, int, int);
using GlClearColor = void (*)(float, float, float, float);
using GlClear = void (*)(unsigned);
using GlGetString = const unsigned char* (*)(unsigned);
constexpr unsigned kColorBufferBit = 0x00004000;
constexpr unsigned kGlVersion = 0x1F02;
constexpr unsigned kGlRenderer = 0x1F01;

// Why the display is gone, or empty while it is there. On Wayland SDL 2.26
// neither ends nor reports a broken connection to the compositor: its event
// pump fails at once, every time, and the frame loop would spin at 100% of a
// core with nothing on screen. On X11, Xlib's own handler ends the process
// (exit 1) when the server goes away. KMSDRM has no server to lose, only the
// screen: DrmConnectorWatch, asked once a second in Window::poll().
std::string display_gone(SDL_Window* window) {
#ifdef TENPOINT_HAVE_WAYLAND
  SDL_SysWMinfo info;
  SDL_VERSION(&info.version);
  if (SDL_GetWindowWMInfo(window, &info) == SDL_TRUE && info.subsystem == SDL_SYSWM_WAYLAND && info.info.wl.display) {
    if (int code = wl_display_get_error(info.info.wl.display); code != 0)
      return std::string("the Wayland compositor went away (") + std::strerror(code) + ")";
  }
#else
  (void)window;
#endif
  return {};
}

struct ContextChoice {
  int profile, major, minor;
  const char* glsl;
  const char* name;
};

}  // namespace

struct Window::Impl {
  SDL_Window* window = nullptr;
  SDL_GLContext gl = nullptr;
  GlViewport viewport = nullptr;
  GlClearColor clear_color = nullptr;
  GlClear clear = nullptr;
  bool imgui_sdl = false, imgui_gl = false;
  int rotation = 0;
  ImVec2 panel{0, 0};                    // the window's size in points, at the last new_frame()
  ImVec2 panel_scale{1, 1};              // its framebuffer scale (pixels per point)
  bool screen_saver_allowed = false;     // SDL turns the screen saver off when its video starts
  std::optional<DrmConnectorWatch> drm;  // only on SDL's KMSDRM driver
  Uint32 drm_checked_at = 0;             // SDL_GetTicks() of the last look at the connectors
  ~Impl() {
    if (imgui_gl) ImGui_ImplOpenGL3_Shutdown();
    if (imgui_sdl) ImGui_ImplSDL2_Shutdown();
    if (gl) SDL_GL_DeleteContext(gl);
    if (window) SDL_DestroyWindow(window);
    SDL_Quit();
  }
};

std::unique_ptr<Window> Window::open(const WindowOptions& options, std::string& error) {
  // Our own SIGINT/SIGTERM handling stops the kiosk; SDL's would turn them
  // into the same SDL_QUIT that a resident's Alt+F4 makes.
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
  SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
  SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "1");
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
    error = std::string("Unable to start SDL video: ") + SDL_GetError();
    return nullptr;
  }
  std::unique_ptr<Window> w(new Window());
  w->impl_ = std::make_unique<Impl>();
  Impl& im = *w->impl_;
  im.rotation = options.rotation;
  im.screen_saver_allowed = SDL_IsScreenSaverEnabled() == SDL_TRUE;

  const ContextChoice choices[] = {
#ifdef TENPOINT_GLES2
      {SDL_GL_CONTEXT_PROFILE_ES, 2, 0, "#version 100", "OpenGL ES 2.0"},
#else
      {SDL_GL_CONTEXT_PROFILE_CORE, 3, 2, "#version 150", "OpenGL 3.2 core"},
      {0, 3, 0, "#version 130", "OpenGL 3.0"},
      {SDL_GL_CONTEXT_PROFILE_ES, 3, 0, "#version 300 es", "OpenGL ES 3.0"},
#endif
  };
  Uint32 flags = SDL_WINDOW_OPENGL | SDL_WINDOW_ALLOW_HIGHDPI;
  int width = options.width, height = options.height;
  if (options.fullscreen) {
    flags |= SDL_WINDOW_FULLSCREEN_DESKTOP | SDL_WINDOW_BORDERLESS;
    // Made at the screen's size from the start: on an X server with no window
    // manager (xinit, Xvfb) a larger window stayed larger, centred, its GL
    // picture in its lower-left corner and half of it off the screen.
    SDL_DisplayMode desktop;
    if (SDL_GetDesktopDisplayMode(0, &desktop) == 0 && desktop.w > 0 && desktop.h > 0) {
      width = desktop.w;
      height = desktop.h;
    }
  }
  const char* glsl = nullptr;
  for (const auto& c : choices) {
    SDL_GL_ResetAttributes();
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, c.profile);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, c.major);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, c.minor);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    if (c.profile == SDL_GL_CONTEXT_PROFILE_ES) SDL_SetHint(SDL_HINT_OPENGL_ES_DRIVER, "1");
    im.window = SDL_CreateWindow(options.title.c_str(), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, width, height, flags);
    if (!im.window) continue;
    im.gl = SDL_GL_CreateContext(im.window);
    if (im.gl) {
      glsl = c.glsl;
      w->gl_description_ = c.name;
      break;
    }
    SDL_DestroyWindow(im.window);
    im.window = nullptr;
  }
  if (!im.gl) {
    error = std::string("Unable to create an OpenGL context (tried GL 3.2, GL 3.0, GLES 3.0): ") + SDL_GetError();
    return nullptr;
  }
  SDL_GL_MakeCurrent(im.window, im.gl);
  SDL_GL_SetSwapInterval(1);
  SDL_ShowCursor(SDL_DISABLE);
  im.viewport = reinterpret_cast<GlViewport>(SDL_GL_GetProcAddress("glViewport"));
  im.clear_color = reinterpret_cast<GlClearColor>(SDL_GL_GetProcAddress("glClearColor"));
  im.clear = reinterpret_cast<GlClear>(SDL_GL_GetProcAddress("glClear"));
  if (auto get_string = reinterpret_cast<GlGetString>(SDL_GL_GetProcAddress("glGetString"))) {
    const unsigned char* version = get_string(kGlVersion);
    const unsigned char* renderer = get_string(kGlRenderer);
    if (version) w->gl_description_ += std::string(" (") + reinterpret_cast<const char*>(version);
    if (renderer) w->gl_description_ += std::string(", ") + reinterpret_cast<const char*>(renderer) + ")";
  }
  if (const char* driver = SDL_GetCurrentVideoDriver(); driver && std::strcmp(driver, "kmsdrm") == 0) im.drm.emplace();
  im.imgui_sdl = ImGui_ImplSDL2_InitForOpenGL(im.window, im.gl);
  im.imgui_gl = ImGui_ImplOpenGL3_Init(glsl);
  if (!im.imgui_sdl || !im.imgui_gl) {
    error = "Unable to start Dear ImGui's SDL2/OpenGL3 backends";
    return nullptr;
  }
  return w;
}

Window::~Window() = default;

Input Window::wait(int timeout_ms) {
  Input in;
  SDL_Event e;
  int got = SDL_WaitEventTimeout(&e, timeout_ms);
  while (got) {
    ImGui_ImplSDL2_ProcessEvent(&e);
    in.any = true;
    switch (e.type) {
      case SDL_QUIT:
        in.quit_shortcut = true;
        break;
      case SDL_KEYDOWN: {
        SDL_Keycode k = e.key.keysym.sym;
        Uint16 mod = e.key.keysym.mod;
        if (k == SDLK_ESCAPE || (k == SDLK_q && (mod & KMOD_CTRL)) || (k == SDLK_F4 && (mod & KMOD_ALT))) in.quit_shortcut = true;
        switch (k) {
          case SDLK_LEFT:
          case SDLK_KP_4:
            in.keys.push_back(NavKey::left);
            break;
          case SDLK_RIGHT:
          case SDLK_KP_6:
            in.keys.push_back(NavKey::right);
            break;
          case SDLK_UP:
          case SDLK_KP_8:
            in.keys.push_back(NavKey::up);
            break;
          case SDLK_DOWN:
          case SDLK_KP_2:
            in.keys.push_back(NavKey::down);
            break;
          case SDLK_TAB:
            in.keys.push_back(mod & KMOD_SHIFT ? NavKey::previous : NavKey::next);
            break;
          case SDLK_RETURN:
          case SDLK_KP_ENTER:
          case SDLK_SPACE:
          case SDLK_KP_5:
            in.keys.push_back(NavKey::select);
            break;
          default:
            break;
        }
        break;
      }
      case SDL_WINDOWEVENT:
        if (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) in.resized = true;
        break;
      default:
        break;
    }
    got = SDL_PollEvent(&e);
  }
  in.display_lost = display_gone(impl_->window);
  if (Impl& im = *impl_; in.display_lost.empty() && im.drm) {
    const Uint32 now = SDL_GetTicks();
    if (now - im.drm_checked_at >= 1000) {
      im.drm_checked_at = now;
      in.display_lost = im.drm->lost();
    }
  }
  return in;
}

void Window::new_frame() {
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  // The SDL backend filled in the window's own size and mouse: turn them.
  ImGuiIO& io = ImGui::GetIO();
  Impl& im = *impl_;
  im.panel = io.DisplaySize;
  im.panel_scale = io.DisplayFramebufferScale;
  if (im.rotation == 0) return;
  io.DisplaySize = tp::platform::logical_size(im.panel, im.rotation);
  if (is_quarter_turn(im.rotation)) io.DisplayFramebufferScale = ImVec2(im.panel_scale.y, im.panel_scale.x);
  if (ImGui::IsMousePosValid(&io.MousePos)) io.MousePos = to_logical(io.MousePos, im.panel, im.rotation);
}

void Window::render() {
  ImGui::Render();
  if (ImDrawData* data = ImGui::GetDrawData()) turn_draw_data(*data, impl_->panel, impl_->panel_scale, impl_->rotation);
  int w = 0, h = 0;
  SDL_GL_GetDrawableSize(impl_->window, &w, &h);
  impl_->viewport(0, 0, w, h);
  impl_->clear_color(0.96f, 0.96f, 0.94f, 1.0f);
  impl_->clear(kColorBufferBit);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  SDL_GL_SwapWindow(impl_->window);
}

void Window::upload_fonts() {
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
}

void Window::logical_size(float& w, float& h) const {
  int iw = 0, ih = 0;
  SDL_GetWindowSize(impl_->window, &iw, &ih);
  ImVec2 size = tp::platform::logical_size(ImVec2(static_cast<float>(iw), static_cast<float>(ih)), impl_->rotation);
  w = size.x;
  h = size.y;
}

void Window::set_rotation(int degrees) { impl_->rotation = degrees; }

int Window::rotation() const { return impl_->rotation; }

void Window::allow_screen_saver(bool allowed) {
  if (allowed == impl_->screen_saver_allowed) return;
  impl_->screen_saver_allowed = allowed;
  if (allowed)
    SDL_EnableScreenSaver();
  else
    SDL_DisableScreenSaver();
}

}  // namespace tp::platform
