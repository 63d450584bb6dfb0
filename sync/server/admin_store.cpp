#include "admin_store.h"

namespace tp::server {

const char* role_name(AdminRole role) { return role == AdminRole::admin ? "admin" : "viewer"; }

std::optional<AdminRole> parse_role(std::string_view text) {
  if (text == "admin") return AdminRole::admin;
  if (text == "viewer") return AdminRole::viewer;
  return std::nullopt;
}

std::unique_ptr<AdminStore> open_admin_store(const StoreLocation& where, int connections) {
  if (where.postgres()) return open_pg_admin_store(where.database_url, connections);
  return open_sqlite_admin_store(where.data_dir + "/server.db");
}

}  // namespace tp::server
