// Bad input to a real tenpoint-server over TLS: malformed and wrong-typed
// bodies, huge bodies, unknown devices and paths, and slow clients.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "cluster.h"
#include "curl_transport.h"
#include "wire.h"

using namespace tp::test;
using namespace std::chrono_literals;

namespace {

tp::sync::SyncConfig client_config(const Cluster& c) {
  tp::sync::SyncConfig cfg;
  cfg.server = "https://127.0.0.1:" + std::to_string(c.port);
  cfg.ca_file = c.pki.ca_file();
  cfg.connect_timeout_s = 40;  // the TLS handshake may wait for a free worker
  cfg.total_timeout_s = 60;
  return cfg;
}

int raw_connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

}  // namespace

TEST_CASE("server: bad bodies, unknown devices and paths get clear errors", "[server][http][hostile]") {
  Cluster c("server_http_bad");
  c.start_server();
  tp::sync::CurlTransport http(client_config(c));
  // Enrol a real device to get a token.
  std::string token = "tp1.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";
  auto enrol = http.post("/api/v1/enrol", tp::wire::encode(tp::wire::EnrolRequest{c.enrol_code(), "desk", token}), "", false);
  REQUIRE(enrol.status == 200);

  auto r = http.post("/api/v1/batches", "{\"batch_id\": \"b\", \"answers\": [", token, false);
  CHECK(r.status == 400);
  INFO(r.body);
  CHECK(tp::wire::error_message(r.body).find("malformed JSON at line 1, column 31") == 0);
  r = http.post("/api/v1/batches", "{\"batch_id\": \"b\", \"answers\": {}}", token, false);
  CHECK(r.status == 400);
  CHECK(tp::wire::error_message(r.body) == "answers must be a list, not an object");
  r = http.post("/api/v1/batches", "{\"batch_id\": \"b\", \"answers\": []}", "tp1.not-a-device", false);
  CHECK(r.status == 401);
  CHECK(tp::wire::error_message(r.body).find("unknown device token") == 0);
  r = http.post("/api/v1/nothing", "{}", token, false);
  CHECK(r.status == 404);
  CHECK(r.body.find("not_found") != std::string::npos);
  // 9 MiB is over the limit: refused before it is read into memory.
  r = http.post("/api/v1/batches", std::string(9 * 1024 * 1024, ' '), token, false);
  INFO("huge body: " << r.failure);
  CHECK(r.status == 413);
  CHECK(r.body.find("too_large") != std::string::npos);
  // The server is still well.
  r = http.post("/api/v1/batches", "{\"batch_id\": \"b\", \"answers\": []}", token, false);
  CHECK(r.status == 200);
  c.server->signal(SIGTERM);
  CHECK(c.server->wait(10s) == 0);
}

TEST_CASE("server: slow clients are dropped after the read timeout and cannot starve it for good", "[server][http][slow]") {
  Cluster c("server_http_slow");
  c.start_server({}, {"--workers", "2", "--read-timeout", "2"});
  // Ten connections that never say anything: each holds a worker until the timeout.
  std::vector<int> idle;
  for (int i = 0; i < 10; ++i) idle.push_back(raw_connect(c.port));
  auto started = std::chrono::steady_clock::now();
  tp::sync::CurlTransport http(client_config(c));
  auto r = http.post("/api/v1/enrol", "{}", "", false);
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO("a real request waited " << waited << " s behind 10 silent connections with 2 workers");
  CHECK(r.reached);
  CHECK(r.status == 400);
  CHECK(waited < 30.0);
  // The silent ones were closed by the server.
  for (int fd : idle) {
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char b;
    CHECK(read(fd, &b, 1) <= 0);
    close(fd);
  }
}
