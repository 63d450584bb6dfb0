// Hostile clients against a real tenpoint-server over TLS on loopback.
//
// Each attack gets a freshly started server, so that memory one attack
// left in the server's heap cannot hide the next one's. For each: the
// server's resident memory above its idle size (VmRSS sampled every 10 ms,
// the peak), and the time from the moment the client crossed the limit
// to the server's refusal (a status line, or the connection closing).
//
//   attack                               limit crossed when
//   gzip bomb (1 MiB -> 1 GiB), sized    the last byte is sent (the server
//   gzip bomb, chunked                   inflates only a complete body)
//   64 MiB chunked                       body bytes sent pass the wire limit (8 MiB)
//   6 MiB JSON, 600,000 distinct keys    the last byte is sent
//   1,000 slow connections, one header   the request deadline passes, counted
//   line every 3 s                       from each connection's first byte
//
// While the slow connections hang on, GET /api/v1/health is timed against
// the same request on the same kind of fresh server with none of them.
//
// Raw requests (OpenSSL, no HTTP library) because the attacks need control
// over framing and pacing that a client library does not give.
//
// Usage: bench_hostile TENPOINT_SERVER OUT_DIR
//
// [SECTION] TLS client
// [SECTION] Memory sampler
// [SECTION] One hostile request
// [SECTION] The payloads
// [SECTION] Slow connections
// [SECTION] Report
// [SECTION] main
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench_server.h"
#include "http_limits.h"

namespace {

using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace limits = tp::server::http_limits;

constexpr double kMemoryTargetMib = 64;
constexpr double kRefusalTargetMs = 1000;
constexpr double kHealthTargetMs = 1000;
constexpr auto kSampleEvery = 10ms;
// Memory is still sampled this long after the refusal: freeing a large
// buffer, or a late allocation, happens after the reply is written.
constexpr auto kSampleAfterRefusal = 300ms;
// One hostile request may take this long in all before it counts as hung.
constexpr auto kAttackTimeout = 60s;

constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::size_t kBombInflatedBytes = 1024 * kMiB;  // 1 GiB of zeros
constexpr std::size_t kBigBodyBytes = 64 * kMiB;
constexpr std::size_t kJsonBytes = 6 * kMiB;
constexpr int kJsonKeys = 600000;
constexpr std::size_t kChunkBytes = 16 * 1024;  // one TLS record's worth per chunk

constexpr int kSlowConnections = 1000;
constexpr auto kSlowLineEvery = 3s;
constexpr int kOpeners = 4;  // threads making the slow connections' handshakes
constexpr int kHealthSamples = 10;

double ms_between(Steady::time_point a, Steady::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }
double mib(long kib) { return static_cast<double>(kib) / 1024.0; }

// [SECTION] TLS client

// One TLS connection from the attacker's side. It verifies nothing: an
// attacker does not care who the server is, and skipping it keeps the
// benchmark's own CPU for the attack.
class TlsConnection {
 public:
  TlsConnection() = default;
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;
  ~TlsConnection() { close(); }

  // A blocking connect and handshake; false when either fails (the
  // server refused the socket, or reset it during the handshake). Without
  // a context, a plain TCP connection (only connected, never used).
  bool open(SSL_CTX* ctx, int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval io_timeout{10, 0};  // bounds blocking reads and writes before set_nonblocking()
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &io_timeout, sizeof io_timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &io_timeout, sizeof io_timeout);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) return false;
    if (!ctx) return true;
    ssl_ = SSL_new(ctx);
    SSL_set_fd(ssl_, fd_);
    SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return SSL_connect(ssl_) == 1;
  }

  void set_nonblocking() { ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK); }

  // Blocking write of all of `data`; false when the connection broke.
  bool write_all(std::string_view data) {
    while (!data.empty()) {
      int n = SSL_write(ssl_, data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 20)));
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  enum class Io { progress, wait_read, wait_write, closed };

  // Non-blocking read into `into`.
  Io read_some(std::string& into) {
    char buf[16 * 1024];
    int n = SSL_read(ssl_, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<std::size_t>(n));
      return Io::progress;
    }
    return classify(n);
  }

  // Non-blocking write; `written` is how much went out.
  Io write_some(std::string_view data, std::size_t& written) {
    written = 0;
    int n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
    if (n > 0) {
      written = static_cast<std::size_t>(n);
      return Io::progress;
    }
    return classify(n);
  }

  int fd() const { return fd_; }

  void close() {
    if (ssl_) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
    ssl_ = nullptr;
    fd_ = -1;
  }

 private:
  Io classify(int rc) {
    int e = SSL_get_error(ssl_, rc);
    ERR_clear_error();
    if (e == SSL_ERROR_WANT_READ) return Io::wait_read;
    if (e == SSL_ERROR_WANT_WRITE) return Io::wait_write;
    return Io::closed;  // close_notify, a FIN or a reset
  }

  int fd_ = -1;
  SSL* ssl_ = nullptr;
};

