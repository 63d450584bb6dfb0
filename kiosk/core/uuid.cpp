#include <cstdio>
#include <random>

#include "answer.h"

namespace tp {

std::string random_uuid() {
  // std::random_device reads the kernel's CSPRNG on Linux; a fresh draw per
  // id keeps ids unguessable and unrelated to each other.
  static thread_local std::random_device rd;
  unsigned char b[16];
  for (int i = 0; i < 16; i += 4) {
    unsigned v = rd();
    b[i] = v & 0xFF;
    b[i + 1] = (v >> 8) & 0xFF;
    b[i + 2] = (v >> 16) & 0xFF;
    b[i + 3] = (v >> 24) & 0xFF;
  }
  b[6] = (b[6] & 0x0F) | 0x40;  // version 4
  b[8] = (b[8] & 0x3F) | 0x80;  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
                b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

}  // namespace tp
