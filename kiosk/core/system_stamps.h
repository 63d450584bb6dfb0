// Wall-clock stamps for answers on a device that may have no real-time clock.
//
// The clock is trusted when the wall time is not before this build was made
// AND the kernel says the clock is synchronised (NTP/timesyncd cleared
// STA_UNSYNC, or systemd-timesyncd left /run/systemd/timesync/synchronized).
// Untrusted answers still carry the boot id and time since boot, so the
// server can place them once the device reports a trusted clock.
#pragma once
#include "answer.h"

namespace tp {

class SystemStamps final : public StampSource {
 public:
  explicit SystemStamps(int granularity_minutes);
  Stamp now() override;
  std::int64_t unix_now() override;
  bool clock_trusted() const;
  // From a config reload: answers stamped from now on are rounded to this.
  void set_granularity_minutes(int minutes);
  int granularity_minutes() const { return static_cast<int>(granularity_s_ / 60); }
  const std::string& boot_id() const { return boot_id_; }

 private:
  std::int64_t granularity_s_;
  std::string boot_id_;
};

}  // namespace tp