SSL_CTX* client_context() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  return ctx;
}

// The status of an HTTP reply ("HTTP/1.1 413 ..."), 0 when there is none yet.
int status_of(const std::string& reply) {
  if (reply.size() < 12 || reply.compare(0, 5, "HTTP/") != 0) return 0;
  return std::atoi(reply.c_str() + 9);
}

// The "error" code in a JSON error body, for the report.
std::string error_code_of(const std::string& reply) {
  const std::string key = "\"error\":\"";
  auto at = reply.find(key);
  if (at == std::string::npos) return "";
  auto end = reply.find('"', at + key.size());
  return end == std::string::npos ? "" : reply.substr(at + key.size(), end - at - key.size());
}

// [SECTION] Memory sampler

// Samples a process's VmRSS every 10 ms on its own thread; keeps the peak.
class PeakSampler {
 public:
  explicit PeakSampler(int pid) : pid_(pid), peak_kib_(tp::bench::resident_kib(pid)) {
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        long now = tp::bench::resident_kib(pid_);
        if (now > peak_kib_.load()) peak_kib_.store(now);
        std::this_thread::sleep_for(kSampleEvery);
      }
    });
  }
  ~PeakSampler() { stop(); }
  long stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    return peak_kib_.load();
  }

 private:
  int pid_;
  std::atomic<long> peak_kib_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Idle resident memory: after one health request, so that the TLS state,
// the thread stacks and the first allocations count as idle, not attack.
long idle_kib(SSL_CTX* ctx, tp::bench::BenchServer& server);

// [SECTION] One hostile request

// What a request sends, piece by piece: the header first, then body pieces
// from `next` (false when there are no more), each with the number of body
// bytes it carries (chunk framing is not body).
struct HostileRequest {
  std::string head;
  std::function<bool(std::string& piece, std::size_t& body_bytes)> next;
  // The limit counts as crossed once more body bytes than this have been sent.
  std::size_t limit_body_bytes;
};

struct Outcome {
  int status = 0;             // 0: closed without a reply
  std::string error_code;     // from the JSON error body
  std::size_t body_sent = 0;  // body bytes the client got out before it stopped
  std::optional<Steady::time_point> crossed, refused;
  bool timed_out = false;
  bool connect_failed = false;
};

// Sends the request as fast as the server takes it while reading what
// comes back, and stops at the first reply or close.
Outcome attack(SSL_CTX* ctx, int port, HostileRequest& request) {
  Outcome out;
  TlsConnection c;
  if (!c.open(ctx, port)) {
    out.connect_failed = true;
    return out;
  }
  c.set_nonblocking();
  std::string piece = request.head, reply;
  std::size_t offset = 0, piece_body = 0;
  bool writing = true;
  auto give_up = Steady::now() + kAttackTimeout;
  while (Steady::now() < give_up) {
    bool progress = false, want_write = false;
    auto r = c.read_some(reply);
    if (r == TlsConnection::Io::progress) {
      progress = true;
      if (!out.refused && status_of(reply) != 0) out.refused = Steady::now();
      // The status is enough to time the refusal; the rest of the reply
      // (its JSON body) normally arrives in the same record.
      if (out.refused && reply.find("\r\n\r\n") != std::string::npos) break;
    } else if (r == TlsConnection::Io::closed) {
      if (!out.refused) out.refused = Steady::now();
      break;
    }
    if (writing) {
      if (offset == piece.size()) {
        out.body_sent += piece_body;
        if (!out.crossed && out.body_sent > request.limit_body_bytes) out.crossed = Steady::now();
        piece.clear();
        offset = 0;
        piece_body = 0;
        if (!request.next(piece, piece_body)) writing = false;
      }
      if (writing) {
        std::size_t n = 0;
        auto w = c.write_some(std::string_view(piece).substr(offset), n);
        offset += n;
        if (w == TlsConnection::Io::progress)
          progress = true;
        else if (w == TlsConnection::Io::wait_write)
          want_write = true;
        else if (w == TlsConnection::Io::closed)
          writing = false;  // the server stopped reading; its reply may still be readable
      }
    }
    if (!progress) {
      pollfd p{c.fd(), static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0};
      ::poll(&p, 1, 10);
    }
  }
  if (!out.refused) out.timed_out = true;
  out.status = status_of(reply);
  out.error_code = error_code_of(reply);
  return out;
}

