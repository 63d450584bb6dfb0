// Counters, gauges and histograms for /metrics, and the Prometheus text
// exposition format (version 0.0.4) they are written in. No sockets and no
// knowledge of the server here: http_metrics.cpp decides what is counted.
//
// Invariants:
//   1. Recording a value (Counter::add, Gauge::add, Histogram::observe) takes
//      no lock and allocates nothing: it runs on every request.
//   2. A histogram's buckets are cumulative only when written: each bucket
//      counts its own values, so that observing touches one counter. Its
//      _count is the +Inf bucket, so the two always agree.
//   3. Label values are escaped (backslash, double quote, line feed) and
//      HELP texts too (backslash, line feed); metric and label names are
//      the caller's constants and are written as given.
//
// The format, for one counter and one histogram:
//
//   # HELP tenpoint_server_requests_total Requests answered.
//   # TYPE tenpoint_server_requests_total counter
//   tenpoint_server_requests_total{route="/api/v1/health",status="200"} 3
//   # TYPE tenpoint_server_request_duration_seconds histogram
//   tenpoint_server_request_duration_seconds_bucket{route="/api/v1/health",le="0.001"} 2
//   tenpoint_server_request_duration_seconds_bucket{route="/api/v1/health",le="+Inf"} 3
//   tenpoint_server_request_duration_seconds_sum{route="/api/v1/health"} 0.0042
//   tenpoint_server_request_duration_seconds_count{route="/api/v1/health"} 3
#pragma once
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tp::server::metrics {

class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void add(std::int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

class Histogram {
 public:
  // `upper_bounds` ascending; the +Inf bucket is implied.
  explicit Histogram(std::span<const double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void observe(double value);  // NaN is ignored

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (= count)
    double sum = 0;
    std::uint64_t count() const { return cumulative.empty() ? 0 : cumulative.back(); }
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

struct Label {
  std::string_view name, value;
};

enum class Type { counter, gauge, histogram };

// Builds one exposition page. Call family() once per metric name, then its
// samples, before the next family.
class TextWriter {
 public:
  void family(std::string_view name, Type type, std::string_view help);
  void sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value);
  void sample(std::string_view name, std::initializer_list<Label> labels, std::int64_t value);
  void sample(std::string_view name, std::initializer_list<Label> labels, double value);
  // NAME_bucket{..., le="..."} for each bound and +Inf, NAME_sum, NAME_count.
  void histogram(std::string_view name, std::initializer_list<Label> labels, const Histogram::Snapshot& h);

  const std::string& text() const { return text_; }

 private:
  void series(std::string_view name, std::string_view suffix, std::initializer_list<Label> labels, const Label* extra);
  std::string text_;
};

// A sample value or an `le` bound as Prometheus reads it: "+Inf", "-Inf",
// "NaN", or the shortest decimal that reads back as the same double.
std::string format_value(double value);
std::string escape_label_value(std::string_view value);
std::string escape_help(std::string_view help);

// process_start_time_seconds, process_resident_memory_bytes (from
// /proc/self/statm) and process_cpu_seconds_total, under the names every
// Prometheus dashboard knows. `start_time_s`: seconds since the epoch.
void write_process_metrics(TextWriter& out, double start_time_s);

}  // namespace tp::server::metrics
