// The wire format: round trips, and strict refusal of bad bodies.
#include <catch2/catch.hpp>

#include "gzip.h"
#include "signed_set.h"
#include "wire.h"

using namespace tp;

namespace {

StoredAnswer sample(int i) {
  StoredAnswer s;
  s.seq = i;
  s.answer.uuid = "0f8c2d3e-1111-4222-8333-00000000000" + std::to_string(i % 10);
  s.answer.set_id = "library-demo";
  s.answer.set_version = 1;
  s.answer.question_id = "library";
  s.answer.session_id = "visit-1";
  s.answer.score = 7;
  s.answer.language = "cy";
  s.answer.stamp = {1764500400, false, "boot-1", 123000};
  return s;
}

std::string error_of(std::string_view body) {
  auto r = wire::decode_batch(body);
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}

}  // namespace

TEST_CASE("a batch survives encode and decode unchanged", "[protocol]") {
  wire::Batch b{"batch-1", {sample(1), sample(2)}};
  b.answers[1].answer.score.reset();
  b.answers[1].answer.text = "Staff \"kind\"\n, ŵŷ";
  auto decoded = wire::decode_batch(wire::encode(b));
  REQUIRE(std::holds_alternative<wire::Batch>(decoded));
  auto& d = std::get<wire::Batch>(decoded);
  REQUIRE(d.answers.size() == 2);
  CHECK(d.batch_id == "batch-1");
  CHECK(d.answers[0] == b.answers[0]);
  CHECK(d.answers[1] == b.answers[1]);
  auto changed = b.answers[0];
  changed.answer.score = 8;
  CHECK_FALSE(changed == b.answers[0]);
}

TEST_CASE("replies, heartbeats and enrolment round-trip", "[protocol]") {
  wire::BatchReply r{"b", 3, 2, 1, {"x"}};
  auto rd = std::get<wire::BatchReply>(wire::decode_batch_reply(wire::encode(r)));
  CHECK(rd.stored == 2);
  CHECK(rd.quarantined == std::vector<std::string>{"x"});
  wire::Heartbeat h{"0.1.0", "library-demo", 1, 12, 3600, 1000, {true, 1764500400, "boot", 99}};
  auto hd = std::get<wire::Heartbeat>(wire::decode_heartbeat(wire::encode(h)));
  CHECK(hd.oldest_unsent_age_s == 3600);
  CHECK(hd.clock.monotonic_ms == 99);
  auto bad_token = wire::decode_enrol_request(wire::encode(wire::EnrolRequest{"ABCD", "desk", "short"}));
  CHECK(std::get<std::string>(bad_token).find("token must be") != std::string::npos);
}

TEST_CASE("bad batches are refused with the field that is wrong", "[protocol][hostile]") {
  CHECK(error_of("{").find("malformed JSON at line 1") == 0);
  CHECK(error_of("[]") == "the body must be a JSON object");
  CHECK(error_of(R"({"batch_id": "b"})") == "answers is missing");
  CHECK(error_of(R"({"batch_id": 5, "answers": []})") == "batch_id must be a string, not a number");
  std::string one = wire::encode(wire::Batch{"b", {sample(1)}});
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = one;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  CHECK(error_of(with("\"score\":7", "\"score\":\"7\"")) == "answers[0].score must be a number, not a string");
  CHECK(error_of(with("\"score\":7", "\"score\":700")) == "answers[0].score must be a whole number from 0 to 100");
  CHECK(error_of(with("\"text\":null", "\"text\":\"also\"")) == "answers[0] must carry exactly one of score, text or choice");
  CHECK(error_of(with("0f8c2d3e", "0F8C2D3E")).find("answers[0].uuid must be a lower-case UUID") == 0);
  CHECK(error_of(with("\"seq\":1", "\"seq\":-1")).find("answers[0].seq must be a whole number") == 0);
  CHECK(error_of(with("\"cy\"", "\"c\\u0000y\"")) == "answers[0].language must not contain control characters");
  CHECK(error_of(with("\"cy\"", "\"C1\"")) == "answers[0].language must be a language code such as \"en\" or \"cy\"");
  // Identifiers reach logs, terminals and web pages: no C0, DEL or C1 control characters.
  CHECK(error_of(with("\"visit-1\"", "\"visit\\u001b[2J\"")) == "answers[0].session_id must not contain control characters");
  CHECK(error_of(with("\"boot-1\"", "\"boot\\u0085\"")) == "answers[0].boot_id must not contain control characters");
  CHECK(error_of(with("\"library\"", "\"lib\\u007fx\"")) == "answers[0].question_id must not contain control characters");
  CHECK(error_of(std::string(100, '[')) == "the body must be a JSON object");
  // A member no one reads is still checked as it is skipped.
  CHECK(error_of("{\"batch_id\": \"b\", \"extra\": " + std::string(100, '[')).find("nested more than") != std::string::npos);
  CHECK(error_of(with("\"rapid_repeat\"", "\"later\":{\"a\":[1,2,{\"b\":tru}]},\"rapid_repeat\"")).find("malformed JSON") == 0);
  CHECK(error_of(with("\"rapid_repeat\"", "\"score\":null,\"rapid_repeat\"")).find("the key \"score\" appears twice") != std::string::npos);
  CHECK(error_of(with("\"rapid_repeat\"", "\"x\":1,\"x\":2,\"rapid_repeat\"")).find("the key \"x\" appears twice") != std::string::npos);
  CHECK(std::holds_alternative<wire::Batch>(
      wire::decode_batch(with("\"rapid_repeat\"", "\"later\":{\"a\":[1,2.5e3,null]},\"rapid_repeat\""))));
  CHECK(error_of(with("\"library\"", "\"" + std::string(100, 'q') + "\"")) == "answers[0].question_id must be 1 to 64 characters");
  CHECK(error_of("{\"batch_id\": \"caf\xe9\"}").find("invalid UTF-8") != std::string::npos);
  // Answers are read as they come: the count is refused at the 5,001st, however good the first 5,000.
  std::string answer = one.substr(one.find("\"answers\":[") + 11);
  answer = answer.substr(0, answer.size() - 2);  // without "]}"
  std::string many = "{\"batch_id\":\"b\",\"answers\":[";
  for (int i = 0; i < 5001; ++i) many += (i ? "," : "") + answer;
  CHECK(error_of(many + "]}") == "a batch holds at most 5000 answers");
  CHECK(std::holds_alternative<wire::Batch>(wire::decode_batch(many.substr(0, many.rfind(",{")) + "]}")));
}

