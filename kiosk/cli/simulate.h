// Realistic synthetic answers: visits that follow a question set's rules,
// with a plausible spread of scores, skipped follow-ups, short texts and
// times inside opening hours. For demos and benchmarks.
#pragma once
#include <cstdint>
#include <string>

namespace tp {

struct SimulateOptions {
  std::string db_path;
  std::string questions_path;
  long long answers = 0;
  int days = 30;
  std::uint64_t seed = 0;  // 0: a random seed
};

// Returns the number of answers added, or -1 with `error` set.
long long simulate(const SimulateOptions& options, std::string& error);

}  // namespace tp
