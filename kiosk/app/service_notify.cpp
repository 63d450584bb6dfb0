#include "service_notify.h"

#include <cstdint>

#ifdef TENPOINT_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace tp {

namespace {

void notify(const char* state) {
#ifdef TENPOINT_HAVE_SYSTEMD
  sd_notify(0, state);  // nothing to do about a failure: systemd would restart us, which is its job
#else
  (void)state;
#endif
}

}  // namespace

ServiceNotifier::ServiceNotifier() {
#ifdef TENPOINT_HAVE_SYSTEMD
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0) period_ = std::chrono::microseconds(usec);
#endif
}

void ServiceNotifier::ready() {
  if (ready_sent_) return;
  ready_sent_ = true;
  notify("READY=1");
}

void ServiceNotifier::alive(Clock::time_point now) {
  // Before the first frame, TimeoutStartSec= watches the start instead.
  if (!ready_sent_ || period_.count() == 0 || now < next_ping_) return;
  notify("WATCHDOG=1");
  // The loop wakes at least once a second, so with WatchdogSec= of a few
  // seconds or more a ping is never late; a slower rate saves nothing.
  next_ping_ = now + kMinInterval;
}

void ServiceNotifier::stopping() { notify("STOPPING=1"); }

}  // namespace tp
