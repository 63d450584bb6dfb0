// Small helpers over libpq for the server's PostgreSQL store and its
// migrations. Only .cpp files include this, so libpq-fe.h stays out of every
// public header (as sqlite3.h does).
//
//   Res           a PGresult, cleared on destruction, with typed readers
//   Params        text parameters for PQexecParams ($1, $2, ...); never SQL text
//   ArrayLiteral  one array parameter, so that a single statement carries a
//                 whole batch through unnest() instead of one round trip per answer
//   Pool, Lease   N connections, each lent to one thread at a time; a lease
//                 gives its connection back idle (an open transaction is rolled
//                 back, a broken connection is dropped and made again later)
//   describe_postgres()  "PostgreSQL database tenpoint on db.example.org",
//                 for messages: never the password
//
// Failures become a Status that names what was being done, the database,
// and what PostgreSQL said, with a hint where the SQLSTATE has an obvious
// remedy (a lost connection, a full disk, a missing schema, a timeout).
#pragma once
#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "status.h"

namespace tp::pg {

// SQLSTATEs the store reacts to (PostgreSQL's appendix A).
namespace sqlstate {
inline constexpr std::string_view serialization_failure = "40001", deadlock_detected = "40P01";
}

class Res {
 public:
  Res() = default;
  explicit Res(PGresult* r) : r_(r) {}
  // A failure found before anything was sent (such as a NUL in a parameter).
  static Res local_failure(Fault fault, std::string message);
  ~Res() { PQclear(r_); }
  Res(const Res&) = delete;
  Res& operator=(const Res&) = delete;
  Res(Res&& o) noexcept : r_(std::exchange(o.r_, nullptr)), local_fault_(o.local_fault_), local_message_(std::move(o.local_message_)) {}
  Res& operator=(Res&& o) noexcept {
    std::swap(r_, o.r_);
    std::swap(local_fault_, o.local_fault_);
    std::swap(local_message_, o.local_message_);
    return *this;
  }

  bool ok() const;
  int rows() const { return r_ ? PQntuples(r_) : 0; }
  bool is_null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::string text(int row, int col) const;
  std::int64_t int64(int row, int col) const;
  bool boolean(int row, int col) const { return PQgetvalue(r_, row, col)[0] == 't'; }
  // Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected() const;
  // Five characters, or "" when the server sent none (the connection was lost).
  std::string sqlstate() const;

  PGresult* get() const { return r_; }
  Fault local_fault() const { return local_fault_; }
  const std::string& local_message() const { return local_message_; }

 private:
  PGresult* r_ = nullptr;
  Fault local_fault_ = Fault::none;
  std::string local_message_;
};

class Params {
 public:
  Params& text(std::string_view v);
  Params& int64(std::int64_t v) { return add(std::to_string(v)); }
  Params& boolean(bool v) { return add(v ? "t" : "f"); }
  Params& null() {
    values_.emplace_back();
    return *this;
  }
  Params& text_or_null(const std::optional<std::string>& v) { return v ? text(*v) : null(); }
  Params& int64_or_null(const std::optional<std::int64_t>& v) { return v ? int64(*v) : null(); }

  int size() const { return static_cast<int>(values_.size()); }
  // PostgreSQL's text cannot hold a NUL character, and libpq would cut the
  // value at it without a word: such a parameter is refused instead.
  bool has_nul() const { return has_nul_; }
  std::vector<const char*> pointers() const;

 private:
  Params& add(std::string v) {
    values_.emplace_back(std::move(v));
    return *this;
  }
  std::vector<std::optional<std::string>> values_;
  bool has_nul_ = false;
};

// "{"a","b",NULL}": every element quoted, so that text such as NULL or a
// brace stays text; the cast in the SQL ($1::bigint[]) gives the type.
class ArrayLiteral {
 public:
  ArrayLiteral& text(std::string_view v);
  ArrayLiteral& int64(std::int64_t v) { return raw(std::to_string(v)); }
  ArrayLiteral& boolean(bool v) { return raw(v ? "t" : "f"); }
  ArrayLiteral& null();
  ArrayLiteral& text_or_null(const std::optional<std::string>& v) { return v ? text(*v) : null(); }
  ArrayLiteral& int64_or_null(const std::optional<std::int64_t>& v) { return v ? int64(*v) : null(); }
  std::string str() const { return out_ + "}"; }
  bool has_nul() const { return has_nul_; }

