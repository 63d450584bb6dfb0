// The staff PIN pad's lockout, kept durably so that pulling the plug does
// not give a guesser a fresh set of attempts.
//
// After pin_attempts_before_lock wrong PINs the pad locks for pin_lock; each
// further lock doubles it, up to kMaxPinLock (a day); the right PIN ends it
// all. The end of a lock is kept as wall-clock seconds, since the steady
// clock starts again at each boot. A wall clock that went back (a Pi with no
// real-time clock) cannot make a lock longer than the one that was imposed.
#pragma once
#include <chrono>
#include <cstdint>

#include "status.h"

namespace tp {

inline constexpr std::chrono::seconds kMaxPinLock = std::chrono::hours(24);

struct PinLockState {
  int failures = 0;                    // wrong PINs since the last lock or the last right PIN
  int locks = 0;                       // locks since the last right PIN; the next lasts pin_lock * 2^locks
  std::int64_t locked_until_unix = 0;  // wall-clock end of the current lock; 0: none
  bool operator==(const PinLockState&) const = default;
};

// How long the lock after `earlier_locks` previous ones lasts.
std::chrono::seconds pin_lock_length(std::chrono::seconds first_lock, int earlier_locks);

// Where the lockout is kept (the kiosk's database).
class PinLockLog {
 public:
  virtual ~PinLockLog() = default;
  // The state last saved; all zero when none was.
  virtual Result<PinLockState> load_pin_lock() = 0;
  virtual Status save_pin_lock(const PinLockState& state) = 0;
};

}  // namespace tp
