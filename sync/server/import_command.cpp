// `tenpoint-server import` and the enrolment file (import_command.h).
#include "import_command.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iterator>
#include <memory>
#include <optional>

#include "bundle.h"
#include "code_key_file.h"
#include "secrets.h"
#include "server_store.h"
#include "signed_set.h"

namespace tp::server {

namespace {

namespace fs = std::filesystem;

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

// A regular file of at most `max_bytes`, never through a symlink.
std::optional<std::string> read_small_file(const std::string& path, std::size_t max_bytes, std::string& why) {
  Fd f(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (f.fd < 0 || ::fstat(f.fd, &st) != 0) {
    why = "Unable to read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    why = path + " is not a regular file of at most " + std::to_string(max_bytes) + " bytes";
    return std::nullopt;
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(f.fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      why = "Unable to read " + path + ": " + (n < 0 ? std::strerror(errno) : "it ended early");
      return std::nullopt;
    }
    got += static_cast<std::size_t>(n);
  }
  return text;
}

std::string when_text(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%d %H:%M", &tm);
  return out;
}

// Copies `path` into an unnamed temporary file while hashing it; the copy
// is what gets read afterwards (invariant 1). nullptr with `why` on failure.
std::FILE* private_copy(const std::string& path, const bundle::FileEntry& expected, std::string& why) {
  Fd in(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (in.fd < 0 || ::fstat(in.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    why = "Unable to read " + path + (in.fd < 0 ? std::string(": ") + std::strerror(errno) : ": not a regular file");
    return nullptr;
  }
  std::FILE* copy = std::tmpfile();
  if (!copy) {
    why = std::string("Unable to make a temporary copy of the bundle: ") + std::strerror(errno);
    return nullptr;
  }
  bundle::Sha256 hash;
  std::uint64_t total = 0;
  std::string buffer(1 << 16, '\0');
  for (;;) {
    ssize_t n = ::read(in.fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      why = "Unable to read " + path + ": " + std::strerror(errno);
      std::fclose(copy);
      return nullptr;
    }
    if (n == 0) break;
    total += static_cast<std::uint64_t>(n);
    if (total > expected.bytes) break;  // longer than the manifest says: no need to read on
    hash.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    if (std::fwrite(buffer.data(), 1, static_cast<std::size_t>(n), copy) != static_cast<std::size_t>(n)) {
      why = "Unable to copy the bundle aside: " + std::string(std::strerror(errno));
      std::fclose(copy);
      return nullptr;
    }
  }
  if (total != expected.bytes || hash.hex() != expected.sha256) {
    why = expected.name + " is not the file its signed manifest describes (" +
          (total != expected.bytes ? "its size differs" : "its SHA-256 differs") +
          "): it was changed or damaged after the kiosk wrote it. Nothing was imported; export again from the kiosk.";
    std::fclose(copy);
    return nullptr;
  }
  if (std::fflush(copy) != 0 || std::fseek(copy, 0, SEEK_SET) != 0) {
    why = "Unable to copy the bundle aside: " + std::string(std::strerror(errno));
    std::fclose(copy);
    return nullptr;
  }
  return copy;
}

// One line of the copy, without its newline; false at the end. A line over
// the cap is an error in `why`.
bool read_line(std::FILE* f, std::string& line, std::string& why) {
  line.clear();
  int c;
  while ((c = getc_unlocked(f)) != EOF) {
    if (c == '\n') return true;
    if (line.size() >= wire::kMaxBodyBytes) {
      why = "a line of the answers file is longer than " + std::to_string(wire::kMaxBodyBytes) + " bytes";
      return false;
    }
    line += static_cast<char>(c);
  }
  return !line.empty();
}

int import_bundle(ServerStore& store, const std::string& dir) {
  std::string why;
  auto manifest_text = read_small_file(dir + "/" + bundle::kManifestFile, bundle::kMaxManifestBytes, why);
  if (!manifest_text) {
    std::fprintf(stderr, "%s\n", why.c_str());
    return 1;
  }
  auto decoded = bundle::decode_manifest(*manifest_text);
  if (auto* bad = std::get_if<std::string>(&decoded)) {
    std::fprintf(stderr, "%s/%s is not a bundle's manifest: %s\n", dir.c_str(), bundle::kManifestFile, bad->c_str());
    return 1;
  }
  const bundle::Manifest& m = std::get<bundle::Manifest>(decoded);
  auto device = store.device_by_key(m.device_key);
  if (!device) {
    std::fprintf(stderr, "%s\n", device.message().c_str());
    return 1;
  }
  if (!*device) {
    std::fprintf(stderr,
                 "This bundle was signed by a kiosk this server does not know (key %s, venue \"%s\"). Nothing was imported. Enrol the "
                 "kiosk first: over the network, or from a stick with `enrol-code --file` and then importing its enrol-reply.json.\n",
                 m.device_key.c_str(), m.venue.c_str());
    return 1;
  }
  if ((*device)->revoked) {
    std::fprintf(stderr, "Kiosk %s at %s was revoked: its bundles are not imported.\n", (*device)->id.c_str(), (*device)->venue.c_str());
    return 1;
  }
  auto signature = read_small_file(dir + "/" + bundle::kSignatureFile, 1024, why);
  auto raw_key = decode_base64(m.device_key);
  if (!signature || !raw_key || !bundle::manifest_signed_by(*manifest_text, *signature, *raw_key)) {
    std::fprintf(stderr, "%s\n",
                 (signature ? "The bundle's signature does not match its manifest under kiosk " + (*device)->id +
                                  "'s key: it was changed after the kiosk wrote it. Nothing was imported."
                            : why)
                     .c_str());
    return 1;
  }
  if (m.files.size() != 1 || m.files[0].name != bundle::kAnswersFile) {
    std::fprintf(stderr, "The manifest must list exactly one file, %s. Nothing was imported.\n", bundle::kAnswersFile);
    return 1;
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> copy(private_copy(dir + "/" + m.files[0].name, m.files[0], why), &std::fclose);
  if (!copy) {
    std::fprintf(stderr, "%s\n", why.c_str());
    return 1;
  }

  const std::int64_t now = now_s();
  std::int64_t lines = 0, answers = 0, stored = 0, duplicates = 0, quarantined = 0;
  std::string line;
  // Lines go in several at a time, up to a network batch's limit: one
  // transaction (and fsync) per wire::kMaxAnswersPerBatch answers rather
  // than per line. Each group still goes in whole or not at all.
  wire::Batch pending;
  std::int64_t pending_lines = 0;
  auto flush = [&]() -> bool {
    if (pending.answers.empty()) return true;
    auto reply = store.ingest((*device)->id, pending, now);
    if (!reply) {
      why = reply.message();
      return false;
    }
    lines += pending_lines;
    answers += static_cast<std::int64_t>(pending.answers.size());
    stored += reply->stored;
    duplicates += reply->duplicates;
    quarantined += static_cast<std::int64_t>(reply->quarantined.size());
    pending = {};
    pending_lines = 0;
    return true;
  };
  while (read_line(copy.get(), line, why)) {
    auto batch = wire::decode_batch(line);
    const std::int64_t at = lines + pending_lines;
    if (auto* bad = std::get_if<std::string>(&batch)) {
      why = "line " + std::to_string(at + 1) + " of " + bundle::kAnswersFile + " is not a batch: " + *bad;
      break;
    }
    wire::Batch& b = std::get<wire::Batch>(batch);
    if (b.batch_id != bundle::bundle_batch_id(m, at)) {
      why = "line " + std::to_string(at + 1) + " carries another bundle's batch id";
      break;
    }
    if (pending.answers.size() + b.answers.size() > wire::kMaxAnswersPerBatch && !flush()) break;
    if (pending.answers.empty()) pending.batch_id = b.batch_id;
    std::move(b.answers.begin(), b.answers.end(), std::back_inserter(pending.answers));
    ++pending_lines;
  }
  if (why.empty()) {
    flush();
  } else if (pending_lines > 0) {
    std::string stopped = why;  // the lines before the bad one are sound: they go in
    why.clear();
    flush();
    why = why.empty() ? stopped : why;
  }
  if (why.empty() && (lines != m.batches || answers != m.answers))
    why = "the answers file holds " + std::to_string(answers) + " answers in " + std::to_string(lines) + " lines, not the " +
          std::to_string(m.answers) + " in " + std::to_string(m.batches) + " its manifest gives";
  if (Status s = store.record_usb_import((*device)->id, now); !s && why.empty()) why = s.message();
  std::printf("Kiosk %s at %s, bundle made %s: %lld answers read, %lld new, %lld already here, %lld kept aside (same id, other content).\n",
              (*device)->id.c_str(), (*device)->venue.c_str(), when_text(m.made_at).c_str(), static_cast<long long>(answers),
              static_cast<long long>(stored), static_cast<long long>(duplicates), static_cast<long long>(quarantined));
  if (!why.empty()) {
    std::fprintf(stderr, "The import stopped: %s. What was stored stays, once each; import the bundle again to finish.\n", why.c_str());
    return 1;
  }
  return 0;
}

int import_enrol_reply(ServerStore& store, const StoreLocation& where, const std::string& text) {
  auto opened = bundle::open_enrol_reply(text);
  if (auto* bad = std::get_if<std::string>(&opened)) {
    std::fprintf(stderr, "Not an enrolment reply that can be trusted: %s. Nothing was changed.\n", bad->c_str());
    return 1;
  }
  const bundle::EnrolReply& r = std::get<bundle::EnrolReply>(opened);
  auto known = store.device_by_key(r.device_key);
  if (!known) {
    std::fprintf(stderr, "%s\n", known.message().c_str());
    return 1;
  }
  if (*known) {
    std::printf("Kiosk %s at %s is enrolled already with this key: nothing to do.\n", (*known)->id.c_str(), (*known)->venue.c_str());
    return 0;
  }
  // The kiosk never uses the network API with this enrolment: its token is
  // random and known to nobody.
  const std::string device_id = new_device_id();
  auto outcome = store.enrol(code_hashes(open_code_key(store, where), r.code), device_id, secret_hash(new_enrol_code() + new_device_id()),
                             r.kiosk_name, now_s());
  if (!outcome) {
    std::fprintf(stderr, "%s\n", outcome.message().c_str());
    return 1;
  }
  switch (outcome->kind) {
    case EnrolOutcome::enrolled:
      break;
    case EnrolOutcome::used_code:
      std::fprintf(stderr, "The reply's enrolment code was used already. Make a new one with enrol-code --file.\n");
      return 1;
    case EnrolOutcome::expired_code:
      std::fprintf(stderr, "The reply's enrolment code has expired. Make a new one with enrol-code --file.\n");
      return 1;
    case EnrolOutcome::revoked_code:
      std::fprintf(stderr, "The reply's enrolment code was withdrawn. Make a new one with enrol-code --file.\n");
      return 1;
    default:
      std::fprintf(stderr, "The reply's enrolment code is not one this server made.\n");
      return 1;
  }
  auto kept = store.register_device_key(outcome->device_id, r.device_key);
  if (!kept || (*kept != KeyRegistration::registered && *kept != KeyRegistration::already)) {
    std::fprintf(stderr, "Kiosk %s was enrolled, but its key could not be kept: %s\n", outcome->device_id.c_str(),
                 kept ? "another kiosk holds it" : kept.message().c_str());
    return 1;
  }
  std::printf("Enrolled kiosk %s (\"%s\") at %s from its USB reply: its bundles are trusted from now on.\n", outcome->device_id.c_str(),
              r.kiosk_name.c_str(), outcome->venue.c_str());
  return 0;
}

}  // namespace

int import_from_stick(const StoreLocation& where, const std::string& path) {
  std::error_code ec;
  auto store = open_store(where, {.apply_migrations = false});
  if (fs::is_directory(path, ec)) {
    if (fs::exists(fs::path(path) / bundle::kManifestFile, ec)) return import_bundle(*store, path);
    if (fs::is_directory(fs::path(path) / bundle::kBundleFolder, ec))
      return import_bundle(*store, (fs::path(path) / bundle::kBundleFolder).string());
    if (fs::exists(fs::path(path) / bundle::kEnrolReplyFile, ec)) {
      std::string why;
      auto text = read_small_file((fs::path(path) / bundle::kEnrolReplyFile).string(), bundle::kMaxEnrolFileBytes, why);
      if (!text) {
        std::fprintf(stderr, "%s\n", why.c_str());
        return 1;
      }
      return import_enrol_reply(*store, where, *text);
    }
    std::fprintf(stderr, "%s holds no bundle (%s or %s/) and no %s.\n", path.c_str(), bundle::kManifestFile, bundle::kBundleFolder,
                 bundle::kEnrolReplyFile);
    return 1;
  }
  std::string why;
  auto text = read_small_file(path, bundle::kMaxEnrolFileBytes, why);
  if (!text) {
    std::fprintf(stderr, "%s (give a kiosk's export folder, its %s folder, or an %s)\n", why.c_str(), bundle::kBundleFolder,
                 bundle::kEnrolReplyFile);
    return 1;
  }
  return import_enrol_reply(*store, where, *text);
}

std::string write_enrol_file(const std::string& path, const std::string& venue, const std::string& code, std::int64_t expires_at,
                             const std::string& set_key_base64) {
  const std::string text = bundle::encode_enrol_file({venue, code, expires_at, set_key_base64});
  Fd f(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (f.fd < 0)
    return "Unable to write " + path + ": " + std::strerror(errno) + (errno == EEXIST ? " (an earlier file is never replaced)" : "");
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(f.fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string why = "Unable to write " + path + ": " + std::strerror(errno);
      ::unlink(path.c_str());
      return why;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(f.fd) != 0) {
    std::string why = "Unable to write " + path + ": " + std::strerror(errno);
    ::unlink(path.c_str());
    return why;
  }
  return {};
}

}  // namespace tp::server
