// The listening side: TLS settings, the socket, the threads, and the accept
// loop that admits each connection (or closes it at once) and hands it to
// http_connection.cpp.
//
// Threads. I/O threads (HttpOptions.threads) run one io_context: TLS
// handshakes, parsing, timers, writes; all of it non-blocking, each
// connection on its own strand. The Api runs on a separate pool
// (HttpOptions.handler_threads), because it blocks: SQLite commits wait for
// fsync and, behind another writer, for up to its 5 s busy timeout; a
// PostgreSQL store waits on its server. Were the Api on the I/O threads, a
// few slow commits would stop every handshake, read and deadline in the
// process; on its own pool they delay only the requests queued for the
// database, while health checks, refusals and timeouts go on. Requests
// waiting for a handler hold their bodies, which the Admission's byte
// budget bounds, and each has a deadline (HttpOptions.handler_deadline_s).
// On SQLite a batch or heartbeat leaves its handler thread once queued for
// the group commit; its reply comes from the thread leading that commit,
// and its body's share of the budget is held until then (the decoded batch
// is bounded by the store: GroupCommitLimits::kMaxQueuedBytes).
//
// Two listening addresses share the threads: the kiosks' (TLS), and, when
// bind_metrics() is called, the metrics address (plain HTTP, loopback
// unless allowed otherwise), each with its own connection caps and routes.
#include "http_server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "http_admission.h"
#include "http_connection.h"
#include "http_metrics.h"
#include "metrics.h"

namespace tp::server {

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

// TLS 1.2 suites: forward secret (ECDHE) and AEAD only, no CBC. TLS 1.3
// suites are all AEAD; they are listed so that the set is explicit.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
// Elliptic curves only: a client may not make the server compute a
// finite-field key exchange (ffdhe8192 costs far more CPU than X25519).
constexpr const char* kKeyExchangeGroups = "X25519:P-256:P-384";
// How long the accept loop pauses when the process is out of descriptors,
// so that it does not spin; connections closing meanwhile free some.
constexpr auto kAcceptPauseOnExhaustion = std::chrono::milliseconds(100);

int default_threads(int asked) {
  if (asked > 0) return asked;
  return std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
}

// "" when `path` can be opened for reading, else why not.
std::string unreadable(const std::string& path) {
  if (path.empty()) return "no file given";
  if (::access(path.c_str(), R_OK) == 0) return "";
  return errno == ENOENT ? "no such file" : std::strerror(errno);
}

// OpenSSL's latest error, in its words ("no start line", "key values mismatch").
std::string openssl_reason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  const char* reason = code ? ERR_reason_error_string(code) : nullptr;
  return reason ? reason : "unknown OpenSSL error";
}

struct FreeSslCtx {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtx = std::unique_ptr<SSL_CTX, FreeSslCtx>;

// Loads the certificate and key and sets the protocol rules; "" on success.
std::string configure_tls(SSL_CTX* ctx, const std::string& cert, const std::string& key) {
  if (std::string why = unreadable(cert); !why.empty())
    return "Unable to read the TLS certificate " + cert + " (" + why + "); see --tls-cert";
  if (std::string why = unreadable(key); !why.empty()) return "Unable to read the TLS key " + key + " (" + why + "); see --tls-key";
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1)
    return "Unable to load the TLS certificate " + cert + ": " + openssl_reason() +
           " (it must be a PEM certificate, then any intermediates)";
  std::string mismatch =
      "The TLS key " + key + " does not belong to the certificate " + cert + " (give the key the certificate was made for)";
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL compares the key with the certificate as it loads it.
    if (ERR_GET_REASON(ERR_peek_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return mismatch;
    }
    return "Unable to load the TLS key " + key + ": " + openssl_reason() + " (it must be an unencrypted PEM private key)";
  }
  if (SSL_CTX_check_private_key(ctx) != 1) return mismatch;

  bool ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1;
  // Renegotiation is a way to make the server do handshakes inside a
  // connection; compression leaks secrets (CRIME). Neither is needed.
  SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  ok = ok && SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) == 1;
  ok = ok && SSL_CTX_set_ciphersuites(ctx, kTls13Suites) == 1;
  ok = ok && SSL_CTX_set1_groups_list(ctx, kKeyExchangeGroups) == 1;
  if (!ok) return "Unable to set the TLS protocol rules: " + openssl_reason();
  // A connection between requests holds no TLS read or write buffer.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  return "";
}

