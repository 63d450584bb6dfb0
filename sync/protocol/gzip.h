// gzip for batch bodies (libdeflate stays out of every other header).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace tp {

std::string gzip_compress(std::string_view data);
// nullopt when the data is not gzip or would inflate beyond max_bytes.
std::optional<std::string> gzip_decompress(std::string_view data, std::size_t max_bytes);

}  // namespace tp
