#pragma once
// Whether the screen a kiosk on SDL's KMSDRM driver draws on is still plugged
// in. With no compositor and no X server there is nothing to lose but the
// screen itself, and SDL 2.26's KMSDRM driver does not say when it goes: its
// page flips fail quietly and the frame loop keeps drawing into nothing. The
// kernel does say, in sysfs: each DRM connector (card0-HDMI-A-1,
// card1-DSI-1...) has a `status` file reading "connected", "disconnected" or
// "unknown".
//
// The watch notes the connectors that are connected when it starts (the
// screens SDL found) and reports the display lost once none of them is: each
// reads "disconnected", or its status can no longer be read (the card's
// driver went away). "unknown" is not lost: some panels never say. A watch
// that found no connected connector (no DRM device, another driver) watches
// nothing and never reports.
#include <filesystem>
#include <string>
#include <vector>

namespace tp::platform {

class DrmConnectorWatch {
 public:
  // `sysfs` is the kernel's DRM class folder; another folder laid out the
  // same way stands in for it in tests.
  explicit DrmConnectorWatch(std::filesystem::path sysfs = "/sys/class/drm");

  // The connectors connected at the start, by name ("card0-HDMI-A-1"), sorted.
  const std::vector<std::string>& watched() const { return watched_; }

  // Empty while a watched connector is still there; else why the display is
  // gone ("the screen was unplugged (card0-HDMI-A-1: disconnected)").
  std::string lost() const;

 private:
  std::filesystem::path sysfs_;
  std::vector<std::string> watched_;
};

}  // namespace tp::platform
