// tenpoint: the staff and admin command line. Links no ImGui or SDL.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <random>

#include "data_paths.h"
#include "json.h"
#include "kiosk_config.h"
#include "kiosk_store.h"
#include "offline_enrol.h"
#include "pin.h"
#include "question_set.h"
#include "scrub.h"
#include "set_delivery.h"
#include "simulate.h"
#include "sqlite_answer_archive.h"
#include "usb_export.h"
#include "version.h"

#ifndef TENPOINT_SOURCE_CONFIG
#define TENPOINT_SOURCE_CONFIG "config"
#endif

namespace {

int validate(const std::vector<std::string>& files) {
  int bad = 0;
  for (const auto& f : files) {
    tp::LoadResult r = tp::load_question_set(f);
    if (r.set) {
      std::printf("%s: ok (%s v%d, %zu questions, languages:", f.c_str(), r.set->id.c_str(), r.set->version, r.set->questions.size());
      for (const auto& l : r.set->languages) std::printf(" %s", l.code.c_str());
      std::printf(")\n");
    } else {
      std::fputs(tp::format_problems(f, r.problems).c_str(), stderr);
      ++bad;
    }
  }
  return bad == 0 ? 0 : 1;
}

struct InstallOptions {
  std::string file;
  std::string config_path;  // empty: the installed kiosk's, if there is one
  std::string data_dir;     // empty: the folder of the kiosk's database
  std::string db_path;      // empty: the config's "database", else the per-user data folder
};

// Exit codes of `questions install`: 1 the file was refused, 2 it could not
// be checked or written (config, database, no trusted key, disk).
constexpr int kInstallRefused = 1;
constexpr int kInstallUnable = 2;

// Checks a signed set as the kiosk will (the trusted key, a serial above the
// one the kiosk recorded) and writes it in place; the kiosk starts it at its
// next attract screen.
int install(const InstallOptions& o) {
  tp::KioskConfig config;
  std::error_code ec;
  std::string config_path = o.config_path.empty() ? tp::default_kiosk_config_path() : o.config_path;
  if (!o.config_path.empty() || std::filesystem::exists(config_path, ec)) {
    try {
      config = tp::load_kiosk_config(config_path);
    } catch (const tp::ConfigError& e) {
      std::fprintf(stderr, "%s\n", e.what());
      return kInstallUnable;
    }
  }
  std::string db = !o.db_path.empty()              ? o.db_path
                   : !o.data_dir.empty()           ? o.data_dir + "/kiosk.db"
                   : !config.database_path.empty() ? config.database_path
                                                   : tp::user_data_dir() + "/kiosk.db";
  std::string data_dir = !o.data_dir.empty() ? o.data_dir : tp::kiosk_data_dir(db);
  if (!std::filesystem::is_directory(data_dir, ec)) {
    std::fprintf(stderr, "Unable to install: there is no kiosk data folder %s (give the kiosk's with --data DIR)\n", data_dir.c_str());
    return kInstallUnable;
  }
  // Files root made in the kiosk's folder (the database's -wal and -shm, say)
  // would lock the kiosk out of its own database.
  struct stat folder {};
  if (::geteuid() == 0 && ::stat(data_dir.c_str(), &folder) == 0 && folder.st_uid != 0) {
    const struct passwd* owner = ::getpwuid(folder.st_uid);
    std::string user = owner ? owner->pw_name : std::to_string(folder.st_uid);
    std::fprintf(stderr, "Unable to install as root into %s, which belongs to %s: run it as that user (sudo -u %s tenpoint ...)\n",
                 data_dir.c_str(), user.c_str(), user.c_str());
    return kInstallUnable;
  }
  tp::TrustedSetKey key = tp::find_trusted_set_key(config, data_dir);
  if (key.key.empty()) {
    std::fprintf(stderr, "Unable to check %s: %s\n", o.file.c_str(), key.problem.c_str());
    return kInstallUnable;
  }
  // A kiosk that never ran has no database yet, and has accepted nothing. The
  // database is not created here: it belongs to the kiosk's user.
  std::int64_t recorded = 0;
  if (std::filesystem::exists(db, ec)) {
    tp::SqliteDatabase database({db, std::nullopt});
    tp::SqliteSetSerials serials(database);
    tp::Result<tp::AcceptedSet> accepted = serials.highest_accepted();
    if (!accepted) {
      std::fprintf(stderr, "Unable to check %s: %s\n", o.file.c_str(), accepted.message().c_str());
      return kInstallUnable;
    }
    recorded = accepted->serial;
  }
  tp::SetInstallResult r = tp::install_signed_set(o.file, data_dir, key.key, recorded);
  if (!r.installed) {
    std::fprintf(stderr, "%s\n", r.message.c_str());
    return r.refusal ? kInstallRefused : kInstallUnable;
  }
  std::printf("%s\n(written to %s)\n", r.message.c_str(), tp::delivered_set_path(data_dir).c_str());
  return 0;
}

int stats(const std::string& db, bool as_json) {
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) {
    std::fprintf(stderr, "Unable to open %s: no such file (give the kiosk's database with --db)\n", db.c_str());
    return 1;
  }
  tp::SqliteDatabase database({db, std::nullopt});
  tp::SqliteReports reports(database);
  auto rows = reports.answers_by_question_and_day();
  if (!rows) {
    std::fprintf(stderr, "%s\n", rows.message().c_str());
    return 1;
  }
  std::int64_t total = 0;
  for (const auto& r : *rows) total += r.answers;
  if (as_json) {
    std::printf("{\"database\":%s,\"total_answers\":%lld,\"rows\":[", tp::json::quote(db).c_str(), static_cast<long long>(total));
    for (std::size_t i = 0; i < rows->size(); ++i) {
      const auto& r = (*rows)[i];
      std::printf("%s{\"day\":%s,\"question\":%s,\"answers\":%lld,\"mean_score\":", i ? "," : "", tp::json::quote(r.day).c_str(),
                  tp::json::quote(r.question_id).c_str(), static_cast<long long>(r.answers));
      if (r.mean_score)
        std::printf("%.2f", *r.mean_score);
      else
        std::printf("null");
      std::printf(",\"texts\":%lld}", static_cast<long long>(r.texts));
    }
    std::printf("]}\n");
    return 0;
  }
  std::printf("%-10s  %-20s  %8s  %10s  %6s\n", "day", "question", "answers", "mean score", "texts");
  for (const auto& r : *rows) {
    std::string mean = r.mean_score ? std::to_string(*r.mean_score).substr(0, std::to_string(*r.mean_score).find('.') + 2) : "-";
    std::printf("%-10s  %-20s  %8lld  %10s  %6lld\n", r.day.c_str(), r.question_id.c_str(), static_cast<long long>(r.answers), mean.c_str(),
                static_cast<long long>(r.texts));
  }
  std::printf("%lld answers in %zu rows\n", static_cast<long long>(total), rows->size());
  return 0;
}

