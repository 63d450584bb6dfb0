// The key enrolment-code hashes are made with (secrets.h), kept in a file
// apart from the database: DIR/code-key under --secrets DIR, by default the
// --data folder with SQLite. A copy of the database (a backup, a PostgreSQL
// dump) then holds code hashes nobody can search without the key. Servers
// sharing one PostgreSQL database share this file.
//
// Invariants:
//   1. The file holds 64 hex digits and a newline, mode 0600. A file that
//      other users on the machine can read or change is refused, never used.
//   2. The database records the key's check value (CodeKey::check_value),
//      never the key. A key with another check value is refused: codes made
//      with one key cannot be found with another, so a server with the wrong
//      key would turn every kiosk away as "unknown code".
//   3. A key is made only for a database that has recorded none. A missing
//      file beside a database that has recorded one is refused, not replaced:
//      the codes made with that key would no longer work.
//   4. The file appears whole or not at all (written aside, then linked into
//      place), and processes making it at once all end up using the same one.
//
//   (no file, nothing recorded) --open_code_key--> file made, check value recorded
//   (file, nothing recorded: a database from before keyed hashes) --open_code_key--> check value recorded
//   (file, same check value) --open_code_key--> key in use
//   (file, other check value) | (no file, check value) --open_code_key--> refused, saying what to do
#pragma once
#include <string>

#include "open_store.h"
#include "secrets.h"
#include "server_store.h"

namespace tp::server {

inline constexpr const char* kCodeKeyFileName = "code-key";

std::string code_key_path(const std::string& secrets_dir);

// "" when the commands that make or check codes know where the key lives;
// otherwise what to tell the person (PostgreSQL needs --secrets DIR).
std::string check_secrets_location(const StoreLocation& where);

// The key for the store at `where` (see above), made if the store has
// recorded none. Throws std::runtime_error with a message a person can act
// on (start-up only).
CodeKey open_code_key(ServerStore& store, const StoreLocation& where);

}  // namespace tp::server
