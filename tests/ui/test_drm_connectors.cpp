// The KMSDRM display watch, on folders laid out as the kernel's
// /sys/class/drm (a card, its render node, connectors with a status file).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "drm_connectors.h"
#include "support.h"

namespace fs = std::filesystem;
using tp::platform::DrmConnectorWatch;

namespace {

void set_status(const fs::path& sysfs, const std::string& connector, const std::string& status) {
  fs::create_directories(sysfs / connector);
  std::ofstream(sysfs / connector / "status") << status << "\n";
}

}  // namespace

TEST_CASE("kmsdrm display: a watch notes the connected screens and reports their loss") {
  const fs::path sysfs = fs::path(tp::test::scratch_dir("drm-connectors")) / "drm";
  fs::create_directories(sysfs / "card0");       // the card itself: not a connector
  fs::create_directories(sysfs / "renderD128");  // the render node: not a connector
  std::ofstream(sysfs / "card0" / "status") << "connected\n";
  set_status(sysfs, "card0-HDMI-A-1", "connected");
  set_status(sysfs, "card0-HDMI-A-2", "disconnected");
  set_status(sysfs, "card1-DSI-1", "connected");

  DrmConnectorWatch watch(sysfs);
  REQUIRE(watch.watched() == std::vector<std::string>{"card0-HDMI-A-1", "card1-DSI-1"});
  CHECK(watch.lost().empty());

  SECTION("one of two screens unplugged: still a display") {
    set_status(sysfs, "card0-HDMI-A-1", "disconnected");
    CHECK(watch.lost().empty());
  }
  SECTION("a screen plugged in after the start is not watched") {
    set_status(sysfs, "card0-HDMI-A-2", "connected");
    set_status(sysfs, "card0-HDMI-A-1", "disconnected");
    set_status(sysfs, "card1-DSI-1", "disconnected");
    CHECK_FALSE(watch.lost().empty());
  }
  SECTION("every watched screen unplugged or gone: lost, with the reason") {
    set_status(sysfs, "card0-HDMI-A-1", "disconnected");
    fs::remove_all(sysfs / "card1-DSI-1");  // the card's driver went away
    CHECK(watch.lost() == "the screen was unplugged (card0-HDMI-A-1: disconnected, card1-DSI-1: gone)");
    SECTION("and back again") {
      set_status(sysfs, "card0-HDMI-A-1", "connected");
      CHECK(watch.lost().empty());
    }
  }
  SECTION("a panel that says \"unknown\" is not lost") {
    set_status(sysfs, "card0-HDMI-A-1", "unknown\n");
    set_status(sysfs, "card1-DSI-1", "disconnected");
    CHECK(watch.lost().empty());
  }
}

TEST_CASE("kmsdrm display: with no connected screen, or no DRM at all, nothing is watched and nothing is lost") {
  const fs::path dir = tp::test::scratch_dir("drm-connectors-none");
  const fs::path sysfs = dir / "drm";
  set_status(sysfs, "card0-HDMI-A-1", "disconnected");
  set_status(sysfs, "card0-Virtual-1", "unknown");
  DrmConnectorWatch none(sysfs);
  CHECK(none.watched().empty());
  CHECK(none.lost().empty());

  DrmConnectorWatch missing(dir / "no-such-folder");
  CHECK(missing.watched().empty());
  CHECK(missing.lost().empty());
}
