// A kiosk's poll for its question set when nothing changed: GET
// /api/v1/question-set with If-None-Match of the serial it holds, answered
// 304. Its bytes on the wire and the server's CPU time per request, against
// GET /api/v1/health (the cheapest request there is) and against a 200
// fetch of the whole signed set, all in the same run on one server.
//
// Each kind of request runs POLLS times on its own kept-alive TLS
// connection, after one request that opens it. Bytes per request come from
// the socket (TCP_INFO: TCP payload both ways, so TLS record overhead
// included, TCP/IP headers not) and from curl (HTTP request, status line
// and headers, body). Server CPU is utime + stime of its process over the
// POLLS requests, from /proc/PID/stat.
//
// Usage: bench_poll TENPOINT_SERVER SOURCE_DIR OUT_DIR [POLLS]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "bench_http.h"
#include "bench_server.h"
#include "sync_client.h"

namespace {

struct Kind {
  const char* name;
  std::string path;
  std::vector<std::string> headers;
  long expected = 200;
  // Measured:
  double wire_sent = 0, wire_received = 0;  // per request
  double http_bytes = 0, body_bytes = 0;
  double cpu_us = 0, wall_us = 0;
};

void run(const std::string& base, const std::string& ca, int pid, int polls, Kind& k) {
  tp::bench::HttpClient client(ca);
  tp::bench::Reply first = client.request(base + k.path, k.headers);  // opens the connection (TLS handshake)
  if (first.status != k.expected)
    throw std::runtime_error(std::string(k.name) + ": HTTP " + std::to_string(first.status) + " " + first.body);
  auto [sent0, received0] = client.socket_bytes();
  double cpu0 = tp::bench::process_cpu_seconds(pid);
  long long http = 0, body = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < polls; ++i) {
    tp::bench::Reply r = client.request(base + k.path, k.headers);
    if (r.status != k.expected) throw std::runtime_error(std::string(k.name) + ": HTTP " + std::to_string(r.status));
    http += r.request_bytes + r.header_bytes + static_cast<long long>(r.body.size());
    body += static_cast<long long>(r.body.size());
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = tp::bench::process_cpu_seconds(pid) - cpu0;
  auto [sent1, received1] = client.socket_bytes();
  k.wire_sent = sent0 < 0 ? -1 : static_cast<double>(sent1 - sent0) / polls;
  k.wire_received = received0 < 0 ? -1 : static_cast<double>(received1 - received0) / polls;
  k.http_bytes = static_cast<double>(http) / polls;
  k.body_bytes = static_cast<double>(body) / polls;
  k.cpu_us = cpu * 1e6 / polls;
  k.wall_us = wall * 1e6 / polls;
}

std::string code_in(const std::string& out) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (line.size() == 14 && line[4] == '-' && line[9] == '-') return line;
  return "";
}

