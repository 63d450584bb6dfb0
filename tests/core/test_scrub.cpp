// The note scrubber: each kind of detail, the ordinary text it must leave
// alone, and the labelled corpus in tests/data/scrub_corpus.tsv with its
// recall per kind and false-alarm rate.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "fakes/fakes.h"
#include "scrub.h"
#include "support.h"
#include "text.h"
#include "visit.h"

using tp::scrub_note;

namespace {

std::string en(const std::string& note) { return scrub_note(note, "en"); }

}  // namespace

TEST_CASE("phone numbers in their common spellings", "[scrub]") {
  for (const char* phone : {"07700 900123", "07700900123", "07700-900-123", "07700 900 123", "+44 7700 900123", "+447700900123",
                            "0044 7700 900123", "44 7700 900123", "(020) 7946 0958", "020 7946 0958", "0161 496 0000", "0161-496-0000",
                            "+44 (0)20 7946 0958", "+44-7700-900-123", "01632 960123", "029 2018 0456", "07700.900.123"}) {
    INFO(phone);
    CHECK(en(std::string("ring me on ") + phone + " after 6") == "ring me on [phone] after 6");
  }
  CHECK(en("ring 946 0123 and leave a message") == "ring [phone] and leave a message");
  CHECK(en("home 01632960987 mobile 07700900135") == "home [phone] mobile [phone]");
}

TEST_CASE("email addresses, also with spaces or spelled out", "[scrub]") {
  CHECK(en("email me at jo.bloggs@gmail.com about it") == "email me at [email] about it");
  CHECK(en("(pete.harris@outlook.com)") == "([email])");
  CHECK(en("please reply to fran@frangardens.com.") == "please reply to [email].");
  CHECK(en("my email is grandad.bob @ gmail.com") == "my email is [email]");
  CHECK(en("jo dot bloggs at gmail dot com, please") == "[email], please");
  CHECK(en("Email me kerry.w at hotmail.com") == "Email me [email]");
  // "at" between ordinary words is not an address.
  CHECK(en("Look at bbc.co.uk for the news") == "Look at bbc.co.uk for the news");
  CHECK(en("I work at tesco.com now") == "I work at tesco.com now");
}

