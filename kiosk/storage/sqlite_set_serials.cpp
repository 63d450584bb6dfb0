#include "sqlite_set_serials.h"

#include "sqlite_util.h"

namespace tp {

using namespace sql;

Result<AcceptedSet> SqliteSetSerials::highest_accepted() {
  if (Status s = db_.open(); !s) return s;
  sqlite3* db = db_.handle();
  Stmt s(db, "SELECT serial, set_id, set_version, accepted_at FROM signed_set_state WHERE id = 1");
  if (!s) return failure(db, sqlite3_errcode(db), "read the accepted question-set serial", db_.path());
  int rc = sqlite3_step(s.get());
  if (rc != SQLITE_ROW) return failure(db, rc, "read the accepted question-set serial", db_.path());
  AcceptedSet a;
  a.serial = sqlite3_column_int64(s.get(), 0);
  a.set_id = column_text(s.get(), 1);
  a.set_version = sqlite3_column_int(s.get(), 2);
  a.accepted_at = sqlite3_column_int64(s.get(), 3);
  return a;
}

Status SqliteSetSerials::record_accepted(const AcceptedSet& set) {
  if (Status s = db_.open(); !s) return s;
  sqlite3* db = db_.handle();
  // The condition keeps the serial rising even if two processes record at
  // once: the lower one changes nothing.
  Stmt s(db,
         "UPDATE signed_set_state SET serial = ?1, set_id = ?2, set_version = ?3, accepted_at = ?4 "
         "WHERE id = 1 AND serial < ?1");
  if (!s) return failure(db, sqlite3_errcode(db), "record the accepted question-set serial", db_.path());
  sqlite3_bind_int64(s.get(), 1, set.serial);
  bind_text(s.get(), 2, set.set_id);
  sqlite3_bind_int(s.get(), 3, set.set_version);
  sqlite3_bind_int64(s.get(), 4, set.accepted_at);
  if (int rc = run(s.get()); rc != SQLITE_OK) return failure(db, rc, "record the accepted question-set serial", db_.path());
  return {};
}

}  // namespace tp