// Raises the descriptor limit to what the system allows, and returns how
// many connections fit under it.
int connections_that_fit(int wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  auto usable = static_cast<long long>(std::min<rlim_t>(limit.rlim_cur, 1 << 24)) - http_limits::kReservedDescriptors;
  if (usable >= wanted) return wanted;
  int fit = static_cast<int>(std::max(16LL, usable));
  std::fprintf(stderr,
               "tenpoint-server: the descriptor limit (ulimit -n %lld) allows %d connections, not %d; raise LimitNOFILE to allow more\n",
               static_cast<long long>(limit.rlim_cur), fit, wanted);
  return fit;
}

// Kiosks on a dual-stack socket show as ::ffff:a.b.c.d; one address must
// count as one whichever way it arrives.
net::ip::address plain(const net::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6());
  return a;
}

}  // namespace

struct HttpServer::Impl {
  Impl(Api& api, const HttpOptions& options)
      : api(api),
        options(options),
        start_time_s(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()),
        handlers(static_cast<std::size_t>(default_threads(options.handler_threads))) {}

  // One listening address: its socket and accept loop, and what its
  // connections share (context, and through it, the Admission).
  struct Listener {
    explicit Listener(net::io_context& io) : acceptor(net::make_strand(io)), pause(acceptor.get_executor()) {}
    tcp::acceptor acceptor;
    net::steady_timer pause;
    HttpContext* context = nullptr;
    SSL_CTX* tls = nullptr;  // null: plain HTTP
    bool bound = false;
  };

  // The order is the order of destruction, reversed: connections live in
  // handlers queued on `handlers` and `io`, so those go first, and what
  // connections refer to (admission, context, metrics, tls) after them.
  Api& api;
  const HttpOptions& options;
  const double start_time_s;
  SslCtx tls;
  HttpMetrics metrics;
  PendingReplies pending_replies;
  std::optional<Admission> admission, metrics_admission;
  std::optional<HttpContext> context, metrics_context;
  net::io_context io;
  net::thread_pool handlers;
  Listener api_side{io}, metrics_side{io};

  void accept(Listener& l) {
    l.acceptor.async_accept(net::make_strand(io), [this, &l](error_code ec, tcp::socket socket) { on_accept(l, ec, std::move(socket)); });
  }