struct ExportOptions {
  std::string db_path;
  std::string to;
  std::string since;
  std::string venue;        // empty: the venue in device.json beside the database
  std::string config_path;  // for the question sets and the trusted key; empty: the installed kiosk's, if any
};

// Exit codes of `export`: 1 the export failed (the stick), 2 it could not start (arguments, database).
constexpr int kExportFailed = 1;
constexpr int kExportUnable = 2;

// The same export as the staff menu's, into a new folder in `to`.
// "Enrol from stick", from the command line (offline_enrol.h).
int enrol_offline(const std::string& file, const std::string& db_path, const std::string& data_dir_flag, const std::string& name) {
  std::error_code ec;
  const std::string db = !db_path.empty()         ? db_path
                         : !data_dir_flag.empty() ? data_dir_flag + "/kiosk.db"
                                                  : tp::user_data_dir() + "/kiosk.db";
  const std::string data_dir = !data_dir_flag.empty() ? data_dir_flag : tp::kiosk_data_dir(db);
  if (!std::filesystem::is_directory(data_dir, ec)) {
    std::fprintf(stderr, "There is no kiosk data folder %s (give the kiosk's with --data DIR)\n", data_dir.c_str());
    return 2;
  }
  tp::OfflineEnrolOutcome done = tp::enrol_from_stick(file, data_dir, name, static_cast<std::int64_t>(std::time(nullptr)));
  std::fprintf(done.ok ? stdout : stderr, "%s\n", done.message.c_str());
  if (done.ok) std::printf("reply written: %s\n", done.reply_path.c_str());
  return done.ok ? 0 : 1;
}

