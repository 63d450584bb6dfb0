// The read side (Reports) on the kiosk's SQLite file: counts for the staff
// menu and `tenpoint stats`. Numbers only; words are made in sync_words.h.
#pragma once
#include "reports.h"
#include "sqlite_database.h"

namespace tp {

class SqliteReports final : public Reports {
 public:
  explicit SqliteReports(SqliteDatabase& db) : db_(db) {}

  Result<StoreCounts> counts(std::int64_t day_start_unix) override;
  Result<std::vector<DayRow>> answers_by_question_and_day() override;

 private:
  SqliteDatabase& db_;
};

}  // namespace tp
