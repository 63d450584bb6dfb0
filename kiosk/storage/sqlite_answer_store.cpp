// The visit's writes. Invariants are listed in sqlite_answer_store.h.
#include "sqlite_answer_store.h"

#include <set>

#include "sqlite_util.h"

namespace tp {

using namespace sql;

struct SqliteAnswerStore::Impl {
  Stmt update_open, insert, close;
  std::set<std::pair<std::string, std::string>> open_answers;  // (session, question) of visits in progress
};

SqliteAnswerStore::SqliteAnswerStore(SqliteDatabase& db) : db_(db) {}
SqliteAnswerStore::~SqliteAnswerStore() = default;

Status SqliteAnswerStore::ready() {
  if (impl_) return {};
  if (Status s = db_.open(); !s) return s;
  sqlite3* db = db_.handle();
  // Visits interrupted by a crash or power cut are over.
  if (int rc = exec(db, "UPDATE answers SET closed = 1 WHERE closed = 0"); rc != SQLITE_OK)
    return failure(db, rc, "close interrupted visits", db_.path());
  auto impl = std::make_unique<Impl>();
  // Parameters are numbered as in bind_answer(); the update names only some.
  impl->update_open = Stmt(db,
                           "UPDATE answers SET score=?6, text=?7, choice=?8, language=?9, recorded_at=?10, clock_trusted=?11, "
                           "boot_id=?12, monotonic_ms=?13 WHERE session_id=?5 AND question_id=?4 AND closed=0");
  impl->insert = Stmt(
      db, (std::string("INSERT INTO answers(") + kAnswerColumns + ", closed) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)")
              .c_str());
  impl->close = Stmt(db, "UPDATE answers SET closed=1 WHERE session_id=?1 AND closed=0");
  if (!impl->update_open || !impl->insert || !impl->close) return failure(db, sqlite3_errcode(db), "prepare statements", db_.path());
  impl_ = std::move(impl);
  return {};
}

Status SqliteAnswerStore::commit(const Answer& a) {
  if (Status s = ready(); !s) return s;
  // One statement in autocommit mode: an insert for a new answer, an update
  // when the resident changes an answer of the visit in progress. Open
  // visits are known in memory (ready() closed any older ones), which saves
  // a lookup and a transaction on every commit.
  auto key = std::make_pair(a.session_id, a.question_id);
  bool replace = impl_->open_answers.count(key) > 0;
  sqlite3_stmt* stmt = replace ? impl_->update_open.get() : impl_->insert.get();
  bind_answer(stmt, a);
  if (!replace) sqlite3_bind_int(stmt, kAnswerColumnCount + 1, 0);  // closed = 0
  if (int rc = run(stmt); rc != SQLITE_OK) return failure(db_.handle(), rc, "save an answer", db_.path());
  if (!replace) impl_->open_answers.insert(std::move(key));
  return {};
}

Status SqliteAnswerStore::commit_many(const std::vector<Answer>& answers) {
  if (Status s = ready(); !s) return s;
  sqlite3* db = db_.handle();
  Transaction tx(db);
  int rc = tx.begin_rc();
  for (std::size_t i = 0; rc == SQLITE_OK && i < answers.size(); ++i) {
    bind_answer(impl_->insert.get(), answers[i], false);
    sqlite3_bind_int(impl_->insert.get(), kAnswerColumnCount + 1, 1);  // closed = 1
    rc = run(impl_->insert.get());
  }
  if (rc == SQLITE_OK) rc = tx.commit();
  if (rc != SQLITE_OK) return failure(db, rc, "save answers", db_.path());
  return {};
}

Status SqliteAnswerStore::close_session(const std::string& session_id) {
  if (Status s = ready(); !s) return s;
  bind_text(impl_->close.get(), 1, session_id);
  if (int rc = run(impl_->close.get()); rc != SQLITE_OK) return failure(db_.handle(), rc, "finish a visit", db_.path());
  std::erase_if(impl_->open_answers, [&](const auto& k) { return k.first == session_id; });
  return {};
}

Status SqliteAnswerStore::probe() {
  if (Status s = ready(); !s) return s;
  if (!scalar(db_.handle(), "SELECT count(*) FROM sync_state"))
    return failure(db_.handle(), sqlite3_errcode(db_.handle()), "read the answer database", db_.path());
  return {};
}

}  // namespace tp