  void on_accept(Listener& l, error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !l.acceptor.is_open()) return;
    if (ec) {
      if (ec == net::error::no_descriptors || ec.value() == ENFILE || ec == net::error::no_memory || ec == net::error::no_buffer_space) {
        std::fprintf(stderr, "tenpoint-server: unable to accept a connection (%s, with %zu open); pausing accepts briefly\n",
                     ec.message().c_str(), l.context->admission.open_connections());
        l.pause.expires_after(kAcceptPauseOnExhaustion);
        l.pause.async_wait([this, &l](error_code wait_ec) {
          if (!wait_ec) accept(l);
        });
        return;
      }
      return accept(l);  // the client gave up while queued, or similar: nothing to do
    }
    admit(l, std::move(socket));
    accept(l);
  }

  void admit(Listener& l, tcp::socket socket) {
    error_code ec;
    tcp::endpoint peer = socket.remote_endpoint(ec);
    if (ec) return;  // already gone
    net::ip::address address = plain(peer.address());
    std::string text = address.to_string();
    std::optional<Admission::Ticket> ticket = l.context->admission.admit(text);
    if (!ticket) {
      // A reset rather than a FIN: the refusal is immediate for the client
      // and leaves no TIME_WAIT behind on the server.
      socket.set_option(net::socket_base::linger(true, 0), ec);
      socket.close(ec);
      return;
    }
    socket.set_option(tcp::no_delay(true), ec);  // else each reply waits ~40 ms for a delayed ACK
    std::string remote = (address.is_v6() ? "[" + text + "]" : text) + ":" + std::to_string(peer.port());
    start_connection(std::move(socket), std::move(*ticket), std::move(text), std::move(remote), *l.context, l.tls);
  }

  // Resolves and binds `host`:`port` for `l`; "" on success, else why not,
  // in words that start with "Unable to <what> on HOST:PORT".
  std::string listen(Listener& l, const std::string& what, const std::string& host_as_given, int port, bool loopback_only) {
    std::string where = host_as_given + ":" + std::to_string(port);
    if (port < 0 || port > 65535) return "Unable to " + what + " on " + where + ": a port is a number from 1 to 65535 (0: any free port)";
    std::string host = host_as_given;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    error_code ec;
    tcp::resolver resolver(io);
    auto found = resolver.resolve(host, std::to_string(port), tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || found.empty())
      return "Unable to " + what + " on " + where + ": the address " + host_as_given + " is not known (" + ec.message() + ")";
    tcp::endpoint endpoint = found.begin()->endpoint();
    if (loopback_only && !plain(endpoint.address()).is_loopback())
      return "Unable to " + what + " on " + where +
             ": it is plain HTTP, so only a loopback address (127.0.0.1, ::1) is allowed. Let the scraper reach it on this "
             "machine (a local Prometheus or agent, an SSH tunnel), or add --metrics-allow-remote and a firewall rule that lets "
             "only the scraper in";
    l.acceptor.open(endpoint.protocol(), ec);
    // A restarted server may bind at once, though connections of the last
    // one are still in TIME_WAIT.
    if (!ec) l.acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) l.acceptor.bind(endpoint, ec);
    if (!ec) l.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      error_code ignored;
      l.acceptor.close(ignored);
      return "Unable to " + what + " on " + where + ": " + ec.message() +
             " (another server on that port, or not an address of this machine?)";
    }
    l.bound = true;
    return "";
  }

  // The /metrics page. Everything here is a counter read or a short lock
  // (the Admission's), never the database: it runs on an I/O thread.
  std::string metrics_page() {
    metrics::TextWriter out;
    out.family("tenpoint_server_build_info", metrics::Type::gauge, "The server's version, as a label; the value is always 1.");
    out.sample("tenpoint_server_build_info", {{"version", TENPOINT_VERSION}}, std::int64_t{1});
    metrics.write(out);

    Api::AnswerCounts answers = api.answer_counts();
    out.family("tenpoint_server_answers_stored_total", metrics::Type::counter, "Answers stored as new by this server process.");
    out.sample("tenpoint_server_answers_stored_total", {}, answers.stored);
    out.family("tenpoint_server_answers_duplicate_total", metrics::Type::counter,
               "Answers received again, identical to ones already held (a resent batch): acknowledged, stored once.");
    out.sample("tenpoint_server_answers_duplicate_total", {}, answers.duplicates);
    out.family("tenpoint_server_answers_quarantined_total", metrics::Type::counter,
               "Answers received with the id of a different answer already held: kept aside in the quarantine table.");
    out.sample("tenpoint_server_answers_quarantined_total", {}, answers.quarantined);

    IngestStats ingest = api.ingest_stats();
    out.family("tenpoint_server_group_commits_total", metrics::Type::counter,
               "Group-commit transactions: what arrives together (batches, and on SQLite heartbeats) shares one "
               "(SQLite store; 0 on PostgreSQL).");
    out.sample("tenpoint_server_group_commits_total", {}, ingest.commits);
    out.family("tenpoint_server_group_commit_batches_total", metrics::Type::counter,
               "Batches stored by those transactions: divided by the commits, the batches per commit.");
    out.sample("tenpoint_server_group_commit_batches_total", {}, ingest.batches);
    out.family("tenpoint_server_group_commit_heartbeats_total", metrics::Type::counter,
               "Heartbeats recorded by those transactions: (batches + heartbeats) / commits is the requests per fsync.");
    out.sample("tenpoint_server_group_commit_heartbeats_total", {}, ingest.heartbeats);
    out.family("tenpoint_server_group_commit_waiting", metrics::Type::gauge,
               "Batches and heartbeats handed to the store and not yet answered: queued for the next transaction, or in "
               "the one under way (SQLite store; 0 on PostgreSQL).");
    out.sample("tenpoint_server_group_commit_waiting", {}, ingest.waiting);
    if (ingest.has_wal) {
      out.family("tenpoint_server_wal_checkpoints_total", metrics::Type::counter,
                 "SQLite checkpoints (the WAL copied back into server.db): by=\"background\" on a thread beside the commits, "
                 "by=\"committer\" the last few pages, between two transactions, so that the WAL starts over.");
      out.sample("tenpoint_server_wal_checkpoints_total", {{"by", "background"}}, ingest.checkpoints_background);
      out.sample("tenpoint_server_wal_checkpoints_total", {{"by", "committer"}}, ingest.checkpoints_finished);
      out.family("tenpoint_server_wal_pages", metrics::Type::gauge,
                 "Pages in SQLite's WAL after the last commit; it starts over once a checkpoint has copied them all.");
      out.sample("tenpoint_server_wal_pages", {}, ingest.wal_frames);
    }

    out.family("tenpoint_server_open_connections", metrics::Type::gauge,
               "Connections open on the kiosks' address (including any whose request is still on a handler thread).");
    out.sample("tenpoint_server_open_connections", {}, static_cast<std::uint64_t>(admission->open_connections()));
    Admission::Refusals refused = admission->refusals();
    out.family("tenpoint_server_connections_refused_total", metrics::Type::counter,
               "Connections to the kiosks' address closed at once, by the cap that refused them "
               "(--max-connections-per-address, --max-connections).");
    out.sample("tenpoint_server_connections_refused_total", {{"reason", "per_address"}}, refused.per_address);
    out.sample("tenpoint_server_connections_refused_total", {{"reason", "max_connections"}}, refused.server_full);
    out.family("tenpoint_server_buffered_body_bytes", metrics::Type::gauge,
               "Request body bytes held in memory, as sent: arriving, waiting for a handler thread, or for their commit.");
    out.sample("tenpoint_server_buffered_body_bytes", {}, static_cast<std::uint64_t>(admission->body_bytes_held()));

    metrics::write_process_metrics(out, start_time_s);
    return out.text();
  }
};

