// Read-back cards: the document, its checks and its signature. See readback.h.
#include "readback.h"

#include <algorithm>
#include <cstdio>

#include "json.h"
#include "set_delivery.h"
#include "text.h"

namespace tp {

namespace {

Status bad(const std::string& what) { return Status::failure(Fault::invalid_input, what); }

std::string at(const json::Value& v) {
  return " (line " + std::to_string(v.where.line) + ", column " + std::to_string(v.where.column) + ")";
}

bool valid_language(std::string_view code) {
  if (code.size() < 2 || code.size() > 8) return false;
  for (char c : code)
    if (c < 'a' || c > 'z') return false;
  return true;
}

// A string member of at most `max` bytes; Status failure otherwise.
Result<std::string> text_member(const json::Value& object, std::string_view key, bool required, std::size_t max = kMaxCardTextBytes) {
  const json::Value* v = object.find(key);
  if (!v) {
    if (required) return bad("\"" + std::string(key) + "\" is missing" + at(object));
    return std::string();
  }
  if (!v->is(json::Value::Type::string)) return bad("\"" + std::string(key) + "\" must be text" + at(*v));
  if (v->string.size() > max) return bad("\"" + std::string(key) + "\" is longer than " + std::to_string(max) + " bytes" + at(*v));
  if (!is_valid_utf8(v->string)) return bad("\"" + std::string(key) + "\" is not valid UTF-8" + at(*v));
  return v->string;
}

Status only_keys(const json::Value& object, std::initializer_list<std::string_view> keys, const char* what) {
  for (const auto& [key, value] : object.members) {
    bool known = false;
    for (std::string_view k : keys) known = known || key == k;
    if (!known) return bad(std::string(what) + " has an unknown key \"" + key + "\"" + at(value));
  }
  return Status{};
}

Result<CardText> parse_text(const json::Value& v) {
  using json::Value;
  if (!v.is(Value::Type::object)) return bad("a card's words must be an object" + at(v));
  if (Status s = only_keys(v, {"said", "we", "answer"}, "a card's words"); !s) return s;
  CardText t;
  const Value* said = v.find("said");
  if (!said || !said->is(Value::Type::array) || said->items.empty() || said->items.size() > kMaxQuotes)
    return bad("\"said\" must be a list of 1 to " + std::to_string(kMaxQuotes) + " quotes" + at(v));
  for (const Value& q : said->items) {
    if (!q.is(Value::Type::string) || q.string.empty() || q.string.size() > kMaxCardTextBytes || !is_valid_utf8(q.string))
      return bad("a quote must be UTF-8 text of 1 to " + std::to_string(kMaxCardTextBytes) + " bytes" + at(q));
    t.said.push_back(q.string);
  }
  auto we = text_member(v, "we", false, 8);
  if (!we) return we.status();
  if (!we->empty() && *we != "did" && *we != "will") return bad("\"we\" is \"did\" or \"will\"" + at(*v.find("we")));
  t.we = *we;
  auto answer = text_member(v, "answer", false);
  if (!answer) return answer.status();
  t.answer = *answer;
  if (t.we.empty() != t.answer.empty()) return bad("\"we\" and \"answer\" come together" + at(v));
  return t;
}

Result<ReadbackCard> parse_card_value(const json::Value& v) {
  using json::Value;
  if (!v.is(Value::Type::object)) return bad("a card must be an object" + at(v));
  if (Status s = only_keys(v, {"id", "language", "from", "until", "texts"}, "a card"); !s) return s;
  ReadbackCard card;
  auto id = text_member(v, "id", true, 64);
  if (!id) return id.status();
  if (id->empty()) return bad("a card's \"id\" is empty" + at(v));
  card.id = *id;
  auto language = text_member(v, "language", true, 8);
  if (!language) return language.status();
  if (!valid_language(*language)) return bad("\"language\" must be a language code such as \"en\"" + at(v));
  card.language = *language;
  for (const char* key : {"from", "until"}) {
    auto day = text_member(v, key, true, 10);
    if (!day) return day.status();
    if (!valid_day(*day)) return bad("\"" + std::string(key) + "\" must be a date written YYYY-MM-DD" + at(v));
    (std::string_view(key) == "from" ? card.from : card.until) = *day;
  }
  if (card.until < card.from) return bad("card \"" + card.id + "\" ends before it starts" + at(v));
  const Value* texts = v.find("texts");
  if (!texts || !texts->is(Value::Type::object) || texts->members.empty())
    return bad("card \"" + card.id + "\" needs \"texts\", its words by language" + at(v));
  for (const auto& [code, words] : texts->members) {
    if (!valid_language(code)) return bad("\"" + code + "\" is not a language code" + at(words));
    auto t = parse_text(words);
    if (!t) return t.status();
    card.texts.emplace(code, std::move(*t));
  }
  if (!card.texts.count(card.language))
    return bad("card \"" + card.id + "\" has no words in its own language \"" + card.language + "\"" + at(v));
  return card;
}

json::Limits limits() {
  json::Limits l;
  l.max_depth = 6;
  l.max_string_bytes = 4 * kMaxCardTextBytes;
  l.max_input_bytes = kMaxSetBytes;
  l.max_members = 64;
  l.max_items = kMaxCards + 1;
  l.max_nodes = 20'000;
  return l;
}

}  // namespace

bool valid_day(std::string_view day) {
  if (day.size() != 10 || day[4] != '-' || day[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (day[i] < '0' || day[i] > '9') return false;
  const int y = std::stoi(std::string(day.substr(0, 4))), m = std::stoi(std::string(day.substr(5, 2))),
            d = std::stoi(std::string(day.substr(8, 2)));
  if (y < 2000 || m < 1 || m > 12 || d < 1) return false;
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

std::string write_readback(const Readback& r) {
  std::string out = "{\"format\": " + json::quote(kReadbackFormat) + ",\n \"venue\": " + json::quote(r.venue);
  if (r.count)
    out += ",\n \"count\": {\"month\": " + json::quote(r.count->month) + ", \"people\": " + std::to_string(r.count->people) + "}";
  out += ",\n \"cards\": [";
  for (std::size_t i = 0; i < r.cards.size(); ++i) out += (i ? ",\n  " : "\n  ") + write_card(r.cards[i]);
  out += r.cards.empty() ? "]}\n" : "\n ]}\n";
  return out;
}

std::string write_card(const ReadbackCard& c) {
  std::string out = "{\"id\": " + json::quote(c.id) + ", \"language\": " + json::quote(c.language) + ", \"from\": " + json::quote(c.from) +
                    ", \"until\": " + json::quote(c.until) + ", \"texts\": {";
  bool first = true;
  for (const auto& [code, t] : c.texts) {
    if (!first) out += ", ";
    first = false;
    out += json::quote(code) + ": {\"said\": [";
    for (std::size_t q = 0; q < t.said.size(); ++q) out += (q ? ", " : "") + json::quote(t.said[q]);
    out += "]";
    if (!t.we.empty()) out += ", \"we\": " + json::quote(t.we) + ", \"answer\": " + json::quote(t.answer);
    out += "}";
  }
  return out + "}}";
}

Result<ReadbackCard> parse_card(std::string_view bytes) {
  json::ParseResult parsed = json::parse(bytes, limits());
  if (!parsed.ok)
    return bad("line " + std::to_string(parsed.error_at.line) + ", column " + std::to_string(parsed.error_at.column) + ": " + parsed.error);
  return parse_card_value(parsed.value);
}

Result<Readback> parse_readback(std::string_view bytes) {
  using json::Value;
  json::ParseResult parsed = json::parse(bytes, limits());
  if (!parsed.ok)
    return bad("line " + std::to_string(parsed.error_at.line) + ", column " + std::to_string(parsed.error_at.column) + ": " + parsed.error);
  const Value& root = parsed.value;
  if (!root.is(Value::Type::object)) return bad("the cards file is not a JSON object");
  if (Status s = only_keys(root, {"format", "venue", "count", "cards"}, "the cards file"); !s) return s;
  const Value* format = root.find("format");
  if (!format || !format->is(Value::Type::string) || format->string != kReadbackFormat)
    return bad("\"format\" is not \"" + std::string(kReadbackFormat) + "\"");
  Readback r;
  auto venue = text_member(root, "venue", true, 200);
  if (!venue) return venue.status();
  r.venue = *venue;
  if (const Value* count = root.find("count")) {
    if (!count->is(Value::Type::object)) return bad("\"count\" must be an object" + at(*count));
    if (Status s = only_keys(*count, {"month", "people"}, "\"count\""); !s) return s;
    auto month = text_member(*count, "month", true, 7);
    if (!month) return month.status();
    if (!valid_day(*month + "-01")) return bad("\"month\" must be written YYYY-MM" + at(*count));
    const Value* people = count->find("people");
    if (!people || !people->is(Value::Type::number) || !people->is_integer || people->number < 0 || people->number > 1e12)
      return bad("\"people\" must be a whole number" + at(*count));
    if (people->number < static_cast<double>(kMinPeopleCounted))
      return bad("\"people\" is below " + std::to_string(kMinPeopleCounted) + ": so small a count is never read back" + at(*people));
    r.count = ReadbackCount{*month, static_cast<std::int64_t>(people->number)};
  }
  const Value* cards = root.find("cards");
  if (!cards || !cards->is(Value::Type::array)) return bad("\"cards\" must be a list");
  if (cards->items.size() > kMaxCards) return bad("more than " + std::to_string(kMaxCards) + " cards");
  for (const Value& c : cards->items) {
    auto card = parse_card_value(c);
    if (!card) return card.status();
    for (const ReadbackCard& other : r.cards)
      if (other.id == card->id) return bad("two cards have the id \"" + card->id + "\"" + at(c));
    r.cards.push_back(std::move(*card));
  }
  return r;
}

const CardText& card_text(const ReadbackCard& card, std::string_view language) {
  for (const auto& [code, t] : card.texts)
    if (code == language) return t;
  return card.texts.at(card.language);
}

std::string previous_month(std::string_view today) {
  if (!valid_day(today)) return "";
  int y = std::stoi(std::string(today.substr(0, 4))), m = std::stoi(std::string(today.substr(5, 2))) - 1;
  if (m == 0) {
    m = 12;
    --y;
  }
  char out[24];
  std::snprintf(out, sizeof out, "%04d-%02d", y, m);
  return out;
}

bool card_live(const ReadbackCard& card, std::string_view today) { return card.from <= today && today <= card.until; }

Result<std::string> sign_readback(std::string_view readback_bytes, std::int64_t serial, std::string_view secret_key) {
  return sign_payload(kSignedReadbackKind, readback_bytes, serial, secret_key);
}

OpenedReadback open_signed_readback(std::string_view file_text, std::string_view trusted_public_key, std::int64_t current_serial,
                                    SerialRule rule) {
  OpenedReadback out;
  OpenedPayload p = open_signed_payload(kSignedReadbackKind, file_text, trusted_public_key, current_serial, rule);
  out.serial = p.serial;
  if (!p.payload) {
    out.refusal = p.refusal;
    out.reason = std::move(p.reason);
    return out;
  }
  auto parsed = parse_readback(*p.payload);
  if (!parsed) {
    out.refusal = SetRefusal::invalid_set;
    out.reason = "the cards inside are invalid: " + parsed.message();
    return out;
  }
  out.readback = std::move(*parsed);
  return out;
}

std::string delivered_readback_path(const std::string& data_dir) { return data_dir + "/readback.tpcards"; }
std::string accepted_readback_path(const std::string& data_dir) { return data_dir + "/readback.accepted.tpcards"; }

KioskCards load_kiosk_cards(const std::string& data_dir, std::string_view trusted_key, std::string_view venue) {
  KioskCards out;
  const std::string copy = accepted_readback_path(data_dir), delivered = delivered_readback_path(data_dir);
  auto ours = [&](const OpenedReadback& r) { return venue.empty() || r.readback->venue == venue; };
  OpenedReadback kept;
  if (Result<std::string> text = read_file_capped(copy, kMaxSignedSetFileBytes); text)
    kept = open_signed_readback(*text, trusted_key, 0, SerialRule::same_or_newer);
  if (kept && !ours(kept)) kept = OpenedReadback{};  // from before the kiosk moved: neither shown nor a floor
  const std::int64_t floor = kept ? kept.serial : 0;
  Result<std::string> text = read_file_capped(delivered, kMaxSignedSetFileBytes);
  if (text) {
    OpenedReadback fresh = open_signed_readback(*text, trusted_key, floor, SerialRule::same_or_newer);
    if (fresh && !ours(fresh)) {
      out.problem = "refusing the read-back cards " + delivered + ": they are for " + fresh.readback->venue + ", this kiosk is at " +
                    std::string(venue);
    } else if (fresh) {
      if (fresh.serial > floor)
        if (Status s = write_file_atomically(copy, *text); !s) out.problem = "the accepted copy was not written: " + s.message();
      out.serial = fresh.serial;
      out.readback = std::move(fresh.readback);
      return out;
    } else {
      out.problem = "refusing the read-back cards " + delivered + " (" + refusal_name(fresh.refusal) + "): " + fresh.reason;
    }
  }
  if (kept) {
    out.serial = kept.serial;
    out.readback = std::move(kept.readback);
  }
  return out;
}

std::int64_t next_turn_at(std::int64_t seconds_on_attract) {
  const std::int64_t s = std::max<std::int64_t>(seconds_on_attract, 0), cycle = kInviteSeconds + kCardSeconds, p = s % cycle;
  return p < kInviteSeconds ? s - p + kInviteSeconds : s - p + cycle;
}

int attract_turn(std::int64_t seconds_on_attract, std::size_t cards) {
  if (cards == 0 || seconds_on_attract < 0) return -1;
  const std::int64_t cycle = kInviteSeconds + kCardSeconds;
  if (seconds_on_attract % cycle < kInviteSeconds) return -1;
  return static_cast<int>((seconds_on_attract / cycle) % static_cast<std::int64_t>(cards));
}

}  // namespace tp
