// tenpoint-server: the central server kiosks send their answers to.
#include <signal.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "admin_command.h"
#include "admin_web.h"
#include "code_key_file.h"
#include "http_server.h"
#include "import_command.h"
#include "json.h"
#include "open_store.h"
#include "pg_server_store.h"
#include "readback_cards.h"
#include "secrets.h"
#include "set_key_file.h"
#include "sets_command.h"
#include "sqlite_server_store.h"
#include "sync_words.h"
#include "version.h"

namespace {

using namespace tp::server;

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string db_path(const std::string& data) { return data + "/server.db"; }

// Venue and kiosk names come from people and kiosks: control characters in
// them would move the cursor or recolour the terminal. Shown as \xNN.
std::string printable(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    bool c1 = c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F;
    if (c < 0x20 || c == 0x7F || c1) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c1 ? static_cast<unsigned char>(s[++i]) : c);
      out += buf;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The TLS key proves the server's identity to every kiosk: refuse one that
// any local user can read. "" when it is private enough.
std::string key_permission_problem(const std::string& key_path) {
  struct stat st {};
  if (::stat(key_path.c_str(), &st) != 0) return "";  // bind() reports a missing key in its own words
  if (st.st_mode & S_IROTH)
    return "Unable to use the TLS key " + key_path + ": every user on this machine can read it. Make it private: chmod 600 " + key_path;
  return "";
}

// How to name the store again in a hint: "--data DIR" or "--database URL".
std::string store_flag(const StoreLocation& where) { return where.postgres() ? "--database URL" : "--data " + where.data_dir; }

// Where /metrics is served: "none", or ADDRESS:PORT; `given` when the admin
// chose it (then failing to bind it stops the start; the default only warns,
// so that a second server on one machine still starts).
struct MetricsListen {
  std::string address = "127.0.0.1:" + std::to_string(kDefaultMetricsPort);
  bool given = false;
  bool allow_remote = false;
  bool off() const { return address == "none"; }
};

int serve(const StoreLocation& where, const std::string& listen, HttpOptions http, ApiOptions api_options, const MetricsListen& metrics,
          AdminOptions admin_options) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "--listen takes ADDRESS:PORT, such as 127.0.0.1:8443\n");
    return 2;
  }
  http.host = listen.substr(0, colon);
  http.port = std::atoi(listen.c_str() + colon + 1);
  if (!metrics.off()) {
    auto metrics_colon = metrics.address.rfind(':');
    if (metrics_colon == std::string::npos) {
      std::fprintf(stderr, "--metrics-listen takes ADDRESS:PORT, such as 127.0.0.1:%d, or none\n", kDefaultMetricsPort);
      return 2;
    }
    http.metrics_host = metrics.address.substr(0, metrics_colon);
    http.metrics_port = std::atoi(metrics.address.c_str() + metrics_colon + 1);
    http.metrics_allow_remote = metrics.allow_remote;
  }
  if (!http.plain_http && (http.tls_cert.empty() || http.tls_key.empty())) {
    std::fprintf(stderr, "HTTPS needs --tls-cert and --tls-key (plain HTTP only with --insecure-http, for development)\n");
    return 2;
  }
  if (std::string problem = http.plain_http ? "" : key_permission_problem(http.tls_key); !problem.empty()) {
    std::fprintf(stderr, "%s\n", problem.c_str());
    return 2;
  }
  // Signals go to one thread, which stops the server cleanly.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // PostgreSQL: the schema is brought up to date here (several servers
  // starting at once migrate once), and each handler thread gets a connection.
  int handlers = http.handler_threads > 0 ? http.handler_threads : static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  std::unique_ptr<ServerStore> store = open_store(where, {.apply_migrations = true, .connections = handlers});
  CodeKey code_key = open_code_key(*store, where);
  Api api(*store, code_key, api_options, [] {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  });
  tp::SetSigningKeys set_keys = open_set_signing_key(*store, where);
  api.use_set_signing_key(set_keys);
  // The admin web shares the listener, its limits and its log; its own
  // tables sit beside the server's in the same database.
  std::unique_ptr<AdminStore> admin_store = open_admin_store(where, handlers);
  // Read-back cards are written on the admin web and signed with the set key.
  ReadbackFiles readback_files(*admin_store, set_keys);
  api.use_readback([&readback_files](const std::string& venue, std::int64_t now) { return readback_files.venue_file(venue, now); });
  admin_options.secure_cookie = !http.plain_http;
  AdminWeb admin_web(*admin_store, *store, code_key, admin_options, now_s);
  http.admin = [&admin_web](const ApiRequest& request) { return admin_web.handle(request); };
  HttpServer server(api, http);
  std::string error;
  if (!server.bind(error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  std::printf("tenpoint-server: listening on %s://%s:%d (%s)\n", http.plain_http ? "http" : "https", http.host.c_str(), server.port(),
              describe_store(where).c_str());
  std::fflush(stdout);
  // After the line above: scripts and tests take the first address in the
  // log as the API's.
  if (!metrics.off()) {
    if (server.bind_metrics(error)) {
      std::printf("tenpoint-server: metrics on http://%s:%d/metrics\n", http.metrics_host.c_str(), server.metrics_port());
      std::fflush(stdout);
    } else if (metrics.given) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    } else {
      std::fprintf(stderr, "tenpoint-server: not serving /metrics. %s; choose another with --metrics-listen ADDRESS:PORT, or none\n",
                   error.c_str());
    }
  }
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    server.stop();
  });
  server.run();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wakes the waiter if run() ended first
  waiter.join();
  std::printf("tenpoint-server: stopped\n");
  return 0;
}

