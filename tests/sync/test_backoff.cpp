// The wait after failed sync rounds (sync/client/backoff.h). Everything here
// is arithmetic on fixed seeds: no clock is read and nothing sleeps.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "backoff.h"

using tp::sync::Backoff;
using tp::sync::BackoffPolicy;

namespace {

// The cap written out from the rule in backoff.h, independently of
// Backoff::cap_for: min(max_s, base * 2^(n-1)). For n up to 1000 the power is
// still a finite double (2^999 is about 5e300), so no clamping is needed here.
double expected_cap(const BackoffPolicy& p, int failures) { return std::min(p.max_s, p.base_s * std::pow(2.0, failures - 1)); }

// The shipped default and two others: one whose cap is not a power-of-two
// multiple of its base, so that "stops at max_s" is not hit exactly by doubling.
const std::vector<BackoffPolicy> kPolicies = {{4.0, 300.0}, {1.0, 60.0}, {0.5, 7.0}};

}  // namespace

TEST_CASE("backoff: every wait lies in [cap/2, cap] for many seeds and failure counts", "[backoff]") {
  for (const BackoffPolicy& policy : kPolicies) {
    for (unsigned seed = 0; seed < 200; ++seed) {
      Backoff backoff(policy, seed);
      for (int n = 1; n <= 40; ++n) {
        double wait = backoff.after_failure(0, false);
        double cap = expected_cap(policy, n);
        INFO("base " << policy.base_s << " s, max " << policy.max_s << " s, seed " << seed << ", failure " << n);
        REQUIRE(backoff.failures() == n);
        REQUIRE(wait >= cap / 2);
        REQUIRE(wait <= cap);
      }
    }
  }
}

TEST_CASE("backoff: the waits are spread over the range, not bunched at one end", "[backoff]") {
  // Kiosks of one venue that failed together must come back at different
  // times. Over 500 seeds, the third failure's waits (cap 16 s) reach both
  // ends of [8 s, 16 s] and differ from seed to seed.
  BackoffPolicy policy{4.0, 300.0};
  double lowest = 1e9, highest = 0;
  std::vector<double> waits;
  for (unsigned seed = 1000; seed < 1500; ++seed) {
    Backoff backoff(policy, seed);
    (void)backoff.after_failure(0, false);
    (void)backoff.after_failure(0, false);
    double wait = backoff.after_failure(0, false);
    lowest = std::min(lowest, wait);
    highest = std::max(highest, wait);
    waits.push_back(wait);
  }
  CHECK(lowest < 8.5);
  CHECK(highest > 15.5);
  std::sort(waits.begin(), waits.end());
  CHECK(std::unique(waits.begin(), waits.end()) - waits.begin() > 450);
}

TEST_CASE("backoff: the same seed gives the same waits", "[backoff]") {
  Backoff a({4.0, 300.0}, 42), b({4.0, 300.0}, 42);
  for (int n = 0; n < 50; ++n) REQUIRE(a.after_failure(0, false) == b.after_failure(0, false));
}

TEST_CASE("backoff: caps double from the base, then stop at max_s", "[backoff]") {
  for (const BackoffPolicy& policy : kPolicies) {
    Backoff backoff(policy, 1);
    INFO("base " << policy.base_s << " s, max " << policy.max_s << " s");
    CHECK(backoff.cap_for(1) == policy.base_s);
    bool reached_max = false;
    for (int n = 1; n <= 64; ++n) {
      double cap = backoff.cap_for(n), next = backoff.cap_for(n + 1);
      INFO("failure " << n);
      REQUIRE(cap == Approx(expected_cap(policy, n)));
      REQUIRE(next >= cap);
      REQUIRE(next <= policy.max_s);
      if (reached_max)
        REQUIRE(next == policy.max_s);  // once at the top it stays there
      else if (next < policy.max_s)
        REQUIRE(next == Approx(2 * cap));  // still growing: it doubles
      reached_max = next == policy.max_s;
    }
    CHECK(reached_max);
  }
  // The default reaches its 300 s cap at the 8th failure in a row: 4, 8, ..., 256, then 300.
  Backoff shipped(BackoffPolicy{}, 1);
  CHECK(shipped.cap_for(7) == 256.0);
  CHECK(shipped.cap_for(8) == 300.0);
}

