#include "kiosk_strings.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "json.h"

namespace tp {

Strings Strings::load_dir(const std::string& dir) {
  Strings s;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    auto parsed = json::parse(buf.str());
    std::string file = entry.path().string();
    if (!parsed.ok)
      throw std::runtime_error(file + ":" + std::to_string(parsed.error_at.line) + ":" + std::to_string(parsed.error_at.column) + ": " +
                               parsed.error);
    if (!parsed.value.is(json::Value::Type::object)) throw std::runtime_error(file + ":1:1: a translation file must be a JSON object");
    auto& table = s.by_language_[entry.path().stem().string()];
    for (const auto& [key, value] : parsed.value.members) {
      if (!value.is(json::Value::Type::string))
        throw std::runtime_error(file + ":" + std::to_string(value.where.line) + ":" + std::to_string(value.where.column) + ": \"" + key +
                                 "\" must be a string");
      table[key] = value.string;
    }
  }
  if (ec) throw std::runtime_error("Unable to read translations from " + dir + ": " + ec.message());
  if (!s.has_language("en")) throw std::runtime_error("Unable to find the English translation en.json in " + dir);
  return s;
}

const std::string& Strings::get(std::string_view language, std::string_view key) const {
  for (std::string_view lang : {language, std::string_view("en")}) {
    auto table = by_language_.find(lang);
    if (table == by_language_.end()) continue;
    auto it = table->second.find(key);
    if (it != table->second.end()) return it->second;
  }
  auto [it, _] = missing_.emplace(std::string(key), std::string(key));
  return it->second;
}

std::string Strings::all_text() const {
  std::string out;
  for (const auto& [lang, table] : by_language_)
    for (const auto& [key, text] : table) out += text;
  return out;
}

}  // namespace tp
