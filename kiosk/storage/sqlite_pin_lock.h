// PinLockLog on the kiosk's SQLite file: the one-row table pin_lock_state
// (migration 4), written by the kiosk at each wrong PIN, lock and unlock.
#pragma once
#include "pin_lock.h"
#include "sqlite_database.h"

namespace tp {

class SqlitePinLock final : public PinLockLog {
 public:
  explicit SqlitePinLock(SqliteDatabase& db) : db_(db) {}

  Result<PinLockState> load_pin_lock() override;
  Status save_pin_lock(const PinLockState& state) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace tp
