// What one client may cost the HTTP layer before it has proved anything.
//
// Every limit here applies before authentication: a token is checked only
// after the whole request has arrived, so until then each byte, second and
// socket a client holds must be bounded by a number on this page.
//
//   cost                 bound                                   refused with
//   header bytes         kMaxHeaderBytes (request line + fields) 431, then close
//   header fields        kMaxHeaderFields                        431, then close
//   body bytes as sent   kMaxWireBodyBytes (gzip or not; chunked 413, then close
//                        bodies are counted as the chunks arrive)
//   body bytes, all      kMaxBufferedBodyBytes over every         503 + Retry-After
//   connections          connection at once
//   inflated body        wire::kMaxBodyBytes, by gzip_decompress  400 bad_gzip (Api)
//   time to handshake    kHandshakeDeadlineS                     close
//   time, first byte to  kRequestDeadlineS (not per read: a byte  408, then close
//   last of a request    every few seconds does not extend it)
//   time idle between    kIdleTimeoutS                           close
//   requests
//   time, request        kHandlerDeadlineS (a handler thread,     503 busy + Retry-After,
//   arrived to reply     then the database)                       then close
//   ready
//   sockets              kMaxConnectionsPerAddress, kMaxConnections   closed at once
#pragma once
#include <cstddef>

#include "wire.h"

namespace tp::server::http_limits {

// A kiosk's requests carry about 300 bytes of header; 8 KiB leaves room for
// proxies that add their own fields, and is what common servers allow.
constexpr std::size_t kMaxHeaderBytes = 8 * 1024;  // 8 KiB
// A kiosk sends 6 fields. The count is capped as well as the bytes because
// each field costs an allocation, and 8 KiB of "a:\r\n" is 2,000 of them.
constexpr std::size_t kMaxHeaderFields = 64;
// The body as it travels. A gzip body unpacks to at most wire::kMaxBodyBytes
// (the Api checks that while inflating), and a plain one is at most that
// already, so no honest body is larger on the wire.
constexpr std::size_t kMaxWireBodyBytes = wire::kMaxBodyBytes;  // 8 MiB
// Bodies held in memory by all connections together, waiting for the Api or
// still arriving. Without it, 10,000 connections that each send 8 MiB slowly
// would need 80 GB; with it, the extras get 503 and try again later.
constexpr std::size_t kMaxBufferedBodyBytes = 256 * 1024 * 1024;  // 256 MiB
// How long a client told "busy" (503) is asked to wait.
constexpr int kBusyRetryAfterS = 5;

// One TLS record carries at most 16 KiB of data, so reads of that size never
// split a record. (A waiting connection's buffer is mostly untouched pages,
// so the size costs little resident memory.)
constexpr std::size_t kReadChunkBytes = 16 * 1024;  // 16 KiB
// The read buffer holds a full header plus one read.
constexpr std::size_t kReadBufferBytes = kMaxHeaderBytes + kReadChunkBytes;

// A kiosk's largest request (8 MiB) takes under 3 s on a 25 Mbit/s uplink;
// 10 s leaves room for a slow venue network and still frees a dribbling
// client's socket quickly.
constexpr int kRequestDeadlineS = 10;
// A kiosk's round makes its requests back to back, well within 5 s of each
// other; an idle connection after that is only holding a socket.
constexpr int kIdleTimeoutS = 5;
// A full TLS handshake is two round trips; 5 s covers a poor mobile link.
constexpr int kHandshakeDeadlineS = 5;
// Once a request has arrived, how long its reply may take: waiting for a
// handler thread, then for the database. A healthy store answers in
// milliseconds, SQLite gives up on a lock after 5 s and PostgreSQL's
// statement timeout is 30 s; past this, something is stuck, and the kiosk
// (which waits up to 120 s) is better told "busy" and retries later with
// the same answer ids, which the store keeps exactly once.
constexpr int kHandlerDeadlineS = 30;
// After an error reply the server stops reading the request but keeps
// accepting (and discarding) what the client still sends for this long, so
// the client reads the reply instead of a connection reset.
constexpr int kLingerMs = 2000;

// One venue's kiosks may share one public address (NAT); 64 is far above
// what a venue has, and far below what one host could use to fill the
// server's sockets.
constexpr int kMaxConnectionsPerAddress = 64;
// Measured: a TLS connection waiting in its header costs the server about
// 30 KiB resident (1,000 of them: +30 MiB), most of it OpenSSL's state; a
// plain one about 6 KiB. So 10,000 TLS connections need about 300 MiB;
// lower this on a small machine.
constexpr int kMaxConnections = 10000;
// The metrics address serves a scraper or two; its connections are
// counted apart from the kiosks', so neither can use up the other's.
constexpr int kMaxMetricsConnections = 16;
// Descriptors kept free of connections: the database, its journal, the
// listening socket, logs.
constexpr int kReservedDescriptors = 64;

}  // namespace tp::server::http_limits
