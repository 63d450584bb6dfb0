// The /metrics text format (Prometheus exposition 0.0.4) as written by
// sync/server/metrics.cpp, and the HTTP layer's request counters: exact
// text, so that a scraper's parser is never the first to find a mistake.
#include <catch2/catch.hpp>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "http_metrics.h"
#include "metrics.h"

using namespace tp::server;
using namespace tp::server::metrics;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

TEST_CASE("metrics: a counter and a gauge, with and without labels", "[server][metrics]") {
  Counter requests;
  requests.add();
  requests.add(2);
  Gauge open;
  open.add(5);
  open.add(-2);
  TextWriter out;
  out.family("t_requests_total", Type::counter, "Requests.");
  out.sample("t_requests_total", {{"route", "/a"}, {"status", "200"}}, requests.value());
  out.family("t_open", Type::gauge, "Open now.");
  out.sample("t_open", {}, open.value());
  out.sample("t_ratio", {}, 0.25);
  CHECK(out.text() ==
        "# HELP t_requests_total Requests.\n"
        "# TYPE t_requests_total counter\n"
        "t_requests_total{route=\"/a\",status=\"200\"} 3\n"
        "# HELP t_open Open now.\n"
        "# TYPE t_open gauge\n"
        "t_open 3\n"
        "t_ratio 0.25\n");
}

TEST_CASE("metrics: label values and help texts are escaped", "[server][metrics]") {
  CHECK(escape_label_value("plain /api/v1") == "plain /api/v1");
  CHECK(escape_label_value("a\"b") == "a\\\"b");
  CHECK(escape_label_value("back\\slash") == "back\\\\slash");
  CHECK(escape_label_value("two\nlines") == "two\\nlines");
  CHECK(escape_label_value("Caf\xc3\xa9") == "Caf\xc3\xa9");  // UTF-8 passes as it is
  // In HELP, a double quote is an ordinary character.
  CHECK(escape_help("say \"hi\"\\now\n") == "say \"hi\"\\\\now\\n");

  TextWriter out;
  out.family("t_x", Type::gauge, "line one\nline two");
  out.sample("t_x", {{"venue", "Caf\xc3\xa9 \"Ty\xc5\xb5\"\\\n"}}, std::int64_t{-1});
  CHECK(out.text() ==
        "# HELP t_x line one\\nline two\n"
        "# TYPE t_x gauge\n"
        "t_x{venue=\"Caf\xc3\xa9 \\\"Ty\xc5\xb5\\\"\\\\\\n\"} -1\n");
}

TEST_CASE("metrics: numbers are written as Prometheus reads them", "[server][metrics]") {
  CHECK(format_value(0) == "0");
  CHECK(format_value(10) == "10");
  CHECK(format_value(0.001) == "0.001");
  CHECK(format_value(2.5) == "2.5");
  CHECK(format_value(1e-9) == "1e-09");
  CHECK(format_value(kInf) == "+Inf");
  CHECK(format_value(-kInf) == "-Inf");
  CHECK(format_value(kNaN) == "NaN");
  // Counters are integers, written exactly even past 2^53.
  TextWriter out;
  out.sample("t_big_total", {}, std::uint64_t{18446744073709551615u});
  CHECK(out.text() == "t_big_total 18446744073709551615\n");
}

TEST_CASE("metrics: a histogram has cumulative buckets, +Inf, _sum and _count", "[server][metrics]") {
  // Values a double holds exactly, so that the sum is exact whatever the order.
  const double bounds[] = {0.25, 1, 4};
  Histogram h(bounds);
  for (double v : {0.125, 0.25, 0.5, 2.0, 2.0, 8.0}) h.observe(v);
  h.observe(kNaN);  // ignored
  Histogram::Snapshot s = h.snapshot();
  REQUIRE(s.cumulative.size() == 4);
  CHECK(s.cumulative == std::vector<std::uint64_t>{2, 3, 5, 6});  // 0.25 falls in le="0.25": le is "at most"
  CHECK(s.count() == 6);
  CHECK(s.sum == 12.875);

  TextWriter out;
  out.family("t_seconds", Type::histogram, "Time.");
  out.histogram("t_seconds", {{"route", "/b"}}, s);
  CHECK(out.text() ==
        "# HELP t_seconds Time.\n"
        "# TYPE t_seconds histogram\n"
        "t_seconds_bucket{route=\"/b\",le=\"0.25\"} 2\n"
        "t_seconds_bucket{route=\"/b\",le=\"1\"} 3\n"
        "t_seconds_bucket{route=\"/b\",le=\"4\"} 5\n"
        "t_seconds_bucket{route=\"/b\",le=\"+Inf\"} 6\n"
        "t_seconds_sum{route=\"/b\"} 12.875\n"
        "t_seconds_count{route=\"/b\"} 6\n");

  // Without labels, le is the only one.
  TextWriter bare;
  Histogram empty(bounds);
  bare.histogram("t_empty", {}, empty.snapshot());
  CHECK(bare.text() ==
        "t_empty_bucket{le=\"0.25\"} 0\n"
        "t_empty_bucket{le=\"1\"} 0\n"
        "t_empty_bucket{le=\"4\"} 0\n"
        "t_empty_bucket{le=\"+Inf\"} 0\n"
        "t_empty_sum 0\n"
        "t_empty_count 0\n");
}

