// Opens the server's store from the command line: the SQLite file under
// --data DIR (the default), or a PostgreSQL database at --database URL.
#pragma once
#include <memory>
#include <string>

#include "server_store.h"

namespace tp::server {

struct StoreLocation {
  std::string data_dir;      // SQLite: DIR/server.db
  std::string database_url;  // PostgreSQL: postgresql://... or key=value pairs
  std::string secrets_dir;   // --secrets: the server's own keys (code_key_file.h)

  bool postgres() const { return !database_url.empty(); }
  // --secrets DIR, else the data folder; "" for PostgreSQL without --secrets.
  std::string secrets() const { return secrets_dir.empty() ? data_dir : secrets_dir; }
};

struct OpenStoreOptions {
  // PostgreSQL only: bring the schema up to date (serve, enrol-code), or
  // refuse one that is behind (commands that only read or revoke).
  bool apply_migrations = true;
  int connections = 1;  // PostgreSQL only: one per worker thread for serve
};

// "" when exactly one of the two is given, else what to tell the person.
std::string check_store_location(const StoreLocation& where);

// "data /var/lib/tenpoint" or "PostgreSQL database tenpoint on db.example.org";
// never a password.
std::string describe_store(const StoreLocation& where);

// Throws std::runtime_error with a message a person can act on (start-up only).
std::unique_ptr<ServerStore> open_store(const StoreLocation& where, const OpenStoreOptions& options);

}  // namespace tp::server
