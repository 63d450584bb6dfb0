// codebook.txt of a USB export: what each file is, every column of
// answers.csv with its values, and the question texts of each set version
// that answers came from. Plain UTF-8 text with LF line ends, for anyone
// who opens the stick without knowing Tenpoint. The format is described in
// README.md ("Exporting results to a USB stick").
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "answer.h"
#include "question_set.h"

namespace tp {

// What the codebook says of the answers, gathered as they go by: how many,
// and which questions of which set versions were answered.
struct CodebookTally {
  struct Version {
    std::int64_t answers = 0;
    std::set<std::string> questions;
  };
  std::int64_t answers = 0;
  std::map<std::pair<std::string, int>, Version> versions;  // by set id and version

  void add(const Answer& answer);

 private:
  std::pair<const std::pair<std::string, int>, Version>* last_ = nullptr;  // answers come in runs of one version
};

struct CodebookInput {
  std::string venue;
  std::string exported_at;  // "2025-01-06 14:03"
  std::string time_zone;    // "GMT"
  std::string period;       // "all answers" or "answers from 2025-01-01"
  const CodebookTally* tally = nullptr;
  const std::vector<QuestionSet>* sets = nullptr;
  bool server_bundle = false;  // the export holds the server bundle (kBundleFolder)
};

std::string codebook_text(const CodebookInput& input);

// The description of one column of answers.csv; empty for a column the
// codebook does not know (a test keeps that from happening).
std::string_view codebook_column_description(std::string_view column);

}  // namespace tp
