// The scrubber: hand-written scanning over the note's words, with no regular
// expressions. A note is at most a few hundred characters; every pass is one
// walk over its words, so a 300-character note takes microseconds on a Pi,
// far below the fsync of the commit that follows it (tests/bench/bench_scrub).
//
// [SECTION] Words: the note cut into words and the gaps between them
// [SECTION] Word lists
// [SECTION] Pass 1: email addresses
// [SECTION] Pass 2: full postcodes
// [SECTION] Pass 3: digit runs (phones, sort codes, long numbers)
// [SECTION] Pass 4: street addresses
// [SECTION] Pass 5: outward codes alone
// [SECTION] Pass 6: names
// [SECTION] Putting it together
#include "scrub.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <unordered_set>

#include "text.h"

namespace tp {

namespace {

// ---------------------------------------------------------------------------
// [SECTION] Words: the note cut into words and the gaps between them
// ---------------------------------------------------------------------------

bool ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool ascii_upper(char c) { return c >= 'A' && c <= 'Z'; }
char ascii_lower(char c) { return ascii_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// The code point at byte i of valid UTF-8, and its length in bytes. Every
// character of a note comes through here, so it decodes in place.
char32_t code_point_at(std::string_view s, std::size_t i, std::size_t& length) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) {
    length = 1;
    return lead;
  }
  length = utf8_sequence_length(s.substr(i));
  if (length == 0) {
    length = 1;
    return 0xFFFD;
  }
  char32_t c = length == 2 ? (lead & 0x1F) : length == 3 ? (lead & 0x0F) : (lead & 0x07);
  for (std::size_t k = 1; k < length; ++k) c = (c << 6) | (byte(k) & 0x3F);
  return c;
}

bool is_letter(char32_t c) { return c < 0x80 ? ascii_letter(static_cast<char>(c)) : (u_isalpha(static_cast<UChar32>(c)) != 0); }
bool is_mark(char32_t c) { return c >= 0x80 && (U_GET_GC_MASK(static_cast<UChar32>(c)) & U_GC_M_MASK) != 0; }

// A word is a run of letters and digits; an apostrophe (' or ’) or a hyphen
// between two letters stays inside it ("O'Connor", "Anne-Marie", "fi'n"),
// while "07700-900-123" stays three words.
struct Word {
  std::size_t begin = 0, end = 0;  // bytes
  std::string lower;               // ASCII lower-cased, ’ written as '
  int digits = 0;
  int letters = 0;
  bool capitalised = false;    // the first character is an upper-case letter
  bool shouted = false;        // two or more letters, all upper case
  bool upper_letters = false;  // every letter upper case ("M14", "CF24")

  bool only_digits() const { return letters == 0 && digits > 0; }
  bool only_letters() const { return digits == 0 && letters > 0; }
};

class Note {
 public:
  explicit Note(std::string_view text) : text_(text) { cut(); }

  std::string_view text() const { return text_; }
  const std::vector<Word>& words() const { return words_; }
  std::size_t size() const { return words_.size(); }
  const Word& operator[](std::size_t i) const { return words_[i]; }
  std::string_view raw(std::size_t i) const { return text_.substr(words_[i].begin, words_[i].end - words_[i].begin); }
  // The text between word i and word i + 1.
  std::string_view gap_after(std::size_t i) const {
    std::size_t from = words_[i].end;
    std::size_t to = i + 1 < words_.size() ? words_[i + 1].begin : text_.size();
    return text_.substr(from, to - from);
  }
  std::string_view gap_before(std::size_t i) const {
    std::size_t from = i == 0 ? 0 : words_[i - 1].end;
    return text_.substr(from, words_[i].begin - from);
  }
  bool single_space_after(std::size_t i) const { return i + 1 < words_.size() && gap_after(i) == " "; }
  bool is(std::size_t i, std::string_view lower) const { return i < words_.size() && words_[i].lower == lower; }

 private:
  void cut() {
    words_.reserve(text_.size() / 4 + 1);
    std::size_t i = 0;
    Word w;
    bool in_word = false;
    bool first = true;
    bool all_upper = true;
    auto finish = [&](std::size_t at) {
      if (!in_word) return;
      w.end = at;
      w.shouted = all_upper && w.letters >= 2;
      w.upper_letters = all_upper && w.letters >= 1;
      words_.push_back(w);
      in_word = false;
    };
    while (i < text_.size()) {
      std::size_t len = 1;
      char32_t c = code_point_at(text_, i, len);
      bool digit = c < 0x80 && ascii_digit(static_cast<char>(c));
      bool letter = is_letter(c) || (in_word && is_mark(c));
      if (digit || letter) {
        if (!in_word) {
          w = Word{};
          w.begin = i;
          in_word = true;
          first = true;
          all_upper = true;
        }
        if (digit) ++w.digits;
        if (letter && !is_mark(c)) {
          ++w.letters;
          bool upper =
              c < 0x80 ? ascii_upper(static_cast<char>(c)) : (u_isupper(static_cast<UChar32>(c)) || u_istitle(static_cast<UChar32>(c)));
          if (first) w.capitalised = upper;
          if (!upper) all_upper = false;
        }
        first = false;
        if (len == 1)
          w.lower += ascii_lower(static_cast<char>(c));
        else
          w.lower.append(text_.substr(i, len));
        i += len;
        continue;
      }
      // An apostrophe or hyphen joins two letters into one word.
      bool joiner = c == U'\'' || c == U'\x2019' || c == U'-';
      if (joiner && in_word && w.digits == 0 && i + len < text_.size()) {
        std::size_t next_len = 1;
        char32_t next = code_point_at(text_, i + len, next_len);
        if (is_letter(next)) {
          w.lower += c == U'-' ? '-' : '\'';
          i += len;
          continue;
        }
      }
      finish(i);
      i += len;
    }
    finish(text_.size());
  }

  std::string_view text_;
  std::vector<Word> words_;
};

// Which bytes earlier passes have taken.
class Taken {
 public:
  explicit Taken(std::size_t size) : taken_(size, false) {}
  bool any(std::size_t begin, std::size_t end) const {
    return std::any_of(taken_.begin() + static_cast<std::ptrdiff_t>(begin), taken_.begin() + static_cast<std::ptrdiff_t>(end),
                       [](bool b) { return b; });
  }
  bool add(std::vector<FoundDetail>& found, DetailKind kind, std::size_t begin, std::size_t end) {
    if (begin >= end || any(begin, end)) return false;
    std::fill(taken_.begin() + static_cast<std::ptrdiff_t>(begin), taken_.begin() + static_cast<std::ptrdiff_t>(end), true);
    found.push_back({kind, begin, end});
    return true;
  }

