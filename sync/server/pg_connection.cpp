// libpq helpers for the server's PostgreSQL store; see pg_connection.h.
#include "pg_connection.h"

#include <poll.h>

#include <cassert>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace tp::pg {

namespace {

// libpq's messages end in a newline and wrap with "\n\t": one line reads
// better inside ours.
std::string one_line(const char* message) {
  std::string out;
  for (const char* p = message ? message : ""; *p; ++p) {
    if (*p == '\n' || *p == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += *p;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string seconds_text(std::chrono::milliseconds ms) {
  auto whole = ms.count() / 1000, tenths = (ms.count() % 1000) / 100;
  return std::to_string(whole) + (tenths ? "." + std::to_string(tenths) : "") + " s";
}

// Something arrived on a connection nobody was using: a notice, or the
// server saying goodbye (it restarted, or an administrator ended the
// session). Reading it tells the two apart without sending anything.
// Warnings the server sends (client_min_messages hides mere notices) go
// to stderr, the service's log, saying which database they came from.
void print_notice(void* where, const char* message) {
  std::fprintf(stderr, "tenpoint-server: %s says: %s\n", static_cast<const std::string*>(where)->c_str(), one_line(message).c_str());
}

bool looks_alive(PGconn* conn) {
  if (PQstatus(conn) != CONNECTION_OK) return false;
  pollfd pending{PQsocket(conn), POLLIN, 0};
  if (::poll(&pending, 1, 0) == 0) return true;
  if (!PQconsumeInput(conn)) return false;
  return PQstatus(conn) == CONNECTION_OK;
}

}  // namespace

// [SECTION] Res

Res Res::local_failure(Fault fault, std::string message) {
  Res r;
  r.local_fault_ = fault;
  r.local_message_ = std::move(message);
  return r;
}

bool Res::ok() const {
  if (!r_) return false;
  ExecStatusType s = PQresultStatus(r_);
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

std::string Res::text(int row, int col) const {
  return std::string(PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col)));
}

std::int64_t Res::int64(int row, int col) const {
  const char* v = PQgetvalue(r_, row, col);
  const char* end = v + PQgetlength(r_, row, col);
  std::int64_t out = 0;
  [[maybe_unused]] auto [ptr, ec] = std::from_chars(v, end, out);
  assert(ec == std::errc() && ptr == end && "an integer column held something else");
  return out;
}

std::int64_t Res::affected() const {
  const char* n = r_ ? PQcmdTuples(r_) : "";
  return *n ? std::strtoll(n, nullptr, 10) : 0;
}

std::string Res::sqlstate() const {
  const char* s = r_ ? PQresultErrorField(r_, PG_DIAG_SQLSTATE) : nullptr;
  return s ? s : "";
}

// [SECTION] Params and ArrayLiteral

Params& Params::text(std::string_view v) {
  if (v.find('\0') != std::string_view::npos) has_nul_ = true;
  return add(std::string(v));
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

ArrayLiteral& ArrayLiteral::text(std::string_view v) {
  separator();
  out_ += '"';
  for (char c : v) {
    if (c == '\0') has_nul_ = true;
    if (c == '"' || c == '\\') out_ += '\\';
    out_ += c;
  }
  out_ += '"';
  return *this;
}

ArrayLiteral& ArrayLiteral::raw(const std::string& v) {
  separator();
  out_ += v;
  return *this;
}

ArrayLiteral& ArrayLiteral::null() {
  separator();
  out_ += "NULL";
  return *this;
}

// [SECTION] Describing the database

std::optional<std::string> describe_postgres(const std::string& conninfo, std::string& error) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (!options) {
    error = parse_error ? one_line(parse_error) : "out of memory";
    PQfreemem(parse_error);
    return std::nullopt;
  }
  std::string dbname, host, hostaddr, port, user;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    std::string_view k = o->keyword;
    if (k == "dbname")
      dbname = o->val;
    else if (k == "host")
      host = o->val;
    else if (k == "hostaddr")
      hostaddr = o->val;
    else if (k == "port")
      port = o->val;
    else if (k == "user")
      user = o->val;
  }
  PQconninfoFree(options);
  // libpq's own defaults: the database named after the user, on the local socket.
  if (dbname.empty()) dbname = user.empty() ? "(named after the user)" : user;
  std::string at = !host.empty() ? host : !hostaddr.empty() ? hostaddr : "the local socket";
  if (!port.empty()) at += ":" + port;
  return "PostgreSQL database " + dbname + " on " + at;
}

// [SECTION] Lease

Lease::Lease(Lease&& o) noexcept
    : pool_(std::exchange(o.pool_, nullptr)),
      slot_(o.slot_),
      conn_(std::exchange(o.conn_, nullptr)),
      reused_(o.reused_),
      statements_run_(o.statements_run_),
      last_sqlstate_(std::move(o.last_sqlstate_)),
      lost_on_first_(o.lost_on_first_) {}

Lease::~Lease() {
  if (pool_) pool_->give_back(slot_, conn_);
}

Res Lease::exec(const char* sql, const Params& params) {
  Res r;
  if (params.has_nul()) {
    r = Res::local_failure(Fault::invalid_input, "a text value contains a NUL character, which PostgreSQL cannot store");
  } else {
    std::vector<const char*> values = params.pointers();
    // Parameter types come from the casts in the SQL; values and results travel as text.
    r = Res(PQexecParams(conn_, sql, params.size(), nullptr, values.data(), nullptr, nullptr, 0));
  }
  note(r);
  return r;
}

Res Lease::exec_script(const char* sql) {
  Res r(PQexec(conn_, sql));
  note(r);
  return r;
}

void Lease::note(const Res& r) {
  ++statements_run_;
  if (r.ok()) return;
  last_sqlstate_ = r.sqlstate();
  if (statements_run_ == 1 && reused_ && PQstatus(conn_) == CONNECTION_BAD) lost_on_first_ = true;
}

Status Lease::fail(const Res& r, std::string_view what) const {
  std::string head = "Unable to " + std::string(what) + " in " + pool_->where() + ": ";
  if (r.local_fault() != Fault::none) return Status::failure(r.local_fault(), head + r.local_message());
  std::string state = r.sqlstate();
  std::string said;
  if (const char* primary = r.get() ? PQresultErrorField(r.get(), PG_DIAG_MESSAGE_PRIMARY) : nullptr) {
    said = primary;
    if (const char* detail = PQresultErrorField(r.get(), PG_DIAG_MESSAGE_DETAIL)) said += std::string(" (") + detail + ")";
  } else {
    said = one_line(r.get() ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn_));
  }
  if (said.empty()) said = "no reason given";
  auto failure = [&](Fault fault, const std::string& text) { return Status::failure(fault, head + text); };

