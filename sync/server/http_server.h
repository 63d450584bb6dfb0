// HTTPS (or, for development only, plain HTTP) in front of the Api.
//
// Event driven: a few I/O threads serve every connection (TLS, parsing,
// timers), and the Api runs on a separate pool of handler threads, so a
// slow database holds handler threads, never the sockets of other clients.
// The limits every client is held to are listed in http_limits.h.
// /metrics is served on a separate address (HttpOptions.metrics_*), never
// on the kiosks' one.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "api.h"
#include "http_limits.h"

namespace tp::server {

// The metrics address's port unless told otherwise.
constexpr int kDefaultMetricsPort = 9464;

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8443;  // 0: any free port (see HttpServer::port)
  std::string tls_cert, tls_key;
  bool plain_http = false;  // development only
  int threads = 0;          // I/O threads; 0: one per core, at least 2
  // Threads running the Api; 0: one per core, at least 2. On SQLite a batch
  // leaves its thread once it is queued for the group commit, so the size of
  // a group does not depend on them (before that, with 200 kiosks, 2 threads
  // gave 1.1 batches per commit, 8 gave 4.0, 32 gave 8.0); on PostgreSQL a
  // request holds its thread while the database works. Each thread may also
  // hold an inflated body (8 MiB) and its parse, so more threads cost more
  // memory under a flood of bombs; 8 is the middle.
  int handler_threads = 8;
  int request_deadline_s = http_limits::kRequestDeadlineS;  // first byte to last byte of a request
  int idle_timeout_s = http_limits::kIdleTimeoutS;          // between requests on a kept-alive connection
  int handshake_deadline_s = http_limits::kHandshakeDeadlineS;
  // A request arrived to its reply ready; past it: 503 busy, and the
  // connection closes. The Api's later reply is thrown away.
  int handler_deadline_s = http_limits::kHandlerDeadlineS;
  int max_connections = http_limits::kMaxConnections;
  int max_connections_per_address = http_limits::kMaxConnectionsPerAddress;
  std::size_t max_body_bytes = http_limits::kMaxWireBodyBytes;  // as sent, before gzip is undone
  std::size_t max_buffered_body_bytes = http_limits::kMaxBufferedBodyBytes;
  bool access_log = true;  // one line per request on stderr (not for the metrics address)
  // GET /metrics (Prometheus text format) in plain HTTP on an address of its
  // own, bound by bind_metrics(). Plain HTTP, so only a loopback address
  // unless metrics_allow_remote.
  std::string metrics_host = "127.0.0.1";
  int metrics_port = kDefaultMetricsPort;  // 0: any free port (see HttpServer::metrics_port)
  bool metrics_allow_remote = false;
  // The admin web (admin_web.h) for every path under /admin on the API's
  // address, run on the handler threads like the Api; unset: 404.
  std::function<ApiResponse(const ApiRequest&)> admin;
};

class HttpServer {
 public:
  HttpServer(Api& api, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Loads the certificate and key and binds the socket; false with `error`
  // set (a sentence naming the file or address) when it cannot.
  bool bind(std::string& error);
  int port() const { return port_; }
  // Binds the metrics address; false with `error` set when it cannot (in
  // use, unknown, or not loopback without metrics_allow_remote). Optional:
  // the API is served whether or not this was called or succeeded.
  bool bind_metrics(std::string& error);
  int metrics_port() const { return metrics_port_; }
  void run();   // serves until stop()
  void stop();  // may be called from any thread, also before run()

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  HttpOptions options_;
  int port_ = 0, metrics_port_ = 0;
};

}  // namespace tp::server
