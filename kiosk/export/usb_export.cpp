// The USB export; the design is in usb_export.h.
#include "usb_export.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>

#include "bundle.h"
#include "codebook.h"
#include "csv.h"
#include "data_paths.h"
#include "device_key.h"
#include "html.h"
#include "json.h"
#include "offline_enrol.h"
#include "report.h"
#include "server_bundle.h"
#include "set_delivery.h"

namespace tp {

namespace {

constexpr std::size_t kMaxDeviceFileBytes = 64 * 1024;  // device.json is a few hundred bytes
// FAT rounds every file up to whole clusters (up to 32 KiB) and needs
// directory entries: this much room beyond the bytes themselves.
constexpr std::uint64_t kRoomForFilesystem = 256 * 1024;  // 256 KiB

std::tm local_tm(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  return tm;
}

std::string format_local(std::int64_t unix_seconds, const char* format) {
  std::tm tm = local_tm(unix_seconds);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

std::string megabytes(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

ExportOutcome failed(const std::string& why) {
  ExportOutcome o;
  o.message = why + ". The kiosk's answers are safe and unchanged.";
  return o;
}

// Fewer bytes than any answer takes in a file, for the checks made before
// the stick is touched (invariant 4). A line of answers.csv holds two ids of
// 36 characters, an hour of 16, the yes or no and 12 commas: over 100. A
// line of answers.jsonl holds the field names too: over 200.
constexpr std::uint64_t kMinCsvBytesPerAnswer = 100;
constexpr std::uint64_t kMinBundleBytesPerAnswer = 200;
// CSV text handed to the file at once.
constexpr std::size_t kCsvWriteBytes = 256 * 1024;  // 256 KiB
// Answers between two progress reports while they stream.
constexpr std::int64_t kProgressEveryAnswers = 2048;
// The progress bar's whole (ExportProgress::total), and its share for each part.
constexpr std::uint64_t kProgressWhole = 1'000'000;
constexpr double kShareAnswers = 0.6;     // reading the answers and writing answers.csv (and answers.jsonl)
constexpr double kShareReadBack = 0.3;    // reading those files back
constexpr double kShareSmallFiles = 0.1;  // the report, the codebook, the bundle's manifest and signature

std::string file_size_words(std::uint64_t bytes) {
  if (bytes < 1024 * 1024) return std::to_string((bytes + 1023) / 1024) + " KB";
  return megabytes(bytes);
}

// The export as the archive hands it the answers (usb_export.h, the diagram).
class Exporting final : public ArchiveReader {
 public:
  Exporting(const ExportRequest& request, const report::ReportOptions& options, const report::ReportFilter& filter,
            const std::optional<DeviceKey>& key)
      : request_(request), key_(key), csv_(request.sets, request.venue, options), report_(request.sets, filter, options) {
    // The notes reach the report by note_visit_answer(), a visit at a time;
    // the rows of answer() name no visit.
    report_.visits_arrive_whole(true);
  }

  Status begin(std::int64_t answers) override {
    count_ = answers;
    const auto n = static_cast<std::uint64_t>(std::max<std::int64_t>(answers, 0));
    // What is certain to be too much is refused before the stick is touched (invariant 4).
    auto too_large = [&](const std::string& file, std::uint64_t at_least) {
      return Status::failure(Fault::storage_full, "Unable to export: " + file + " would be at least " + file_size_words(at_least) +
                                                      ", more than a FAT USB stick holds in one file (" +
                                                      megabytes(request_.max_file_bytes) + "); export a shorter period with a start date");
    };
    if (n * kMinCsvBytesPerAnswer > request_.max_file_bytes) return too_large(kAnswersFile, n * kMinCsvBytesPerAnswer);
    if (key_ && n * kMinBundleBytesPerAnswer > request_.max_file_bytes)
      return too_large(std::string(bundle::kBundleFolder) + "/" + bundle::kAnswersFile, n * kMinBundleBytesPerAnswer);
    const std::uint64_t needed = n * (kMinCsvBytesPerAnswer + (key_ ? kMinBundleBytesPerAnswer : 0)) + kRoomForFilesystem;
    int stick_fd = ::open(request_.stick.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (stick_fd >= 0) {
      struct statvfs st {};
      bool known = ::fstatvfs(stick_fd, &st) == 0;
      ::close(stick_fd);
      std::uint64_t room = known ? static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize : UINT64_MAX;
      if (known && !(st.f_flag & ST_RDONLY) && room < needed)
        return Status::failure(Fault::storage_full, "Unable to export to " + request_.stick +
                                                        ": the USB stick is full (the export needs at least " + megabytes(needed) + ", " +
                                                        megabytes(room) + " is free)");
    }

    Result<ExportFolder> made = ExportFolder::create(request_.stick, request_.venue + " " + format_local(request_.now, "%Y-%m-%d"));
    if (!made) return made.status();
    folder_ = std::make_unique<ExportFolder>(std::move(*made));  // files refer to it: it must not move
    folder_->max_file_bytes = request_.max_file_bytes;
    Result<ExportFile> csv = folder_->begin_file(kAnswersFile);
    if (!csv) return csv.status();
    csv_file_.emplace(std::move(*csv));
    buffer_ = report::AnswersCsvLines::header();
    if (key_) {
      Result<ServerBundleWriter> bundle = ServerBundleWriter::start(*folder_, *key_, request_.venue, request_.now);
      if (!bundle) return bundle.status();
      bundle_.emplace(std::move(*bundle));
    }
    step_ = std::string("Writing ") + kAnswersFile + " (" + report::format_count(count_) + " answer" + (count_ == 1 ? "" : "s") + ")";
    progress(0);
    return {};
  }

  Status answer(ArchivedAnswer&& a) override {
    if (!group_.empty() && (a.stored.answer.stamp.unix_seconds != group_.front().stored.answer.stamp.unix_seconds ||
                            a.stored.answer.session_id != group_.front().stored.answer.session_id))
      if (Status s = end_group(); !s) return s;
    group_.push_back(std::move(a));
    return {};
  }

  // After the last answer: answers.csv and answers.jsonl finished and read back.
  Status finish_answers(const std::function<void(const std::string&, double)>& report_progress) {
    if (Status s = end_group(); !s) return s;
    if (Status s = csv_file_->write(buffer_); !s) return s;
    buffer_.clear();
    buffer_.shrink_to_fit();
    const double read_back_bytes =
        static_cast<double>(csv_file_->size() + (bundle_ ? bundle_->bytes() : 0)) + 1.0;  // +1: never a division by 0
    const std::uint64_t csv_bytes = csv_file_->size();
    report_progress(std::string("Checking ") + kAnswersFile, kShareAnswers);
    if (Status s = csv_file_->finish([&](std::uint64_t done) {
          report_progress(std::string("Checking ") + kAnswersFile,
                          kShareAnswers + kShareReadBack * static_cast<double>(done) / read_back_bytes);
        });
        !s)
      return s;
    if (!bundle_) return {};
    const std::string step = std::string("Checking ") + bundle::kBundleFolder + "/" + bundle::kAnswersFile;
    return bundle_->finish_answers([&](std::uint64_t done) {
      report_progress(step, kShareAnswers + kShareReadBack * static_cast<double>(csv_bytes + done) / read_back_bytes);
    });
  }

  // Removes whatever the export made (invariant 3).
  void discard() {
    csv_file_.reset();  // its temporary file goes
    if (bundle_) bundle_->discard();
    bundle_.reset();
    if (folder_) folder_->discard();
  }

  // The visits that left a note, whole: each note counts here, and each
  // score is there only to place its visit's notes (it counted in answer()).
  Status note_visit_answer(Answer&& a) override {
    const bool note = a.text && !a.text->empty();
    report::RowView r = report_row(a);
    r.session_id = a.session_id;
    if (!note) r.count = 0;  // report::AnswerRow::count: gives the visit its score, counts for nothing
    report_.add(r);
    return {};
  }

  ExportFolder* folder() { return folder_.get(); }
  ServerBundleWriter* bundle() { return bundle_ ? &*bundle_ : nullptr; }
  // The report's figures, once the answers are all read.
  report::Report take_report() { return report_.finish(); }
  const CodebookTally& tally() const { return tally_; }
  std::int64_t answers() const { return done_; }

 private:
  void progress(double fraction) {
    if (request_.on_progress) request_.on_progress({step_, static_cast<std::uint64_t>(fraction * kProgressWhole), kProgressWhole});
  }

  // One visit's answers of one rounded time: their lines, their rows of the
  // report, and the bundle.
  Status end_group() {
    if (group_.empty()) return {};
    pointers_.clear();
    for (const auto& a : group_) pointers_.push_back(&a.stored.answer);
    csv_.append(pointers_, buffer_);
    if (buffer_.size() >= kCsvWriteBytes) {
      if (Status s = csv_file_->write(buffer_); !s) return s;
      buffer_.clear();
    }
    for (auto& a : group_) {
      tally_.add(a.stored.answer);
      add_to_report(a.stored.answer);
      if (bundle_ && a.closed)  // server_bundle.h, invariant 2
        if (Status s = bundle_->add(std::move(a.stored)); !s) return s;
      if (++done_ % kProgressEveryAnswers == 0)
        progress(kShareAnswers * static_cast<double>(done_) / static_cast<double>(std::max<std::int64_t>(count_, 1)));
    }
    group_.clear();
    return {};
  }

  // The report's tallies take each answer as it passes, but for the texts:
  // they come again with their visits (note_visit_answer), counted then. No
  // row here names its visit, so the report holds no visit and no note from
  // this pass.
  void add_to_report(const Answer& a) {
    if (a.text && !a.text->empty()) return;
    report_.add(report_row(a));
  }

  report::RowView report_row(const Answer& a) const {
    report::RowView r;
    r.set_id = a.set_id;
    r.set_version = a.set_version;
    r.question_id = a.question_id;
    r.venue = request_.venue;
    r.language = a.language;
    r.score = a.score;
    r.text = a.text ? &*a.text : nullptr;
    r.choice = a.choice ? &*a.choice : nullptr;
    r.recorded_at = a.stamp.unix_seconds;
    r.rapid_repeat = a.rapid_repeat;
    return r;
  }

  const ExportRequest& request_;
  const std::optional<DeviceKey>& key_;
  report::AnswersCsvLines csv_;
  report::ReportBuilder report_;
  std::unique_ptr<ExportFolder> folder_;
  std::optional<ExportFile> csv_file_;
  std::optional<ServerBundleWriter> bundle_;
  std::string step_;
  std::int64_t count_ = 0, done_ = 0;
  std::vector<ArchivedAnswer> group_;
  std::vector<const Answer*> pointers_;
  std::string buffer_;
  CodebookTally tally_;
};

}  // namespace

ExportOutcome export_results(AnswerArchive& archive, const ExportRequest& request) {
  auto progress = [&](const std::string& step, double fraction) {
    if (request.on_progress) request.on_progress({step, static_cast<std::uint64_t>(fraction * kProgressWhole), kProgressWhole});
  };
  if (request.on_progress) request.on_progress({"Reading the answers", 0, 0});

  // The device key, for the server bundle: none when the kiosk never enrolled.
  std::optional<DeviceKey> key;
  std::string no_bundle = " No server bundle was written because this kiosk is not enrolled.";
  if (!request.data_dir.empty()) {
    Result<std::optional<DeviceKey>> loaded = load_device_key(request.data_dir);
    if (!loaded)
      no_bundle = " No server bundle was written: " + loaded.message() + (loaded.message().ends_with(".") ? "" : ".");
    else if (*loaded)
      key = std::move(*loaded);
  }

  report::ReportOptions options;
  options.utc_offset = [](std::int64_t t) { return static_cast<std::int64_t>(local_tm(t).tm_gmtoff); };
  options.time_zone_name = format_local(request.now, "%Z");
  options.all_notes_are_in = std::string("Every note is in ") + kAnswersFile + ".";
  const std::string exported_at = format_local(request.now, "%Y-%m-%d %H:%M");
  const std::string period = request.since ? "answers from " + format_local(*request.since, "%Y-%m-%d") : "all answers";

  report::ReportFilter filter;
  filter.venue = request.venue;  // every row is this kiosk's: the header names the venue
  filter.from = request.since;

  // The answers stream from the database to the stick (invariant 4).
  Exporting ex(request, options, filter, key);
  auto fail = [&](const Status& s) {
    ex.discard();  // invariant 3
    return failed(s.message());
  };
  if (Status s = archive.read_answers(request.since, ex); !s) return fail(s);
  if (Status s = ex.finish_answers(progress); !s) return fail(s);
  ExportFolder& folder = *ex.folder();

  // The small files, made from what was gathered on the way.
  std::vector<std::pair<std::string, std::function<std::string()>>> small = {
      {kReportFile,
       [&] {
         report::PageOptions page;
         page.title = "Tenpoint results: " + request.venue;
         page.note = "Exported from the kiosk on " + exported_at + " (" + options.time_zone_name + "), " + period + ".";
         return report::report_page(ex.take_report(), page);
       }},
      {kCodebookFile,
       [&] {
         return codebook_text({request.venue, exported_at, options.time_zone_name, period, &ex.tally(), &request.sets, key.has_value()});
       }},
  };
  ExportOutcome outcome;
  outcome.files.push_back(kAnswersFile);
  if (key) outcome.files.push_back(std::string(bundle::kBundleFolder) + "/" + bundle::kAnswersFile);
  const double steps = static_cast<double>(small.size() + (key ? 1 : 0));
  double at = kShareAnswers + kShareReadBack;
  for (const auto& [name, make] : small) {
    const std::string step = "Writing " + name;
    progress(step, at);
    const std::string text = make();
    if (Status s = folder.write_file(name, text); !s) return fail(s);
    outcome.files.push_back(name);
    at += kShareSmallFiles / steps;
  }
  if (ServerBundleWriter* bundle = ex.bundle()) {
    progress(std::string("Writing ") + bundle::kBundleFolder + "/" + bundle::kManifestFile, at);
    if (Status s = bundle->finish(); !s) return fail(s);
    outcome.files.push_back(std::string(bundle::kBundleFolder) + "/" + bundle::kManifestFile);
    outcome.files.push_back(std::string(bundle::kBundleFolder) + "/" + bundle::kSignatureFile);
  }
  if (Status s = folder.check_in_place(); !s) return fail(s);
  outcome.ok = true;
  outcome.folder = folder.path();
  outcome.answers = ex.answers();
  outcome.bundle_answers = key ? ex.bundle()->answers() : 0;
  outcome.message = "Safe to remove the USB stick: " + report::format_count(outcome.answers) + " answer" +
                    (outcome.answers == 1 ? "" : "s") + " in " + folder.path() + " (answers.csv, report.html, codebook.txt" +
                    (key ? ", server-bundle" : "") + "; written, flushed and read back)." + (key ? "" : no_bundle);
  if (request.on_progress) request.on_progress({"Done", kProgressWhole, kProgressWhole});
  return outcome;
}

std::optional<std::int64_t> parse_local_date(const std::string& text) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
    return std::nullopt;
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  tm.tm_isdst = -1;
  std::time_t t = std::mktime(&tm);
  if (t == -1 || tm.tm_mday != d || tm.tm_mon != m - 1) return std::nullopt;  // 31 February came back as March
  return static_cast<std::int64_t>(t);
}

std::string kiosk_venue(const std::string& data_dir) {
  // Only the venue is taken from the file; it also holds the device's token.
  Result<std::string> text = read_file_capped(data_dir + "/device.json", kMaxDeviceFileBytes);
  if (text) {
    json::ParseResult parsed = json::parse(*text);
    const json::Value* venue = parsed.ok ? parsed.value.find("venue") : nullptr;
    if (venue && venue->is(json::Value::Type::string) && !venue->string.empty()) return venue->string;
  }
  if (std::string venue = offline_venue(data_dir); !venue.empty()) return venue;  // enrolled from a stick
  return kUnenrolledVenue;
}

std::vector<QuestionSet> kiosk_question_sets(const KioskConfig& config, const std::string& data_dir) {
  std::vector<QuestionSet> sets;
  auto add = [&](std::optional<QuestionSet> set) {
    if (!set) return;
    for (const auto& s : sets)
      if (s.id == set->id && s.version == set->version) return;
    sets.push_back(std::move(*set));
  };
  TrustedSetKey key = find_trusted_set_key(config, data_dir);
  for (const std::string& path : {accepted_set_path(data_dir), delivered_set_path(data_dir)}) {
    std::error_code ec;
    if (key.key.empty() || !std::filesystem::exists(path, ec)) continue;
    OpenedSignedSet opened = open_signed_set_file(path, key.key, 0, SerialRule::same_or_newer);
    if (opened) add(std::move(opened.opened->set));
  }
  for (const std::string& path : {config.question_set_path, data_dir + "/question-set.last-good.json"}) {
    std::error_code ec;
    if (!path.empty() && std::filesystem::exists(path, ec)) add(load_question_set(path).set);
  }
  return sets;
}

}  // namespace tp