// [SECTION] The payloads

// 1 GiB of zeros in gzip: deflate's longest match is 258 bytes, so zeros
// pack about 1,000 to 1, into about 1 MiB.
std::string gzip_bomb() {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);  // 15 + 16: a gzip header, not zlib's
  std::vector<unsigned char> zeros(kMiB, 0);
  std::string out;
  std::vector<unsigned char> buf(256 * 1024);
  for (std::size_t fed = 0; fed <= kBombInflatedBytes; fed += zeros.size()) {
    bool last = fed == kBombInflatedBytes;
    z.next_in = zeros.data();
    z.avail_in = last ? 0 : static_cast<uInt>(zeros.size());
    int flush = last ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = buf.data();
      z.avail_out = static_cast<uInt>(buf.size());
      deflate(&z, flush);
      out.append(reinterpret_cast<char*>(buf.data()), buf.size() - z.avail_out);
    } while (z.avail_out == 0 || (last && z.avail_in > 0));
  }
  deflateEnd(&z);
  return out;
}

// A JSON object of exactly `bytes` bytes with `keys` distinct five-letter
// keys ("00000" .. in base 36); some members get a space after the colon
// to pad it to the size.
std::string wide_json(std::size_t bytes, int keys) {
  static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::size_t plain = 2 + static_cast<std::size_t>(keys) * 9 + static_cast<std::size_t>(keys - 1);  // {} + "xxxxx":0 + commas
  std::size_t padding = bytes > plain ? bytes - plain : 0;
  std::string out;
  out.reserve(bytes);
  out += '{';
  for (int i = 0; i < keys; ++i) {
    if (i) out += ',';
    char key[6];
    for (int d = 4, v = i; d >= 0; --d, v /= 36) key[d] = digits[v % 36];
    out += '"';
    out.append(key, 5);
    out += "\":";
    if (padding > 0) {
      out += ' ';
      --padding;
    }
    out += '0';
  }
  out += '}';
  return out;
}

std::string head_for(const std::string& path, const std::string& fields) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + fields + "\r\n";
}

// The body in one piece after a Content-Length header.
HostileRequest sized(const std::string& path, const std::string& extra_fields, const std::string& body) {
  auto sent = std::make_shared<bool>(false);
  return {head_for(path, extra_fields + "Content-Length: " + std::to_string(body.size()) + "\r\n"),
          [sent, &body](std::string& piece, std::size_t& n) {
            if (*sent) return false;
            *sent = true;
            piece = body;
            n = body.size();
            return true;
          },
          body.empty() ? 0 : body.size() - 1};
}

// `total` body bytes in 16 KiB chunks, from `source` (repeated if shorter).
HostileRequest chunked(const std::string& path, const std::string& extra_fields, const std::string* source, std::size_t total,
                       std::size_t limit_body_bytes) {
  auto offset = std::make_shared<std::size_t>(0);
  auto done = std::make_shared<bool>(false);
  return {head_for(path, extra_fields + "Transfer-Encoding: chunked\r\n"),
          [=](std::string& piece, std::size_t& n) {
            if (*done) return false;
            if (*offset >= total) {
              piece = "0\r\n\r\n";
              n = 0;
              *done = true;
              return true;
            }
            std::size_t size = std::min(kChunkBytes, total - *offset);
            char line[32];
            std::snprintf(line, sizeof line, "%zx\r\n", size);
            piece = line;
            if (source) {
              std::size_t at = *offset % source->size();
              std::size_t first = std::min(size, source->size() - at);
              piece.append(*source, at, first);
              if (first < size) piece.append(*source, 0, size - first);
            } else {
              piece.append(size, 'a');
            }
            piece += "\r\n";
            *offset += size;
            n = size;
            return true;
          },
          limit_body_bytes};
}

