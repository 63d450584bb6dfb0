// The kiosk's one SQLite file with its roles, for the programs that
// open it (the kiosk, tenpoint-sync, the command line). Each part that uses
// storage takes only the role interface it needs.
#pragma once
#include <utility>

#include "sqlite_answer_store.h"
#include "sqlite_database.h"
#include "sqlite_outbox.h"
#include "sqlite_pin_lock.h"
#include "sqlite_reports.h"
#include "sqlite_set_serials.h"

namespace tp {

struct KioskStore {
  explicit KioskStore(SqliteDatabase::Options options)
      : database(std::move(options)), answers(database), outbox(database), reports(database), set_serials(database), pin_lock(database) {}
  SqliteDatabase database;
  SqliteAnswerStore answers;
  SqliteOutbox outbox;
  SqliteReports reports;
  SqliteSetSerials set_serials;
  SqlitePinLock pin_lock;
};

}  // namespace tp
