// The Ed25519 key the server signs question sets with (signed_set.h), kept
// in a file beside the code key: DIR/set-signing.key under --secrets DIR, by
// default the --data folder with SQLite. Kiosks trust its public key (they
// learn it when they enrol), so servers sharing one PostgreSQL database
// share this file, as they share the code key.
//
// Invariants:
//   1. The file holds the base64 of libsodium's 64-byte Ed25519 secret key
//      and a newline, mode 0600. A file that other users on the machine can
//      read or change is refused, never used.
//   2. The database records the public key (base64), never the secret one. A
//      key whose public key differs is refused: kiosks would refuse every
//      set it signs ("signed by another key").
//   3. A key is made only for a database that has recorded none. A missing
//      file beside a database that has recorded one is refused, not replaced.
//   4. The file appears whole or not at all (written aside, then linked into
//      place), and processes making it at once all end up using the same one.
//
//   (no file, nothing recorded) --open_set_signing_key--> file made, public key recorded
//   (file, same public key) --open_set_signing_key--> key in use
//   (file, other public key) | (no file, public key recorded) --open_set_signing_key--> refused, saying what to do
#pragma once
#include <string>

#include "open_store.h"
#include "server_store.h"
#include "signed_set.h"

namespace tp::server {

inline constexpr const char* kSetKeyFileName = "set-signing.key";

std::string set_signing_key_path(const std::string& secrets_dir);

// The signing key for the store at `where` (see above), made if the store
// has recorded none. Throws std::runtime_error with a message a person can
// act on (start-up only).
SetSigningKeys open_set_signing_key(ServerStore& store, const StoreLocation& where);

}  // namespace tp::server