 private:
  std::vector<bool> taken_;
};

using WordSet = std::unordered_set<std::string_view>;

bool in(const WordSet& set, std::string_view word) { return set.count(word) > 0; }

// Whether any of the `span` words before word `i` is in `set`.
bool preceded_by(const Note& note, std::size_t i, std::size_t span, const WordSet& set) {
  for (std::size_t k = 1; k <= span && k <= i; ++k)
    if (in(set, note[i - k].lower)) return true;
  return false;
}

bool ends_with(std::string_view s, std::string_view tail) { return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail; }

// ---------------------------------------------------------------------------
// [SECTION] Word lists
// ---------------------------------------------------------------------------

// Every UK postcode area (Royal Mail), so that an outward code is a real one.
const WordSet& postcode_areas() {
  static const WordSet areas{"ab", "al", "b",  "ba", "bb", "bd", "bf", "bh", "bl", "bn", "br", "bs", "bt", "bx", "ca", "cb", "cf", "ch",
                             "cm", "co", "cr", "ct", "cv", "cw", "da", "dd", "de", "dg", "dh", "dl", "dn", "dt", "dy", "e",  "ec", "eh",
                             "en", "ex", "fk", "fy", "g",  "gl", "gu", "gy", "ha", "hd", "hg", "hp", "hr", "hs", "hu", "hx", "ig", "im",
                             "ip", "iv", "je", "ka", "kt", "kw", "ky", "l",  "la", "ld", "le", "ll", "ln", "ls", "lu", "m",  "me", "mk",
                             "ml", "n",  "ne", "ng", "nn", "np", "nr", "nw", "ol", "ox", "pa", "pe", "ph", "pl", "po", "pr", "rg", "rh",
                             "rm", "s",  "sa", "se", "sg", "sk", "sl", "sm", "sn", "so", "sp", "sr", "ss", "st", "sw", "sy", "ta", "td",
                             "tf", "tn", "tq", "tr", "ts", "tw", "ub", "w",  "wa", "wc", "wd", "wf", "wn", "wr", "ws", "wv", "yo", "ze"};
  return areas;
}

// Webmail hosts: "kerry.w at hotmail.com" is an address even spelled out.
const WordSet& mail_hosts() {
  static const WordSet hosts{"gmail", "googlemail",  "hotmail",  "outlook",  "live",       "yahoo",  "btinternet", "icloud", "me",  "aol",
                             "sky",   "virginmedia", "talktalk", "ntlworld", "protonmail", "proton", "msn",        "mail",   "gmx", "zoho"};
  return hosts;
}

const WordSet& top_level_domains() {
  static const WordSet tlds{"com",  "net", "org",   "uk",    "co",  "ac", "gov", "io",  "me",
                            "info", "biz", "cymru", "wales", "edu", "eu", "ie",  "scot"};
  return tlds;
}

const WordSet& phone_words() {
  static const WordSet words{"ring",    "call",     "phone", "tel",  "telephone", "mobile",   "mob",  "landline", "number", "text",
                             "contact", "whatsapp", "bell",  "ffon", "ffôn",      "ffoniwch", "rhif", "symudol",  "ffonio"};
  return words;
}

const WordSet& bank_words() {
  static const WordSet words{"sort", "sortcode", "didoli", "bank", "account", "acc", "acct", "cyfrif", "banc"};
  return words;
}

// Street words that are rarely anything else: "56 oak drive" is an address
// in lower case too.
const WordSet& strong_street_words() {
  static const WordSet words{"street", "road", "rd", "avenue", "ave", "lane", "crescent", "terrace", "drive", "boulevard", "mews"};
  return words;
}

// Street words that are also ordinary words ("3 close friends", "2 car
// park"): an address only when its words are capitalised ("3 Willow Close").
const WordSet& weak_street_words() {
  static const WordSet words{"st",    "way",     "close", "place", "court", "grove",  "hill",     "park",    "square", "walk",
                             "row",   "gardens", "green", "view",  "rise",  "parade", "cottages", "dr",      "gate",   "vale",
                             "wharf", "yard",    "quay",  "chase", "end",   "circus", "mount",    "heights", "fields", "meadows"};
  return words;
}

// Welsh street words come first: "12 Heol y Nant", "5 Stryd Fawr".
const WordSet& welsh_street_words() {
  static const WordSet words{"heol", "stryd", "ffordd", "lôn",   "lon",  "rhodfa", "cilgant", "teras",
                             "clos", "maes",  "cwrt",   "sgwâr", "rhes", "allt",   "llys"};
  return words;
}

// After a street name: "230 Cowbridge Road East".
const WordSet& street_suffixes() {
  static const WordSet words{"east", "west", "north", "south", "upper", "lower", "uchaf", "isaf"};
  return words;
}

// Words that never make part of a street's name: "waited 20 minutes on the road".
const WordSet& not_street_names() {
  static const WordSet words{"the",   "a",     "an",     "on",      "in",   "at",    "to",    "for",    "of",      "and",    "or",
                             "by",    "from",  "with",   "into",    "onto", "up",    "down",  "across", "along",   "off",    "over",
                             "my",    "our",   "your",   "their",   "his",  "her",   "its",   "is",     "are",     "was",    "were",
                             "be",    "it",    "this",   "that",    "we",   "i",     "you",   "they",   "minutes", "minute", "mins",
                             "hours", "hour",  "hrs",    "seconds", "days", "day",   "weeks", "week",   "months",  "month",  "years",
                             "year",  "times", "people", "miles",   "mile", "yards", "more",  "less",   "other",   "new",    "old",
                             "big",   "small", "busy",   "main",    "same", "wrong", "right", "car",    "bus",     "buses",  "kids"};
  return words;
}

// Words that end a name, or are not one, after "I'm", "it's", "this is" and
// the rest: function words, how people feel, who they are, where and when.
const WordSet& not_names() {
  static const WordSet words{
      // function words
      "a", "an", "the", "this", "that", "these", "those", "my", "your", "our", "his", "her", "their", "its", "it", "i", "me", "we", "you",
      "he", "she", "they", "here", "there", "so", "not", "no", "yes", "very", "really", "just", "also", "still", "always", "never", "only",
      "now", "then", "too", "quite", "rather", "pretty", "bit", "little", "lot", "all", "both", "each", "every", "some", "any", "more",
      "most", "much", "many", "few", "other", "another", "such", "what", "which", "who", "whom", "whose", "when", "where", "why", "how",
      "if", "because", "but", "and", "or", "as", "at", "by", "for", "from", "in", "into", "of", "off", "on", "onto", "out", "over", "to",
      "up", "with", "without", "about", "after", "before", "again", "back", "down", "even", "ever", "far", "well", "is", "was", "are", "be",
      "been", "being", "am", "do", "does", "did", "have", "has", "had", "will", "would", "can", "could", "should", "may", "might", "must",
      "shall", "let", "like", "one", "two", "three", "first", "last", "next", "same", "own", "nearly", "almost", "already", "often",
      "sometimes", "usually", "absolutely", "definitely", "totally", "actually", "probably", "maybe", "perhaps", "hi", "hello", "dear",
      "thanks", "thank", "please", "ok", "okay",
      // how people are and feel
      "happy", "glad", "sad", "sorry", "sure", "fine", "good", "great", "lovely", "brilliant", "amazing", "excellent", "fantastic",
      "wonderful", "awesome", "perfect", "nice", "best", "better", "worse", "worst", "bad", "terrible", "awful", "poor", "new", "old",
      "young", "older", "retired", "disabled", "deaf", "blind", "unemployed", "employed", "married", "single", "widowed", "pregnant",
      "busy", "free", "quiet", "noisy", "loud", "warm", "cold", "hot", "tired", "grateful", "thankful", "pleased", "delighted", "impressed",
      "disappointed", "annoyed", "angry", "upset", "worried", "concerned", "confused", "lost", "alone", "lonely", "safe", "important",
      "interesting", "boring", "clean", "dirty", "open", "closed", "shut", "late", "early", "full", "empty", "ready", "able", "unable",
      "afraid", "sick", "ill", "hungry", "local", "regular", "welcome", "big", "small", "large", "huge", "tiny", "long", "short", "high",
      "low", "easy", "hard", "difficult", "simple", "essential", "vital", "true", "real", "honest", "right", "wrong", "fab", "super",
      "cool", "shocking", "shocked", "rubbish", "excited", "proud", "lucky", "cheap", "expensive", "dear", "fair", "unfair", "easier",
      "harder", "ridiculous", "disgusting", "appalling", "unhappy", "satisfied", "dissatisfied", "frustrated", "embarrassed", "scared",
      "nervous", "stuck", "broke", "skint", "vegan", "vegetarian", "autistic", "dyslexic", "elderly", "housebound", "homeless", "new",
      "mum", "dad", "nan", "grandad", "student", "teacher", "carer", "volunteer", "parent", "resident", "member", "user", "reader",
      "visitor", "regular",
      // who people are
      "welsh", "english", "scottish", "irish", "british", "polish", "romanian", "spanish", "french", "german", "italian", "portuguese",
      "indian", "pakistani", "bangladeshi", "chinese", "somali", "syrian", "ukrainian", "african", "european", "american", "asian", "arab",
      "kurdish", "turkish", "muslim", "christian", "jewish", "hindu", "sikh", "catholic", "cymraeg",
      // where
      "wales", "cymru", "england", "scotland", "ireland", "britain", "uk", "london", "cardiff", "caerdydd", "swansea", "newport",
      "manchester", "birmingham", "leeds", "bristol", "liverpool", "glasgow", "edinburgh", "library", "council",
      // when
      "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "june", "july",
      "august", "september", "october", "november", "december", "spring", "summer", "autumn", "winter", "christmas", "easter", "eid",
      "diwali", "halloween", "today", "tonight", "tomorrow", "yesterday", "weekend",
      // Welsh function words
      "y", "yr", "yn", "ac", "o", "am", "gyda", "efo", "wedi", "ddim", "dim", "mae", "oedd", "yw", "ydy", "ond", "neu", "hefyd", "iawn",
      "ni", "chi", "fi", "nhw", "ei", "eu", "ein", "eich", "fy", "gan", "tan", "heb", "dros", "drwy", "rhwng", "hyd", "ger", "sy", "sydd",
      "bod", "wrth", "ar", "i", "hapus", "diolch", "da", "wych", "gwych", "yma", "nawr"};
  return words;
}

// Endings of words that are rarely names: "Looking", "Grateful", "Impressed".
bool has_common_word_ending(std::string_view lower) {
  for (std::string_view tail : {"ing", "ful", "ous", "able", "ible", "ness", "ment", "tive", "sive", "ised", "ized", "ated", "ssed"})
    if (lower.size() > tail.size() + 2 && ends_with(lower, tail)) return true;
  return false;
}

// ---------------------------------------------------------------------------
// [SECTION] Pass 1: email addresses
// ---------------------------------------------------------------------------

bool local_part_char(char c) {
  return ascii_letter(c) || ascii_digit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\'';
}
bool domain_char(char c) { return ascii_letter(c) || ascii_digit(c) || c == '.' || c == '-'; }

// "host.co.uk": at least two labels, none empty, ending in letters.
bool looks_like_domain(std::string_view d, bool known_tld_only) {
  if (d.empty() || d.front() == '.' || d.back() == '.' || d.find("..") != std::string_view::npos) return false;
  std::size_t dot = d.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string_view tld = d.substr(dot + 1);
  if (tld.size() < 2 || !std::all_of(tld.begin(), tld.end(), ascii_letter)) return false;
  if (!known_tld_only) return true;
  std::string lower;
  for (char c : tld) lower += ascii_lower(c);
  return in(top_level_domains(), lower);
}

void find_emails_with_at_sign(std::string_view s, Taken& taken, std::vector<FoundDetail>& found) {
  for (std::size_t at = s.find('@'); at != std::string_view::npos; at = s.find('@', at + 1)) {
    // "bob @ gmail.com": a space either side of the @ is common on a touch keyboard.
    std::size_t local_end = at;
    if (local_end > 0 && s[local_end - 1] == ' ') --local_end;
    std::size_t begin = local_end;
    while (begin > 0 && local_part_char(s[begin - 1])) --begin;
    while (begin < local_end && (s[begin] == '.' || s[begin] == '\'' || s[begin] == '-')) ++begin;
    if (begin == local_end) continue;
    std::size_t domain_begin = at + 1;
    if (domain_begin < s.size() && s[domain_begin] == ' ') ++domain_begin;
    std::size_t end = domain_begin;
    while (end < s.size() && domain_char(s[end])) ++end;
    while (end > domain_begin && (s[end - 1] == '.' || s[end - 1] == '-')) --end;
    if (!looks_like_domain(s.substr(domain_begin, end - domain_begin), false)) continue;
    taken.add(found, DetailKind::email, begin, end);
  }
}

// "kerry.w at hotmail.com", "jo dot bloggs at gmail dot com". Spelled out,
// an address needs a mail host or a local part no ordinary word has
// ("look at bbc.co.uk" stays).
void find_spelled_emails(const Note& note, Taken& taken, std::vector<FoundDetail>& found) {
  std::string_view s = note.text();
  auto run_left = [&](std::size_t end) {
    std::size_t b = end;
    while (b > 0 && local_part_char(s[b - 1])) --b;
    return b;
  };
  auto run_right = [&](std::size_t begin) {
    std::size_t e = begin;
    while (e < s.size() && domain_char(s[e])) ++e;
    return e;
  };
  for (std::size_t i = 1; i + 1 < note.size(); ++i) {
    if (note[i].lower != "at" || note.gap_before(i) != " " || note.gap_after(i) != " ") continue;
    // The local part, with " dot " spelled out between its pieces.
    std::size_t begin = run_left(note[i].begin - 1);
    if (begin == note[i].begin - 1) continue;
    std::string local(s.substr(begin, note[i].begin - 1 - begin));
    while (begin >= 5 && s.substr(begin - 5, 5) == " dot ") {
      std::size_t b = run_left(begin - 5);
      if (b == begin - 5) break;
      local = std::string(s.substr(b, begin - 5 - b)) + "." + local;
      begin = b;
    }
    std::size_t end = run_right(note[i].end + 1);
    if (end == note[i].end + 1) continue;
    std::string domain(s.substr(note[i].end + 1, end - note[i].end - 1));
    while (end + 5 < s.size() && s.substr(end, 5) == " dot ") {
      std::size_t e = run_right(end + 5);
      if (e == end + 5) break;
      domain += "." + std::string(s.substr(end + 5, e - end - 5));
      end = e;
    }
    while (!domain.empty() && domain.back() == '.') {
      domain.pop_back();
      --end;
    }
    if (!looks_like_domain(domain, true)) continue;
    std::string host;
    for (char c : domain.substr(0, domain.find('.'))) host += ascii_lower(c);
    bool unusual_local = local.find_first_of("._0123456789") != std::string::npos;
    if (!unusual_local && !in(mail_hosts(), host)) continue;
    taken.add(found, DetailKind::email, begin, end);
  }
}

// ---------------------------------------------------------------------------
// [SECTION] Pass 2: full postcodes
// ---------------------------------------------------------------------------

// "cf10", "m1", "sw1a", "b33" (lower case): area letters, then a district of
// a digit, two digits, or a digit and a letter.
bool is_outward_code(std::string_view w) {
  if (w.size() < 2 || w.size() > 4) return false;
  std::size_t letters = 0;
  while (letters < w.size() && ascii_letter(w[letters])) ++letters;
  if (letters == 0 || letters > 2 || !in(postcode_areas(), w.substr(0, letters))) return false;
  std::string_view district = w.substr(letters);
  if (district.empty() || district.size() > 2 || !ascii_digit(district[0])) return false;
  return district.size() == 1 || ascii_digit(district[1]) || ascii_letter(district[1]);
}

// "3at": a digit and two letters that Royal Mail uses (never C, I, K, M, O, V).
bool is_inward_code(std::string_view w) {
  if (w.size() != 3 || !ascii_digit(w[0])) return false;
  for (char c : w.substr(1))
    if (!ascii_letter(c) || std::string_view("cikmov").find(ascii_lower(c)) != std::string_view::npos) return false;
  return true;
}

// "1st", "2nd", "3rd", "4th": never the second half of a postcode in lower case.
bool is_ordinal(std::string_view raw) {
  if (raw.size() != 3 || !ascii_digit(raw[0])) return false;
  std::string_view tail = raw.substr(1);
  return tail == "st" || tail == "nd" || tail == "rd" || tail == "th";
}

void find_full_postcodes(const Note& note, Taken& taken, std::vector<FoundDetail>& found) {
  for (std::size_t i = 0; i < note.size(); ++i) {
    const Word& w = note[i];
    if (w.digits == 0 || w.letters == 0) continue;
    // Written together: "sw1a1aa", "CF103AT".
    if (w.lower.size() >= 5 && w.lower.size() <= 7 && is_inward_code(std::string_view(w.lower).substr(w.lower.size() - 3)) &&
        is_outward_code(std::string_view(w.lower).substr(0, w.lower.size() - 3))) {
      taken.add(found, DetailKind::postcode, w.begin, w.end);
      continue;
    }
    if (is_outward_code(w.lower) && i + 1 < note.size() && note.single_space_after(i) && is_inward_code(note[i + 1].lower) &&
        !is_ordinal(note.raw(i + 1))) {
      if (taken.add(found, DetailKind::postcode, w.begin, note[i + 1].end)) ++i;
    }
  }
}

// ---------------------------------------------------------------------------
// [SECTION] Pass 3: digit runs (phones, sort codes, long numbers)
// ---------------------------------------------------------------------------

// One group of digits and how it joins the one before it.
struct Group {
  std::size_t word;    // index in the note
  std::string digits;  // the group's digits
  bool hyphen_before = false;
};

// Between two groups of one run: spaces, one hyphen or dot, brackets
// ("(020) 7946", "+44 (0)20", "07700-900-123", "07700.900.123").
bool joins_groups(std::string_view gap) {
  if (gap.empty() || gap.size() > 3) return false;
  int marks = 0, spaces = 0;
  for (char c : gap) {
    if (c == ' ')
      ++spaces;
    else if (c == '-' || c == '.')
      ++marks;
    else if (c != '(' && c != ')')
      return false;
  }
  return marks <= 1 && spaces <= 2;
}

bool luhn_valid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

// NHS numbers: ten digits, the last a mod-11 check of the first nine.
bool nhs_valid(std::string_view digits) {
  if (digits.size() != 10) return false;
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (digits[static_cast<std::size_t>(i)] - '0') * (10 - i);
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  return check != 10 && check == digits[9] - '0';
}

// A UK number in any of its spellings, from its digits in order. Without
// a "+", a leading 44 is the country only when it stands apart ("44 7700
// 900123") or the whole number is one run ("447700900123"): a card number
// may start "4438 2852 ...".
bool is_phone_number(std::string_view digits, bool plus, bool country_apart) {
  bool international = false;
  if (digits.substr(0, 4) == "0044") {
    digits.remove_prefix(4);
    international = true;
  } else if (digits.substr(0, 2) == "44" && (plus || (country_apart && digits.size() >= 12))) {
    digits.remove_prefix(2);
    international = true;
  } else if (plus) {
    return digits.size() >= 8 && digits.size() <= 15;  // another country's number
  }
  // The national number, "0" first: "+44 (0)20" has it already, "+44 20" not.
  bool zero_missing = international && (digits.empty() || digits[0] != '0');
  std::size_t size = digits.size() + (zero_missing ? 1 : 0);
  if (!zero_missing && (digits.empty() || digits[0] != '0')) return false;
  std::string_view after_zero = zero_missing ? digits : digits.substr(1);
  if (size == 11) return std::string_view("1235789").find(after_zero[0]) != std::string_view::npos;
  // Ten digits: some older area codes (016977 4444) and 0800/0500 numbers.
  return size == 10 && (after_zero[0] == '1' || after_zero.substr(0, 3) == "800" || after_zero.substr(0, 3) == "500");
}

bool is_year(std::string_view g) { return g.size() == 4 && (g.rfind("19", 0) == 0 || g.rfind("20", 0) == 0); }

int value_of(std::string_view g) {
  int v = 0;
  for (char c : g) v = v * 10 + (c - '0');
  return v;
}

// "12-03-2024", "12.03.24": a date, not an account.
bool looks_like_date(const std::vector<const Group*>& run) {
  if (run.size() != 3) return false;
  std::string_view d = run[0]->digits, m = run[1]->digits, y = run[2]->digits;
  if (d.size() > 2 || m.size() > 2 || (y.size() != 2 && y.size() != 4)) return false;
  int day = value_of(d), month = value_of(m);
  return day >= 1 && day <= 31 && month >= 1 && month <= 12;
}

class DigitRuns {
 public:
  DigitRuns(const Note& note, Taken& taken, std::vector<FoundDetail>& found) : note_(note), taken_(taken), found_(found) {}

