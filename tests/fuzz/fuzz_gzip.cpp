// Fuzzes gzip_decompress with a small cap (a gzip bomb must stop there), and
// checks that compressing any input and decompressing it gives it back.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "gzip.h"

namespace {

// Small, so that inputs which inflate far beyond it are common; not a
// power of two, so the cap falls inside a deflate block.
constexpr std::size_t kSmallCapBytes = 100 * 1024;       // 100 KiB
constexpr std::size_t kLargeCapBytes = 4 * 1024 * 1024;  // 4 MiB

[[noreturn]] void broken(const char* promise) {
  std::fprintf(stderr, "fuzz_gzip: broken promise: %s\n", promise);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  std::optional<std::string> small = tp::gzip_decompress(input, kSmallCapBytes);
  if (small) {
    if (small->size() > kSmallCapBytes) broken("decompressed data never exceeds the cap");
    std::optional<std::string> large = tp::gzip_decompress(input, kLargeCapBytes);
    if (!large || *large != *small) broken("a larger cap gives the same data");
    if (!small->empty()) {
      std::optional<std::string> one_short = tp::gzip_decompress(input, small->size() - 1);
      if (one_short) broken("a cap one byte short of the data refuses it");
    }
  }

  std::string compressed = tp::gzip_compress(input);
  if (compressed.empty()) broken("compression succeeds");
  std::optional<std::string> back = tp::gzip_decompress(compressed, size);
  if (!back) broken("compressed data decompresses within a cap of its own size");
  if (*back != input) broken("compressed data decompresses to what went in");
  return 0;
}
