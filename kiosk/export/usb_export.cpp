// The USB export; the design is in usb_export.h.
#include "usb_export.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>

#include "codebook.h"
#include "csv.h"
#include "data_paths.h"
#include "html.h"
#include "json.h"
#include "report.h"
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

}  // namespace

ExportOutcome export_results(AnswerArchive& archive, const ExportRequest& request) {
  auto progress = [&](const std::string& step, std::uint64_t done, std::uint64_t total) {
    if (request.on_progress) request.on_progress({step, done, total});
  };
  progress("Reading the answers", 0, 0);
  Result<std::vector<Answer>> answers = archive.all_answers(request.since);
  if (!answers) return failed(answers.message());

  // Everything in memory first (invariant 4).
  std::vector<report::AnswerRow> rows;
  rows.reserve(answers->size());
  for (const auto& a : *answers) rows.push_back(report::from_answer(a, request.venue));
  report::ReportFilter filter;
  filter.venue = request.venue;  // every row is this kiosk's: the header names the venue
  filter.from = request.since;
  report::ReportOptions options;
  options.utc_offset = [](std::int64_t t) { return static_cast<std::int64_t>(local_tm(t).tm_gmtoff); };
  options.time_zone_name = format_local(request.now, "%Z");
  const std::string exported_at = format_local(request.now, "%Y-%m-%d %H:%M");
  const std::string period = request.since ? "answers from " + format_local(*request.since, "%Y-%m-%d") : "all answers";

  const std::string csv = report::report_csv(rows, request.sets, filter, options, report::CsvForm::answers);
  report::PageOptions page;
  page.title = "Tenpoint results: " + request.venue;
  page.note = "Exported from the kiosk on " + exported_at + " (" + options.time_zone_name + "), " + period + ".";
  const std::string html = report::report_page(report::build_report(rows, request.sets, filter, options), page);
  const std::string codebook = codebook_text({request.venue, exported_at, options.time_zone_name, period, &answers.value(), &request.sets});

  const std::vector<std::pair<const char*, const std::string*>> files = {
      {kAnswersFile, &csv}, {kReportFile, &html}, {kCodebookFile, &codebook}};
  std::uint64_t bytes = 0;
  for (const auto& [name, text] : files) {
    if (text->size() > request.max_file_bytes)
      return failed(std::string("Unable to export: ") + name + " would be " + megabytes(text->size()) +
                    ", more than a FAT USB stick holds in one file (" + megabytes(request.max_file_bytes) +
                    "); export a shorter period with a start date");
    bytes += text->size();
  }
  // Room for all of it, before the stick is touched.
  int stick_fd = ::open(request.stick.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (stick_fd >= 0) {
    struct statvfs st {};
    bool known = ::fstatvfs(stick_fd, &st) == 0;
    ::close(stick_fd);
    std::uint64_t room = known ? static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize : UINT64_MAX;
    if (known && !(st.f_flag & ST_RDONLY) && room < bytes + kRoomForFilesystem)
      return failed("Unable to export to " + request.stick + ": the USB stick is full (the export needs " +
                    megabytes(bytes + kRoomForFilesystem) + ", " + megabytes(room) + " is free)");
  }

  Result<ExportFolder> made = ExportFolder::create(request.stick, request.venue + " " + format_local(request.now, "%Y-%m-%d"));
  if (!made) return failed(made.message());
  ExportFolder& folder = *made;
  folder.max_file_bytes = request.max_file_bytes;
  const std::uint64_t total = bytes * 2;
  std::uint64_t before = 0;
  ExportOutcome outcome;
  for (const auto& [name, text] : files) {
    std::string step = std::string("Writing ") + name;
    if (text == &csv) step += " (" + report::format_count(static_cast<std::int64_t>(answers->size())) + " answers)";
    progress(step, before, total);
    Status s = folder.write_file(name, *text, [&](std::uint64_t done) { progress(step, before + done, total); });
    if (!s) {
      folder.discard();  // invariant 3
      return failed(s.message());
    }
    before += text->size() * 2;
    outcome.files.push_back(name);
  }
  if (Status s = folder.check_in_place(); !s) {
    folder.discard();
    return failed(s.message());
  }
  outcome.ok = true;
  outcome.folder = folder.path();
  outcome.answers = static_cast<std::int64_t>(answers->size());
  outcome.message = "Safe to remove the USB stick: " + report::format_count(outcome.answers) + " answer" +
                    (outcome.answers == 1 ? "" : "s") + " in " + folder.path() +
                    " (answers.csv, report.html, codebook.txt; written, flushed and read back)";
  progress("Done", total, total);
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
  return "Tenpoint kiosk";
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