  void run() {
    std::vector<Group> chain;
    for (std::size_t i = 0; i < note_.size(); ++i) {
      const Word& w = note_[i];
      if (!w.only_digits() || taken_.any(w.begin, w.end)) {
        flush(chain);
        continue;
      }
      std::string_view gap = note_.gap_before(i);
      if (!chain.empty() && (chain.back().word + 1 != i || !joins_groups(gap))) flush(chain);
      Group g{i, std::string(note_.raw(i)), gap.find('-') != std::string_view::npos};
      chain.push_back(std::move(g));
    }
    flush(chain);
  }

 private:
  std::size_t begin_with_prefix(const Group& g) const {
    std::size_t b = note_[g.word].begin;
    std::string_view s = note_.text();
    while (b > 0 && (s[b - 1] == '+' || s[b - 1] == '(')) --b;
    return b;
  }
  bool plus_before(const Group& g) const {
    std::size_t b = note_[g.word].begin;
    std::string_view s = note_.text();
    return (b > 0 && s[b - 1] == '+') || (b > 1 && s[b - 1] == '(' && s[b - 2] == '+');
  }
  // Up to the last group, and its closing bracket if the run opened one.
  std::size_t end_with_bracket(std::size_t first_begin, const Group& last) const {
    std::size_t e = note_[last.word].end;
    std::string_view s = note_.text();
    std::string_view inside = s.substr(first_begin, e - first_begin);
    auto opened = std::count(inside.begin(), inside.end(), '(');
    auto closed = std::count(inside.begin(), inside.end(), ')');
    if (opened > closed && e < s.size() && s[e] == ')') ++e;
    return e;
  }
  void add(DetailKind kind, const std::vector<Group>& chain, std::size_t from, std::size_t to) {
    std::size_t b = begin_with_prefix(chain[from]);
    taken_.add(found_, kind, b, end_with_bracket(b, chain[to]));
  }

