// A token bucket per key (a device id, or a client address for enrolment).
// Thread-safe: HTTP workers share one limiter.
#pragma once
#include <map>
#include <mutex>
#include <string>

namespace tp::server {

class RateLimiter {
 public:
  // `per_second` tokens refill each second, up to `burst`.
  RateLimiter(double per_second, double burst) : rate_(per_second), burst_(burst) {}
  // 0 when allowed, else whole seconds to wait.
  int take(const std::string& key, double now_s);

 private:
  // Past this many keys the map is cleared, so a flood of new keys (spoofed
  // addresses, guessed tokens) cannot grow it without bound.
  static constexpr std::size_t kMaxKeys = 100000;
  struct Bucket {
    double tokens;
    double at;
  };
  double rate_, burst_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace tp::server
