// The AnswerArchive on the kiosk's SQLite file, through a read-only
// connection of its own: the export never writes to the database, never
// migrates or moves it aside, and may run on another thread than the
// kiosk's own connection.
#pragma once
#include <string>
#include <vector>

#include "answer_archive.h"

namespace tp {

class SqliteAnswerArchive final : public AnswerArchive {
 public:
  explicit SqliteAnswerArchive(std::string path) : path_(std::move(path)) {}

  Status read_answers(std::optional<std::int64_t> since, ArchiveReader& reader) override;
  // Every answer at or after `since` in the kiosk's order (seq), at once: for
  // tests and small tools; the export streams with read_answers().
  Result<std::vector<Answer>> all_answers(std::optional<std::int64_t> since);

 private:
  std::string path_;
};

}  // namespace tp
