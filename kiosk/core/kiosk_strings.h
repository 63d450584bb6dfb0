// The kiosk's own words (buttons, greetings, thank-you), per language.
// Question texts live in the question set; these live in
// assets/translations/<code>.json so translators never touch code.
#pragma once
#include <map>
#include <string>
#include <string_view>

namespace tp {

class Strings {
 public:
  // Reads every <code>.json in `dir`. Throws std::runtime_error with a
  // FILE:LINE:COLUMN message on a malformed file.
  static Strings load_dir(const std::string& dir);

  // The text for `key` in `language`, else English, else the key itself
  // (so a missing translation shows up, rather than an empty button).
  const std::string& get(std::string_view language, std::string_view key) const;
  bool has_language(std::string_view language) const { return by_language_.count(std::string(language)) > 0; }
  // Every text of every language, concatenated (for the font atlas).
  std::string all_text() const;
  void set(const std::string& language, const std::string& key, const std::string& text) { by_language_[language][key] = text; }

 private:
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> by_language_;
  mutable std::map<std::string, std::string, std::less<>> missing_;
};

}  // namespace tp
