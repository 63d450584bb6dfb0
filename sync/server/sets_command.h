// `tenpoint-server sets ...`: question sets for admins on the command line.
// Each command is one call of a ServerStore function, the same ones the
// admin web will call.
//
//   sets add FILE                       a new draft version (or a new draft replacing the last one)
//   sets publish SET_ID                 the draft becomes the set's published version
//   sets assign SET_ID --venue NAME [--from YYYY-MM-DD --until YYYY-MM-DD]
//   sets rollback SET_ID --to VERSION   an earlier version's content, published as a new version
//   sets list                           versions and assignments
#pragma once
#include <string>

#include "open_store.h"

namespace CLI {
class App;
}

namespace tp::server {

struct SetsArgs {
  std::string file, set_id, venue, from, until;
  int to_version = 0;
};

// Registers `sets` and its commands on `cli`; the parsed values land in
// `where` and `args`.
CLI::App* add_sets_command(CLI::App& cli, StoreLocation& where, SetsArgs& args);

// Whether the parsed command may make the server's SQLite file (adding a
// set before the server has ever run); the others need one that exists.
bool sets_command_makes_database(const CLI::App& sets);

// Runs the parsed command: 0 done, 1 refused or failed (the reason printed),
// 2 a bad argument. Throws std::runtime_error from opening the store.
int run_sets_command(const CLI::App& sets, const StoreLocation& where, const SetsArgs& args);

}  // namespace tp::server
