// One client connection, for TLS and for plain HTTP (a template over the
// stream; both are instantiated here).
//
// Invariants:
//   1. Every phase has a deadline on the connection's one timer; when it
//      passes, the connection is closed (or, while reading a request,
//      answered 408 and closed; while handling, answered 503 busy and
//      closed). No phase waits on the client or on the Api without one.
//   2. The request deadline runs from the request's first byte to its last:
//      reads do not extend it, so a client dribbling a byte now and then
//      holds its socket for request_deadline_s at most.
//   3. Only bodies of routes that read them are stored, and every stored
//      byte is charged to the Admission's budget until the Api is done.
//   4. The Api runs on the handler pool, never on an I/O thread (health
//      excepted: it touches no storage). A batch or heartbeat leaves its
//      handler thread once queued for the store's commit, and its reply
//      comes from the store's thread. All else a connection does is
//      non-blocking and runs on its strand, one handler at a time.
//   5. After an error reply the connection is closed, never reused: the
//      rest of a refused request is still on its way and cannot be told
//      apart from a next request.
//   6. A reply from the Api reaches the client only if it belongs to the
//      request being handled now (its serial) and the deadline has not
//      answered for it; otherwise it is thrown away. The handler holds the
//      connection alive (a shared_ptr) until it is done, so a late reply
//      never meets a freed connection, only a closed one. A request whose
//      deadline passed while it still waited for a handler thread is not
//      run at all: its client was told to send it again.
//
//   start -> HANDSHAKE [start] --(TLS only)--> IDLE [begin_request]
//   HANDSHAKE --handshake_deadline / failed--> closed [close]
//   IDLE --first byte--> READING [start_request_clock]
//   IDLE --idle_timeout / client left--> closed [close]
//   READING --request complete--> HANDLING [on_request]
//   READING --too large, malformed, budget full--> WRITING, close after [refuse]
//   READING --request_deadline--> WRITING 408, close after [on_deadline, on_read]
//   HANDLING --reply from the Api (or health, metrics, 404, 405 at once)--> WRITING [on_api_reply, reply]
//   HANDLING --handler_deadline--> WRITING 503 busy, close after [on_deadline]
//   WRITING --keep-alive--> IDLE [on_write -> begin_request]
//   WRITING --close after--> LINGERING [linger]
//   WRITING --deadline / write failed--> closed [close]
//   LINGERING --client closed / linger time over--> closed [close]
#include "http_connection.h"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>

#include "http_access_log.h"
#include "http_request_parser.h"
#include "http_routes.h"
#include "http_tls_stream.h"

namespace tp::server {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = beast::error_code;
using Clock = std::chrono::steady_clock;

// What Prometheus expects of a text exposition page.
constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

template <class Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  template <class... StreamArgs>
  Connection(Admission::Ticket ticket, std::string address, std::string remote, HttpContext& context, StreamArgs&&... stream_args)
      : stream_(std::forward<StreamArgs>(stream_args)...),
        timer_(stream_.socket().get_executor()),
        context_(context),
        options_(context.options),
        ticket_(std::move(ticket)),
        address_(std::move(address)),
        remote_(std::move(remote)) {}

  auto executor() { return stream_.socket().get_executor(); }

  void start() {
    if constexpr (kTls) {
      phase_ = Phase::handshake;
      arm(std::chrono::seconds(options_.handshake_deadline_s));
      stream_.async_handshake([self = this->shared_from_this()](error_code ec) { self->on_handshake(ec); });
    } else {
      begin_request();
    }
  }

 private:
  enum class Phase { handshake, idle, reading, handling, writing, lingering, closed };

  tcp::socket& socket() { return stream_.socket(); }

  // [SECTION] Deadlines: one timer; a new arm() or disarm() makes any
  // earlier wait stale (its generation no longer matches).
  void arm(Clock::duration after) {
    ++timer_generation_;
    timer_.expires_after(after);
    timer_.async_wait([self = this->shared_from_this(), generation = timer_generation_](error_code ec) {
      if (!ec && generation == self->timer_generation_) self->on_deadline();
    });
  }

  void disarm() {
    ++timer_generation_;
    timer_.cancel();
  }

  void on_deadline() {
    if (phase_ == Phase::handling) {
      // The Api is still on it (or has not started): the client is told to
      // try again, and whatever the Api makes later is dropped (invariant 6).
      abandoned_serial_.store(request_serial_, std::memory_order_release);
      context_.metrics.handler_deadline_passed.add();
      std::string waited = "no reply within " + std::to_string(options_.handler_deadline_s) + " s";
      note_ = waited;
      return reply(http_refusal(503, target(), waited), true);
    }
    if (phase_ == Phase::reading) {
      // Cancelling the pending read lets on_read answer 408 on this strand.
      deadline_passed_ = true;
      error_code ignored;
      socket().cancel(ignored);
      return;
    }
    if (phase_ == Phase::writing) note_ = "the client did not take the reply in time";
    close();
  }

