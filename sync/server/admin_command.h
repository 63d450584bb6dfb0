// `tenpoint-server admin ...`: accounts of the admin web.
//
//   admin add NAME [--role admin|viewer] [--venue V]... [--password-file F]
//                       the password from the file, else from standard input
//                       (never the command line, where `ps` shows it)
//   admin list          names, roles, venues
//   admin remove NAME   the account and its sessions
#pragma once
#include <string>
#include <vector>

#include "open_store.h"

namespace CLI {
class App;
}

namespace tp::server {

struct AdminArgs {
  std::string name, role = "viewer", password_file;
  std::vector<std::string> venues;
};

CLI::App* add_admin_command(CLI::App& cli, StoreLocation& where, AdminArgs& args);

// Runs the parsed command: 0 done, 1 refused or failed (the reason printed),
// 2 a bad argument. Throws std::runtime_error from opening the stores.
int run_admin_command(const CLI::App& admin, const StoreLocation& where, const AdminArgs& args);

}  // namespace tp::server
