#include "http_metrics.h"

#include <string>

namespace tp::server {

namespace {

// From a health check on loopback (well under 1 ms) to a batch that waited
// out SQLite's busy timeout (5 s) or a handler deadline.
constexpr double kDurationBounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

}  // namespace

HttpMetrics::HttpMetrics() {
  for (auto& h : durations_) h = std::make_unique<metrics::Histogram>(kDurationBounds);
}

int HttpMetrics::status_slot(int status) {
  for (int i = 0; i < kStatusSlots - 1; ++i)
    if (kStatuses[i] == status) return i;
  return kStatusSlots - 1;
}

void HttpMetrics::request_done(Route route, int status, double seconds) {
  auto r = static_cast<std::size_t>(route);
  requests_[r][static_cast<std::size_t>(status_slot(status))].add();
  durations_[r]->observe(seconds);
}

void HttpMetrics::write(metrics::TextWriter& out) const {
  // Only series that have counted something: a route never asked for
  // shows no rows rather than a dozen zeros.
  out.family("tenpoint_server_requests_total", metrics::Type::counter,
             "Requests answered, by route (the path pattern, or unmatched) and status.");
  for (int r = 0; r < kRouteCount; ++r)
    for (int s = 0; s < kStatusSlots; ++s) {
      std::uint64_t n = requests_[static_cast<std::size_t>(r)][static_cast<std::size_t>(s)].value();
      if (n == 0) continue;
      std::string status = s < kStatusSlots - 1 ? std::to_string(kStatuses[s]) : "other";
      out.sample("tenpoint_server_requests_total", {{"route", route_label(static_cast<Route>(r))}, {"status", status}}, n);
    }

  out.family("tenpoint_server_request_duration_seconds", metrics::Type::histogram,
             "Time from a request's first byte to its reply ready to send, by route.");
  for (int r = 0; r < kRouteCount; ++r) {
    metrics::Histogram::Snapshot s = durations_[static_cast<std::size_t>(r)]->snapshot();
    if (s.count() == 0) continue;
    out.histogram("tenpoint_server_request_duration_seconds", {{"route", route_label(static_cast<Route>(r))}}, s);
  }

  out.family("tenpoint_server_handler_deadline_exceeded_total", metrics::Type::counter,
             "Requests answered 503 busy because no reply was ready within the handler deadline (--handler-deadline).");
  out.sample("tenpoint_server_handler_deadline_exceeded_total", {}, handler_deadline_passed.value());
  out.family("tenpoint_server_late_replies_dropped_total", metrics::Type::counter,
             "Replies the Api made after their request's deadline had passed, thrown away.");
  out.sample("tenpoint_server_late_replies_dropped_total", {}, late_replies_dropped.value());
  out.family("tenpoint_server_requests_in_handlers", metrics::Type::gauge,
             "Requests handed to the Api and not yet answered: waiting for a handler thread, running on one, or "
             "waiting for the store's group commit.");
  out.sample("tenpoint_server_requests_in_handlers", {}, requests_in_handlers.value());
}

}  // namespace tp::server
