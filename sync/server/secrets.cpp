#include "secrets.h"

#include <sodium.h>

namespace tp::server {

namespace {

static_assert(CodeKey::kBytes == crypto_generichash_KEYBYTES);

std::string hex(const unsigned char* data, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

// Inputs to the keyed hash start with their purpose, so that no typed code
// can hash to the check value.
constexpr std::string_view kCodePrefix = "code:";
constexpr std::string_view kCheckText = "check:tenpoint enrolment-code key";

}  // namespace

std::string new_enrol_code() {
  sodium_ready();
  static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";  // 32 letters: 60 bits in 12
  std::string code;
  for (int i = 0; i < 12; ++i) {
    if (i && i % 4 == 0) code += '-';
    code += alphabet[randombytes_uniform(32)];
  }
  return code;
}

std::string normalise_code(const std::string& typed) {
  std::string out;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

std::string secret_hash(const std::string& secret) {
  sodium_ready();
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), nullptr, 0);
  return hex(h, sizeof h);
}

std::string new_device_id() {
  sodium_ready();
  unsigned char raw[6];
  randombytes_buf(raw, sizeof raw);
  return "kiosk-" + hex(raw, sizeof raw);
}

CodeKey CodeKey::generate() {
  sodium_ready();
  CodeKey key;
  crypto_generichash_keygen(key.bytes_.data());
  return key;
}

std::optional<CodeKey> CodeKey::from_hex(std::string_view text) {
  if (text.size() != 2 * kBytes) return std::nullopt;
  CodeKey key;
  for (std::size_t i = 0; i < kBytes; ++i) {
    int high = hex_digit(text[2 * i]), low = hex_digit(text[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    key.bytes_[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return key;
}

std::string CodeKey::hex() const { return server::hex(bytes_.data(), bytes_.size()); }

std::string CodeKey::keyed_hash(std::string_view message) const {
  sodium_ready();
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(message.data()), message.size(), bytes_.data(), bytes_.size());
  return server::hex(h, sizeof h);
}

std::string CodeKey::code_hash(const std::string& typed_code) const {
  return keyed_hash(std::string(kCodePrefix) + normalise_code(typed_code));
}

std::string CodeKey::check_value() const { return keyed_hash(kCheckText); }

CodeHashes code_hashes(const CodeKey& key, const std::string& typed_code) {
  return {key.code_hash(typed_code), secret_hash(normalise_code(typed_code))};
}

}  // namespace tp::server
