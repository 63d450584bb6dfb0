#include <atomic>
#include <cstdint>
#include <cstdio>
#include <random>

#include "answer.h"

namespace tp {

namespace {

std::uint64_t random64() {
  // std::random_device reads the kernel's CSPRNG on Linux.
  static thread_local std::random_device rd;
  return (std::uint64_t{rd()} << 32) | rd();
}

std::string format(const unsigned char (&b)[16]) {
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
                b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

void put64(unsigned char* at, std::uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) at[i] = static_cast<unsigned char>(v & 0xFF);
}

}  // namespace

std::string random_uuid() {
  // A fresh draw per id keeps ids unguessable and unrelated to each other.
  unsigned char b[16];
  put64(b, random64());
  put64(b + 8, random64());
  b[6] = (b[6] & 0x0F) | 0x40;  // version 4
  b[8] = (b[8] & 0x3F) | 0x80;  // RFC 9562 variant
  return format(b);
}

std::string answer_uuid() {
  static const std::uint64_t run = random64();
  // Starts at a random point of the lower half, so the count cannot reach
  // the top of its 62 bits.
  static std::atomic<std::uint64_t> next{random64() >> 3};
  unsigned char b[16];
  put64(b, run);
  put64(b + 8, next.fetch_add(1, std::memory_order_relaxed));
  b[6] = (b[6] & 0x0F) | 0x80;  // version 8: laid out by the application
  b[8] = (b[8] & 0x3F) | 0x80;  // RFC 9562 variant
  return format(b);
}

}  // namespace tp
