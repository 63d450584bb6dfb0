#include "sqlite_pin_lock.h"

#include "sqlite_util.h"

namespace tp {

using namespace sql;

Result<PinLockState> SqlitePinLock::load_pin_lock() {
  if (Status s = db_.open(); !s) return s;
  sqlite3* db = db_.handle();
  Stmt s(db, "SELECT failures, locks, locked_until FROM pin_lock_state WHERE id = 1");
  if (!s) return failure(db, sqlite3_errcode(db), "read the staff PIN lockout", db_.path());
  int rc = sqlite3_step(s.get());
  if (rc != SQLITE_ROW) return failure(db, rc, "read the staff PIN lockout", db_.path());
  PinLockState state;
  state.failures = sqlite3_column_int(s.get(), 0);
  state.locks = sqlite3_column_int(s.get(), 1);
  state.locked_until_unix = sqlite3_column_int64(s.get(), 2);
  return state;
}

Status SqlitePinLock::save_pin_lock(const PinLockState& state) {
  if (Status s = db_.open(); !s) return s;
  sqlite3* db = db_.handle();
  Stmt s(db, "UPDATE pin_lock_state SET failures = ?1, locks = ?2, locked_until = ?3 WHERE id = 1");
  if (!s) return failure(db, sqlite3_errcode(db), "record the staff PIN lockout", db_.path());
  sqlite3_bind_int(s.get(), 1, state.failures);
  sqlite3_bind_int(s.get(), 2, state.locks);
  sqlite3_bind_int64(s.get(), 3, state.locked_until_unix);
  if (int rc = run(s.get()); rc != SQLITE_OK) return failure(db, rc, "record the staff PIN lockout", db_.path());
  return {};
}

}  // namespace tp