  // [SECTION] Reading a request
  void on_handshake(error_code ec) {
    if (phase_ == Phase::closed) return;
    // A failed handshake (a scanner, a client that distrusts the
    // certificate, plain HTTP on the TLS port) is not a request: no log line.
    if (ec) return close();
    begin_request();
  }

  void begin_request() {
    parser_.emplace(context_.admission, http_limits::kMaxHeaderBytes, http_limits::kMaxHeaderFields, options_.max_body_bytes);
    route_ = {};
    header_seen_ = started_ = deadline_passed_ = keep_alive_ = false;
    bytes_in_ = 0;
    note_.clear();
    phase_ = Phase::idle;
    if (buffer_.size() == 0) {
      // An idle connection keeps no read buffer: thousands of them may wait.
      buffer_.shrink_to_fit();
      arm(std::chrono::seconds(options_.idle_timeout_s));
    }
    parse();
  }

  void start_request_clock() {
    started_ = true;
    started_at_ = Clock::now();
    phase_ = Phase::reading;
    arm(std::chrono::seconds(options_.request_deadline_s));
  }

  // Feeds what is buffered to the parser, then reads more or acts on it.
  void parse() {
    for (;;) {
      if (buffer_.size() == 0) return read();
      if (!started_) start_request_clock();
      error_code ec;
      std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      bytes_in_ += used;
      if (ec == http::error::need_more) return read();
      if (ec) return refuse(ec);
      if (parser_->is_header_done() && !header_seen_) on_header();
      if (parser_->is_done()) return on_request();
      if (used == 0) return read();
    }
  }

