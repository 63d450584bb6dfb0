#include "system_stamps.h"

#include <sys/timex.h>
#include <time.h>

#include <filesystem>
#include <fstream>

#ifndef TENPOINT_BUILD_EPOCH
#define TENPOINT_BUILD_EPOCH 1767225600  // 2026-01-01
#endif

namespace tp {

SystemStamps::SystemStamps(int granularity_minutes) : granularity_s_(static_cast<std::int64_t>(granularity_minutes) * 60) {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::getline(in, boot_id_);
  if (boot_id_.empty()) boot_id_ = "unknown";
}

void SystemStamps::set_granularity_minutes(int minutes) { granularity_s_ = static_cast<std::int64_t>(minutes) * 60; }

std::int64_t SystemStamps::unix_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec);
}

bool SystemStamps::clock_trusted() const {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  if (static_cast<std::int64_t>(ts.tv_sec) < TENPOINT_BUILD_EPOCH) return false;
  std::error_code ec;
  if (std::filesystem::exists("/run/systemd/timesync/synchronized", ec)) return true;
  timex tx{};
  return ntp_adjtime(&tx) != TIME_ERROR;
}

Stamp SystemStamps::now() {
  Stamp s;
  std::int64_t wall = unix_now();
  s.unix_seconds = wall - wall % granularity_s_;
  timespec boot{};
  clock_gettime(CLOCK_BOOTTIME, &boot);
  std::int64_t ms = static_cast<std::int64_t>(boot.tv_sec) * 1000;
  s.monotonic_ms = ms - ms % (granularity_s_ * 1000);
  s.clock_trusted = clock_trusted();
  s.boot_id = boot_id_;
  return s;
}

}  // namespace tp
