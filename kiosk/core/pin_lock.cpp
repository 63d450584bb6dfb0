#include "pin_lock.h"

#include <algorithm>

namespace tp {

std::chrono::seconds pin_lock_length(std::chrono::seconds first_lock, int earlier_locks) {
  if (first_lock <= std::chrono::seconds::zero()) return std::chrono::seconds::zero();
  // 2^17 times even a one-second first lock is more than a day: no overflow.
  int doublings = std::clamp(earlier_locks, 0, 17);
  return std::min<std::chrono::seconds>(first_lock * (std::int64_t{1} << doublings), kMaxPinLock);
}

}  // namespace tp