TEST_CASE("metrics: observations from many threads all count", "[server][metrics]") {
  const double bounds[] = {1, 2};
  Histogram h(bounds);
  Counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        h.observe(1.5);
        c.add();
      }
    });
  for (auto& t : threads) t.join();
  CHECK(c.value() == 40000);
  CHECK(h.snapshot().cumulative == std::vector<std::uint64_t>{0, 40000, 40000});
  CHECK(h.snapshot().sum == Approx(60000.0));
}

TEST_CASE("metrics: requests are counted by route pattern and a fixed set of statuses", "[server][metrics]") {
  HttpMetrics m;
  m.request_done(Route::batches, 200, 0.003);
  m.request_done(Route::batches, 200, 0.2);
  m.request_done(Route::batches, 503, 30.0);
  // Whatever path a client makes up, it lands on one label.
  m.request_done(match_route("GET", "/no/such/path?x=1").path, 404, 0.0001);
  m.request_done(match_route("GET", "/another/made/up/path").path, 404, 0.0001);
  // A known path with the wrong method keeps its route (and its time: the
  // batches route now has 0.0001, 0.003, 0.2 and 30 s).
  m.request_done(match_route("GET", "/api/v1/batches").path, 405, 0.0001);
  m.request_done(Route::health, 299, 0.0001);  // not a status the server sends: "other"
  TextWriter out;
  m.write(out);
  const std::string& text = out.text();
  INFO(text);
  CHECK(text.find("tenpoint_server_requests_total{route=\"/api/v1/batches\",status=\"200\"} 2\n") != std::string::npos);
  CHECK(text.find("tenpoint_server_requests_total{route=\"/api/v1/batches\",status=\"503\"} 1\n") != std::string::npos);
  CHECK(text.find("tenpoint_server_requests_total{route=\"/api/v1/batches\",status=\"405\"} 1\n") != std::string::npos);
  CHECK(text.find("tenpoint_server_requests_total{route=\"unmatched\",status=\"404\"} 2\n") != std::string::npos);
  CHECK(text.find("tenpoint_server_requests_total{route=\"/api/v1/health\",status=\"other\"} 1\n") != std::string::npos);
  CHECK(text.find("/no/such/path") == std::string::npos);
  // Series that counted nothing are left out.
  CHECK(text.find("route=\"/api/v1/enrol\"") == std::string::npos);
  CHECK(text.find("tenpoint_server_request_duration_seconds_bucket{route=\"/api/v1/batches\",le=\"0.001\"} 1\n") != std::string::npos);
  CHECK(text.find("tenpoint_server_request_duration_seconds_bucket{route=\"/api/v1/batches\",le=\"0.005\"} 2\n") != std::string::npos);
  CHECK(text.find("tenpoint_server_request_duration_seconds_bucket{route=\"/api/v1/batches\",le=\"10\"} 3\n") != std::string::npos);
  CHECK(text.find("tenpoint_server_request_duration_seconds_bucket{route=\"/api/v1/batches\",le=\"+Inf\"} 4\n") != std::string::npos);
  CHECK(text.find("tenpoint_server_request_duration_seconds_count{route=\"/api/v1/batches\"} 4\n") != std::string::npos);
  CHECK(text.find("# TYPE tenpoint_server_request_duration_seconds histogram\n") != std::string::npos);
  CHECK(text.find("tenpoint_server_handler_deadline_exceeded_total 0\n") != std::string::npos);
}

TEST_CASE("metrics: /metrics is a route of the metrics address only", "[server][metrics]") {
  CHECK(match_route("GET", "/metrics", Site::metrics).route == Route::metrics);
  CHECK(match_route("GET", "/metrics", Site::api).refusal == 404);
  CHECK(match_route("GET", "/metrics", Site::api).path == Route::none);
  CHECK(match_route("GET", "/api/v1/health", Site::metrics).refusal == 404);
  CHECK(match_route("POST", "/metrics", Site::metrics).refusal == 405);
  CHECK(route_label(Route::metrics) == "/metrics");
  CHECK(route_label(Route::none) == "unmatched");
}
