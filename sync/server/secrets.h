// Secrets the server hands out or checks: enrolment codes, device ids, and
// the hashes it keeps instead of the secrets themselves.
#pragma once
#include <string>

namespace tp::server {

std::string new_enrol_code();                          // "ABCD-EFGH-JKMN": no 0/O or 1/I to misread
std::string normalise_code(const std::string& typed);  // upper case, no dashes or spaces
// BLAKE2b-256, hex. Tokens (256 bits) and codes (60 bits) are random, so a
// fast hash suffices: there is no dictionary to search.
std::string secret_hash(const std::string& secret);
std::string new_device_id();  // "kiosk-" and 12 hex digits

}  // namespace tp::server
