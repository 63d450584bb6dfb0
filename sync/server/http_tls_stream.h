// The two byte streams a connection may run on: plain TCP, and TLS with
// OpenSSL reading and writing the (non-blocking) socket itself while Asio
// only waits for the socket to be ready. Internal to the HTTP layer.
//
// Why not asio::ssl::stream: it keeps two 17 KiB record buffers of its own
// and a 17 KiB BIO pair between them and OpenSSL, per connection, used or
// not. Measured with 1,000 connections waiting in their headers, that was
// about 80 KiB each; with OpenSSL on the socket, its buffers released while
// idle (SSL_MODE_RELEASE_BUFFERS), it is about 30 KiB. Every waiting
// connection pays this, so it sets what the connection caps cost.
//
// Both streams complete every operation through the socket's executor (the
// connection's strand), never inside the call that started it.
#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cstddef>
#include <functional>

struct ssl_st;
struct ssl_ctx_st;

namespace tp::server {

class PlainStream {
 public:
  explicit PlainStream(boost::asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}
  boost::asio::ip::tcp::socket& socket() { return socket_; }
  template <class Handler>
  void async_read_some(boost::asio::mutable_buffer into, Handler&& done) {
    socket_.async_read_some(into, std::forward<Handler>(done));
  }
  // Writes all of `from`.
  template <class Handler>
  void async_write(boost::asio::const_buffer from, Handler&& done) {
    boost::asio::async_write(socket_, from, std::forward<Handler>(done));
  }

 private:
  boost::asio::ip::tcp::socket socket_;
};

class TlsStream {
 public:
  using error_code = boost::system::error_code;
  using HandshakeDone = std::function<void(error_code)>;
  using IoDone = std::function<void(error_code, std::size_t)>;

  // `ctx` holds the certificate and the protocol rules (http_server.cpp).
  TlsStream(boost::asio::ip::tcp::socket socket, ssl_ctx_st* ctx);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  boost::asio::ip::tcp::socket& socket() { return socket_; }
  void async_handshake(HandshakeDone done);
  // Some decrypted bytes, at least one; eof when the client closed.
  void async_read_some(boost::asio::mutable_buffer into, IoDone done);
  // Encrypts and sends all of `from`.
  void async_write(boost::asio::const_buffer from, IoDone done);

 private:
  // Calls `attempt` (an SSL_* call returning its result) until it succeeds
  // or fails, waiting for the socket whenever OpenSSL wants to read or write.
  void drive(std::function<int()> attempt, std::function<void(error_code, int)> done);

  boost::asio::ip::tcp::socket socket_;
  ssl_st* ssl_ = nullptr;
};

}  // namespace tp::server