  // The server went away (restart, crash, network) or is shutting down.
  if (PQstatus(conn_) != CONNECTION_OK || state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03")
    return failure(Fault::storage_unavailable, "the connection was lost: " + said + ". Is the database server running?");
  if (state == "53100") return failure(Fault::storage_full, "the database server's disk is full: " + said);
  if (state == "57014")
    return failure(Fault::storage_unavailable, said + ": one statement may take " + seconds_text(pool_->options().statement_timeout) +
                                                   " (is a lock held, or the database overloaded?)");
  if (state == "42P01" || state == "42703" || state == "42883")
    return failure(Fault::storage_unavailable,
                   said + ". The schema is not what this server expects: run tenpoint-server migrate --database URL");
  if (state == "42501")
    return failure(Fault::storage_unavailable, said + ". The database role needs to own the database, or CREATE on its schema");
  if (state == "25006") return failure(Fault::storage_unavailable, said + " (is this a read-only standby?)");
  if (state == sqlstate::serialization_failure || state == sqlstate::deadlock_detected)
    return failure(Fault::storage_unavailable, said + " (another server's transaction collided with this one " +
                                                   std::to_string(Pool::kMaxAttempts) + " times in a row)");
  return failure(Fault::storage_unavailable, said + (state.empty() ? "" : " (SQLSTATE " + state + ")"));
}

Status Lease::fail(std::string_view what, const std::string& why, Fault fault) const {
  return Status::failure(fault, "Unable to " + std::string(what) + " in " + pool_->where() + ": " + why);
}

// [SECTION] Pool

Pool::Pool(std::string conninfo, PoolOptions options) : conninfo_(std::move(conninfo)), options_(options) {
  assert(options_.connections >= 1);
  std::string error;
  auto where = describe_postgres(conninfo_, error);
  if (!where) throw std::runtime_error("Unable to read the PostgreSQL connection string or URL: " + error);
  where_ = *where;
  slots_.resize(static_cast<std::size_t>(options_.connections));
}

Pool::~Pool() {
  for (Slot& s : slots_) {
    assert(!s.lent && "a lease outlived its pool");
    PQfinish(s.conn);
  }
}

Result<PGconn*> Pool::connect() {
  std::string connect_timeout = std::to_string(options_.connect_timeout.count());
  // Ours come first and the caller's string last: libpq keeps the last value
  // of a repeated keyword, so a URL that sets its own timeouts wins.
  const char* keywords[] = {"connect_timeout",
                            "tcp_user_timeout",  // ms: sent data unacknowledged this long drops the connection
                            "keepalives_idle",   // s: then probe a silent server ...
                            "keepalives_interval",
                            "keepalives_count",  // ... every 5 s, 3 times: a vanished server is noticed within 25 s
                            "fallback_application_name", "dbname", nullptr};
  const char* values[] = {connect_timeout.c_str(), "15000", "10", "5", "3", "tenpoint-server", conninfo_.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (!conn) return Status::failure(Fault::storage_unavailable, "libpq is out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = one_line(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::failure(Fault::storage_unavailable, "cannot connect: " + why);
  }
  PQsetNoticeProcessor(conn, print_notice, &where_);
  // GENERATED ... AS IDENTITY in the schema needs PostgreSQL 10.
  if (int version = PQserverVersion(conn); version < 100000) {
    PQfinish(conn);
    return Status::failure(Fault::storage_unavailable,
                           "the server runs PostgreSQL " + std::to_string(version / 10000) + "; Tenpoint needs 10 or newer");
  }
  Params settings;
  settings.int64(options_.statement_timeout.count());
  // A transaction left open by a stuck client would hold its locks for ever.
  settings.int64(60'000);  // ms
  Res set(PQexecParams(conn,
                       "SELECT set_config('statement_timeout', $1, false), set_config('idle_in_transaction_session_timeout', $2, false), "
                       "set_config('client_min_messages', 'warning', false)",
                       settings.size(), nullptr, settings.pointers().data(), nullptr, nullptr, 0));
  if (!set.ok()) {
    std::string why = one_line(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::failure(Fault::storage_unavailable, "cannot set up the session: " + why);
  }
  return conn;
}

Result<Lease> Pool::acquire(std::string_view what) {
  std::unique_lock lock(mutex_);
  std::size_t index = 0;
  auto pick = [&] {
    // A free slot that still has a connection beats one that would need a new one.
    bool found = false;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].lent) continue;
      if (!found || (slots_[i].conn && !slots_[index].conn)) index = i;
      found = true;
    }
    return found;
  };
  if (!freed_.wait_for(lock, options_.pool_wait, pick))
    return Status::failure(Fault::storage_unavailable, "Unable to " + std::string(what) + " in " + where_ + ": all " +
                                                           std::to_string(slots_.size()) + " connections stayed busy for " +
                                                           seconds_text(options_.pool_wait) + " (is the database overloaded?)");
  slots_[index].lent = true;
  PGconn* conn = std::exchange(slots_[index].conn, nullptr);
  lock.unlock();

  bool reused = conn != nullptr;
  if (conn && !looks_alive(conn)) {
    PQfinish(conn);
    conn = nullptr;
    reused = false;
  }
  if (!conn) {
    auto made = connect();  // outside the lock: connecting takes a round trip or a timeout
    if (!made) {
      give_back(index, nullptr);
      return Status::failure(made.status().fault(), "Unable to " + std::string(what) + " in " + where_ + ": " + made.message());
    }
    conn = *made;
  }
  return Lease(this, index, conn, reused);
}

bool Pool::worth_retrying(const Lease& lease) {
  return lease.last_sqlstate_ == sqlstate::serialization_failure || lease.last_sqlstate_ == sqlstate::deadlock_detected ||
         lease.lost_on_first_;
}

void Pool::give_back(std::size_t slot, PGconn* conn) {
  if (conn) {
    // A caller that returned early leaves its transaction open: end it here,
    // so the next caller starts clean and no lock outlives the call.
    PGTransactionStatusType t = PQtransactionStatus(conn);
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR) PQclear(PQexec(conn, "ROLLBACK"));
    if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) != PQTRANS_IDLE) {
      PQfinish(conn);
      conn = nullptr;
    }
  }
  {
    std::lock_guard lock(mutex_);
    slots_[slot].conn = conn;
    slots_[slot].lent = false;
  }
  freed_.notify_one();
}

}  // namespace tp::pg
