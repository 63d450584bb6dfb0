// How long tenpoint-sync waits after a failed round.
//
// Exponential with "equal jitter": after the n-th failure in a row the wait
// is drawn uniformly from [cap_n / 2, cap_n], where cap_n = base * 2^(n-1),
// capped at max_s. Half the wait is fixed, so a kiosk never hammers a
// struggling server; the other half is random, so a venue's kiosks that
// failed together (a server restart) come back spread out.
// The server's Retry-After is a floor. A permanent failure (revoked, no
// enrolment code) waits the full cap: retrying sooner cannot help.
#pragma once
#include <random>

namespace tp::sync {

struct BackoffPolicy {
  double base_s = 4.0;   // the first failure waits 2 to 4 s
  double max_s = 300.0;  // never more than this, whatever the count
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy, unsigned seed = std::random_device{}()) : policy_(policy), rng_(seed) {}

  // Call after each failed round; returns the seconds to wait.
  double after_failure(int retry_after_s, bool permanent);
  // Call after a round that worked.
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }
  // The upper bound of the next wait's range, for tests and logs.
  double cap_for(int failures) const;

 private:
  BackoffPolicy policy_;
  std::mt19937 rng_;
  int failures_ = 0;
};

}  // namespace tp::sync
