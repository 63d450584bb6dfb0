// Failures as values, for the frame loop and every I/O path.
//
// A Status is either ok or carries a message a person can act on, plus a
// coarse kind so that callers can react (a full disk shows "out of service"
// and is retried; a bad argument is our own bug and is not).
#pragma once
#include <string>
#include <utility>

namespace tp {

enum class Fault {
  none,
  storage_full,      // the disk or the database size cap is exhausted
  storage_unavailable,  // cannot open or write the database (permissions, missing dir, I/O error)
  storage_corrupt,   // the database file is not a valid SQLite file
  invalid_input,     // the caller handed us something we refuse
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status failure(Fault fault, std::string message) { return Status(fault, std::move(message)); }

  bool ok() const { return fault_ == Fault::none; }
  explicit operator bool() const { return ok(); }
  Fault fault() const { return fault_; }
  const std::string& message() const { return message_; }

 private:
  Status(Fault fault, std::string message) : fault_(fault), message_(std::move(message)) {}
  Fault fault_ = Fault::none;
  std::string message_;
};

}  // namespace tp