 private:
  ArrayLiteral& raw(const std::string& v);
  void separator() {
    if (out_.size() > 1) out_ += ',';
  }
  std::string out_ = "{";
  bool has_nul_ = false;
};

// Names the database for messages from a connection string or URL, without
// the password: "PostgreSQL database tenpoint on db.example.org:5433".
// nullopt with `error` set when libpq cannot read the string at all.
std::optional<std::string> describe_postgres(const std::string& conninfo, std::string& error);

struct PoolOptions {
  int connections = 4;
  // libpq counts this in whole seconds, and treats anything under 2 s as 2 s.
  std::chrono::seconds connect_timeout{5};
  // The longest one statement may run before the server cancels it, so that
  // a stuck lock or an overloaded database turns into a 503, not a hang.
  std::chrono::milliseconds statement_timeout{30'000};
  // The longest a call waits for a free connection when all are lent out.
  std::chrono::milliseconds pool_wait{30'000};
};

class Pool;

// One connection lent to one caller. Every statement goes through exec(),
// which remembers how the last one failed so that Pool::run() can tell a
// failure worth one more try from one to report.
class Lease {
 public:
  Lease(Lease&& o) noexcept;
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  ~Lease();

  Res exec(const char* sql, const Params& params = Params());
  // Several statements of constant text with no parameters (migrations only).
  Res exec_script(const char* sql);
  // "Unable to <what> in PostgreSQL database ...: <why>", with a Fault to match.
  Status fail(const Res& r, std::string_view what) const;
  // The same shape for a reason the caller found itself.
  Status fail(std::string_view what, const std::string& why, Fault fault = Fault::storage_unavailable) const;

  PGconn* conn() const { return conn_; }

 private:
  friend class Pool;
  Lease(Pool* pool, std::size_t slot, PGconn* conn, bool reused) : pool_(pool), slot_(slot), conn_(conn), reused_(reused) {}
  void note(const Res& r);
  Pool* pool_;
  std::size_t slot_;
  PGconn* conn_;
  bool reused_;  // the connection served earlier calls (it may have died since)
  int statements_run_ = 0;
  std::string last_sqlstate_;   // of the last failed statement
  bool lost_on_first_ = false;  // the connection was found dead on this lease's first statement
};

class Pool {
 public:
  // Throws std::runtime_error if the string cannot be read (start-up only).
  Pool(std::string conninfo, PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // A connection, made now if its slot has none or its old one died.
  Result<Lease> acquire(std::string_view what);

  // Runs `body(Lease&)` (which returns a Result) on a lent connection, and
  // once more on a fresh one when the first failure says nothing was done:
  // a serialisation failure or deadlock (the server rolled the transaction
  // back), or a connection that had died while idle and failed the very
  // first statement. Bodies start with BEGIN, so a lost first statement
  // cannot have committed anything.
  template <class Body>
  auto run(std::string_view what, Body&& body) -> decltype(body(std::declval<Lease&>())) {
    for (int attempt = 1;; ++attempt) {
      auto lease = acquire(what);
      if (!lease) return lease.status();
      auto result = body(*lease);
      if (result.ok() || attempt >= kMaxAttempts || !worth_retrying(*lease)) return result;
    }
  }

  const std::string& where() const { return where_; }
  const PoolOptions& options() const { return options_; }

 private:
  friend class Lease;
  static constexpr int kMaxAttempts = 3;
  static bool worth_retrying(const Lease& lease);
  Result<PGconn*> connect();
  void give_back(std::size_t slot, PGconn* conn);

  std::string conninfo_, where_;
  PoolOptions options_;
  std::mutex mutex_;
  std::condition_variable freed_;
  struct Slot {
    PGconn* conn = nullptr;
    bool lent = false;
  };
  std::vector<Slot> slots_;
};

}  // namespace tp::pg