int enrol_code(const StoreLocation& where, const std::string& venue, int days, const std::string& file) {
  // The venue's name travels to kiosks and into logs and pages: the same
  // rule as every identifier on the wire.
  if (printable(venue) != venue || venue.empty() || venue.size() > 128) {
    std::fprintf(stderr, "A venue name is 1 to 128 characters with no control characters, not \"%s\"\n", printable(venue).c_str());
    return 2;
  }
  auto store = open_store(where, {.apply_migrations = true});  // as the SQLite file is made here too
  std::string code = new_enrol_code();
  CodeKey key = open_code_key(*store, where);
  if (tp::Status s = store->add_enrol_code(venue, key.code_hash(code), now_s() + std::int64_t{days} * 86400); !s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  if (!file.empty()) {
    // For a kiosk without network: the code and the key its question sets
    // are signed with, on a stick (import_command.h).
    tp::SetSigningKeys keys = open_set_signing_key(*store, where);
    if (std::string why = write_enrol_file(file, venue, code, now_s() + std::int64_t{days} * 86400, tp::encode_base64(keys.public_key));
        !why.empty()) {
      std::fprintf(stderr, "%s\n", why.c_str());
      return 1;
    }
    std::printf(
        "wrote %s: one-time enrolment for %s, valid %d days. On the stick, the kiosk's staff menu offers \"Enrol from stick\"; "
        "then import the enrol-reply.json it writes back with: tenpoint-server import FILE\n",
        file.c_str(), venue.c_str(), days);
    return 0;
  }
  std::printf("%s\n", code.c_str());
  std::fprintf(stderr, "one-time code for %s, valid %d days: put it in the kiosk config's sync.enrolment_code\n", venue.c_str(), days);
  return 0;
}

int revoke(const StoreLocation& where, const std::string& device) {
  auto store = open_store(where, {.apply_migrations = false});
  auto revoked = store->revoke(device, now_s());
  if (!revoked) {
    std::fprintf(stderr, "%s\n", revoked.message().c_str());
    return 1;
  }
  if (!*revoked) {
    std::fprintf(stderr, "No active device %s (see tenpoint-server status)\n", device.c_str());
    return 1;
  }
  std::printf("revoked %s: its token no longer works\n", device.c_str());
  return 0;
}

int revoke_code(const StoreLocation& where, const std::string& code) {
  auto store = open_store(where, {.apply_migrations = false});
  auto withdrawn = store->revoke_enrol_code(code_hashes(open_code_key(*store, where), code), now_s());
  if (!withdrawn) {
    std::fprintf(stderr, "%s\n", withdrawn.message().c_str());
    return 1;
  }
  if (!*withdrawn) {
    std::fprintf(stderr, "No unused enrolment code %s: it was used already, withdrawn already, or never made here\n",
                 printable(code).c_str());
    return 1;
  }
  std::printf("withdrew %s: no kiosk can enrol with it now\n", printable(code).c_str());
  return 0;
}

int status(const StoreLocation& where) {
  auto store = open_store(where, {.apply_migrations = false});
  auto listed = store->devices();
  if (!listed) {
    std::fprintf(stderr, "%s\n", listed.message().c_str());
    return 1;
  }
  const auto& devices = *listed;
  if (devices.empty()) {
    std::printf("no kiosks enrolled yet (make a code with: tenpoint-server enrol-code %s --venue NAME)\n", store_flag(where).c_str());
    return 0;
  }
  std::printf("%-18s  %-20s  %-16s  %8s  %-10s  %9s  %11s  %s\n", "device", "venue", "last contact", "waiting", "oldest", "received",
              "quarantined", "notes");
  for (const auto& d : devices) {
    std::string contact = d.last_contact ? tp::describe_age(now_s() - *d.last_contact) : "never";
    if (d.last_contact && contact != "just now") contact += " ago";
    std::string oldest = d.oldest_unsent_age_s ? tp::describe_age(*d.oldest_unsent_age_s) : "-";
    std::vector<std::string> parts;
    if (d.revoked) parts.push_back("revoked");
    if (!d.name.empty()) parts.push_back("\"" + d.name + "\"");
    if (!d.app_version.empty()) parts.push_back("app " + d.app_version);
    if (!d.set_id.empty()) parts.push_back(d.set_id + " v" + std::to_string(d.set_version));
    if (d.last_contact && !d.clock_trusted) parts.push_back("clock untrusted");
    std::string notes;
    for (const auto& part : parts) notes += (notes.empty() ? "" : ", ") + part;
    std::printf("%-18s  %-20s  %-16s  %8lld  %-10s  %9lld  %11lld  %s\n", printable(d.id).c_str(), printable(d.venue).c_str(),
                contact.c_str(), static_cast<long long>(d.answers_waiting), oldest.c_str(), static_cast<long long>(d.answers_received),
                static_cast<long long>(d.quarantined), printable(notes).c_str());
  }
  return 0;
}

int stats(const StoreLocation& where, bool as_json) {
  auto store = open_store(where, {.apply_migrations = false});
  auto counted = store->answer_counts();
  if (!counted) {
    std::fprintf(stderr, "%s\n", counted.message().c_str());
    return 1;
  }
  const auto& rows = *counted;
  long long total = 0;
  for (const auto& r : rows) total += r.answers;
  if (as_json) {
    std::printf("{\"total_answers\":%lld,\"rows\":[", total);
    for (std::size_t i = 0; i < rows.size(); ++i)
      std::printf("%s{\"venue\":%s,\"device\":%s,\"question\":%s,\"answers\":%lld}", i ? "," : "", tp::json::quote(rows[i].venue).c_str(),
                  tp::json::quote(rows[i].device).c_str(), tp::json::quote(rows[i].question).c_str(),
                  static_cast<long long>(rows[i].answers));
    std::printf("]}\n");
    return 0;
  }
  std::printf("%-20s  %-18s  %-20s  %8s\n", "venue", "device", "question", "answers");
  for (const auto& r : rows)
    std::printf("%-20s  %-18s  %-20s  %8lld\n", printable(r.venue).c_str(), printable(r.device).c_str(), printable(r.question).c_str(),
                static_cast<long long>(r.answers));
  std::printf("%lld answers\n", total);
  return 0;
}

int migrate(const StoreLocation& where) {
  if (!where.postgres()) {
    // Opening the SQLite file migrates it, in one transaction (sqlite_server_store.h).
    auto store = std::make_unique<SqliteServerStore>(db_path(where.data_dir));
    std::printf("%s: schema version %d, up to date\n", db_path(where.data_dir).c_str(), store->schema_version());
    return 0;
  }
  const std::string& url = where.database_url;
  auto report = migrate_postgres(url);
  if (!report) {
    std::fprintf(stderr, "%s\n", report.message().c_str());
    return 1;
  }
  auto named = describe_postgres_url(url);
  if (report->from_version == report->to_version)
    std::printf("%s: schema version %d, up to date\n", named->c_str(), report->to_version);
  else
    std::printf("%s: schema version %d (was %d)\n", named->c_str(), report->to_version, report->from_version);
  return 0;
}

// --data DIR or --database URL: not both (CLI11 checks), and one of them (checked after parsing).
void add_store_options(CLI::App* command, StoreLocation& where, const char* data_help) {
  auto* data = command->add_option("--data", where.data_dir, data_help);
  command->add_option("--database", where.database_url, "PostgreSQL instead of --data: postgresql://USER@HOST/DB, or key=value pairs")
      ->excludes(data);
}

// For the commands that make, check or withdraw enrolment codes (code_key_file.h).
void add_secrets_option(CLI::App* command, StoreLocation& where) {
  command->add_option("--secrets", where.secrets_dir,
                      "Folder for the server's keys (code-key; set-signing.key for serve), kept out of the database's backups. Default: "
                      "the --data folder; required with --database, where every server needs the same files");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Tenpoint central server: receives answers from kiosks over HTTPS."};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", tp::version_line("tenpoint-server"));
  StoreLocation where;

  auto* serve_cmd = cli.add_subcommand("serve", "Serve the API");
  std::string listen = "127.0.0.1:8443";
  HttpOptions http;
  add_store_options(serve_cmd, where, "Folder for the server's SQLite database (the default)");
  add_secrets_option(serve_cmd, where);
  serve_cmd->add_option("--listen", listen, "ADDRESS:PORT to listen on (port 0: any free port)")->capture_default_str();
  serve_cmd->add_option("--tls-cert", http.tls_cert, "PEM certificate (chain) for HTTPS");
  serve_cmd->add_option("--tls-key", http.tls_key, "PEM private key for HTTPS");
  serve_cmd->add_flag("--insecure-http", http.plain_http, "Serve plain HTTP (development only: tokens travel in the clear)");
  serve_cmd->add_option("--threads", http.threads, "I/O threads (TLS, parsing); 0: one per core, at least 2")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  serve_cmd->add_option("--handler-threads", http.handler_threads, "Threads running requests (database work); 0: one per core, at least 2")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  serve_cmd
      ->add_option("--handler-deadline", http.handler_deadline_s,
                   "Seconds a request may wait for its reply once it has arrived (a handler thread, then the database); "
                   "past it the kiosk gets 503 and retries")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  MetricsListen metrics_listen;
  auto* metrics_option = serve_cmd
                             ->add_option("--metrics-listen", metrics_listen.address,
                                          "ADDRESS:PORT for GET /metrics (Prometheus, plain HTTP; port 0: any free port), or none")
                             ->capture_default_str();
  serve_cmd->add_flag("--metrics-allow-remote", metrics_listen.allow_remote,
                      "Allow --metrics-listen on an address other than loopback (plain HTTP: firewall it to the scraper)");
  serve_cmd->add_option("--request-deadline", http.request_deadline_s, "Seconds from a request's first byte to its last")
      ->capture_default_str()
      ->check(CLI::Range(1, 300));
  serve_cmd->add_option("--idle-timeout", http.idle_timeout_s, "Seconds a kept-alive connection may wait for its next request")
      ->capture_default_str()
      ->check(CLI::Range(1, 300));
  serve_cmd->add_option("--max-connections", http.max_connections, "Open connections in all; more are closed at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  serve_cmd
      ->add_option("--max-connections-per-address", http.max_connections_per_address,
                   "Open connections from one client address (a venue's kiosks behind NAT share one)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  ApiOptions api_options;
  double enrol_per_minute = api_options.enrol_requests_per_s * 60;
  serve_cmd->add_option("--kiosk-rate", api_options.device_requests_per_s, "Requests per second one kiosk may make (bursts of 4x)")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 100000.0));
  serve_cmd->add_option("--enrol-per-minute", enrol_per_minute, "Enrolment attempts per minute from one address (against code guessing)")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e7));

  AdminOptions admin_options;
  int admin_idle_minutes = admin_options.idle_timeout_s / 60;
  serve_cmd->add_option("--admin-idle-timeout", admin_idle_minutes, "Minutes an admin web session may stay idle before it ends")
      ->capture_default_str()
      ->check(CLI::Range(1, 24 * 60));

  auto* code_cmd = cli.add_subcommand("enrol-code", "Print a one-time enrolment code for a kiosk at a venue");
  std::string venue;
  int days = 7;
  add_store_options(code_cmd, where, "The server's data folder");
  add_secrets_option(code_cmd, where);
  code_cmd->add_option("--venue", venue, "Venue name, such as \"Central Library\"")->required();
  code_cmd->add_option("--days", days, "Days the code stays valid")->capture_default_str()->check(CLI::Range(1, 365));
  std::string enrol_file;
  code_cmd->add_option(
      "--file", enrol_file,
      "Write an enrolment file (enrol.json) for a kiosk without network, to carry on a USB stick, instead of printing the code");

  auto* import_cmd = cli.add_subcommand(
      "import", "Import what a kiosk wrote on a USB stick: its answers bundle (an export folder) or its enrol-reply.json");
  std::string import_path;
  add_store_options(import_cmd, where, "The server's data folder");
  add_secrets_option(import_cmd, where);
  import_cmd->add_option("PATH", import_path, "The kiosk's export folder on the stick, its server-bundle folder, or enrol-reply.json")
      ->required();

  auto* revoke_cmd = cli.add_subcommand("revoke", "Revoke a kiosk's token");
  std::string device;
  add_store_options(revoke_cmd, where, "The server's data folder");
  revoke_cmd->add_option("DEVICE", device, "Device id, as listed by status")->required();

  auto* status_cmd = cli.add_subcommand("status", "Kiosks, their last contact and what they still have to send");
  add_store_options(status_cmd, where, "The server's data folder");

  auto* stats_cmd = cli.add_subcommand("stats", "Answer counts per venue, device and question");
  bool as_json = false;
  add_store_options(stats_cmd, where, "The server's data folder");
  stats_cmd->add_flag("--json", as_json, "Print JSON");

  auto* revoke_code_cmd =
      cli.add_subcommand("revoke-code", "Withdraw an enrolment code nobody has used yet (lost, or given out by mistake)");
  std::string code;
  add_store_options(revoke_code_cmd, where, "The server's data folder");
  add_secrets_option(revoke_code_cmd, where);
  revoke_code_cmd->add_option("CODE", code, "The code as printed by enrol-code")->required();

  SetsArgs sets_args;
  auto* sets_cmd = add_sets_command(cli, where, sets_args);
  AdminArgs admin_args;
  auto* admin_cmd = add_admin_command(cli, where, admin_args);

  auto* migrate_cmd = cli.add_subcommand("migrate", "Bring the database's schema up to date (serve does this at start too)");
  add_store_options(migrate_cmd, where, "The server's data folder");

  CLI11_PARSE(cli, argc, argv);
  if (std::string problem = check_store_location(where); !problem.empty()) {
    std::fprintf(stderr, "%s\n", problem.c_str());
    return 2;
  }
  bool uses_code_key = serve_cmd->parsed() || code_cmd->parsed() || revoke_code_cmd->parsed() || import_cmd->parsed();
  if (std::string problem = uses_code_key ? check_secrets_location(where) : ""; !problem.empty()) {
    std::fprintf(stderr, "%s\n", problem.c_str());
    return 2;
  }
  std::error_code ec;
  bool makes_database = serve_cmd->parsed() || code_cmd->parsed() || migrate_cmd->parsed() ||
                        (sets_cmd->parsed() && sets_command_makes_database(*sets_cmd)) ||
                        (admin_cmd->parsed() && admin_cmd->got_subcommand("add"));
  if (!where.postgres() && !makes_database && !std::filesystem::exists(db_path(where.data_dir), ec)) {
    std::fprintf(stderr, "No server database in %s (start the server there once, or make an enrolment code)\n", where.data_dir.c_str());
    return 1;
  }
  try {
    api_options.device_burst = api_options.device_requests_per_s * 4;
    api_options.enrol_requests_per_s = enrol_per_minute / 60.0;
    api_options.enrol_burst = std::max(5.0, enrol_per_minute / 12.0);
    metrics_listen.given = metrics_option->count() > 0;
    admin_options.idle_timeout_s = admin_idle_minutes * 60;
    if (serve_cmd->parsed()) return serve(where, listen, http, api_options, metrics_listen, admin_options);
    if (code_cmd->parsed()) return enrol_code(where, venue, days, enrol_file);
    if (import_cmd->parsed()) return import_from_stick(where, import_path);
    if (migrate_cmd->parsed()) return migrate(where);
    if (revoke_cmd->parsed()) return revoke(where, device);
    if (revoke_code_cmd->parsed()) return revoke_code(where, code);
    if (status_cmd->parsed()) return status(where);
    if (stats_cmd->parsed()) return stats(where, as_json);
    if (sets_cmd->parsed()) return run_sets_command(*sets_cmd, where, sets_args);
    if (admin_cmd->parsed()) return run_admin_command(*admin_cmd, where, admin_args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
