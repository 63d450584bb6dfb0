// The code key's file and its check against the database; see code_key_file.h.
#include "code_key_file.h"

#include <optional>
#include <stdexcept>

#include "private_file.h"

namespace tp::server {

namespace {

constexpr std::size_t kMaxKeyFileBytes = 256;  // the key takes 65; anything much longer is some other file

// "the database /var/lib/tenpoint/server.db", "PostgreSQL database tenpoint on db.example.org".
std::string database_name(const StoreLocation& where) {
  return where.postgres() ? describe_store(where) : "the database " + where.data_dir + "/server.db";
}

CodeKey parse_key(const std::string& text, const std::string& path) {
  auto key = CodeKey::from_hex(text);
  if (!key)
    throw std::runtime_error("Unable to use the code key " + path +
                             ": it does not hold a key (64 hex digits). Put back the file this server made, from where you keep a "
                             "copy of it or from another server that shares this database");
  return *key;
}

// nullopt: there is no file. Throws when there is one that cannot be used.
std::optional<CodeKey> read_key(const std::string& path) {
  auto text = read_private_file(path, "code key", kMaxKeyFileBytes);
  if (!text) return std::nullopt;
  return parse_key(*text, path);
}

// A new key in a new file (invariant 4), or the key of a process that made
// the file first.
CodeKey make_key(const std::string& dir, const std::string& path) {
  return parse_key(create_private_file_once(dir, kCodeKeyFileName, CodeKey::generate().hex() + "\n", "code key", kMaxKeyFileBytes), path);
}

}  // namespace

std::string code_key_path(const std::string& secrets_dir) { return secrets_dir + "/" + kCodeKeyFileName; }

std::string check_secrets_location(const StoreLocation& where) {
  if (!where.secrets().empty()) return "";
  return "Say where the server keeps its code key: --secrets DIR. Every server that shares this PostgreSQL database needs the same "
         "code-key file there; keep it out of the database's backups";
}

CodeKey open_code_key(ServerStore& store, const StoreLocation& where) {
  if (std::string problem = check_secrets_location(where); !problem.empty()) throw std::runtime_error(problem);
  const std::string path = code_key_path(where.secrets());
  auto recorded = store.code_key_check();
  if (!recorded) throw std::runtime_error(recorded.message());
  std::optional<std::string> check = *recorded;
  std::optional<CodeKey> key = read_key(path);
  if (!key && check)
    throw std::runtime_error("No code key at " + path + ", but the enrolment codes in " + database_name(where) +
                             " were made with one. Put that code-key file back (mode 0600): from where you keep a copy of it, or from "
                             "another server that shares this database");
  if (!key) key = make_key(where.secrets(), path);
  if (!check) {
    // Servers starting at once on a database without one: the first to record wins.
    auto now_recorded = store.record_code_key_check(key->check_value());
    if (!now_recorded) throw std::runtime_error(now_recorded.message());
    check = *now_recorded;
  }
  if (*check != key->check_value())
    throw std::runtime_error("The code key in " + path + " does not match " + database_name(where) +
                             ": its enrolment codes were made with another key. Use the code-key file of the server that made them "
                             "(servers that share a database share this file)");
  return *key;
}

}  // namespace tp::server