TEST_CASE("postcodes, full and partial", "[scrub]") {
  for (const char* postcode : {"SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "sw1a1aa", "cf10 3at", "EC1A1BB"})
    CHECK(en(std::string("I live at ") + postcode + " now") == "I live at [postcode] now");
  CHECK(en("I'm from CF24, the branch is shut") == "I'm from [postcode], the branch is shut");
  CHECK(en("My postcode is cf14") == "My postcode is [postcode]");
  CHECK(en("people in the CF5 area") == "people in the [postcode] area");
  // Outward codes without a reason to be places, and things shaped like them.
  for (const char* ordinary : {"The M4 traffic is awful", "I came on the M1 from Leicester", "Room G1 was perfect", "A4 paper ran out",
                               "MP3 players for loan", "The A470 roadworks", "Our U12 team", "on the 2nd floor", "Room B12 3rd door"})
    CHECK(en(ordinary) == ordinary);
}

TEST_CASE("card, account, sort code, NHS and other long numbers", "[scrub]") {
  CHECK(en("card 4547 2749 0458 7345 charged twice") == "card [number] charged twice");
  CHECK(en("Amex 3715 344879 91381") == "Amex [number]");
  CHECK(en("sort code 20-45-77 account 66804027") == "sort code [number] account [number]");
  CHECK(en("Sort code 60 83 71") == "Sort code [number]");
  CHECK(en("my NHS number is 474 793 8095") == "my NHS number is [number]");
  // The checksums join groups spaced oddly.
  CHECK(en("nhs 47 47 93 80 95") == "nhs [number]");
  CHECK(en("card 45 4727 4904 5873 45") == "card [number]");
  CHECK(en("reference 7384920 please") == "reference [number] please");
  CHECK(en("housing ref 8765 4321 09") == "housing ref [number]");
}

TEST_CASE("street addresses that start with a house number", "[scrub]") {
  CHECK(en("I live at 12 Acacia Avenue and") == "I live at [address] and");
  CHECK(en("flat 3, 22 High Street - the bins") == "[address] - the bins");
  CHECK(en("we are at 56 oak drive") == "we are at [address]");
  CHECK(en("my flat is 7B Elm Street") == "my flat is [address]");
  CHECK(en("230 Cowbridge Road East") == "[address]");
  CHECK(en("deliver to 40 Queen Street, flat 2") == "deliver to [address]");
  CHECK(scrub_note("Rydw i'n byw yn 22 Stryd y Castell", "cy") == "Rydw i'n byw yn [cyfeiriad]");
  CHECK(scrub_note("12 Heol y Nant os gwelwch yn dda", "cy") == "[cyfeiriad] os gwelwch yn dda");
  for (const char* ordinary : {"I waited 20 minutes on the road", "The 3 Church Street shops are empty", "there are 3 close friends here",
                               "Level 3 car park", "I park in the car park on Mill Lane", "Heol y Plas ar gau eto"})
    CHECK(en(ordinary) == ordinary);
}

TEST_CASE("names after the words that introduce them", "[scrub]") {
  CHECK(en("My name is Sarah Jones and I love it") == "My name is [name] and I love it");
  CHECK(en("my name is karen smith, thanks") == "my name is [name], thanks");
  CHECK(en("Hi I'm Priya, the club is great") == "Hi I'm [name], the club is great");
  CHECK(en("I am Mr Hughes and the toilets") == "I am [name] and the toilets");
  CHECK(en("call me Bob, everyone does") == "call me [name], everyone does");
  CHECK(en("it's me, Barbara, again") == "it's me, [name], again");
  CHECK(en("My name is Łukasz") == "My name is [name]");
  CHECK(scrub_note("fy enw i yw Siân Williams ac rwy'n dod", "cy") == "fy enw i yw [enw] ac rwy'n dod");
  CHECK(scrub_note("Heulwen ydw i, a hoffwn", "cy") == "[enw] ydw i, a hoffwn");
  CHECK(scrub_note("Dyma Gareth o'r côr", "cy") == "Dyma [enw] o'r côr");
  for (const char* ordinary : {"I'm happy", "I'm Happy", "It's Tuesday and", "This is Cardiff", "I'm Welsh and", "Call me old fashioned",
                               "My name is on the waiting list", "I'm Looking forward to it", "It's OK", "Fy enw i ar y rhestr aros",
                               // A capitalised word that runs on into its sentence is emphasis, not a name.
                               "I'm Grumpy today but", "It's Grim when the heating is off"})
    CHECK(en(ordinary) == ordinary);
}

TEST_CASE("ordinary numbers stay", "[scrub]") {
  for (const char* ordinary : {"open 9 to 5",
                               "room 101",
                               "a 7 out of 10",
                               "2 buses an hour",
                               "I'm happy",
                               "10am to 4pm",
                               "the 2023 plan",
                               "bus 38",
                               "level 3",
                               "The 2024-2025 programme",
                               "On 12/03/2024 it closed",
                               "closed 12-03-2024 early",
                               "£250,000 of cuts",
                               "It costs £2.50",
                               "24/7",
                               "9:30 rhyme time",
                               "8/10",
                               "Doors 6.30",
                               "from 2015 to 2020",
                               "2023 2024 were hard years",
                               "the 0800 helpline",
                               "Call 999"})
    CHECK(en(ordinary) == ordinary);
}

TEST_CASE("markers follow the visit's language, English where it has none", "[scrub]") {
  CHECK(scrub_note("07700 900123", "cy") == "[ffôn]");
  CHECK(scrub_note("CF10 3AT", "cy") == "[cod post]");
  CHECK(scrub_note("a@b.com", "cy") == "[e-bost]");
  CHECK(scrub_note("07700 900123", "pl") == "[phone]");
  CHECK(scrub_note("07700 900123", "cy-GB") == "[ffôn]");
}

TEST_CASE("invalid UTF-8 never passes through, and nothing else breaks it", "[scrub]") {
  CHECK(en("call \xff\xfe 07700 900123 \xc3") == "call  [phone] ");
  CHECK(tp::is_valid_utf8(en(std::string("\xed\xa0\x80 my name is Siân \xf4\x90\x80\x80"))));
  CHECK(en("") == "");
  CHECK(en("@") == "@");
  CHECK(en("@@@ .. @a. a@ @.com") == "@@@ .. @a. a@ @.com");
  CHECK(en("+") == "+");
  CHECK(en("(((((") == "(((((");
  CHECK(en("my name is") == "my name is");
  CHECK(en("I'm") == "I'm");
  CHECK(en("12") == "12");
  // Every byte value, and every prefix of a note with details, comes out valid.
  std::string bytes;
  for (int b = 0; b < 256; ++b) bytes += static_cast<char>(b);
  CHECK(tp::is_valid_utf8(en(bytes)));
  std::string note = "My name is Siân, 12 Heol y Nant, CF10 3AT, 07700 900123, siân@example.cymru, ŵ";
  for (std::size_t n = 0; n <= note.size(); ++n) CHECK(tp::is_valid_utf8(en(note.substr(0, n))));
}

TEST_CASE("the kiosk stores a note scrubbed, in the visit's language, and no longer than the question allows", "[scrub][visit]") {
  using namespace tp;
  using namespace std::chrono_literals;
  QuestionSet set = test::demo_set();
  KioskConfig config;
  Strings strings = test::demo_strings();
  test::MemoryStore store;
  test::FixedStamps stamps;
  test::FixedPin pins{"2468"};
  TimePoint now = TimePoint{} + 1000h;
  Visit visit{set, config, strings, store, store, stamps, pins, now};
  auto send = [&](const Event& e) { visit.handle(e, now); };

  send(ev::Tap{});
  send(ev::ChooseScore{7});
  REQUIRE(visit.screen() == Screen::text);
  send(ev::TypeText{"Ring me on 07700 900123, I'm Priya"});
  send(ev::Done{});
  REQUIRE(store.find("not_lower"));
  CHECK(*store.find("not_lower")->text == "Ring me on [phone], I'm [name]");

  // In Welsh the markers are Welsh; the cap holds even where they are longer than the detail.
  test::MemoryStore welsh_store;
  Visit welsh{set, config, strings, welsh_store, welsh_store, stamps, pins, now};
  welsh.handle(ev::SelectLanguage{"cy"}, now);
  welsh.handle(ev::Tap{}, now);
  welsh.handle(ev::ChooseScore{7}, now);
  REQUIRE(welsh.screen() == Screen::text);
  std::string typed = "Ffoniwch 07700 900123 ";
  while (count_code_points(typed) < 290) typed += "postcode M1 ";
  welsh.handle(ev::TypeText{typed}, now);
  welsh.handle(ev::Done{}, now);
  REQUIRE(welsh_store.find("not_lower"));
  const std::string& stored = *welsh_store.find("not_lower")->text;
  CHECK(stored.rfind("Ffoniwch [ffôn] postcode [cod post] ", 0) == 0);
  CHECK(count_code_points(stored) <= 300);
  CHECK(is_valid_utf8(stored));
  CHECK(stored.find("07700") == std::string::npos);
}

// ---- The labelled corpus ------------------------------------------------------

namespace {

struct Detail {
  std::string kind;  // as labelled: phone, email, ..., card, nhs, account
  std::string text;
};

struct CorpusLine {
  int line = 0;
  std::string language, note;
  std::vector<Detail> details;
};

std::vector<CorpusLine> read_corpus() {
  std::ifstream in(tp::test::source_dir() + "/tests/data/scrub_corpus.tsv");
  REQUIRE(in);
  std::vector<CorpusLine> lines;
  std::string raw;
  int number = 0;
  while (std::getline(in, raw)) {
    ++number;
    if (raw.empty() || raw[0] == '#') continue;
    CorpusLine c;
    c.line = number;
    std::istringstream fields(raw);
    std::string details;
    std::getline(fields, c.language, '\t');
    std::getline(fields, c.note, '\t');
    std::getline(fields, details);
    if (details != "-") {
      std::size_t at = 0;
      while (at <= details.size()) {
        std::size_t bar = details.find(" | ", at);
        std::string item = details.substr(at, bar == std::string::npos ? std::string::npos : bar - at);
        std::size_t eq = item.find('=');
        INFO("tests/data/scrub_corpus.tsv:" << number);
        REQUIRE(eq != std::string::npos);
        REQUIRE(c.note.find(item.substr(eq + 1)) != std::string::npos);
        c.details.push_back({item.substr(0, eq), item.substr(eq + 1)});
        if (bar == std::string::npos) break;
        at = bar + 3;
      }
    }
    lines.push_back(std::move(c));
  }
  return lines;
}

// The marker's kind for a label: cards, accounts and NHS numbers are [number].
tp::DetailKind marker_kind(const std::string& label) {
  if (label == "phone") return tp::DetailKind::phone;
  if (label == "email") return tp::DetailKind::email;
  if (label == "postcode") return tp::DetailKind::postcode;
  if (label == "address") return tp::DetailKind::address;
  if (label == "name") return tp::DetailKind::name;
  return tp::DetailKind::number;
}

// Letters and digits only, each word of a text once per appearance.
std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::string w;
  for (char32_t c : tp::decode_utf8(text)) {
    bool part = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
    if (part) {
      tp::append_utf8(w, c);
    } else if (!w.empty()) {
      words.push_back(w);
      w.clear();
    }
  }
  if (!w.empty()) words.push_back(w);
  return words;
}

std::size_t count_of(const std::vector<std::string>& words, const std::string& w) {
  return static_cast<std::size_t>(std::count(words.begin(), words.end(), w));
}

// Caught: each of the detail's words appears in the output that many times
// fewer than in the note, and the kind's marker is there.
bool caught(const CorpusLine& c, const Detail& d, const std::string& out) {
  if (out.find(tp::detail_marker(marker_kind(d.kind), c.language)) == std::string::npos) return false;
  auto in_note = words_of(c.note), in_out = words_of(out), in_detail = words_of(d.text);
  for (const auto& w : in_detail)
    if (count_of(in_out, w) + count_of(in_detail, w) > count_of(in_note, w)) return false;
  return true;
}

}  // namespace

TEST_CASE("the labelled corpus: recall per kind and false alarms on ordinary notes", "[scrub][corpus]") {
  std::vector<CorpusLine> corpus = read_corpus();
  REQUIRE(corpus.size() >= 500);
  std::map<std::string, std::pair<int, int>> recall;  // kind -> caught, total
  int ordinary = 0, false_alarms = 0, details_lines = 0, over_scrubbed = 0;
  std::string misses;
  for (const auto& c : corpus) {
    std::string out = scrub_note(c.note, c.language);
    // Scrubbing twice changes nothing more.
    CHECK(scrub_note(out, c.language) == out);
    if (c.details.empty()) {
      ++ordinary;
      if (out != c.note) {
        ++false_alarms;
        misses += "  false alarm, line " + std::to_string(c.line) + ": " + out + "\n";
      }
      continue;
    }
    ++details_lines;
    for (const auto& d : c.details) {
      auto& [hit, total] = recall[d.kind];
      ++total;
      if (caught(c, d, out))
        ++hit;
      else
        misses += "  missed " + d.kind + ", line " + std::to_string(c.line) + ": " + out + "\n";
    }
    // Words outside every detail should survive too.
    std::string rest = c.note;
    for (const auto& d : c.details) rest.replace(rest.find(d.text), d.text.size(), " ");
    auto out_words = words_of(out);
    for (const auto& w : words_of(rest))
      if (count_of(out_words, w) < count_of(words_of(rest), w)) {
        ++over_scrubbed;
        misses += "  took more than the details, line " + std::to_string(c.line) + ": " + out + "\n";
        break;
      }
  }
  std::printf("scrub corpus: %zu notes, %d with details, %d ordinary\n", corpus.size(), details_lines, ordinary);
  int all_hit = 0, all_total = 0;
  for (const auto& [kind, counts] : recall) {
    std::printf("  recall %-8s %3d/%3d  %5.1f%%\n", kind.c_str(), counts.first, counts.second, 100.0 * counts.first / counts.second);
    all_hit += counts.first;
    all_total += counts.second;
  }
  std::printf("  recall all      %3d/%3d  %5.1f%%\n", all_hit, all_total, 100.0 * all_hit / all_total);
  std::printf("  false alarms    %3d/%3d  %5.1f%% of ordinary notes changed\n", false_alarms, ordinary, 100.0 * false_alarms / ordinary);
  std::printf("  over-scrubbed   %3d/%3d  notes with details where other words went too\n", over_scrubbed, details_lines);
  if (!misses.empty()) std::printf("%s", misses.c_str());
  std::fflush(stdout);

  for (const auto& [kind, counts] : recall) {
    INFO("recall for " << kind << ": " << counts.first << "/" << counts.second);
    CHECK(counts.first * 100 >= counts.second * 95);
  }
  CHECK(ordinary >= 250);
  CHECK(false_alarms * 100 <= ordinary * 2);
}