struct AttackResult {
  std::string name;
  Outcome outcome;
  long idle_kib = 0, peak_kib = 0;
};

AttackResult run_attack(const std::string& name, const std::string& server_binary, const std::string& dir, const tp::test::CertFiles& cert,
                        SSL_CTX* ctx, HostileRequest request, int index) {
  std::string data = dir + "/attack-" + std::to_string(index);
  std::filesystem::remove_all(data);
  tp::bench::BenchServer server(server_binary, {"--data", data}, cert, data + ".log");
  AttackResult result{name, {}, idle_kib(ctx, server), 0};
  PeakSampler sampler(server.pid());
  result.outcome = attack(ctx, server.port(), request);
  std::this_thread::sleep_for(kSampleAfterRefusal);
  result.peak_kib = sampler.stop();
  server.stop();
  return result;
}

// [SECTION] Slow connections

struct SlowConnection {
  TlsConnection tls;
  std::atomic<bool> ready{false};  // set by its opener once the request line is out
  bool failed = false;
  Steady::time_point first_byte, last_line;
  std::optional<Steady::time_point> refused;  // written by the dribbler only
  std::atomic<bool> gone{false};              // the same, for other threads to read
  std::string reply;
  int lines = 0;
};

// A monitoring probe: a new TLS connection, GET /api/v1/health, the whole
// reply. Milliseconds from connect to the reply's end, or -1.
double health_ms(SSL_CTX* ctx, int port) {
  auto start = Steady::now();
  TlsConnection c;
  if (!c.open(ctx, port)) return -1;
  if (!c.write_all("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")) return -1;
  std::string reply;
  while (reply.find("\"ok\"") == std::string::npos)
    if (c.read_some(reply) != TlsConnection::Io::progress) break;  // blocking socket: no wait states
  if (status_of(reply) != 200) return -1;
  return ms_between(start, Steady::now());
}

struct HealthFigure {
  double median_ms = -1;
  int failures = 0;
};

HealthFigure health_median(SSL_CTX* ctx, int port) {
  std::vector<double> samples;
  HealthFigure f;
  for (int i = 0; i < kHealthSamples; ++i) {
    double ms = health_ms(ctx, port);
    if (ms < 0)
      ++f.failures;
    else
      samples.push_back(ms);
  }
  if (!samples.empty()) {
    std::sort(samples.begin(), samples.end());
    f.median_ms = samples[samples.size() / 2];
  }
  return f;
}

long idle_kib(SSL_CTX* ctx, tp::bench::BenchServer& server) {
  health_ms(ctx, server.port());
  std::this_thread::sleep_for(100ms);
  return tp::bench::resident_kib(server.pid());
}

struct SlowResult {
  HealthFigure baseline, under_attack;
  int opened = 0, failed = 0, hanging_during_health = 0, refused_408 = 0, closed_without_reply = 0;
  long idle_kib = 0, peak_kib = 0;
  double refusal_median_ms = 0, refusal_max_ms = 0;  // after each one's deadline
  double open_seconds = 0;
};

// What an idle connection costs the server, to read the slow connections'
// figure against: 1,000 connections that connect (and, over TLS, finish
// the handshake) and then send nothing, held for a moment well within the
// idle timeout. KiB of resident memory per connection.
double idle_connection_kib(const std::string& server_binary, const std::string& dir, const tp::test::CertFiles& cert, SSL_CTX* ctx) {
  std::string data = dir + (ctx ? "/idle-tls" : "/idle-plain");
  std::filesystem::remove_all(data);
  std::vector<std::string> options = {"--max-connections-per-address", "2000"};
  if (!ctx) options.push_back("--insecure-http");
  tp::bench::BenchServer server(server_binary, {"--data", data}, cert, data + ".log", options);
  long before = tp::bench::resident_kib(server.pid());
  std::vector<TlsConnection> connections(kSlowConnections);
  int opened = 0;
  for (auto& c : connections) opened += c.open(ctx, server.port());
  std::this_thread::sleep_for(300ms);  // the server's side of the last ones settles
  long after = tp::bench::resident_kib(server.pid());
  for (auto& c : connections) c.close();
  server.stop();
  return opened > 0 ? static_cast<double>(after - before) / opened : 0;
}

