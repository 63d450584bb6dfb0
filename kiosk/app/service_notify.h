// Tells systemd how the kiosk is doing (sd_notify), when it runs as a
// service with Type=notify and WatchdogSec= (deploy/systemd/tenpoint-kiosk.service):
//   READY=1     once the first frame is on screen;
//   WATCHDOG=1  from the frame loop, at most once a second (the loop wakes at
//               least once a second), so a loop that stops turning for
//               WatchdogSec= is killed and restarted;
//   STOPPING=1  when the kiosk closes.
// Outside a service (no NOTIFY_SOCKET), or built without libsystemd
// (TENPOINT_HAVE_SYSTEMD unset), every call does nothing.
#pragma once
#include <chrono>

namespace tp {

class ServiceNotifier {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kMinInterval = std::chrono::seconds(1);

  ServiceNotifier();
  // The first frame is drawn: READY=1 (once).
  void ready();
  // Called every turn of the frame loop; sends WATCHDOG=1 when one is due.
  void alive(Clock::time_point now);
  void stopping();
  // The watchdog period systemd asked for; zero when there is none.
  std::chrono::microseconds watchdog_period() const { return period_; }

 private:
  std::chrono::microseconds period_{0};
  Clock::time_point next_ping_{};
  bool ready_sent_ = false;
};

}  // namespace tp
