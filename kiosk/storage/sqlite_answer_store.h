// The visit's writes (AnswerStore) on the kiosk's SQLite file.
//
// Invariants:
//   1. commit() returns ok only after the answer is durable.
//   2. Visits left open by a crash or power cut are closed on first use: the
//      resident has long gone, so their answers are final. Only this role
//      does that; tenpoint-sync opening the same file must not close the
//      visit a resident is in the middle of.
//   3. An answer changed within its open visit replaces the row in place.
#pragma once
#include <memory>
#include <vector>

#include "answer_store.h"
#include "sqlite_database.h"

namespace tp {

class SqliteAnswerStore final : public AnswerStore {
 public:
  explicit SqliteAnswerStore(SqliteDatabase& db);
  ~SqliteAnswerStore() override;

  Status commit(const Answer& answer) override;
  Status close_session(const std::string& session_id) override;
  Status probe() override;

  // Many answers of finished visits in one transaction (synthetic data, imports).
  Status commit_many(const std::vector<Answer>& answers);

 private:
  struct Impl;
  Status ready();
  SqliteDatabase& db_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tp