TEST_CASE("backoff: the server's Retry-After is a floor", "[backoff]") {
  BackoffPolicy policy{4.0, 300.0};
  for (unsigned seed = 0; seed < 100; ++seed) {
    INFO("seed " << seed);
    // Longer than the jittered wait: exactly what the server asked for.
    Backoff first(policy, seed);
    REQUIRE(first.after_failure(30, false) == 30.0);
    // Longer than max_s too: the server knows when it will be back.
    Backoff beyond(policy, seed);
    REQUIRE(beyond.after_failure(900, false) == 900.0);
    // Inside the range: the jitter still applies, but never below the floor.
    Backoff inside(policy, seed);
    double wait = inside.after_failure(3, false);
    REQUIRE(wait >= 3.0);
    REQUIRE(wait <= 4.0);
    // A short Retry-After late in a streak does not shorten the wait.
    Backoff late(policy, seed);
    for (int n = 0; n < 9; ++n) (void)late.after_failure(0, false);
    wait = late.after_failure(1, false);
    REQUIRE(wait >= 150.0);
    REQUIRE(wait <= 300.0);
    // A nonsense negative value is ignored.
    Backoff negative(policy, seed);
    wait = negative.after_failure(-5, false);
    REQUIRE(wait >= 2.0);
    REQUIRE(wait <= 4.0);
  }
}

TEST_CASE("backoff: a permanent failure waits max_s, whatever the count", "[backoff]") {
  for (const BackoffPolicy& policy : kPolicies) {
    Backoff backoff(policy, 7);
    for (int n = 1; n <= 20; ++n) {
      REQUIRE(backoff.after_failure(0, true) == policy.max_s);
      REQUIRE(backoff.failures() == n);
    }
    // It still counts towards the streak: an ordinary failure after it waits the grown cap.
    double wait = backoff.after_failure(0, false);
    CHECK(wait >= expected_cap(policy, 21) / 2);
    CHECK(wait <= policy.max_s);
  }
}

TEST_CASE("backoff: reset() starts the streak over", "[backoff]") {
  BackoffPolicy policy{4.0, 300.0};
  for (unsigned seed = 0; seed < 50; ++seed) {
    Backoff backoff(policy, seed);
    for (int n = 0; n < 12; ++n) (void)backoff.after_failure(0, false);
    REQUIRE(backoff.failures() == 12);
    backoff.reset();
    REQUIRE(backoff.failures() == 0);
    double wait = backoff.after_failure(0, false);
    REQUIRE(backoff.failures() == 1);
    REQUIRE(wait >= 2.0);
    REQUIRE(wait <= 4.0);
    wait = backoff.after_failure(0, false);
    REQUIRE(wait >= 4.0);
    REQUIRE(wait <= 8.0);
  }
}

TEST_CASE("backoff: 1000 failures in a row neither overflow nor exceed max_s", "[backoff]") {
  // A kiosk whose server is gone for weeks fails every few minutes.
  for (const BackoffPolicy& policy : kPolicies) {
    Backoff backoff(policy, 99);
    for (int n = 1; n <= 1000; ++n) {
      double wait = backoff.after_failure(0, false);
      INFO("failure " << n);
      REQUIRE(std::isfinite(wait));
      REQUIRE(wait >= expected_cap(policy, n) / 2);
      REQUIRE(wait <= policy.max_s);
    }
    CHECK(backoff.failures() == 1000);
    CHECK(backoff.cap_for(1000) == policy.max_s);
    CHECK(backoff.cap_for(std::numeric_limits<int>::max()) == policy.max_s);
  }
}
