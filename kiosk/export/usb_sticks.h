// Finding a mounted USB stick. Mounting is the appliance's job (udisks, or
// a udev rule); the kiosk only looks for what is mounted under the config's
// usb_media_dirs: /media/LABEL, /media/USER/LABEL, /run/media/USER/LABEL.
#pragma once
#include <string>
#include <vector>

namespace tp {

struct UsbStick {
  std::string path;        // the mount point
  bool read_only = false;  // mounted read-only (a write-protect switch, or a damaged FAT)
  bool operator==(const UsbStick&) const = default;
};

// How far below a media folder a stick may be mounted: /media/USER/LABEL.
constexpr int kStickMountDepth = 2;

// The mount points at, or up to kStickMountDepth folders below, each of
// `roots`, as the kernel lists them in `mountinfo` (the process's own table
// by default), sorted by path. Only mount points count: an empty folder
// left in /media after a stick was pulled is not a stick, and neither is a
// folder on the kiosk's own disk, which residents' answers must never be
// copied to by mistake.
std::vector<UsbStick> find_usb_sticks(const std::vector<std::string>& roots, const std::string& mountinfo = "/proc/self/mountinfo");

}  // namespace tp