SlowResult slow_connections(const std::string& server_binary, const std::string& dir, const tp::test::CertFiles& cert, SSL_CTX* ctx) {
  SlowResult result;
  std::string data = dir + "/attack-slow";
  std::filesystem::remove_all(data);
  // The default per-address cap (64) would reset all but 64 of these at
  // once; raised so that the 1,000 connections are really held.
  tp::bench::BenchServer server(server_binary, {"--data", data}, cert, data + ".log", {"--max-connections-per-address", "2000"});
  result.baseline = health_median(ctx, server.port());
  result.idle_kib = idle_kib(ctx, server);
  PeakSampler sampler(server.pid());

  std::vector<SlowConnection> slow(kSlowConnections);
  std::atomic<bool> stop{false};
  // One thread keeps every connection dribbling and watches for refusals.
  std::thread dribbler([&] {
    while (!stop.load()) {
      auto now = Steady::now();
      for (auto& s : slow) {
        if (!s.ready.load(std::memory_order_acquire) || s.refused) continue;
        auto r = s.tls.read_some(s.reply);
        if (r == TlsConnection::Io::closed || (r == TlsConnection::Io::progress && status_of(s.reply) != 0)) {
          s.refused = now;
          s.gone.store(true);
          continue;
        }
        if (now - s.last_line >= kSlowLineEvery) {
          std::string line = "X-Slow-" + std::to_string(s.lines++) + ": still here\r\n";
          std::size_t n = 0;
          s.tls.write_some(line, n);  // a small write always fits the socket buffer; a failure shows as a close on the next read
          s.last_line = now;
        }
      }
      std::this_thread::sleep_for(20ms);
    }
  });

  auto open_start = Steady::now();
  std::vector<std::thread> openers;
  for (int t = 0; t < kOpeners; ++t)
    openers.emplace_back([&, t] {
      for (int i = t; i < kSlowConnections; i += kOpeners) {
        SlowConnection& s = slow[static_cast<std::size_t>(i)];
        // The request line and one field: the request clock starts here.
        if (!s.tls.open(ctx, server.port()) || !s.tls.write_all("POST /api/v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\n")) {
          s.failed = true;
          continue;
        }
        s.first_byte = s.last_line = Steady::now();
        s.tls.set_nonblocking();
        s.ready.store(true, std::memory_order_release);
      }
    });
  for (auto& t : openers) t.join();
  result.open_seconds = std::chrono::duration<double>(Steady::now() - open_start).count();
  std::this_thread::sleep_for(500ms);

  auto hanging = [&] {
    int n = 0;
    for (auto& s : slow)
      if (s.ready.load() && !s.gone.load()) ++n;
    return n;
  };
  int before = hanging();
  result.under_attack = health_median(ctx, server.port());
  result.hanging_during_health = std::min(before, hanging());

  // Then wait for the server to refuse them all (the deadline, plus slack).
  auto until = Steady::now() + std::chrono::seconds(limits::kRequestDeadlineS + 5);
  while (Steady::now() < until && hanging() > 0) std::this_thread::sleep_for(50ms);
  stop.store(true);
  dribbler.join();
  std::this_thread::sleep_for(kSampleAfterRefusal);
  result.peak_kib = sampler.stop();

  std::vector<double> after_deadline;
  for (auto& s : slow) {
    if (s.failed) ++result.failed;
    if (!s.ready.load()) continue;
    ++result.opened;
    if (!s.refused) continue;
    if (status_of(s.reply) == 408)
      ++result.refused_408;
    else if (status_of(s.reply) == 0)
      ++result.closed_without_reply;
    after_deadline.push_back(ms_between(s.first_byte + std::chrono::seconds(limits::kRequestDeadlineS), *s.refused));
  }
  if (!after_deadline.empty()) {
    std::sort(after_deadline.begin(), after_deadline.end());
    result.refusal_median_ms = after_deadline[after_deadline.size() / 2];
    result.refusal_max_ms = after_deadline.back();
  }
  for (auto& s : slow) s.tls.close();
  server.stop();
  return result;
}