HttpServer::HttpServer(Api& api, HttpOptions options) : options_(std::move(options)) { impl_ = std::make_unique<Impl>(api, options_); }

HttpServer::~HttpServer() {
  impl_->io.stop();
  // Api calls still running finish before the Api (and its store) go away.
  impl_->handlers.stop();
  impl_->handlers.join();
  // Batches queued in the store reply from its thread, onto the I/O
  // context: that context stays until the last of them has.
  impl_->pending_replies.wait_none();
}

bool HttpServer::bind(std::string& error) {
  Impl& s = *impl_;
  if (!options_.plain_http) {
    s.tls.reset(SSL_CTX_new(TLS_server_method()));
    std::string why =
        s.tls ? configure_tls(s.tls.get(), options_.tls_cert, options_.tls_key) : "Unable to start OpenSSL: " + openssl_reason();
    if (!why.empty()) {
      error = why;
      return false;
    }
    // OpenSSL writes to sockets with write(), which raises SIGPIPE when the
    // client has gone; the write's EPIPE is all the server needs.
    signal(SIGPIPE, SIG_IGN);
  }
  int max_connections = connections_that_fit(options_.max_connections);
  s.admission.emplace(static_cast<std::size_t>(max_connections),
                      static_cast<std::size_t>(std::max(1, options_.max_connections_per_address)), options_.max_buffered_body_bytes);
  s.context.emplace(HttpContext{s.api, options_, *s.admission, s.handlers, s.metrics, s.pending_replies, Site::api, {}});
  s.api_side.context = &*s.context;
  s.api_side.tls = s.tls.get();
  error = s.listen(s.api_side, "listen", options_.host, options_.port, false);
  if (!error.empty()) return false;
  port_ = s.api_side.acceptor.local_endpoint().port();
  return true;
}

bool HttpServer::bind_metrics(std::string& error) {
  Impl& s = *impl_;
  // Its own caps, so a scraper is never refused because kiosks fill the
  // server, nor the other way round. No route there reads a body.
  s.metrics_admission.emplace(http_limits::kMaxMetricsConnections, http_limits::kMaxMetricsConnections, 0);
  s.metrics_context.emplace(HttpContext{s.api, options_, *s.metrics_admission, s.handlers, s.metrics, s.pending_replies, Site::metrics,
                                        [&s] { return s.metrics_page(); }});
  s.metrics_side.context = &*s.metrics_context;
  error = s.listen(s.metrics_side, "serve metrics", options_.metrics_host, options_.metrics_port, !options_.metrics_allow_remote);
  if (!error.empty()) return false;
  metrics_port_ = s.metrics_side.acceptor.local_endpoint().port();
  return true;
}

void HttpServer::run() {
  Impl& s = *impl_;
  if (!s.api_side.bound) return;
  s.accept(s.api_side);
  if (s.metrics_side.bound) s.accept(s.metrics_side);
  auto serve = [&s] {
    for (;;) {
      try {
        s.io.run();
        return;
      } catch (const std::exception& e) {
        // A handler threw (out of memory, most likely): that connection is
        // lost, the others carry on.
        std::fprintf(stderr, "tenpoint-server: a connection failed: %s\n", e.what());
      }
    }
  };
  std::vector<std::thread> more;
  for (int i = 1; i < default_threads(options_.threads); ++i) more.emplace_back(serve);
  serve();
  for (auto& t : more) t.join();
  s.handlers.stop();
  s.handlers.join();
}

void HttpServer::stop() { impl_->io.stop(); }

}  // namespace tp::server
