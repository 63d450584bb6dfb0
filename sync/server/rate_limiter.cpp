#include "rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace tp::server {

int RateLimiter::take(const std::string& key, double now) {
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= kMaxKeys && !buckets_.count(key)) buckets_.clear();
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  b.tokens = std::min(burst_, b.tokens + (now - b.at) * rate_);
  b.at = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)));
}

}  // namespace tp::server