void must_run(const std::vector<std::string>& argv) {
  std::string out;
  if (tp::test::run_command(argv, out) != 0) throw std::runtime_error(argv[1] + " " + argv[2] + " failed: " + out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_poll TENPOINT_SERVER SOURCE_DIR OUT_DIR [POLLS]\n");
    return 2;
  }
  const std::string binary = argv[1], src = argv[2], dir = argv[3];
  const int polls = argc > 4 ? std::atoi(argv[4]) : 2000;
  try {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    tp::test::TestPki pki(dir);
    tp::test::CertFiles cert = pki.server_cert("server", {"localhost"}, {"127.0.0.1"});
    const std::string data = dir + "/server";
    std::string out;
    if (tp::test::run_command({binary, "enrol-code", "--data", data, "--venue", "Central"}, out) != 0 || code_in(out).empty())
      throw std::runtime_error("enrol-code failed: " + out);
    const std::string code = code_in(out);
    must_run({binary, "sets", "add", src + "/config/questions/library-demo.json", "--data", data});
    must_run({binary, "sets", "publish", "library-demo", "--data", data});
    must_run({binary, "sets", "assign", "library-demo", "--venue", "Central", "--data", data});
    // Requests back to back from one kiosk: far above the per-kiosk rate a real one keeps to.
    tp::bench::BenchServer server(binary, {"--data", data}, cert, dir + "/server.log", {"--kiosk-rate", "100000"});
    const std::string base = server.url();

    const std::string token = tp::sync::new_device_token();
    std::string enrol = "{\"code\":\"" + code + "\",\"kiosk_name\":\"poll-1\",\"token\":\"" + token + "\"}";
    tp::bench::Reply enrolled;
    {
      tp::bench::HttpClient client(pki.ca_file());
      enrolled = client.request(base + "/api/v1/enrol", {"Content-Type: application/json"}, &enrol);
    }
    if (enrolled.status != 200) throw std::runtime_error("enrolment: HTTP " + std::to_string(enrolled.status) + " " + enrolled.body);
    const std::string auth = "Authorization: Bearer " + token;

    // The serial the kiosk holds: the ETag of a first fetch.
    std::string etag;
    {
      tp::bench::HttpClient client(pki.ca_file());
      tp::bench::Reply r = client.request(base + "/api/v1/question-set", {auth});
      if (r.status != 200) throw std::runtime_error("first fetch of the set: HTTP " + std::to_string(r.status) + " " + r.body);
      std::istringstream lines(r.headers);
      for (std::string line; std::getline(lines, line);)
        if (line.size() > 5 && (line.rfind("ETag:", 0) == 0 || line.rfind("etag:", 0) == 0)) {
          etag = line.substr(5);
          while (!etag.empty() && (etag.front() == ' ')) etag.erase(0, 1);
          while (!etag.empty() && (etag.back() == '\r' || etag.back() == '\n' || etag.back() == ' ')) etag.pop_back();
        }
      if (etag.empty()) throw std::runtime_error("the set came without an ETag");
    }

    Kind health{"GET /api/v1/health (the baseline)", "/api/v1/health", {}, 200};
    Kind poll{"poll: question-set, If-None-Match -> 304", "/api/v1/question-set", {auth, "If-None-Match: " + etag}, 304};
    Kind fetch{"fetch: question-set -> 200 (whole set)", "/api/v1/question-set", {auth}, 200};
    for (Kind* k : {&health, &poll, &fetch}) run(base, pki.ca_file(), server.pid(), polls, *k);
    server.stop();

    std::printf("A kiosk's poll with no change against GET /api/v1/health, %d requests each on one kept-alive TLS connection\n", polls);
    std::printf("  (wire: TCP payload per request from the socket's TCP_INFO, TLS records included, TCP/IP headers not;\n");
    std::printf("  HTTP: curl's request size + reply header size + body; server CPU: utime+stime from /proc/PID/stat)\n");
    std::printf("  %-42s %9s %9s %9s %8s %12s %10s\n", "", "wire out", "wire in", "wire all", "HTTP", "server CPU", "wall");
    for (Kind* k : {&health, &poll, &fetch})
      std::printf("  %-42s %7.0f B %7.0f B %7.0f B %6.0f B %9.1f us %7.1f us\n", k->name, k->wire_sent, k->wire_received,
                  k->wire_sent + k->wire_received, k->http_bytes, k->cpu_us, k->wall_us);
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0; };
    double poll_wire = poll.wire_sent + poll.wire_received, health_wire = health.wire_sent + health.wire_received;
    double fetch_wire = fetch.wire_sent + fetch.wire_received;
    std::printf("  ratio, 304 poll / health: %.2fx bytes on the wire, %.2fx server CPU\n", ratio(poll_wire, health_wire),
                ratio(poll.cpu_us, health.cpu_us));
    std::printf("  ratio, 200 fetch / health: %.2fx bytes on the wire, %.2fx server CPU\n", ratio(fetch_wire, health_wire),
                ratio(fetch.cpu_us, health.cpu_us));
    std::printf("  the 304 poll saves %.0f B a poll against the 200 fetch (%.0f B body; %.1f%% of its bytes)\n", fetch_wire - poll_wire,
                fetch.body_bytes, 100 * ratio(poll_wire, fetch_wire));
    char line[300];
    std::snprintf(line, sizeof line,
                  "poll: 304 poll %.0f B on the wire, %.1f us server CPU vs health %.0f B, %.1f us = %.2fx bytes, %.2fx CPU; "
                  "200 fetch %.0f B, %.1f us = %.2fx bytes, %.2fx CPU",
                  poll_wire, poll.cpu_us, health_wire, health.cpu_us, ratio(poll_wire, health_wire), ratio(poll.cpu_us, health.cpu_us),
                  fetch_wire, fetch.cpu_us, ratio(fetch_wire, health_wire), ratio(fetch.cpu_us, health.cpu_us));
    tp::bench::add_to_summary(line);
    return 0;
  } catch (const std::exception& e) {
    std::printf("poll benchmark failed: %s\n", e.what());
    return 1;
  }
}
