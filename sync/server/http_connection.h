// One client connection: TLS handshake, requests read under deadlines, the
// Api called on the handler pool, replies written, kept alive or closed.
// Internal to the HTTP layer (Asio types in its interface); http_server.cpp
// accepts sockets and hands each one to start_connection().
#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>

#include "api.h"
#include "http_admission.h"
#include "http_metrics.h"
#include "http_routes.h"
#include "http_server.h"

namespace boost::asio {
class thread_pool;
}
struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace tp::server {

// Api calls whose reply has not been handed back yet. The server waits
// until none is left before it goes away: a store's thread may still be
// about to reply to one.
class PendingReplies {
 public:
  void add();
  void done();
  void wait_none();

 private:
  std::mutex mutex_;
  std::condition_variable none_;
  std::size_t count_ = 0;
};

// What every connection of one listening address shares; owned by the
// HttpServer, which outlives them.
struct HttpContext {
  Api& api;
  const HttpOptions& options;
  Admission& admission;
  boost::asio::thread_pool& handlers;         // runs the Api, off the I/O threads
  HttpMetrics& metrics;                       // shared by both addresses
  PendingReplies& pending_replies;            // shared by both addresses
  Site site;                                  // which routes this address serves
  std::function<std::string()> metrics_page;  // the text of GET /metrics
};

// Serves `socket` until the client leaves or a limit closes it. `tls` is
// null for plain HTTP. `address` is the client's address (for the Api's
// per-address limits), `remote` the address with its port (for the log).
// The socket's executor must be a strand of its own: the connection's
// handlers then never run at the same time as each other.
void start_connection(boost::asio::ip::tcp::socket socket, Admission::Ticket ticket, std::string address, std::string remote,
                      HttpContext& context, ssl_ctx_st* tls);

}  // namespace tp::server