  void flush(std::vector<Group>& chain) {
    if (!chain.empty()) take_chain(chain);
    chain.clear();
  }

  void take_chain(const std::vector<Group>& chain) {
    std::string all;
    for (const auto& g : chain) all += g.digits;
    // A card in its usual four groups of four: never a phone number.
    if (chain.size() == 4 && all.size() == 16 && luhn_valid(all) &&
        std::all_of(chain.begin(), chain.end(), [](const Group& g) { return g.digits.size() == 4; })) {
      add(DetailKind::number, chain, 0, chain.size() - 1);
      return;
    }
    // A card or NHS number, however it is spaced.
    bool small_groups = std::any_of(chain.begin(), chain.end(), [](const Group& g) { return g.digits.size() < 3; });
    if (chain.size() > 1 && small_groups && std::all_of(chain.begin(), chain.end(), [](const Group& g) { return g.digits.size() >= 2; }) &&
        ((all.size() >= 13 && all.size() <= 19 && luhn_valid(all)) || (nhs_valid(all) && all[0] != '0'))) {
      add(DetailKind::number, chain, 0, chain.size() - 1);
      return;
    }
    // Phone numbers first, longest first from each group.
    std::vector<bool> used(chain.size(), false);
    for (std::size_t i = 0; i < chain.size();) {
      std::string digits;
      std::size_t best = chain.size();
      bool country_apart = chain[i].digits == "44" || chain[i].digits == "0044";
      for (std::size_t j = i; j < chain.size() && digits.size() <= 15; ++j) {
        digits += chain[j].digits;
        if (is_phone_number(digits, plus_before(chain[i]), country_apart || j == i)) best = j;
      }
      if (best == chain.size()) {
        ++i;
        continue;
      }
      add(DetailKind::phone, chain, i, best);
      for (std::size_t k = i; k <= best; ++k) used[k] = true;
      i = best + 1;
    }
    // What is left, in runs of groups that belong together.
    std::vector<const Group*> run;
    std::size_t run_start = 0, digits_so_far = 0;
    auto finish_run = [&](std::size_t next) {
      if (!run.empty()) take_run(chain, run, run_start, next - 1);
      run.clear();
      digits_so_far = 0;
    };
    for (std::size_t k = 0; k < chain.size(); ++k) {
      if (used[k]) {
        finish_run(k);
        continue;
      }
      const Group& g = chain[k];
      if (!run.empty()) {
        const Group& prev = *run.back();
        bool belongs = g.hyphen_before || (prev.digits.size() >= 3 && g.digits.size() >= 3) ||
                       (digits_so_far >= 7 && g.digits.size() >= 2) || (is_sort_code_shape(run, g) && near_bank_words(run));
        if (!belongs) finish_run(k);
      }
      if (run.empty()) run_start = k;
      run.push_back(&g);
      digits_so_far += g.digits.size();
    }
    finish_run(chain.size());
  }

