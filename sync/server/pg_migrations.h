// The PostgreSQL schema, as numbered migrations.
//
// Invariants:
//   1. A migration, once released, never changes: a new need is a new
//      migration with the next number.
//   2. `schema_migrations` holds one row per applied migration; the schema's
//      version is its highest number (0: nothing applied yet).
//   3. Migrations run in one transaction under a transaction-scoped advisory
//      lock, so servers starting at the same moment apply each migration once
//      and the others find the work done; a failure leaves the schema as it was.
//   4. A server refuses a database whose version is newer than it knows: its
//      queries may no longer mean what they did.
//
//   version 0 --apply_migrations--> version kLatest
//   version < kLatest --schema_version--> "run tenpoint-server migrate" (for callers that must not migrate)
#pragma once
#include <limits>
#include <span>

#include "pg_connection.h"

namespace tp::pg {

struct Migration {
  int version;
  const char* description;
  const char* sql;  // constant statements, no parameters
};

std::span<const Migration> migrations();
int latest_schema_version();

struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
};

// Applies every missing migration up to `up_to` (invariant 3); tests stop
// early to build a database as an older server left it.
Result<MigrationReport> apply_migrations(Lease& db, int up_to = std::numeric_limits<int>::max());
// The version recorded in the database, without changing anything.
Result<int> schema_version(Lease& db);

}  // namespace tp::pg
