#include <catch2/catch.hpp>

#include "text.h"

using namespace tp;

TEST_CASE("answer text is NFC, without control characters, trimmed and capped", "[text]") {
  // "e" + combining acute becomes one precomposed "é".
  CHECK(clean_answer_text("caf\x65\xcc\x81", 100) == "caf\xc3\xa9");
  CHECK(clean_answer_text("w\xcc\x82", 100) == "ŵ");
  CHECK(clean_answer_text("  a\tb\nc\x07\x1b[31m  ", 100) == "a b c[31m");
  CHECK(clean_answer_text("\xc2\x85x", 100) == "x");  // C1 control
  CHECK(clean_answer_text("bad \xff byte", 100) == "bad  byte");
  CHECK(clean_answer_text("ŵŵŵŵ", 2) == "ŵŵ");
  CHECK(count_code_points("ŵŷa") == 3);
}

TEST_CASE("UTF-8 helpers", "[text]") {
  CHECK(is_valid_utf8("Cymraeg ŵŷ Łódź"));
  CHECK_FALSE(is_valid_utf8("\xf5\x80\x80\x80"));
  CHECK_FALSE(is_valid_utf8("\xe2\x82"));
  std::string s = "aŵ";
  drop_last_code_point(s);
  CHECK(s == "a");
  CHECK(to_upper("ŵŷéa") == "ŴŶÉA");
  CHECK(fill("{a} and {b} and {c}", {{"a", "1"}, {"b", "2"}}) == "1 and 2 and {c}");
}

#include "sync_words.h"

TEST_CASE("the sync state in words for the staff menu", "[sync]") {
  const std::int64_t now = 1764500400;
  CHECK(describe_sync(now, 0, std::nullopt, std::nullopt, std::nullopt, "") == "Nothing to send yet");
  CHECK(describe_sync(now, 0, std::nullopt, now - 130, now - 130, "") == "All sent, 2 minutes ago");
  CHECK(describe_sync(now, 312, now - 3 * 86400 - 5, now - 60, now - 4 * 86400, "server unreachable (connection refused)") ==
        "312 answers waiting, oldest 3 days: server unreachable (connection refused)");
  CHECK(describe_sync(now, 1, now - 30, std::nullopt, std::nullopt, "") ==
        "1 answer waiting, oldest just now: not sent yet (the sync service has not run)");
  CHECK(describe_age(3600) == "1 hour");
}
