// Staff PINs are kept only as Argon2id hashes (libsodium's crypto_pwhash_str).
#pragma once
#include <cstddef>
#include <optional>
#include <string>

namespace tp {

// The PIN of the demo config (config/kiosk.example.json), for a local run
// only: a kiosk whose hash it matches warns in its log and staff menu.
inline constexpr const char* kDemoPin = "2468";
// A new staff PIN (`tenpoint pin-hash`) has at least this many digits; a
// shorter one already in a config still opens the menu.
inline constexpr std::size_t kMinNewPinDigits = 6;

// Checks a typed staff PIN (Argon2id below; a fixed PIN in tests).
class PinChecker {
 public:
  virtual ~PinChecker() = default;
  virtual bool verify(const std::string& pin) = 0;
  // Whether the demo PIN opens the menu.
  virtual bool is_demo_pin() const = 0;
};

// An Argon2id string for `pin`, or nullopt when the PIN is not 4 to 8 digits
// or hashing failed (out of memory).
std::optional<std::string> hash_pin(const std::string& pin);
// 4 to 8 digits: what the PIN pad takes.
bool pin_is_well_formed(const std::string& pin);
// Well formed and at least kMinNewPinDigits long: what a new hash is made for.
bool pin_is_long_enough(const std::string& pin);

class Argon2PinChecker final : public PinChecker {
 public:
  explicit Argon2PinChecker(std::string hash) { set_hash(std::move(hash)); }
  bool verify(const std::string& pin) override;
  bool is_demo_pin() const override { return demo_; }
  bool configured() const { return !hash_.empty(); }
  // A config reload brings a new hash; the visit keeps a reference to this
  // checker, so the checker changes in place. Costs one Argon2id check (the
  // demo PIN against it).
  void set_hash(std::string hash);

 private:
  std::string hash_;
  bool demo_ = false;
};

}  // namespace tp
