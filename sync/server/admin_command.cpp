#include "admin_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "admin_auth.h"
#include "admin_store.h"

namespace tp::server {

namespace {

void add_store_options(CLI::App* command, StoreLocation& where) {
  auto* data = command->add_option("--data", where.data_dir, "The server's data folder (SQLite)");
  command->add_option("--database", where.database_url, "PostgreSQL instead of --data: postgresql://USER@HOST/DB, or key=value pairs")
      ->excludes(data);
}

// The first line of the file or of standard input, without its line end.
std::optional<std::string> read_password(const std::string& file) {
  std::string line;
  if (file.empty()) {
    if (::isatty(STDIN_FILENO)) std::fprintf(stderr, "Password (at least %zu characters, then Enter): ", kMinPasswordLength);
    if (!std::getline(std::cin, line)) return std::nullopt;
  } else {
    std::ifstream in(file);
    if (!in || !std::getline(in, line)) return std::nullopt;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int add(const StoreLocation& where, const AdminArgs& args) {
  if (!valid_account_name(args.name)) {
    std::fprintf(stderr, "An admin name is 1 to 64 letters, digits, '.', '-', '_' or '@'\n");
    return 2;
  }
  auto role = parse_role(args.role);
  if (!role) {
    std::fprintf(stderr, "--role is admin or viewer, not \"%s\"\n", args.role.c_str());
    return 2;
  }
  if (*role == AdminRole::viewer && args.venues.empty()) {
    std::fprintf(stderr, "A viewer sees the results of their venues only: give at least one --venue NAME\n");
    return 2;
  }
  auto password = read_password(args.password_file);
  if (!password) {
    std::fprintf(stderr, "Unable to read the password from %s\n",
                 args.password_file.empty() ? "standard input" : args.password_file.c_str());
    return 2;
  }
  if (std::string problem = password_problem(args.name, *password); !problem.empty()) {
    std::fprintf(stderr, "%s. Nothing was added.\n", problem.c_str());
    return 2;
  }
  auto server_store = open_store(where, {.apply_migrations = true});  // makes the SQLite file if new
  auto store = open_admin_store(where);
  AdminAccount account{args.name, hash_password(*password), *role, args.venues, static_cast<std::int64_t>(std::time(nullptr))};
  if (Status s = store->add_account(account); !s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return s.fault() == Fault::invalid_input ? 2 : 1;
  }
  if (Status s = store->audit({0, account.created_at, "(command line)", "local", "added an account", args.name + " (" + args.role + ")"});
      !s)
    std::fprintf(stderr, "warning: %s\n", s.message().c_str());
  std::printf("added %s (%s): sign in at https://SERVER/admin/login\n", args.name.c_str(), role_name(*role));
  return 0;
}

int list(const StoreLocation& where) {
  auto server_store = open_store(where, {.apply_migrations = false});
  auto store = open_admin_store(where);
  auto accounts = store->accounts();
  if (!accounts) {
    std::fprintf(stderr, "%s\n", accounts.message().c_str());
    return 1;
  }
  if (accounts->empty()) {
    std::printf("no admin accounts yet (add one with: tenpoint-server admin add NAME --role admin)\n");
    return 0;
  }
  std::printf("%-24s  %-7s  %s\n", "name", "role", "venues");
  for (const auto& a : *accounts) {
    std::string venues;
    for (const auto& v : a.venues) venues += (venues.empty() ? "" : ", ") + v;
    std::printf("%-24s  %-7s  %s\n", a.name.c_str(), role_name(a.role), a.role == AdminRole::admin ? "(all)" : venues.c_str());
  }
  return 0;
}

int remove(const StoreLocation& where, const std::string& name) {
  auto server_store = open_store(where, {.apply_migrations = false});
  auto store = open_admin_store(where);
  auto removed = store->remove_account(name);
  if (!removed) {
    std::fprintf(stderr, "%s\n", removed.message().c_str());
    return 1;
  }
  if (!*removed) {
    std::fprintf(stderr, "No admin account %s (see tenpoint-server admin list)\n", name.c_str());
    return 1;
  }
  if (Status s = store->audit({0, static_cast<std::int64_t>(std::time(nullptr)), "(command line)", "local", "removed an account", name});
      !s)
    std::fprintf(stderr, "warning: %s\n", s.message().c_str());
  std::printf("removed %s; its sessions have ended\n", name.c_str());
  return 0;
}

}  // namespace

CLI::App* add_admin_command(CLI::App& cli, StoreLocation& where, AdminArgs& args) {
  auto* admin = cli.add_subcommand("admin", "Accounts of the admin web (/admin): add, list, remove");
  admin->require_subcommand(1);
  auto* add_cmd = admin->add_subcommand("add", "Add an account; the password is read from standard input or --password-file");
  add_store_options(add_cmd, where);
  add_cmd->add_option("NAME", args.name, "The account's name")->required();
  add_cmd->add_option("--role", args.role, "admin (everything) or viewer (results of their venues)")->capture_default_str();
  add_cmd->add_option("--venue", args.venues, "A venue whose results a viewer sees (repeat for more)");
  add_cmd->add_option("--password-file", args.password_file, "Read the password from this file's first line instead of standard input");
  auto* list_cmd = admin->add_subcommand("list", "List the accounts");
  add_store_options(list_cmd, where);
  auto* remove_cmd = admin->add_subcommand("remove", "Remove an account and end its sessions");
  add_store_options(remove_cmd, where);
  remove_cmd->add_option("NAME", args.name, "The account's name")->required();
  return admin;
}

int run_admin_command(const CLI::App& admin, const StoreLocation& where, const AdminArgs& args) {
  if (admin.got_subcommand("add")) return add(where, args);
  if (admin.got_subcommand("list")) return list(where);
  if (admin.got_subcommand("remove")) return remove(where, args.name);
  return 2;
}

}  // namespace tp::server
