#include "pin.h"

#include <sodium.h>

#include <algorithm>

namespace tp {

namespace {
bool sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}
}  // namespace

bool pin_is_well_formed(const std::string& pin) {
  return pin.size() >= 4 && pin.size() <= 8 && std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool pin_is_long_enough(const std::string& pin) { return pin_is_well_formed(pin) && pin.size() >= kMinNewPinDigits; }

std::optional<std::string> hash_pin(const std::string& pin) {
  if (!pin_is_well_formed(pin) || !sodium_ready()) return std::nullopt;
  char out[crypto_pwhash_STRBYTES];
  // Interactive limits: about a tenth of a second and 64 MiB on a Pi 4,
  // which a staff member waits for once per unlock.
  if (crypto_pwhash_str_alg(out, pin.data(), pin.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return std::nullopt;
  return std::string(out);
}

void Argon2PinChecker::set_hash(std::string hash) {
  hash_ = std::move(hash);
  demo_ = verify(kDemoPin);
}

bool Argon2PinChecker::verify(const std::string& pin) {
  if (hash_.empty() || !sodium_ready()) return false;
  return crypto_pwhash_str_verify(hash_.c_str(), pin.data(), pin.size()) == 0;
}

}  // namespace tp
