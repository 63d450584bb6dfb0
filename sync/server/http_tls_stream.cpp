#include "http_tls_stream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <climits>

namespace tp::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;

TlsStream::TlsStream(tcp::socket socket, ssl_ctx_st* ctx) : socket_(std::move(socket)), ssl_(SSL_new(ctx)) {
  error_code ignored;
  // OpenSSL reads and writes the socket itself; it must never block an
  // I/O thread, so it meets EAGAIN and reports "want read / want write".
  socket_.non_blocking(true, ignored);
  if (ssl_) SSL_set_fd(ssl_, socket_.native_handle());
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

void TlsStream::async_handshake(HandshakeDone done) {
  drive([this] { return SSL_accept(ssl_); }, [done = std::move(done)](error_code ec, int) { done(ec); });
}

void TlsStream::async_read_some(net::mutable_buffer into, IoDone done) {
  int size = static_cast<int>(std::min<std::size_t>(into.size(), INT_MAX));
  drive([this, into, size] { return SSL_read(ssl_, into.data(), size); },
        [done = std::move(done)](error_code ec, int n) { done(ec, ec ? 0 : static_cast<std::size_t>(n)); });
}

void TlsStream::async_write(net::const_buffer from, IoDone done) {
  // Without SSL_MODE_ENABLE_PARTIAL_WRITE, SSL_write returns only once all
  // of it is sent; after "want write" it is called again with the same
  // buffer, as OpenSSL requires.
  int size = static_cast<int>(std::min<std::size_t>(from.size(), INT_MAX));
  drive([this, from, size] { return SSL_write(ssl_, from.data(), size); },
        [done = std::move(done)](error_code ec, int n) { done(ec, ec ? 0 : static_cast<std::size_t>(n)); });
}

void TlsStream::drive(std::function<int()> attempt, std::function<void(error_code, int)> done) {
  auto finish = [this, &done](error_code ec, int result) {
    net::post(socket_.get_executor(), [done = std::move(done), ec, result] { done(ec, result); });
  };
  if (!ssl_) return finish(net::error::no_memory, 0);
  ERR_clear_error();
  errno = 0;
  int result = attempt();
  if (result > 0) return finish({}, result);
  int why = SSL_get_error(ssl_, result);
  if (why == SSL_ERROR_WANT_READ || why == SSL_ERROR_WANT_WRITE) {
    auto wait = why == SSL_ERROR_WANT_READ ? tcp::socket::wait_read : tcp::socket::wait_write;
    socket_.async_wait(wait, [this, attempt = std::move(attempt), done = std::move(done)](error_code ec) mutable {
      if (ec) return done(ec, 0);  // cancelled or closed: a deadline passed
      drive(std::move(attempt), std::move(done));
    });
    return;
  }
  if (why == SSL_ERROR_ZERO_RETURN) return finish(net::error::eof, 0);  // close_notify
  if (why == SSL_ERROR_SYSCALL) {
    int os_error = errno;
    // The client closed the TCP connection without close_notify.
    if (os_error == 0) return finish(net::ssl::error::stream_truncated, 0);
    return finish(error_code(os_error, boost::system::system_category()), 0);
  }
  unsigned long code = ERR_get_error();
  finish(code ? error_code(static_cast<int>(code), net::error::get_ssl_category()) : error_code(net::error::fault), 0);
}

}  // namespace tp::server
