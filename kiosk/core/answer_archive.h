// Every stored answer, for the USB export: the one reader that sees the
// answers of all visits, sent or not. It only reads; the kiosk and
// tenpoint-sync may write at the same time.
//
// An export of a million answers must not hold a million answers: the
// archive hands them over one at a time, in the order the export writes
// them, to an ArchiveReader. One read_answers() is one read transaction, so
// everything the reader is given is one moment of the store, never half of a
// visit being written.
//
//   read_answers() -> begin(count) -> answer() x count -> note_visit_answer() x N -> ok
//                     (a Status that is not ok from the reader stops the read and is returned)
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "answer.h"
#include "status.h"

namespace tp {

// An answer with the kiosk's own number for it and the state of its visit.
struct ArchivedAnswer {
  StoredAnswer stored;  // seq: the number tenpoint-sync sends with the answer
  bool closed = false;  // the visit ended: the answer is final (an open visit may still change it)
};

class ArchiveReader {
 public:
  virtual ~ArchiveReader() = default;
  // How many answer() calls follow.
  virtual Status begin(std::int64_t answers) = 0;
  // Every answer recorded at or after `since`, by recorded_at, then
  // session_id (byte order), then seq: the answers of one visit that share
  // a rounded time come one after another. The reader may keep it.
  virtual Status answer(ArchivedAnswer&& answer) = 0;
  // Then, once more, the answers of each visit that left a note (a non-empty
  // text) among them: its notes and its scale answers (a score), a visit at
  // a time, by session_id (byte order), then seq. A note's score band is
  // its visit's score, which answer() may give before or after the note
  // (a visit can span two rounded times, with other visits between): here
  // a reader holds one visit at a time to place each note.
  virtual Status note_visit_answer(Answer&& answer) = 0;
};

class AnswerArchive {
 public:
  virtual ~AnswerArchive() = default;
  // Hands the answers recorded at or after `since` (unix seconds; all when
  // empty) to `reader`, in one read transaction.
  virtual Status read_answers(std::optional<std::int64_t> since, ArchiveReader& reader) = 0;
};

}  // namespace tp