TEST_CASE("a resident's text may hold any character the kiosk can type; identifiers may not", "[protocol]") {
  StoredAnswer a = sample(2);
  a.answer.score.reset();
  a.answer.text = "two lines\nand a tab\t, caf\u00e9";
  auto decoded = wire::decode_batch(wire::encode(wire::Batch{"b", {a}}));
  REQUIRE(std::holds_alternative<wire::Batch>(decoded));
  CHECK(std::get<wire::Batch>(decoded).answers[0] == a);
  auto enrol = wire::decode_enrol_request(
      R"({"code": "ABCD", "kiosk_name": "desk\u009b", "token": "tp1.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"})");
  REQUIRE(std::holds_alternative<std::string>(enrol));
  CHECK(std::get<std::string>(enrol) == "kiosk_name must not contain control characters");
}

TEST_CASE("gzip round-trips and refuses bombs and garbage", "[protocol]") {
  std::string text(100000, 'a');
  auto packed = gzip_compress(text);
  CHECK(packed.size() < 1000);
  CHECK(gzip_decompress(packed, 200000) == text);
  CHECK_FALSE(gzip_decompress(packed, 50000));  // would inflate beyond the cap
  CHECK_FALSE(gzip_decompress("not gzip", 1000));
  CHECK_FALSE(gzip_decompress(packed.substr(0, packed.size() / 2), 200000));  // truncated
  // The trailer's size sizes the first try only: a false one changes nothing.
  std::string understated = packed;
  understated.replace(understated.size() - 4, 4, std::string("\x10\x00\x00\x00", 4));  // claims 16 bytes
  CHECK_FALSE(gzip_decompress(understated, 200000));                                   // the trailer is checked too
  std::string tiny_claims_much = std::string("\x1f\x8b\x08\x00", 4) + std::string(10, '\0') + std::string("\x00\x00\x80\x00", 4);
  CHECK_FALSE(gzip_decompress(tiny_claims_much, 8 * 1024 * 1024));
  // Bytes after the gzip member are ignored, as a stream reader leaves them.
  CHECK(gzip_decompress(packed + "trailing", 200000) == text);
  CHECK(gzip_compress("").size() >= 18);
  CHECK(gzip_decompress(gzip_compress(""), 0) == std::string());
}

TEST_CASE("a device key on the wire is the canonical base64 of 32 bytes, as libsodium reads it", "[protocol]") {
  for (int i = 0; i < 256; ++i) {
    std::string key(32, static_cast<char>(i));
    key[31] = static_cast<char>(255 - i);
    const std::string text = tp::encode_base64(key);
    CHECK(tp::wire::is_public_key_base64(text));
    CHECK(tp::decode_base64(text)->size() == 32);
  }
  const std::string good = tp::encode_base64(std::string(32, 'k'));
  CHECK_FALSE(tp::wire::is_public_key_base64(good.substr(0, 43)));         // no padding
  CHECK_FALSE(tp::wire::is_public_key_base64(good.substr(0, 42) + "B="));  // bits past the key
  CHECK_FALSE(tp::wire::is_public_key_base64(tp::encode_base64(std::string(31, 'k'))));
  CHECK_FALSE(tp::wire::is_public_key_base64(good.substr(0, 10) + "-" + good.substr(11)));
}
