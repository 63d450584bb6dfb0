// Picks the server's store from --data or --database; see open_store.h.
#include "open_store.h"

#include "pg_server_store.h"
#include "sqlite_server_store.h"

namespace tp::server {

std::string check_store_location(const StoreLocation& where) {
  if (where.data_dir.empty() && where.database_url.empty())
    return "Say where the server keeps its data: --data DIR (SQLite) or --database postgresql://... (PostgreSQL)";
  if (!where.data_dir.empty() && !where.database_url.empty())
    return "Give --data DIR or --database URL, not both: the server keeps its data in one place";
  return "";
}

std::string describe_store(const StoreLocation& where) {
  if (!where.postgres()) return "data " + where.data_dir;
  auto described = describe_postgres_url(where.database_url);
  return described ? *described : "an unreadable PostgreSQL URL";
}

std::unique_ptr<ServerStore> open_store(const StoreLocation& where, const OpenStoreOptions& options) {
  if (!where.postgres()) return std::make_unique<SqliteServerStore>(where.data_dir + "/server.db");
  PgStoreOptions pg;
  pg.connections = options.connections;
  pg.apply_migrations = options.apply_migrations;
  return std::make_unique<PgServerStore>(where.database_url, pg);
}

}  // namespace tp::server