int export_results(const ExportOptions& o) {
  tp::ExportRequest request;
  if (!o.since.empty()) {
    request.since = tp::parse_local_date(o.since);
    if (!request.since) {
      std::fprintf(stderr, "--since takes a date as YYYY-MM-DD, such as 2025-01-06 (not \"%s\")\n", o.since.c_str());
      return kExportUnable;
    }
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(o.db_path, ec)) {
    std::fprintf(stderr, "Unable to export: %s is not a database file (give the kiosk's database with --db)\n", o.db_path.c_str());
    return kExportUnable;
  }
  if (!std::filesystem::is_directory(o.to, ec)) {
    std::fprintf(stderr, "Unable to export: there is no folder %s (give the USB stick's folder with --to)\n", o.to.c_str());
    return kExportUnable;
  }
  tp::KioskConfig config;
  std::string config_path = o.config_path.empty() ? tp::default_kiosk_config_path() : o.config_path;
  if (!o.config_path.empty() || std::filesystem::exists(config_path, ec)) {
    try {
      config = tp::load_kiosk_config(config_path);
    } catch (const tp::ConfigError& e) {
      std::fprintf(stderr, "%s\n", e.what());
      return kExportUnable;
    }
  }
  std::string data_dir = tp::kiosk_data_dir(o.db_path);
  request.stick = o.to;
  request.venue = o.venue.empty() ? tp::kiosk_venue(data_dir) : o.venue;
  request.sets = tp::kiosk_question_sets(config, data_dir);
  request.now = static_cast<std::int64_t>(std::time(nullptr));
  request.data_dir = data_dir;  // the device key, for the server bundle
  std::string last_step;
  request.on_progress = [&](const tp::ExportProgress& p) {
    if (p.step != last_step) std::fprintf(stderr, "%s\n", p.step.c_str());
    last_step = p.step;
  };
  tp::SqliteAnswerArchive archive(o.db_path);
  tp::ExportOutcome outcome = tp::export_results(archive, request);
  if (!outcome.ok) {
    std::fprintf(stderr, "%s\n", outcome.message.c_str());
    return kExportFailed;
  }
  std::printf("%s\n", outcome.message.c_str());
  return 0;
}

int pin_hash(std::string pin) {
  if (pin.empty()) {
    std::fprintf(stderr, "PIN (%zu to 8 digits): ", tp::kMinNewPinDigits);
    std::getline(std::cin, pin);
  }
  if (!tp::pin_is_long_enough(pin)) {
    std::fprintf(stderr, "A staff PIN is %zu to 8 digits (0-9 only).\n", tp::kMinNewPinDigits);
    return 1;
  }
  auto hash = tp::hash_pin(pin);
  if (!hash) {
    std::fprintf(stderr, "Unable to hash the PIN (not enough memory for Argon2id?)\n");
    return 1;
  }
  std::printf("%s\n", hash->c_str());
  return 0;
}

