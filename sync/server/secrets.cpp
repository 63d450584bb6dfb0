#include "secrets.h"

#include <sodium.h>

namespace tp::server {

namespace {

std::string hex(const unsigned char* data, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

bool sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

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

}  // namespace tp::server
