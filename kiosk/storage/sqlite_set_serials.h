// SetSerials on the kiosk's SQLite file: the one-row table signed_set_state
// (migration 3). The kiosk records a serial when it accepts a signed set;
// `tenpoint questions install` only reads it.
#pragma once
#include "set_serials.h"
#include "sqlite_database.h"

namespace tp {

class SqliteSetSerials final : public SetSerials {
 public:
  explicit SqliteSetSerials(SqliteDatabase& db) : db_(db) {}

  Result<AcceptedSet> highest_accepted() override;
  Status record_accepted(const AcceptedSet& set) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace tp