  void read() {
    std::size_t room = buffer_.max_size() - buffer_.size();
    // Unreachable for a header (the parser's header limit is smaller than
    // the buffer), but a chunk-size line with megabytes of extensions ends here.
    if (room == 0) return refuse(http::error::buffer_overflow);
    stream_.async_read_some(buffer_.prepare(std::min(http_limits::kReadChunkBytes, room)),
                            [self = this->shared_from_this()](error_code ec, std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(error_code ec, std::size_t n) {
    buffer_.commit(n);
    if (phase_ == Phase::closed) return;
    if (deadline_passed_) {
      bytes_in_ += buffer_.size();  // arrived, never parsed
      note_ = "the request was not complete within " + std::to_string(options_.request_deadline_s) + " s";
      return reply(http_refusal(408, target()), true);
    }
    if (ec) {
      // The client left (or reset) before its request was complete.
      if (started_) {
        bytes_in_ += buffer_.size();
        log(0, 0, ec == net::error::eof || ec == net::ssl::error::stream_truncated ? "the client closed mid-request" : ec.message());
      }
      return close();
    }
    parse();
  }

  void on_header() {
    header_seen_ = true;
    route_ = match_route(parser_->method(), parser_->target(), context_.site);
    parser_->keep_body(route_takes_body(route_.route));
  }

  // The request is malformed or over a limit: say so, then close.
  void refuse(error_code ec) {
    bytes_in_ += buffer_.size();  // arrived, never parsed
    int status = 400;
    std::string detail;
    if (ec == http::error::header_limit)
      status = 431;
    else if (ec == http::error::buffer_overflow && !header_seen_)
      status = 431;
    else if (ec == http::error::body_limit)
      status = 413;
    else if (parser_->over_budget())
      status = 503;
    else
      detail = ec.message();  // Beast's words: "bad method", "bad chunk", ...
    if (status == 503) note_ = "bodies in memory at their limit";
    reply(http_refusal(status, target(), detail), true);
  }

  // Empty until the request line has arrived.
  std::string target() const { return parser_ ? parser_->target() : std::string(); }

  // [SECTION] Handling it
  void on_request() {
    disarm();
    phase_ = Phase::handling;
    keep_alive_ = parser_->keep_alive();
    if (route_.refusal) return reply(http_refusal(route_.refusal, parser_->target()));
    // Health runs here, on the I/O thread: it touches no storage, so it
    // answers even while every handler thread waits on the database.
    if (route_.route == Route::health) return reply(call_route(context_.api, Route::health, ApiRequest{}));
    // The metrics page only reads counters, so it too answers while the
    // database is stuck, which is when it is wanted.
    if (route_.route == Route::metrics) return reply(ApiResponse{200, context_.metrics_page(), 0, {}}, false, kMetricsContentType);
    if (route_.route == Route::admin && !options_.admin) return reply(http_refusal(404, parser_->target()));
    ApiRequest request{std::move(parser_->body()), parser_->authorization(), parser_->content_encoding(), address_,
                       parser_->if_none_match(),   parser_->method(),        parser_->target(),           parser_->cookie()};
    std::uint64_t serial = ++request_serial_;
    arm(std::chrono::seconds(options_.handler_deadline_s));
    context_.metrics.requests_in_handlers.add(1);
    net::post(context_.handlers, [self = this->shared_from_this(), serial, route = route_.route, request = std::move(request),
                                  held = std::move(parser_->body_bytes())]() mutable {
      HttpContext& context = self->context_;
      // Its client was answered 503 while this waited for a thread: it
      // will send the request again, so it is not run now.
      if (self->abandoned_serial_.load(std::memory_order_acquire) == serial) {
        context.metrics.requests_in_handlers.add(-1);
        return;
      }
      // Called once, here or by the store once a batch is durable. The
      // body's share of the memory budget is held until then. If the reply
      // is never made (out of memory), `waiting` going away settles the
      // same accounts, and the handler deadline answers the client.
      auto waiting = std::make_shared<Waiting>(self, std::move(held));
      Api::Reply done = [waiting, serial, route](ApiResponse out) {
        if (waiting->replied.exchange(true)) return;
        std::shared_ptr<Connection> self = waiting->self;
        try {
          net::post(self->executor(),
                    [self, serial, route, out = std::move(out)]() mutable { self->on_api_reply(serial, route, std::move(out)); });
        } catch (...) {
          std::fputs("tenpoint-server: a reply was lost (out of memory); the client's deadline answers it\n", stderr);
        }
        self.reset();
        waiting->settle();
      };
      try {
        if (route == Route::admin)
          done(self->options_.admin(request));
        else
          call_route_async(context.api, route, std::move(request), done);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "tenpoint-server: a request from %s failed: %s\n", self->remote_.c_str(), e.what());
        done(http_refusal(500));
      }
      request = {};  // the body's memory goes now, not after the reply is written
    });
  }

  // A request handed to the Api, until its reply is. Counted in the
  // server's pending replies and the handler gauge from its making to
  // settle(): when the reply is out, or else when the last copy of its
  // callback goes. Whatever belongs to the server (the connection, the
  // budget) is let go before the server hears it may go away.
  struct Waiting {
    Waiting(std::shared_ptr<Connection> c, Admission::BodyBytes b) : self(std::move(c)), body(std::move(b)), context(self->context_) {
      context.pending_replies.add();
    }
    ~Waiting() { settle(); }
    Waiting(const Waiting&) = delete;
    Waiting& operator=(const Waiting&) = delete;
    void settle() {
      if (settled) return;
      settled = true;
      self.reset();
      body.reset();
      context.metrics.requests_in_handlers.add(-1);
      context.pending_replies.done();
    }
    std::shared_ptr<Connection> self;
    std::optional<Admission::BodyBytes> body;
    HttpContext& context;
    std::atomic<bool> replied{false};
    bool settled = false;  // only the thread that set `replied`, or the last owner, calls settle()
  };

  void on_api_reply(std::uint64_t serial, Route route, ApiResponse out) {
    if (serial == request_serial_ && phase_ == Phase::handling) return reply(std::move(out));
    // The deadline answered first. What the Api did stands (a batch it
    // stored stays stored, and comes back as duplicates when resent); only
    // its reply is dropped.
    context_.metrics.late_replies_dropped.add();
    std::fprintf(stderr, "tenpoint-server: %s %s: the reply (%d) came after the %d s deadline and was dropped\n", remote_.c_str(),
                 std::string(route_label(route)).c_str(), out.status, options_.handler_deadline_s);
  }

  // [SECTION] Replying
  void reply(ApiResponse out, bool close_after = false, std::string_view content_type = "application/json") {
    if (phase_ == Phase::closed) return;
    disarm();
    // Counted before the write, so that a client holding its reply finds
    // it counted already.
    context_.metrics.request_done(route_.path, out.status, seconds_since_start());
    close_after_reply_ = close_after || !keep_alive_;
    reply_status_ = out.status;
    if (note_.empty()) note_ = std::move(out.log_note);  // the device, or why the Api refused
    // Header and body in one buffer: one write, and over TLS one record
    // for a reply under 16 KiB, so the client gets it in one piece.
    auto status = http::int_to_status(static_cast<unsigned>(out.status));
    reply_ = "HTTP/1.1 " + std::to_string(out.status) + " " + std::string(http::obsolete_reason(status)) + "\r\n";
    // 204 and 304 have no body by definition, so neither its type nor its length.
    if (out.status == 204 || out.status == 304)
      out.body.clear();
    else
      reply_ += "Content-Type: " + (out.content_type.empty() ? std::string(content_type) : out.content_type) +
                "\r\nContent-Length: " + std::to_string(out.body.size()) + "\r\n";
    for (const auto& [name, value] : out.headers) reply_ += name + ": " + value + "\r\n";
    if (!out.etag.empty()) reply_ += "ETag: " + out.etag + "\r\n";
    if (out.retry_after_s > 0) reply_ += "Retry-After: " + std::to_string(out.retry_after_s) + "\r\n";
    if (close_after_reply_)
      reply_ += "Connection: close\r\n";
    else if (parser_->version() < 11)
      reply_ += "Connection: keep-alive\r\n";  // HTTP/1.0 closes unless told
    reply_ += "\r\n";
    reply_ += out.body;
    phase_ = Phase::writing;
    arm(std::chrono::seconds(options_.request_deadline_s));
    stream_.async_write(net::buffer(reply_), [self = this->shared_from_this()](error_code ec, std::size_t n) { self->on_write(ec, n); });
  }

  void on_write(error_code ec, std::size_t bytes_out) {
    if (ec && note_.empty()) note_ = "reply not delivered: " + ec.message();
    log(reply_status_, bytes_out, note_);
    if (ec || phase_ == Phase::closed) return close();
    if (close_after_reply_) return linger();
    reply_.clear();
    begin_request();
  }

  // Stops sending, then reads and drops what the client still sends for a
  // short while: closing with unread data would reset the connection, and a
  // reset can destroy the reply before the client has read it.
  void linger() {
    phase_ = Phase::lingering;
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.clear();
    arm(std::chrono::milliseconds(http_limits::kLingerMs));
    drain();
  }

  void drain() {
    // Straight from the socket: what arrives now is never decrypted or parsed.
    socket().async_read_some(buffer_.prepare(http_limits::kReadChunkBytes), [self = this->shared_from_this()](error_code ec, std::size_t) {
      if (ec || self->phase_ == Phase::closed) return self->close();
      self->drain();
    });
  }

  void close() {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::closed;
    disarm();
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  double seconds_since_start() const { return started_ ? std::chrono::duration<double>(Clock::now() - started_at_).count() : 0.0; }

  void log(int status, std::size_t bytes_out, const std::string& note) {
    // A scraper asks every few seconds; its requests are counted on the
    // metrics page itself rather than written to the journal.
    if (!options_.access_log || context_.site == Site::metrics) return;
    std::string method = parser_ ? parser_->method() : std::string();
    log_access({remote_, method, target(), status, bytes_in_, bytes_out, seconds_since_start() * 1000.0, note});
  }

  Stream stream_;
  net::steady_timer timer_;
  unsigned timer_generation_ = 0;
  HttpContext& context_;
  const HttpOptions& options_;
  Admission::Ticket ticket_;
  const std::string address_, remote_;
  beast::flat_buffer buffer_{http_limits::kReadBufferBytes};
  Phase phase_ = Phase::idle;

  // The request being read or handled.
  std::optional<RequestParser> parser_;
  RouteMatch route_;
  bool header_seen_ = false, started_ = false, deadline_passed_ = false, keep_alive_ = false;
  Clock::time_point started_at_;
  std::size_t bytes_in_ = 0;
  std::string note_;  // for the access log: why it ended as it did
  // Counts the requests handed to the Api (strand only). The handler thread
  // reads abandoned_serial_ to skip a request the deadline already answered.
  std::uint64_t request_serial_ = 0;
  std::atomic<std::uint64_t> abandoned_serial_{0};

  std::string reply_;  // status line, fields and body, as written
  int reply_status_ = 0;
  bool close_after_reply_ = false;
};

}  // namespace

void PendingReplies::add() {
  std::lock_guard lock(mutex_);
  ++count_;
}

void PendingReplies::done() {
  std::lock_guard lock(mutex_);
  if (--count_ == 0) none_.notify_all();
}

void PendingReplies::wait_none() {
  std::unique_lock lock(mutex_);
  none_.wait(lock, [this] { return count_ == 0; });
}

void start_connection(tcp::socket socket, Admission::Ticket ticket, std::string address, std::string remote, HttpContext& context,
                      ssl_ctx_st* tls) {
  auto executor = socket.get_executor();
  if (tls) {
    auto c =
        std::make_shared<Connection<TlsStream>>(std::move(ticket), std::move(address), std::move(remote), context, std::move(socket), tls);
    net::dispatch(executor, [c] { c->start(); });
  } else {
    auto c =
        std::make_shared<Connection<PlainStream>>(std::move(ticket), std::move(address), std::move(remote), context, std::move(socket));
    net::dispatch(executor, [c] { c->start(); });
  }
}

}  // namespace tp::server