// [SECTION] Report

// Runs every attack and prints the figures; 0 unless it could not measure.
int report(const std::string& server_binary, const std::string& dir, const tp::test::CertFiles& cert, SSL_CTX* ctx) {
  const std::string bomb = gzip_bomb();
  const std::string json = wide_json(kJsonBytes, kJsonKeys);
  const std::string gzip = "Content-Encoding: gzip\r\n";

  std::vector<AttackResult> results;
  results.push_back(run_attack("gzip bomb, Content-Length", server_binary, dir, cert, ctx, sized("/api/v1/enrol", gzip, bomb), 1));
  results.push_back(run_attack("gzip bomb, chunked", server_binary, dir, cert, ctx,
                               chunked("/api/v1/enrol", gzip, &bomb, bomb.size(), bomb.size() - 1), 2));
  results.push_back(run_attack("64 MiB, chunked", server_binary, dir, cert, ctx,
                               chunked("/api/v1/enrol", "", nullptr, kBigBodyBytes, limits::kMaxWireBodyBytes), 3));
  results.push_back(run_attack("6 MiB JSON, 600,000 keys", server_binary, dir, cert, ctx, sized("/api/v1/enrol", "", json), 4));
  SlowResult slow = slow_connections(server_binary, dir, cert, ctx);
  double idle_tls_kib = idle_connection_kib(server_binary, dir, cert, ctx);
  double idle_plain_kib = idle_connection_kib(server_binary, dir, cert, nullptr);

  std::printf(
      "hostile clients against tenpoint-server over TLS on loopback (a fresh server for each; targets: under %.0f MiB above idle,\n",
      kMemoryTargetMib);
  std::printf("  refused within %.0f ms of crossing the limit, health within %.0f ms; limits from http_limits.h: body %zu MiB as sent,\n",
              kRefusalTargetMs, kHealthTargetMs, limits::kMaxWireBodyBytes / kMiB);
  std::printf("  request deadline %d s)\n", limits::kRequestDeadlineS);
  std::printf("  payloads: gzip bomb %.2f MiB -> %zu MiB of zeros; JSON %.2f MiB with %d distinct keys\n",
              static_cast<double>(bomb.size()) / kMiB, kBombInflatedBytes / kMiB, static_cast<double>(json.size()) / kMiB, kJsonKeys);
  for (const AttackResult& r : results) {
    const Outcome& o = r.outcome;
    double above = mib(r.peak_kib - r.idle_kib);
    std::string reply = o.connect_failed ? "no connection"
                        : o.timed_out    ? "no reply within " + std::to_string(kAttackTimeout.count()) + " s"
                        : o.status       ? std::to_string(o.status) + (o.error_code.empty() ? "" : " " + o.error_code)
                                         : "closed";
    std::string when;
    bool in_time = false;
    if (o.refused && o.crossed) {
      double ms = ms_between(*o.crossed, *o.refused);
      char text[64];
      std::snprintf(text, sizeof text, "%.0f ms after crossing", ms);
      when = text;
      in_time = ms <= kRefusalTargetMs;
    } else if (o.refused) {
      when = "before crossing";
      in_time = true;
    } else {
      when = "never";
    }
    bool met = !o.connect_failed && !o.timed_out && o.status >= 400 && above < kMemoryTargetMib && in_time;
    std::printf("  %-26s -> %-16s %-24s body sent %6.2f MiB  memory +%5.1f MiB above idle (%.1f MiB)  %s\n", r.name.c_str(), reply.c_str(),
                when.c_str(), static_cast<double>(o.body_sent) / kMiB, above, mib(r.idle_kib), met ? "ok" : "MISSED");
    char line[200];
    std::snprintf(line, sizeof line, "hostile: %-26s memory +%.1f MiB (target < %.0f), refused %s (target < %.0f ms)  %s", r.name.c_str(),
                  above, kMemoryTargetMib, when.c_str(), kRefusalTargetMs, met ? "ok" : "MISSED");
    tp::bench::add_to_summary(line);
  }

  double slow_above = mib(slow.peak_kib - slow.idle_kib);
  bool slow_health_ok =
      slow.under_attack.median_ms >= 0 && slow.under_attack.median_ms <= kHealthTargetMs && slow.under_attack.failures == 0;
  bool slow_met = slow_health_ok && slow_above < kMemoryTargetMib && slow.refusal_max_ms <= kRefusalTargetMs &&
                  slow.opened == kSlowConnections && slow.hanging_during_health == kSlowConnections;
  double health_ratio = slow.baseline.median_ms > 0 ? slow.under_attack.median_ms / slow.baseline.median_ms : 0;
  std::printf("  %d slow connections, a header line every %lld s (server started with --max-connections-per-address 2000, default %d):\n",
              kSlowConnections, static_cast<long long>(kSlowLineEvery.count()), limits::kMaxConnectionsPerAddress);
  std::printf("    opened %d in %.1f s (%d failed); %d still hanging on while health was measured\n", slow.opened, slow.open_seconds,
              slow.failed, slow.hanging_during_health);
  std::printf("    GET /api/v1/health, median of %d: %.1f ms under attack vs %.1f ms without (baseline) = %.1fx  (%d failed)\n",
              kHealthSamples, slow.under_attack.median_ms, slow.baseline.median_ms, health_ratio, slow.under_attack.failures);
  std::printf("    refused: %d with 408, %d closed without a reply; after each one's %d s deadline: median %.0f ms, max %.0f ms\n",
              slow.refused_408, slow.closed_without_reply, limits::kRequestDeadlineS, slow.refusal_median_ms, slow.refusal_max_ms);
  std::printf("    memory +%.1f MiB above idle (%.1f MiB), %.0f KiB per connection  %s\n", slow_above, mib(slow.idle_kib),
              slow.opened > 0 ? static_cast<double>(slow.peak_kib - slow.idle_kib) / slow.opened : 0.0, slow_met ? "ok" : "MISSED");
  std::printf("    for reference, %d idle connections that send nothing: %.0f KiB each over TLS, %.0f KiB each over plain TCP\n",
              kSlowConnections, idle_tls_kib, idle_plain_kib);
  char line[240];
  std::snprintf(line, sizeof line,
                "hostile: %d slow connections: health %.1f ms vs %.1f ms baseline (%.1fx, target < %.0f ms), memory +%.1f MiB, "
                "refused max %.0f ms after deadline  %s",
                kSlowConnections, slow.under_attack.median_ms, slow.baseline.median_ms, health_ratio, kHealthTargetMs, slow_above,
                slow.refusal_max_ms, slow_met ? "ok" : "MISSED");
  tp::bench::add_to_summary(line);
  SSL_CTX_free(ctx);
  // A target missed is a figure (MISSED above), not a failure of the run.
  return 0;
}

}  // namespace

// [SECTION] main

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_hostile TENPOINT_SERVER OUT_DIR\n");
    return 2;
  }
  std::string server_binary = argv[1], dir = argv[2];
  std::signal(SIGPIPE, SIG_IGN);  // writes to a connection the server closed fail instead
  rlimit fds{};
  getrlimit(RLIMIT_NOFILE, &fds);
  fds.rlim_cur = fds.rlim_max;  // 1,000 connections and the server's health probes
  setrlimit(RLIMIT_NOFILE, &fds);
  if (fds.rlim_cur < static_cast<rlim_t>(kSlowConnections + 100)) {
    std::fprintf(stderr, "Unable to hold %d connections: the descriptor limit is %ld (raise ulimit -n)\n", kSlowConnections,
                 static_cast<long>(fds.rlim_cur));
    return 1;
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  tp::test::TestPki pki(dir);
  tp::test::CertFiles cert = pki.server_cert("server", {"localhost"}, {"127.0.0.1"});
  SSL_CTX* ctx = client_context();

  try {
    return report(server_binary, dir, cert, ctx);
  } catch (const std::exception& e) {
    std::printf("hostile clients: unable to measure: %s\n", e.what());
    return 1;
  }
}
