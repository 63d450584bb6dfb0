// Read-back cards ("You said, we did"): what the venue heard from residents
// and what it did about it, shown on the kiosk's attract screen between
// invitations. The central server writes a venue's cards into one document,
// signs it with the key that signs question sets (signed_set.h, under its
// own format string) and delivers it like a question set: ETag, serial,
// anti-rollback. The format is documented in config/questions/READBACK.md.
//
//   admin: note marked "read back" --card (quote, "We did", dates)--> server
//   server --composes the venue's live cards and its month's count, signs-->
//   .tpcards --tenpoint-sync, checked--> DATA/readback.tpcards
//   kiosk, on the attract screen --opened again, dates checked--> rotated
//
// Invariants:
//   1. A card is shown only from a file that passed every check of
//      open_signed_payload() and parse_readback(), with a serial at or above
//      the one the kiosk accepted last (the same table as question sets,
//      under its own name).
//   2. parse_readback() bounds everything: at most kMaxCards cards, each with
//      at most kMaxQuotes quotes of at most kMaxCardTextBytes, valid UTF-8.
//   3. The count is in the file only when it is at least kMinPeopleCounted
//      (the k rule); the kiosk refuses a file with a smaller one, and shows
//      it only in the month after the one it counts.
//   4. A kiosk that never receives a file shows what it always showed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signed_set.h"
#include "status.h"

namespace tp {

inline constexpr std::string_view kReadbackFormat = "tenpoint-readback/1";
inline constexpr SignedKind kSignedReadbackKind{"tenpoint-signed-readback/1", "cards", "read-back card file", "card file"};
inline constexpr std::size_t kMaxCards = 50;
inline constexpr std::size_t kMaxQuotes = 3;
inline constexpr std::size_t kMaxCardTextBytes = 600;
// No count smaller than this is ever read back (the reports' k rule).
inline constexpr std::int64_t kMinPeopleCounted = 5;

// A card's words in one language.
struct CardText {
  std::vector<std::string> said;  // the quotes: one or more notes, as moderated
  std::string we;                 // "did", "will", or "" (no answer yet)
  std::string answer;             // the venue's answer; empty when `we` is ""
};

struct ReadbackCard {
  std::string id;
  std::string language;                   // the card's own language: its words when the visit's are missing
  std::string from, until;                // YYYY-MM-DD, both days shown
  std::map<std::string, CardText> texts;  // by language code; always has `language`
};

// "Last month, 143 people told us ...": visits with a note in `month`, the
// last whole month (so no day's count can be had by subtracting two).
struct ReadbackCount {
  std::string month;  // YYYY-MM
  std::int64_t people = 0;
};

struct Readback {
  std::string venue;
  std::vector<ReadbackCard> cards;
  std::optional<ReadbackCount> count;
};

// The document's bytes, members in a fixed order (equal documents, equal bytes).
std::string write_readback(const Readback& readback);
// Fault::invalid_input with words a person can act on.
Result<Readback> parse_readback(std::string_view bytes);
// One card alone, as the document holds it (the server stores cards so).
std::string write_card(const ReadbackCard& card);
Result<ReadbackCard> parse_card(std::string_view bytes);

// The card's words in `language`, else in its own language.
const CardText& card_text(const ReadbackCard& card, std::string_view language);
// Whether `today` (YYYY-MM-DD) is within the card's dates.
bool card_live(const ReadbackCard& card, std::string_view today);
// The month before the one of `today` (YYYY-MM-DD), as YYYY-MM: "2026-11"
// for "2026-12-02". The count is read back in the month after it counts.
std::string previous_month(std::string_view today);
// Whether `day` is a real date written YYYY-MM-DD.
bool valid_day(std::string_view day);

Result<std::string> sign_readback(std::string_view readback_bytes, std::int64_t serial, std::string_view secret_key);

struct OpenedReadback {
  std::optional<Readback> readback;
  std::int64_t serial = 0;
  SetRefusal refusal = SetRefusal::malformed;
  std::string reason;  // when refused
  explicit operator bool() const { return readback.has_value(); }
};
// Every check of a signed question set, then parse_readback() (a refusal of
// kind invalid_set says what is wrong inside).
OpenedReadback open_signed_readback(std::string_view file_text, std::string_view trusted_public_key, std::int64_t current_serial,
                                    SerialRule rule = SerialRule::newer);

// DATA/readback.tpcards: where tenpoint-sync writes the venue's cards.
std::string delivered_readback_path(const std::string& data_dir);
// DATA/readback.accepted.tpcards: the kiosk's copy of the newest file it
// accepted. Its serial is the floor for every later file (invariant 1).
std::string accepted_readback_path(const std::string& data_dir);

// The cards a kiosk shows: the delivered file when it passes with a serial at
// or above the accepted copy's (which it then replaces), else the accepted
// copy; none when neither passes or neither exists.
struct KioskCards {
  std::optional<Readback> readback;
  std::int64_t serial = 0;
  std::string problem;  // why the delivered file was refused, for the log; "" when it was not
};
// `venue` is the kiosk's own (its enrolment's); a file for another venue is
// refused, as is an accepted copy from before the kiosk moved. Empty: any.
KioskCards load_kiosk_cards(const std::string& data_dir, std::string_view trusted_key, std::string_view venue = {});

// The attract screen's turns: kInviteSeconds of the invitation, then one card
// for kCardSeconds, then the invitation again, then the next card. -1: the
// invitation; else the index of the card to show.
inline constexpr int kInviteSeconds = 12;
inline constexpr int kCardSeconds = 10;
int attract_turn(std::int64_t seconds_on_attract, std::size_t cards);
// The second (counted like seconds_on_attract) at which the next turn begins.
std::int64_t next_turn_at(std::int64_t seconds_on_attract);

}  // namespace tp
