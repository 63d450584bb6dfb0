// What a venue without network brings to the server on a USB stick
// (bundle.h): `tenpoint-server import PATH`, and the enrolment file that
// `tenpoint-server enrol-code --file` writes for such a venue.
//
// Invariants:
//   1. Nothing from a stick is stored before it checks out: a bundle's
//      manifest must be signed by the key of a kiosk this server enrolled
//      and has not revoked; then every file must have the size and SHA-256
//      the manifest gives. The answers are read from a private copy made
//      while hashing, so the stick cannot change them after the check.
//   2. Answers go in through ServerStore::ingest, batch by batch: the
//      network's exactly-once rule (answer ids). Importing twice, or
//      importing answers that also came over the network, stores nothing
//      twice. An import cut short is finished by importing again.
//   3. An enrolment reply enrols the kiosk with its one-time code and
//      registers the key it is signed with; importing it again finds the
//      kiosk enrolled and changes nothing. There is no unsigned import.
#pragma once
#include <string>

#include "open_store.h"

namespace tp::server {

// Imports the bundle or enrolment reply at `path`: an export folder, its
// server-bundle folder, or an enrol-reply.json. Prints what it did; returns
// the exit status (0 done, 1 refused or failed).
int import_from_stick(const StoreLocation& where, const std::string& path);

// Writes the enrolment file for `code` at `venue` to `path` (a new file,
// mode 0600: it holds the code). Returns "" or why it could not.
std::string write_enrol_file(const std::string& path, const std::string& venue, const std::string& code, std::int64_t expires_at,
                             const std::string& set_key_base64);

}  // namespace tp::server
