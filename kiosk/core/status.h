// Failures as values, for the frame loop and every I/O path.
//
// A Status is either ok or carries a message a person can act on, plus a
// coarse kind so that callers can react (a full disk shows "out of service"
// and is retried; a bad argument is our own bug and is not).
#pragma once
#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace tp {

enum class Fault {
  none,
  storage_full,         // the disk or the database size cap is exhausted
  storage_unavailable,  // cannot open or write the database (permissions, missing dir, I/O error)
  storage_corrupt,      // the database file is not a valid SQLite file
  invalid_input,        // the caller handed us something we refuse
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

// A value, or the Status that says why there is none. Stores and other I/O
// return this instead of an optional plus an out-parameter, so that "no
// rows" and "could not read" can never be confused.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit, so `return value;` reads naturally
  Result(Status failure) : status_(std::move(failure)) { assert(!status_.ok() && "a Result made from a Status must be a failure"); }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Status& status() const { return status_; }
  const std::string& message() const { return status_.message(); }
  T& value() {
    assert(ok());
    return *value_;
  }
  const T& value() const {
    assert(ok());
    return *value_;
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace tp
