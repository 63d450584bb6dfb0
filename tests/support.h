// Paths and helpers shared by the tests.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "kiosk_strings.h"
#include "question_set.h"

namespace tp::test {

inline std::string source_dir() { return TENPOINT_SOURCE_DIR; }
inline std::string demo_set_path() { return source_dir() + "/config/questions/library-demo.json"; }

inline QuestionSet demo_set() {
  LoadResult r = load_question_set(demo_set_path());
  if (!r.set) throw std::runtime_error(format_problems(demo_set_path(), r.problems));
  return *r.set;
}

inline Strings demo_strings() { return Strings::load_dir(source_dir() + "/assets/translations"); }

// A fresh, empty folder under the build tree's test output, removed first if it exists.
inline std::string scratch_dir(const std::string& name) {
  std::filesystem::path p = std::filesystem::path(TENPOINT_TEST_OUTPUT) / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace tp::test
