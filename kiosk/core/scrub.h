// Personal details in residents' notes, replaced on the device before a note
// is stored: the kiosk keeps "[phone]", never the number. `tenpoint notes
// scrub` runs the same code, so staff can see what it does.
//
// What it looks for, pass by pass (a later pass never touches text an
// earlier one took):
//   1. email addresses, also "bob @ gmail.com" and "jo dot bloggs at gmail dot com";
//   2. full UK postcodes ("CF10 3AT", "sw1a1aa"), checked against the real
//      postcode areas so that "MP3" or "A470" never count;
//   3. digit runs: UK phone numbers (07..., 0161 ..., (020) ..., +44, 0044,
//      44, +44 (0)...), local numbers after "ring" or "phone", sort codes,
//      then any run of 7 or more digits (card, account, NHS and reference
//      numbers). The card (Luhn) and NHS (mod 11) checksums join a run that
//      is spaced oddly; years ("2024-2025"), dates and sums of money stay;
//   4. street addresses that start with a house number ("12 Acacia Avenue",
//      "flat 3, 22 High Street", "5 Stryd Fawr");
//   5. an outward code alone ("CF24") where the words around it make it a
//      place: "postcode cf14", "I live in M14", "the CF5 area";
//   6. names after "my name is", "I'm", "I am", "call me", "this is",
//      "it's", "fy enw i yw", "galwch fi'n", "dyma" and "... ydw i".
//      After the words that also start ordinary sentences ("I'm", "it's")
//      only a capitalised word that is not a common word counts, so "I'm
//      Happy" and "It's Tuesday" stay.
//
// Invariants:
//   1. Pure: no I/O and no state; the same note and language always give
//      the same result.
//   2. The result is valid UTF-8 whatever the input: invalid bytes are
//      dropped first, as clean_answer_text() drops them.
//   3. Everything outside a detail is copied byte for byte; a detail becomes
//      its kind's marker in the visit's language ("[phone]", "[ffôn]"),
//      English where the language has none.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tp {

enum class DetailKind { email, postcode, phone, number, address, name };

// "email", "postcode", ...: the marker's English word, for tests and reports.
const char* detail_kind_name(DetailKind kind);

// The marker that replaces a detail, such as "[phone]" or, for "cy", "[ffôn]".
std::string detail_marker(DetailKind kind, std::string_view language);

struct FoundDetail {
  DetailKind kind;
  std::size_t begin;  // byte offsets into the note as given (valid UTF-8)
  std::size_t end;
};

// The details in a note, in order, never overlapping. `valid_utf8` must be
// valid UTF-8 (scrub_note() sees to it).
std::vector<FoundDetail> find_details(std::string_view valid_utf8);

// The note with every detail replaced by its marker.
std::string scrub_note(std::string_view note, std::string_view language);

}  // namespace tp
