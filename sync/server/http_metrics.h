// What the HTTP layer counts about requests, for /metrics: each answered
// request by route and status, its time from first byte to reply ready,
// and requests that outlived their handler deadline. Shared by every
// connection on every thread; recording takes no lock (metrics.h).
//
// The labels are fixed sets (routes from http_routes.cpp, the statuses the
// server sends, "other" for any other), so a client choosing its own paths
// or methods cannot add series.
#pragma once
#include <array>
#include <memory>

#include "http_routes.h"
#include "metrics.h"

namespace tp::server {

class HttpMetrics {
 public:
  HttpMetrics();

  // One answered request; `seconds` from its first byte to its reply ready.
  void request_done(Route route, int status, double seconds);

  // Requests whose reply the Api had not made within the handler deadline
  // (answered 503 busy), and the later replies thrown away.
  metrics::Counter handler_deadline_passed;
  metrics::Counter late_replies_dropped;
  // Requests handed to the handler threads and not yet answered (queued, running, or waiting for their commit).
  metrics::Gauge requests_in_handlers;

  // The families above, in the text format.
  void write(metrics::TextWriter& out) const;

 private:
  static constexpr int kStatuses[] = {200, 400, 401, 403, 404, 405, 408, 413, 415, 429, 431, 500, 503};
  static constexpr int kStatusSlots = static_cast<int>(std::size(kStatuses)) + 1;  // the last: "other"
  static int status_slot(int status);

  std::array<std::array<metrics::Counter, kStatusSlots>, kRouteCount> requests_;
  std::array<std::unique_ptr<metrics::Histogram>, kRouteCount> durations_;
};

}  // namespace tp::server