  static bool is_sort_code_shape(const std::vector<const Group*>& run, const Group& next) {
    if (run.size() > 2 || next.digits.size() != 2) return false;
    return std::all_of(run.begin(), run.end(), [](const Group* g) { return g->digits.size() == 2; });
  }
  bool near_bank_words(const std::vector<const Group*>& run) const { return preceded_by(note_, run.front()->word, 4, bank_words()); }

  void take_run(const std::vector<Group>& chain, const std::vector<const Group*>& run, std::size_t from, std::size_t to) {
    std::string digits;
    for (const Group* g : run) digits += g->digits;
    std::size_t first_word = run.front()->word;
    std::string_view s = note_.text();
    std::size_t b = note_[first_word].begin;
    // Sums of money are not personal: "£2500000".
    if (b > 0 && std::string_view("$").find(s[b - 1]) != std::string_view::npos) return;
    if (b >= 2 && (s.substr(b - 2, 2) == "\xC2\xA3" /* £ */)) return;
    if (b >= 3 && (s.substr(b - 3, 3) == "\xE2\x82\xAC" /* € */)) return;
    bool bank = near_bank_words(run);
    // Sort codes: "20-45-77", or "60 83 71" after "sort code".
    bool sort_code_shape = run.size() == 3 && std::all_of(run.begin(), run.end(), [](const Group* g) { return g->digits.size() == 2; });
    if (sort_code_shape && (bank || (run[1]->hyphen_before && run[2]->hyphen_before && !looks_like_date(run)))) {
      add(DetailKind::number, chain, from, to);
      return;
    }
    if (run.size() == 1 && digits.size() == 6 && preceded_by(note_, first_word, 2, bank_words())) {
      add(DetailKind::number, chain, from, to);
      return;
    }
    // A local number after "ring" or "phone": "ring 946 0123".
    if (run.size() == 2 && digits.size() >= 6 && digits.size() <= 8 && run[1]->digits.size() >= 3 &&
        preceded_by(note_, first_word, 3, phone_words())) {
      add(DetailKind::phone, chain, from, to);
      return;
    }
    if (digits.size() < 7) return;
    // "2023 2024", "2024-2025": years. "12-03-2024": a date.
    if (run.size() == 2 && is_year(run[0]->digits) && is_year(run[1]->digits)) return;
    if (looks_like_date(run) && !bank) return;
    add(DetailKind::number, chain, from, to);
  }

