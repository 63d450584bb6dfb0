// The admin web's results page for one venue with ANSWERS answers (one
// question: half of them), against the plain SQL aggregate the page's
// figures need (count, distribution, mean and median of that question) on
// the same database: on SQLite, then on a throwaway PostgreSQL cluster.
//
// The answers go in by SQL, in one transaction, into the schema the server
// made itself (tenpoint-server migrate). Rows are shaped like a library
// kiosk's (tests/bench/load_kiosk.h): visits of a score to "library" and a
// comment to "keep", 10 kiosks, spread over 60 days, all stamped by a
// trusted clock. The page is fetched signed in as an admin (the sign-in
// form with its CSRF token and cookie), once to warm up and then RUNS
// times; the aggregate runs as often. Medians of each are compared.
//
// Target: the page within 2x of the aggregate; "MISSED" when over.
//
// Usage: bench_results TENPOINT_SERVER SOURCE_DIR OUT_DIR [ANSWERS RUNS]
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>

#include "bench_http.h"
#include "bench_server.h"
#include "postgres.h"

namespace {

constexpr const char* kVenue = "Central";
constexpr const char* kPassword = "correct horse battery";
constexpr std::int64_t kSpan = 60 * 86400;  // the answers' 60 days, ending now

struct Figures {
  double page_s = 0, sql_s = 0, page_cpu_s = 0;
  long long answers = 0;  // what the aggregate counted
  std::size_t page_bytes = 0;
  bool page_shows_count = false;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::string utc_date(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char out[16];
  std::strftime(out, sizeof out, "%Y-%m-%d", &tm);
  return out;
}

// 1234567 -> "1,234,567", as the page writes counts.
std::string with_commas(long long n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void must_run(const std::vector<std::string>& argv) {
  std::string out;
  if (tp::test::run_command(argv, out, std::chrono::minutes(5)) != 0) throw std::runtime_error(argv[1] + " failed: " + out);
}

// The aggregate, on either database: one question's scores in the venue, rapid repeats apart.
std::string aggregate_sql(bool pg, std::int64_t from, std::int64_t until) {
  std::string t = "coalesce(a.corrected_at, a.recorded_at)";
  return std::string(
             "SELECT a.score, count(*) FROM answers a WHERE a.device_id IN (SELECT d.id FROM devices d JOIN venues v ON v.id = "
             "d.venue_id WHERE v.name = '") +
         kVenue + "') AND a.set_id = 'library-demo' AND a.question_id = 'library' AND " +
         (pg ? "NOT a.rapid_repeat" : "a.rapid_repeat = 0") + " AND " + t + " >= " + std::to_string(from) + " AND " + t + " < " +
         std::to_string(until) + " AND a.score IS NOT NULL GROUP BY a.score ORDER BY a.score";
}

// Count, mean and median from score -> count (what the page shows).
struct Summary {
  long long count = 0;
  double mean = 0, median = 0;
};
Summary summarise(const std::vector<std::pair<int, long long>>& dist) {
  Summary s;
  double sum = 0;
  for (auto [score, n] : dist) {
    s.count += n;
    sum += static_cast<double>(score) * static_cast<double>(n);
  }
  if (s.count == 0) return s;
  s.mean = sum / static_cast<double>(s.count);
  auto nth = [&](long long k) {
    for (auto [score, n] : dist) {
      if (k < n) return score;
      k -= n;
    }
    return dist.back().first;
  };
  s.median = (nth((s.count - 1) / 2) + nth(s.count / 2)) / 2.0;
  return s;
}

// Signs in through the form (its CSRF token and cookie) and returns the client.
std::unique_ptr<tp::bench::HttpClient> signed_in(const std::string& base, const std::string& ca) {
  auto client = std::make_unique<tp::bench::HttpClient>(ca);
  tp::bench::Reply form = client->request(base + "/admin/login");
  const std::string needle = "name=\"csrf\" value=\"";
  std::size_t at = form.body.find(needle);
  if (form.status != 200 || at == std::string::npos) throw std::runtime_error("no sign-in form: HTTP " + std::to_string(form.status));
  std::string csrf = form.body.substr(at + needle.size(), form.body.find('"', at + needle.size()) - at - needle.size());
  std::string body = "csrf=" + csrf + "&name=bench&password=correct+horse+battery";
  tp::bench::Reply r = client->request(base + "/admin/login", {"Content-Type: application/x-www-form-urlencoded"}, &body);
  if (r.status != 303 && r.status != 302) throw std::runtime_error("sign-in refused: HTTP " + std::to_string(r.status));
  return client;
}

Figures measure(const std::string& binary, const std::vector<std::string>& store, const tp::test::CertFiles& cert, const std::string& ca,
                const std::string& log, int runs, std::int64_t now,
                const std::function<std::vector<std::pair<int, long long>>()>& aggregate) {
  Figures f;
  tp::bench::BenchServer server(binary, store, cert, log);
  auto client = signed_in(server.url(), ca);
  std::string url = server.url() + "/admin/results?venue=" + kVenue +
                    "&question=library-demo%2Flibrary&from=" + utc_date(now - kSpan - 86400) + "&to=" + utc_date(now + 86400);
  std::vector<double> page, sql;
  std::string body;
  for (int i = 0; i <= runs; ++i) {
    double cpu0 = tp::bench::process_cpu_seconds(server.pid());
    tp::bench::Reply r = client->request(url);
    if (r.status != 200) throw std::runtime_error("results page: HTTP " + std::to_string(r.status));
    if (i > 0) {
      page.push_back(r.seconds);
      f.page_cpu_s += tp::bench::process_cpu_seconds(server.pid()) - cpu0;
    }
    body = std::move(r.body);
  }
  server.stop();
  f.page_cpu_s /= runs;
  std::vector<std::pair<int, long long>> dist;
  for (int i = 0; i <= runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    dist = aggregate();
    Summary s = summarise(dist);
    f.answers = s.count;
    if (i > 0) sql.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  f.page_s = median(page);
  f.sql_s = median(sql);
  f.page_bytes = body.size();
  f.page_shows_count = body.find(with_commas(f.answers)) != std::string::npos;
  Summary s = summarise(dist);
  std::printf("    aggregate: %lld answers, mean %.2f, median %.1f; the page %s this count\n", s.count, s.mean, s.median,
              f.page_shows_count ? "shows" : "does NOT show");
  return f;
}

std::string report(const char* store, const Figures& f, int runs) {
  double ratio = f.sql_s > 0 ? f.page_s / f.sql_s : 0;
  std::printf("  %-10s results page %8.1f ms (server CPU %7.1f ms, %zu B)  plain SQL aggregate %7.1f ms  ratio %.1fx%s\n", store,
              f.page_s * 1000, f.page_cpu_s * 1000, f.page_bytes, f.sql_s * 1000, ratio, ratio > 2 ? "  MISSED (target 2x)" : "");
  char line[240];
  std::snprintf(line, sizeof line, "results (%s): page %.1f ms vs plain SQL aggregate %.1f ms = %.1fx (target 2x)%s, median of %d", store,
                f.page_s * 1000, f.sql_s * 1000, ratio, ratio > 2 ? " MISSED" : "", runs);
  return line;
}

void sqlite_exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "?";
    sqlite3_free(error);
    throw std::runtime_error("SQLite: " + message);
  }
}

// The rows, as one INSERT ... SELECT over numbers 0..n-1 (`numbers` names
// them `i`). `text_of`/`true_of` spell each database's casts and booleans.
std::string fill_sql(bool pg, long long n, std::int64_t now) {
  std::string start = std::to_string(now - kSpan), span = std::to_string(kSpan), count = std::to_string(n);
  std::string hex = pg ? "lpad(to_hex(i), 12, '0')" : "printf('%012x', i)";
  std::string visit = "(i / 2)";
  std::string device = "'kiosk-' || (" + visit + " % 10)";
  std::string t = start + " + i * " + span + " / " + count;
  std::string numbers =
      pg ? "generate_series(0::bigint, " + std::to_string(n - 1) + ") AS g(i)"
         : "(WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < " + std::to_string(n - 1) + ") SELECT i FROM c)";
  return "INSERT INTO answers(uuid, device_id, seq, set_id, set_version, question_id, session_id, score, text, choice, language, "
         "recorded_at, clock_trusted, boot_id, monotonic_ms, rapid_repeat, corrected_at, batch_id, received_at) "
         "SELECT '00000000-0000-4000-8000-' || " +
         hex + ", " + device + ", i, 'library-demo', 1, CASE WHEN i % 2 = 0 THEN 'library' ELSE 'keep' END, " + device + " || '-' || " +
         visit + ", CASE WHEN i % 2 = 0 THEN (" + visit +
         " * 7) % 11 END, CASE WHEN i % 2 = 1 THEN 'The staff are kind and always help' END, NULL, 'en', " + t + ", " +
         (pg ? "true" : "1") + ", 'boot', i * 1000, " + (pg ? "false" : "0") + ", NULL, 'batch-' || (i / 20), " + t + " FROM " + numbers;
}

std::string devices_sql(bool pg) {
  return std::string(
             "INSERT INTO devices(id, venue_id, name, token_hash, created_at) SELECT 'kiosk-' || k, (SELECT id FROM venues WHERE "
             "name = '") +
         kVenue + "'), 'kiosk ' || k, 'not-a-token-' || k, 0 FROM " +
         (pg ? "generate_series(0, 9) AS g(k)"
             : "(WITH RECURSIVE c(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM c WHERE k < 9) SELECT k FROM c)");
}

void prepare(const std::string& binary, const std::string& src, const std::vector<std::string>& store, const std::string& dir) {
  // The store's flags without --secrets, which only serve takes.
  auto with = [&](std::vector<std::string> argv) {
    for (std::size_t i = 0; i < store.size(); ++i) {
      if (store[i] == "--secrets") {
        ++i;
        continue;
      }
      argv.push_back(store[i]);
    }
    return argv;
  };
  must_run(with({binary, "migrate"}));
  must_run(with({binary, "sets", "add", src + "/config/questions/library-demo.json"}));
  must_run(with({binary, "sets", "publish", "library-demo"}));
  std::ofstream(dir + "/password") << kPassword << "\n";
  must_run(with({binary, "admin", "add", "bench", "--role", "admin", "--password-file", dir + "/password"}));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_results TENPOINT_SERVER SOURCE_DIR OUT_DIR [ANSWERS RUNS]\n");
    return 2;
  }
  const std::string binary = argv[1], src = argv[2], dir = argv[3];
  const long long answers = argc > 4 ? std::atoll(argv[4]) : 1000000;
  const int runs = argc > 5 ? std::atoi(argv[5]) : 3;
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  // The page's own bounds are local days; these hold every answer whatever the zone.
  const std::int64_t from = now - kSpan - 3 * 86400, until = now + 3 * 86400;
  try {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    tp::test::TestPki pki(dir);
    tp::test::CertFiles cert = pki.server_cert("server", {"localhost"}, {"127.0.0.1"});
    std::printf("The results page of one venue with %s answers (%s to the question shown), against the plain SQL aggregate\n",
                with_commas(answers).c_str(), with_commas(answers / 2).c_str());
    std::printf(
        "  (median of %d after one warm-up each; page: wall time of GET /admin/results over a kept-alive TLS connection,\n"
        "  signed in as an admin; aggregate: score counts of that question in the venue, count, mean and median from them)\n",
        runs);
    std::vector<std::string> lines;
    bool ok = true;

    // SQLite.
    {
      const std::string data = dir + "/sqlite";
      const std::vector<std::string> store = {"--data", data};
      prepare(binary, src, store, dir);
      sqlite3* db = nullptr;
      if (sqlite3_open((data + "/server.db").c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open the server's database");
      sqlite3_busy_timeout(db, 10000);
      auto start = std::chrono::steady_clock::now();
      sqlite_exec(db, "BEGIN");
      sqlite_exec(db, std::string("INSERT INTO venues(name) VALUES('") + kVenue + "')");
      sqlite_exec(db, devices_sql(false));
      sqlite_exec(db, fill_sql(false, answers, now));
      sqlite_exec(db, "COMMIT");
      sqlite_exec(db, "ANALYZE");
      std::printf("  SQLite: %s answers stored in %.1f s (one transaction)\n", with_commas(answers).c_str(),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      std::string sql = aggregate_sql(false, from, until);
      Figures f = measure(binary, store, cert, pki.ca_file(), dir + "/sqlite.log", runs, now, [&] {
        std::vector<std::pair<int, long long>> dist;
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db));
        while (sqlite3_step(s) == SQLITE_ROW) dist.emplace_back(sqlite3_column_int(s, 0), sqlite3_column_int64(s, 1));
        sqlite3_finalize(s);
        return dist;
      });
      sqlite3_close(db);
      ok = ok && f.page_shows_count && f.answers == answers / 2;
      lines.push_back(report("SQLite", f, runs));
    }

    // PostgreSQL.
    if (std::string why = tp::test::PostgresCluster::unavailable_reason(); !why.empty()) {
      std::printf("  PostgreSQL: not measured: %s\n", why.c_str());
      lines.push_back("results (PostgreSQL): not measured: " + why);
    } else {
      tp::test::PostgresCluster cluster;
      const std::string url = cluster.create_database("tenpoint_results");
      const std::vector<std::string> store = {"--database", url, "--secrets", dir + "/pg-secrets"};
      prepare(binary, src, store, dir);
      tp::test::PgClient pg(url);
      auto start = std::chrono::steady_clock::now();
      pg.query("BEGIN");
      pg.query(std::string("INSERT INTO venues(name) VALUES('") + kVenue + "')");
      pg.query(devices_sql(true));
      pg.query(fill_sql(true, answers, now));
      pg.query("COMMIT");
      pg.query("ANALYZE");
      std::printf("  PostgreSQL: %s answers stored in %.1f s (one transaction)\n", with_commas(answers).c_str(),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      // The aggregate as one row of text, so PgClient's first column carries it all.
      std::string sql = "SELECT string_agg(score || ':' || n, ',') FROM (" + aggregate_sql(true, from, until) + ") AS d(score, n)";
      Figures f = measure(binary, store, cert, pki.ca_file(), dir + "/pg.log", runs, now, [&] {
        std::vector<std::pair<int, long long>> dist;
        std::string text = pg.query(sql);
        for (std::size_t at = 0; at < text.size();) {
          std::size_t comma = text.find(',', at), colon = text.find(':', at);
          if (comma == std::string::npos) comma = text.size();
          dist.emplace_back(std::stoi(text.substr(at, colon - at)), std::stoll(text.substr(colon + 1, comma - colon - 1)));
          at = comma + 1;
        }
        return dist;
      });
      ok = ok && f.page_shows_count && f.answers == answers / 2;
      lines.push_back(report("PostgreSQL", f, runs));
    }
    for (const auto& l : lines) tp::bench::add_to_summary(l);
    if (!ok) std::printf("  the page's figures do not match the aggregate's\n");
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::printf("results benchmark failed: %s\n", e.what());
    return 1;
  }
}
