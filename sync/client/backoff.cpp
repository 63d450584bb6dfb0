#include "backoff.h"

#include <algorithm>
#include <cmath>

namespace tp::sync {

double Backoff::cap_for(int failures) const {
  // 2^30 already exceeds any sensible cap; stop doubling there.
  double grown = policy_.base_s * std::ldexp(1.0, std::clamp(failures, 1, 30) - 1);
  return std::min(policy_.max_s, grown);
}

double Backoff::after_failure(int retry_after_s, bool permanent) {
  ++failures_;
  if (permanent) return policy_.max_s;
  double cap = cap_for(failures_);
  double delay = std::uniform_real_distribution<double>(cap / 2, cap)(rng_);
  return std::max(delay, static_cast<double>(std::max(retry_after_s, 0)));
}

}  // namespace tp::sync