  const Note& note_;
  Taken& taken_;
  std::vector<FoundDetail>& found_;
};

// ---------------------------------------------------------------------------
// [SECTION] Pass 4: street addresses
// ---------------------------------------------------------------------------

// "12", "4a", "7B": a house number.
bool is_house_number(const Word& w, std::string_view raw) {
  if (w.digits == 0 || w.digits > 4 || w.letters > 1) return false;
  if (!ascii_digit(raw[0])) return false;
  if (w.letters == 1 && !ascii_letter(raw.back())) return false;
  return value_of(raw.substr(0, static_cast<std::size_t>(w.digits))) > 0;
}

class Addresses {
 public:
  Addresses(const Note& note, Taken& taken, std::vector<FoundDetail>& found) : note_(note), taken_(taken), found_(found) {}

  void run() {
    for (std::size_t i = 0; i + 1 < note_.size(); ++i) {
      const Word& number = note_[i];
      if (!is_house_number(number, note_.raw(i)) || taken_.any(number.begin, number.end)) continue;
      // "the 3 Church Street shops", "these 2 ...": a count, not a house.
      if (i > 0 && (note_.is(i - 1, "the") || note_.is(i - 1, "these") || note_.is(i - 1, "those")) && note_.gap_before(i) == " ") continue;
      std::size_t last = street_after(i);
      if (last == 0) continue;
      while (last + 1 < note_.size() && note_.single_space_after(last) && note_[last + 1].capitalised &&
             in(street_suffixes(), note_[last + 1].lower))
        ++last;
      std::size_t begin = flat_before(i);
      std::size_t end = flat_after(last);
      if (taken_.add(found_, DetailKind::address, begin, end)) i = last;
    }
  }

 private:
  // The last word of a street name after the house number at `i`, or 0.
  std::size_t street_after(std::size_t i) const {
    if (!note_.single_space_after(i)) return 0;
    const Word& first = note_[i + 1];
    // Welsh: the street word first, then its name ("Heol y Nant", "Stryd Fawr").
    if (first.only_letters() && in(welsh_street_words(), first.lower)) {
      std::size_t last = 0;
      for (std::size_t k = i + 2; k < note_.size() && k <= i + 5 && note_.single_space_after(k - 1); ++k) {
        const Word& w = note_[k];
        if (!w.only_letters()) break;
        if (w.capitalised)
          last = k;
        else if (w.lower != "y" && w.lower != "yr" && w.lower != "'r")
          break;
      }
      if (last) return last;
    }
    // English: one to three name words, then the street word ("Acacia Avenue").
    std::size_t best = 0;
    bool all_capitalised = true;
    for (std::size_t k = i + 1; k < note_.size() && k <= i + 4; ++k) {
      const Word& w = note_[k];
      if (!w.only_letters()) break;
      if (k > i + 1 && !note_.single_space_after(k - 1)) break;
      all_capitalised = all_capitalised && w.capitalised;
      if (k > i + 1) {
        bool strong = in(strong_street_words(), w.lower);
        bool weak = in(weak_street_words(), w.lower);
        if (strong || (weak && all_capitalised)) best = k;
      }
      // "9 The Mews": a capitalised "The" may start a name; other small words never do.
      bool capital_the = k == i + 1 && w.lower == "the" && w.capitalised;
      if (in(not_street_names(), w.lower) && !capital_the) break;
    }
    return best;
  }

