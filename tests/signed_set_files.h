// Small question sets and signed .tpset files for the tests of signed sets.
#pragma once
#include <stdexcept>
#include <string>

#include "signed_set.h"

namespace tp::test {

// A valid one-question set; `prompt` is its only prompt (English).
inline std::string small_set(const std::string& id, int version, const std::string& prompt) {
  return R"({
  "format": "tenpoint-questions/1",
  "id": ")" +
         id + R"(",
  "version": )" +
         std::to_string(version) + R"(,
  "languages": [{"code": "en", "name": "English"}],
  "default_language": "en",
  "start": "q",
  "questions": [
    {"id": "q", "type": "scale", "min": 0, "max": 10,
     "prompt": {"en": ")" +
         prompt + R"("},
     "low_label": {"en": "Not at all"}, "high_label": {"en": "Perfectly"}}
  ]
}
)";
}

// The text of a .tpset file; throws if signing fails (a bug in the test).
inline std::string signed_file(const std::string& set_text, std::int64_t serial, const SetSigningKeys& keys) {
  Result<std::string> file = sign_set(set_text, serial, keys.secret_key);
  if (!file) throw std::runtime_error(file.message());
  return *file;
}

// Replaces the first `from` in `text` with `to`; throws when it is not there.
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("no \"" + from + "\" to replace");
  return text.replace(at, from.size(), to);
}

// The value of a string member of a .tpset file ("set", "key", "signature").
inline std::string member(const std::string& file, const std::string& key) {
  auto at = file.find("\"" + key + "\": \"");
  if (at == std::string::npos) throw std::runtime_error("no member " + key);
  at += key.size() + 5;
  return file.substr(at, file.find('"', at) - at);
}

}  // namespace tp::test