// The kiosk's scrubber over standard input, one note a line, so that staff
// can see what it removes before anything is stored.
int scrub_notes(const std::string& language) {
  for (std::string line; std::getline(std::cin, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string scrubbed = tp::scrub_note(line, language) + "\n";
    std::fwrite(scrubbed.data(), 1, scrubbed.size(), stdout);
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Tenpoint command line: check question sets, read a kiosk's answers, make demo data."};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", tp::version_line("tenpoint"));

  auto* questions = cli.add_subcommand("questions", "Work with question-set files");
  questions->require_subcommand(1);
  std::vector<std::string> files;
  auto* validate_cmd = questions->add_subcommand("validate", "Check question-set files; report every problem as FILE:LINE:COLUMN: message");
  validate_cmd->add_option("FILE", files, "Question-set JSON files")->required();
  InstallOptions inst;
  auto* install_cmd = questions->add_subcommand(
      "install",
      "Check a signed question set (.tpset) as the kiosk does and put it in the kiosk's data folder; the kiosk starts it at its next "
      "attract screen. Exit 1: refused (the reason is printed); 2: could not check or write it");
  install_cmd->add_option("FILE", inst.file, "Signed question set (.tpset)")->required();
  install_cmd->add_option("--config", inst.config_path,
                          "Kiosk config (for trusted_set_key and database); default: /etc/tenpoint/kiosk.json");
  install_cmd->add_option("--data", inst.data_dir, "The kiosk's data folder, holding its database kiosk.db");
  install_cmd->add_option("--db", inst.db_path, "The kiosk's database, when not DIR/kiosk.db (its folder is the data folder)");

  std::string db;
  bool as_json = false;
  auto* stats_cmd = cli.add_subcommand("stats", "Answers by question and day");
  stats_cmd->add_option("--db", db, "The kiosk's answer database")->required();
  stats_cmd->add_flag("--json", as_json, "Print JSON instead of a table");

  tp::SimulateOptions sim;
  sim.questions_path = std::string(TENPOINT_SOURCE_CONFIG) + "/questions/library-demo.json";
  auto* sim_cmd = cli.add_subcommand("simulate", "Add realistic synthetic answers that follow a question set (demos, benchmarks)");
  sim_cmd->add_option("--db", sim.db_path, "Database to add answers to (created if missing)")->required();
  sim_cmd->add_option("--answers", sim.answers, "How many answers to add")->required()->check(CLI::Range(1, 100000000));
  sim_cmd->add_option("--questions", sim.questions_path, "Question set to follow")->capture_default_str();
  sim_cmd->add_option("--days", sim.days, "Spread the answers over this many past days")->capture_default_str()->check(CLI::Range(1, 3650));
  sim_cmd->add_option("--seed", sim.seed, "Random seed, for repeatable data");

  ExportOptions exp;
  auto* export_cmd = cli.add_subcommand(
      "export",
      "Export the answers to a new folder (named by venue and date) in DIR, such as a USB stick: answers.csv, report.html and "
      "codebook.txt, each written, flushed and read back. Exit 1: the export failed (the reason is printed); 2: it could not start");
  export_cmd->add_option("--db", exp.db_path, "The kiosk's answer database (only read)")->required();
  export_cmd->add_option("--to", exp.to, "The folder to make the export's folder in (the USB stick's)")->required();
  export_cmd->add_option("--since", exp.since, "Only answers from this day on, YYYY-MM-DD (local time)");
  export_cmd->add_option("--venue", exp.venue, "The venue's name, for the folder and the report; default: the one the kiosk enrolled at");
  export_cmd->add_option("--config", exp.config_path, "Kiosk config (its question set and trusted key); default: /etc/tenpoint/kiosk.json");

  std::string enrol_file, enrol_db, enrol_data, enrol_name = "kiosk";
  auto* enrol_cmd = cli.add_subcommand(
      "enrol-offline",
      "Enrol this kiosk from an enrolment file a server wrote (tenpoint-server enrol-code --file), for a venue without network; "
      "writes enrol-reply.json beside it, for tenpoint-server import");
  enrol_cmd->add_option("--file", enrol_file, "The enrolment file (enrol.json on the USB stick)")->required();
  enrol_cmd->add_option("--db", enrol_db, "The kiosk's database; its folder holds the kiosk's key");
  enrol_cmd->add_option("--data", enrol_data, "The kiosk's data folder (default: the database's folder)");
  enrol_cmd->add_option("--name", enrol_name, "The kiosk's name, as the server lists it")->capture_default_str();

  std::string pin;
  auto* pin_cmd = cli.add_subcommand("pin-hash", "Print the Argon2id hash of a staff PIN, for the kiosk config's staff_pin_hash");
  pin_cmd->add_option("PIN", pin, "6 to 8 digits (read from standard input when left out)");

  auto* notes = cli.add_subcommand("notes", "Work with residents' notes");
  notes->require_subcommand(1);
  std::string scrub_language = "en";
  auto* scrub_cmd = notes->add_subcommand(
      "scrub",
      "Read notes from standard input, one a line, and write each as the kiosk stores it: phone numbers, emails, postcodes, long "
      "numbers (card, account, NHS), street addresses and names replaced by [phone], [email], [postcode], [number], [address], [name]");
  scrub_cmd->add_option("--language", scrub_language, "The visit's language, for the markers (cy: [ffôn], [e-bost], ...)")
      ->capture_default_str();

  CLI11_PARSE(cli, argc, argv);

  if (validate_cmd->parsed()) return validate(files);
  if (install_cmd->parsed()) return install(inst);
  if (stats_cmd->parsed()) return stats(db, as_json);
  if (export_cmd->parsed()) return export_results(exp);
  if (enrol_cmd->parsed()) return enrol_offline(enrol_file, enrol_db, enrol_data, enrol_name);
  if (pin_cmd->parsed()) return pin_hash(pin);
  if (scrub_cmd->parsed()) return scrub_notes(scrub_language);
  if (sim_cmd->parsed()) {
    std::string error;
    long long made = tp::simulate(sim, error);
    if (made < 0) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
    std::printf("added %lld answers to %s\n", made, sim.db_path.c_str());
    return 0;
  }
  return 0;
}