  // "flat 3, 22 High Street", "flat 12 Jubilee Court": the flat belongs to it.
  std::size_t flat_before(std::size_t i) const {
    auto is_flat = [&](std::size_t k) {
      return note_.is(k, "flat") || note_.is(k, "fflat") || note_.is(k, "apartment") || note_.is(k, "apt") || note_.is(k, "unit");
    };
    std::size_t begin = note_[i].begin;
    if (i >= 1 && is_flat(i - 1) && note_.gap_before(i) == " ") return note_[i - 1].begin;
    if (i >= 2 && is_house_number(note_[i - 1], note_.raw(i - 1)) && is_flat(i - 2)) {
      std::string_view gap = note_.gap_before(i);
      if ((gap == " " || gap == ", ") && note_.gap_before(i - 1) == " ") return note_[i - 2].begin;
    }
    return begin;
  }
  // "40 Queen Street, flat 2".
  std::size_t flat_after(std::size_t last) const {
    std::size_t end = note_[last].end;
    if (last + 2 < note_.size() && (note_.is(last + 1, "flat") || note_.is(last + 1, "fflat")) &&
        is_house_number(note_[last + 2], note_.raw(last + 2))) {
      std::string_view gap = note_.gap_after(last);
      if ((gap == " " || gap == ", ") && note_.gap_after(last + 1) == " ") return note_[last + 2].end;
    }
    return end;
  }

  const Note& note_;
  Taken& taken_;
  std::vector<FoundDetail>& found_;
};

// ---------------------------------------------------------------------------
// [SECTION] Pass 5: outward codes alone
// ---------------------------------------------------------------------------

void find_outward_codes(const Note& note, Taken& taken, std::vector<FoundDetail>& found) {
  static const WordSet postcode_words{"postcode", "postcodes", "post", "cod", "côd"};
  static const WordSet place_words{"in", "from", "near", "around", "nr", "live", "lives", "living", "yn", "o", "ger"};
  static const WordSet after_words{"area", "postcode", "district", "ardal"};
  static const WordSet road_words{"bus", "road", "motorway", "traffic", "junction", "paper", "exit", "player", "players", "file", "files"};
  for (std::size_t i = 0; i < note.size(); ++i) {
    const Word& w = note[i];
    if (w.digits == 0 || w.letters == 0 || !is_outward_code(w.lower) || taken.any(w.begin, w.end)) continue;
    bool named = preceded_by(note, i, 3, postcode_words);
    bool area_after = i + 1 < note.size() && note.single_space_after(i) && in(after_words, note[i + 1].lower);
    bool place = w.upper_letters && i > 0 && note.gap_before(i) == " " && in(place_words, note[i - 1].lower) &&
                 !(i + 1 < note.size() && in(road_words, note[i + 1].lower));
    if (named || area_after || place) taken.add(found, DetailKind::postcode, w.begin, w.end);
  }
}

// ---------------------------------------------------------------------------
// [SECTION] Pass 6: names
// ---------------------------------------------------------------------------

struct NameTrigger {
  std::array<std::string_view, 4> words;  // empty after the last
  bool lower_case_names;                  // "my name is sarah": a name even without a capital
  bool only_at_start;                     // "Name is Grace": at the start of a sentence only
  std::size_t length() const {
    return static_cast<std::size_t>(std::count_if(words.begin(), words.end(), [](auto w) { return !w.empty(); }));
  }
};

// Longest first, so that "fy enw i yw" wins over "fy enw i".
const std::array<NameTrigger, 23>& name_triggers() {
  static const std::array<NameTrigger, 23> triggers{{
      {{"fy", "enw", "i", "yw"}, true, false},
      {{"fy", "enw", "i", "ydy"}, true, false},
      {{"my", "name", "is"}, true, false},
      {{"fy", "enw", "yw"}, true, false},
      {{"fy", "enw", "ydy"}, true, false},
      {{"enw", "fi", "yw"}, true, false},
      {{"enw", "fi", "ydy"}, true, false},
      {{"fy", "enw", "i"}, true, false},
      {{"my", "name's"}, true, false},
      {{"my", "names"}, true, false},
      {{"name", "is"}, true, true},
      {{"fy", "enw"}, true, false},
      {{"call", "me"}, false, false},
      {{"galwch", "fi'n"}, false, false},
      {{"galwch", "fi"}, false, false},
      {{"i", "am"}, false, false},
      {{"this", "is"}, false, false},
      {{"it", "is"}, false, false},
      {{"i'm"}, false, false},
      {{"im"}, false, false},
      {{"it's"}, false, false},
      {{"its"}, false, false},
      {{"dyma"}, false, false},
  }};
  return triggers;
}

const WordSet& titles() {
  static const WordSet words{"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame"};
  return words;
}

class Names {
 public:
  Names(const Note& note, Taken& taken, std::vector<FoundDetail>& found) : note_(note), taken_(taken), found_(found) {}

  void run() {
    static const WordSet first_words = [] {
      WordSet set;
      for (const NameTrigger& t : name_triggers()) set.insert(t.words[0]);
      return set;
    }();
    for (std::size_t i = 0; i < note_.size(); ++i) {
      welsh_name_first(i);
      if (!in(first_words, note_[i].lower)) continue;
      for (const NameTrigger& t : name_triggers()) {
        std::size_t after = matches(i, t);
        if (after == 0) continue;
        if (take_name(after, t.lower_case_names, t.lower_case_names)) break;
      }
    }
  }

