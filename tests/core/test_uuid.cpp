#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "answer.h"

namespace {

bool lower_hex_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (c == '-')) return false;
    if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("uuid: session ids are version 4 and unrelated", "[uuid]") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = tp::random_uuid();
    REQUIRE(lower_hex_uuid(u));
    CHECK(u[14] == '4');
    CHECK(std::string("89ab").find(u[19]) != std::string::npos);
    seen.insert(u);
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE("uuid: answer ids are version 8, unique, and sort in the order they were made", "[uuid]") {
  std::vector<std::string> ids;
  for (int i = 0; i < 5000; ++i) ids.push_back(tp::answer_uuid());
  std::set<std::string> seen(ids.begin(), ids.end());
  CHECK(seen.size() == ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    INFO(ids[i]);
    REQUIRE(lower_hex_uuid(ids[i]));
    CHECK(ids[i][14] == '8');
    CHECK(std::string("89ab").find(ids[i][19]) != std::string::npos);
    // One run of the kiosk: the first 60 bits are the same for every id.
    CHECK(ids[i].substr(0, 18) == ids[0].substr(0, 18));
    if (i > 0) CHECK(ids[i - 1] < ids[i]);
  }
}
