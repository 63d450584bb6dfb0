// Read-back cards: the document's round trip and checks, the signature and
// its anti-rollback rule, and a card file never passing as a question set.
#include <catch2/catch.hpp>
#include <filesystem>

#include "readback.h"
#include "set_delivery.h"
#include "signed_set.h"
#include "support.h"

using namespace tp;

namespace {

const SetSigningKeys& keys() {
  static const SetSigningKeys k = make_set_signing_keys();
  return k;
}

Readback sample() {
  Readback r;
  r.venue = "Central Library";
  r.count = ReadbackCount{"2026-12", 143};
  ReadbackCard c;
  c.id = "7";
  c.language = "en";
  c.from = "2026-12-01";
  c.until = "2027-01-31";
  c.texts["en"] = CardText{{"The children's corner is the best thing here."}, "did", "We added two more beanbags and a story hour."};
  c.texts["ar"] = CardText{{"ركن الأطفال هو أفضل شيء هنا."}, "will", "سنضيف ساعة للقصص."};
  r.cards.push_back(c);
  ReadbackCard q;
  q.id = "8";
  q.language = "cy";
  q.from = "2026-11-01";
  q.until = "2026-11-30";
  q.texts["cy"] = CardText{{"Mae'r staff yn garedig.", "Mwy o seddi, os gwelwch yn dda."}, "", ""};
  r.cards.push_back(q);
  return r;
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a card file's document reads back as written", "[readback]") {
  const std::string bytes = write_readback(sample());
  auto parsed = parse_readback(bytes);
  REQUIRE(parsed);
  CHECK(parsed->venue == "Central Library");
  REQUIRE(parsed->count);
  CHECK(parsed->count->people == 143);
  REQUIRE(parsed->cards.size() == 2);
  CHECK(parsed->cards[0].texts.at("ar").we == "will");
  CHECK(parsed->cards[1].texts.at("cy").said.size() == 2);
  CHECK(write_readback(*parsed) == bytes);  // equal documents, equal bytes
}

TEST_CASE("a card shows in the visit's language, else in its own", "[readback]") {
  const Readback r = sample();
  CHECK(card_text(r.cards[0], "ar").answer == "سنضيف ساعة للقصص.");
  CHECK(card_text(r.cards[0], "bn").answer == "We added two more beanbags and a story hour.");
  CHECK(card_live(r.cards[0], "2026-12-01"));
  CHECK(card_live(r.cards[0], "2027-01-31"));
  CHECK_FALSE(card_live(r.cards[0], "2027-02-01"));
  CHECK_FALSE(card_live(r.cards[1], "2026-12-02"));
}

TEST_CASE("a card file breaking the rules is refused with a reason", "[readback]") {
  const std::string good = write_readback(sample());
  struct Case {
    std::string from, to, words;
  };
  const std::vector<Case> cases = {
      {"\"people\": 143", "\"people\": 4", "never read back"},
      {"\"until\": \"2027-01-31\"", "\"until\": \"2026-11-30\"", "ends before it starts"},
      {"\"from\": \"2026-12-01\"", "\"from\": \"2026-02-30\"", "YYYY-MM-DD"},
      {"\"we\": \"did\"", "\"we\": \"might\"", "\"did\" or \"will\""},
      {"\"language\": \"cy\"", "\"language\": \"pl\"", "no words in its own language"},
      {"\"id\": \"8\"", "\"id\": \"7\"", "two cards have the id"},
      {"\"venue\"", "\"place\"", "unknown key"},
      {"tenpoint-readback/1", "tenpoint-readback/2", "\"format\""},
  };
  for (const Case& c : cases) {
    INFO(c.to);
    auto parsed = parse_readback(with(good, c.from, c.to));
    REQUIRE_FALSE(parsed);
    CHECK_THAT(parsed.message(), Catch::Contains(c.words));
  }
  Readback many = sample();
  many.cards[0].texts["en"].said = {"a", "b", "c", "d"};
  CHECK_FALSE(parse_readback(write_readback(many)));
  Readback long_quote = sample();
  long_quote.cards[0].texts["en"].said = {std::string(kMaxCardTextBytes + 1, 'x')};
  CHECK_THAT(parse_readback(write_readback(long_quote)).message(), Catch::Contains("UTF-8 text of 1 to"));
  CHECK_FALSE(parse_readback(with(good, "best thing", "best \xC3\x28thing")));
  Readback none = sample();
  none.cards.clear();
  none.count.reset();
  CHECK(parse_readback(write_readback(none)));
}

TEST_CASE("signed cards open only with the trusted key and a newer serial", "[readback][signing]") {
  const std::string doc = write_readback(sample());
  auto file = sign_readback(doc, 40, keys().secret_key);
  REQUIRE(file);
  auto opened = open_signed_readback(*file, keys().public_key, 39);
  REQUIRE(opened);
  CHECK(opened.serial == 40);
  CHECK(opened.readback->cards.size() == 2);

  CHECK(open_signed_readback(*file, keys().public_key, 40).refusal == SetRefusal::not_newer);
  CHECK(open_signed_readback(*file, keys().public_key, 40, SerialRule::same_or_newer));
  auto older = open_signed_readback(*file, keys().public_key, 41);
  CHECK(older.refusal == SetRefusal::not_newer);
  CHECK_THAT(older.reason, Catch::Contains("older than the card file already accepted"));

  const SetSigningKeys other = make_set_signing_keys();
  CHECK(open_signed_readback(*file, other.public_key, 0).refusal == SetRefusal::wrong_key);
  auto foreign = sign_readback(doc, 41, other.secret_key);
  REQUIRE(foreign);
  CHECK(open_signed_readback(*foreign, keys().public_key, 0).refusal == SetRefusal::wrong_key);

  // Raising the serial breaks the signature.
  CHECK(open_signed_readback(with(*file, "\"serial\": 40", "\"serial\": 99"), keys().public_key, 0).refusal == SetRefusal::tampered);
  CHECK(open_signed_readback(*file, "", 0).refusal == SetRefusal::no_trusted_key);

  // Signed, newer, but wrong inside.
  auto invalid = sign_readback(with(doc, "\"people\": 143", "\"people\": 2"), 42, keys().secret_key);
  REQUIRE(invalid);
  auto refused = open_signed_readback(*invalid, keys().public_key, 0);
  CHECK(refused.refusal == SetRefusal::invalid_set);
  CHECK_THAT(refused.reason, Catch::Contains("never read back"));
}

TEST_CASE("a card file is never taken for a question set, nor a set for cards", "[readback][signing]") {
  auto cards = sign_readback(write_readback(sample()), 5, keys().secret_key);
  REQUIRE(cards);
  auto as_set = open_signed_set(*cards, keys().public_key, 0);
  CHECK(as_set.refusal == SetRefusal::malformed);
  // The same bytes under the set's member name and format still fail: the
  // format string is under the signature.
  std::string renamed = with(with(*cards, "tenpoint-signed-readback/1", "tenpoint-signed-set/1"), "\"cards\":", "\"set\":");
  CHECK(open_signed_set(renamed, keys().public_key, 0).refusal == SetRefusal::tampered);
  auto set = sign_set("{}", 6, keys().secret_key);
  REQUIRE(set);
  CHECK(open_signed_readback(*set, keys().public_key, 0).refusal == SetRefusal::malformed);
}

TEST_CASE("a kiosk takes the delivered cards at or above its accepted copy, and only its venue's", "[readback][files]") {
  const std::string dir = test::scratch_dir("readback_kiosk_files");
  Readback doc = sample();
  auto put = [&](const std::string& path, std::int64_t serial) {
    auto file = sign_readback(write_readback(doc), serial, keys().secret_key);
    REQUIRE(file);
    REQUIRE(write_file_atomically(path, *file));
  };
  CHECK_FALSE(load_kiosk_cards(dir, keys().public_key, "Central Library").readback);  // nothing yet: as before cards
  put(delivered_readback_path(dir), 5);
  KioskCards first = load_kiosk_cards(dir, keys().public_key, "Central Library");
  REQUIRE(first.readback);
  CHECK(first.serial == 5);
  CHECK(test::read_file(accepted_readback_path(dir)) == test::read_file(delivered_readback_path(dir)));
  // An older file in its place is refused; the accepted copy serves.
  put(delivered_readback_path(dir), 3);
  KioskCards older = load_kiosk_cards(dir, keys().public_key, "Central Library");
  REQUIRE(older.readback);
  CHECK(older.serial == 5);
  CHECK_THAT(older.problem, Catch::Contains("(not_newer)"));
  // The delivered file gone: the accepted copy still serves.
  std::filesystem::remove(delivered_readback_path(dir));
  CHECK(load_kiosk_cards(dir, keys().public_key, "Central Library").serial == 5);
  // Another venue's cards are never shown, the accepted copy included.
  doc.venue = "North Branch";
  put(delivered_readback_path(dir), 6);
  KioskCards other = load_kiosk_cards(dir, keys().public_key, "Central Library");
  CHECK(other.serial == 5);
  CHECK_THAT(other.problem, Catch::Contains("they are for North Branch"));
  CHECK_FALSE(load_kiosk_cards(dir, keys().public_key, "South").readback);
}
