// Versions of question sets on the server; see question_set_versions.h.
#include "question_set_versions.h"

#include <cstdio>
#include <ctime>

#include "json.h"

namespace tp::server {

namespace {

// The byte offset of a LINE:COLUMN as the JSON reader counts them: lines
// end at '\n', columns count UTF-8 sequences (continuation bytes add none).
std::optional<std::size_t> offset_of(std::string_view text, json::Location at) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80) continue;  // inside a multi-byte sequence
    if (line == at.line && column == at.column) return i;
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::nullopt;
}

bool number_char(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }

}  // namespace

std::string first_problem(const LoadResult& loaded) {
  if (loaded.problems.empty()) return "it could not be read";
  const Problem& p = loaded.problems.front();
  std::string out = p.line > 0 ? std::to_string(p.line) + ":" + std::to_string(p.column) + ": " + p.message : p.message;
  if (loaded.problems.size() > 1) out += " (and " + std::to_string(loaded.problems.size() - 1) + " more)";
  return out;
}

Result<std::string> with_set_version(std::string_view set_bytes, int version) {
  auto invalid = [](const std::string& why) { return Status::failure(Fault::invalid_input, "the question set is invalid: " + why); };
  LoadResult before = parse_question_set(set_bytes);
  if (!before.set) return invalid(first_problem(before));
  json::ParseResult parsed = json::parse(set_bytes);
  const json::Value* v = parsed.ok ? parsed.value.find("version") : nullptr;
  if (!v || !v->is(json::Value::Type::number)) return invalid("it has no \"version\" number");
  std::optional<std::size_t> start = offset_of(set_bytes, v->where);
  if (!start || !number_char(set_bytes[*start])) return invalid("its \"version\" could not be located");
  std::size_t end = *start;
  while (end < set_bytes.size() && number_char(set_bytes[end])) ++end;
  std::string out;
  out.reserve(set_bytes.size() + 8);
  out.append(set_bytes.substr(0, *start));
  out += std::to_string(version);
  out.append(set_bytes.substr(end));
  LoadResult after = parse_question_set(out);
  if (!after.set) return invalid(first_problem(after));
  if (after.set->version != version) return invalid("its \"version\" could not be set to " + std::to_string(version));
  return out;
}

bool valid_set_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

std::optional<std::int64_t> local_midnight(std::string_view date, int add_days) {
  int y = 0, m = 0, d = 0;
  std::string text(date);
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3 || y < 1970 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  tm.tm_hour = 12;  // a real date is one mktime() keeps as it is (31 February is not)
  tm.tm_isdst = -1;
  if (std::mktime(&tm) == static_cast<std::time_t>(-1) || tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d)
    return std::nullopt;
  tm = std::tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d + add_days;
  tm.tm_isdst = -1;  // whatever the local rule is on that day
  std::time_t t = std::mktime(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return static_cast<std::int64_t>(t);
}

std::string local_date(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace tp::server