 private:
  // The index of the word after the trigger at `i`, or 0.
  std::size_t matches(std::size_t i, const NameTrigger& t) const {
    if (t.only_at_start && i > 0 && note_.gap_before(i).find_first_of(".!?,;:-") == std::string_view::npos) return 0;
    std::size_t k = i;
    for (std::string_view word : t.words) {
      if (word.empty()) break;
      if (k >= note_.size() || note_[k].lower != word) return 0;
      if (k > i && note_.gap_before(k) != " ") return 0;
      ++k;
    }
    if (k >= note_.size()) return 0;
    // "it's me, Barbara"
    if (note_[k].lower == "me" && t.length() <= 2 && !t.lower_case_names && k + 1 < note_.size()) {
      std::string_view gap = note_.gap_after(k);
      if (gap == ", " || gap == " " || gap == " - ") ++k;
    }
    if (k >= note_.size()) return 0;
    std::string_view gap = note_.gap_before(k);
    if (gap != " " && gap != ", " && gap != ": " && gap != " - ") return 0;
    return k;
  }

  bool could_be_name(const Word& w) const {
    return w.only_letters() && w.capitalised && (!w.shouted || w.letters <= 2) && !in(not_names(), w.lower) &&
           !has_common_word_ending(w.lower);
  }

  // After "I'm" or "it's" a capitalised word may just be emphasis ("I'm
  // Grumpy today", "It's Grim when"); a name ends its clause: the note ends,
  // punctuation follows, or a word such as "and", "from" or "here".
  bool ends_clause(std::size_t last) const {
    static const WordSet followers{"and", "from", "here", "again", "at", "on", "of", "speaking", "calling", "i", "o", "o'r", "ac", "a"};
    if (last + 1 >= note_.size()) return true;
    std::string_view gap = note_.gap_after(last);
    if (gap.find_first_not_of(' ') != std::string_view::npos) return true;
    return gap == " " && in(followers, note_[last + 1].lower);
  }

  bool take_name(std::size_t k, bool lower_case_names, bool strong_trigger) {
    std::size_t first = k, last = k;
    const Word& w = note_[k];
    if (w.only_letters() && in(titles(), w.lower) && w.capitalised && note_.single_space_after(k) && could_be_name(note_[k + 1])) {
      last = k + 1;
    } else if (could_be_name(w)) {
      last = k;
    } else if (lower_case_names && w.only_letters() && !w.capitalised && !in(not_names(), w.lower) && !has_common_word_ending(w.lower)) {
      // "my name is karen smith": up to two words in lower case.
      last = k;
      if (note_.single_space_after(k)) {
        const Word& next = note_[k + 1];
        if (next.only_letters() && !next.capitalised && !in(not_names(), next.lower) && !has_common_word_ending(next.lower)) last = k + 1;
      }
      return taken_.add(found_, DetailKind::name, note_[first].begin, note_[last].end);
    } else {
      return false;
    }
    // Up to three capitalised words: "Mohammed Ali Khan".
    while (last + 1 < note_.size() && last + 1 <= first + 3 && note_.single_space_after(last) && could_be_name(note_[last + 1])) ++last;
    if (!strong_trigger && !ends_clause(last)) return false;
    return taken_.add(found_, DetailKind::name, note_[first].begin, note_[last].end);
  }

  // "Heulwen ydw i": in Welsh the name can come first.
  void welsh_name_first(std::size_t i) {
    if (i + 2 >= note_.size() || !(note_.is(i + 1, "ydw") || note_.is(i + 1, "dw")) || !note_.is(i + 2, "i")) return;
    if (!could_be_name(note_[i])) return;
    if (note_.gap_after(i) != " " || note_.gap_after(i + 1) != " ") return;
    if (i > 0 && note_.gap_before(i).find_first_of(".!?,;:-") == std::string_view::npos) return;
    taken_.add(found_, DetailKind::name, note_[i].begin, note_[i].end);
  }

  const Note& note_;
  Taken& taken_;
  std::vector<FoundDetail>& found_;
};

// ---------------------------------------------------------------------------
// [SECTION] Putting it together
// ---------------------------------------------------------------------------

struct Markers {
  std::string_view language;
  std::array<std::string_view, 6> words;  // in DetailKind's order
};

// Each marker in the languages the kiosk speaks; others fall back to English.
constexpr std::array<Markers, 2> kMarkers{{
    {"en", {"email", "postcode", "phone", "number", "address", "name"}},
    {"cy", {"e-bost", "cod post", "ffôn", "rhif", "cyfeiriad", "enw"}},
}};

}  // namespace

const char* detail_kind_name(DetailKind kind) {
  switch (kind) {
    case DetailKind::email:
      return "email";
    case DetailKind::postcode:
      return "postcode";
    case DetailKind::phone:
      return "phone";
    case DetailKind::number:
      return "number";
    case DetailKind::address:
      return "address";
    case DetailKind::name:
      return "name";
  }
  return "detail";
}

std::string detail_marker(DetailKind kind, std::string_view language) {
  // "cy-GB" speaks Welsh too.
  std::string_view base = language.substr(0, language.find_first_of("-_"));
  const Markers* chosen = &kMarkers[0];
  for (const Markers& m : kMarkers)
    if (m.language == base) chosen = &m;
  return "[" + std::string(chosen->words[static_cast<std::size_t>(kind)]) + "]";
}

std::vector<FoundDetail> find_details(std::string_view valid_utf8) {
  Note note(valid_utf8);
  Taken taken(valid_utf8.size());
  std::vector<FoundDetail> found;
  find_emails_with_at_sign(valid_utf8, taken, found);
  find_spelled_emails(note, taken, found);
  find_full_postcodes(note, taken, found);
  DigitRuns(note, taken, found).run();
  Addresses(note, taken, found).run();
  find_outward_codes(note, taken, found);
  Names(note, taken, found).run();
  std::sort(found.begin(), found.end(), [](const FoundDetail& a, const FoundDetail& b) { return a.begin < b.begin; });
  return found;
}

std::string scrub_note(std::string_view note, std::string_view language) {
  std::string valid;
  if (!is_valid_utf8(note)) {
    for (char32_t c : decode_utf8(note)) append_utf8(valid, c);  // invalid bytes are dropped here
    note = valid;
  }
  std::string out;
  out.reserve(note.size());
  std::size_t at = 0;
  for (const FoundDetail& d : find_details(note)) {
    out.append(note.substr(at, d.begin - at));
    out += detail_marker(d.kind, language);
    at = d.end;
  }
  out.append(note.substr(at));
  return out;
}

}  // namespace tp
