// The scrubber's cost against the commit it precedes: scrub_note() on a
// 300-character note, then SqliteAnswerStore::commit of the scrubbed note
// (a real file, WAL + synchronous=FULL, as the kiosk stores it), in turn,
// on the same disk, in the same run. Target: the scrub at most 10% of the
// commit. Also the slowest note it was given, among notes built to be hard
// (every character a digit, an @ or a house number).
// Usage: bench_scrub DIR [NOTES]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "kiosk_store.h"
#include "scrub.h"
#include "text.h"

using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kNoteChars = 300;  // the demo set's max_length
constexpr double kTargetRatio = 0.10;

struct Lat {
  double p50, p99;
};

Lat summarise(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100]};
}

// Notes as residents write them, each cut to 300 characters: some with
// details, some without, one in Welsh.
std::vector<std::string> realistic_notes() {
  const char* texts[] = {
      "The staff are lovely and the children's corner is great, but the computers are slow and the printer jams. Please ring me on "
      "07700 900123 or email jo.bloggs@gmail.com about the job club. I'm Priya, I live at 12 Acacia Avenue, CF10 3AT, and I come "
      "in 3 times a week. Open 9 to 5 is not enough for people who work, a 7 out of 10 from me.",
      "Open 9 to 5 is not enough for people who work. Room 101 is always too cold and there are only 2 buses an hour from our "
      "estate, the number 38 is always late. I'd give it a 7 out of 10 because the staff are kind and the 2023 plan for a cafe "
      "never happened. Level 3 has the best views but the lift is often broken, fix it please.",
      "Mae'r staff yn wych ac mae'r llyfrgell yn lle cynnes. Fy enw i yw Siân Williams, rwy'n byw yn 22 Stryd y Castell ac mae "
      "fy rhif ffôn yw 029 2018 0135. Hoffwn weld mwy o lyfrau Cymraeg a'r llyfrgell ar agor tan 7 ar nos Iau. Dim ond 2 fws yr "
      "awr sydd o'r pentref, felly mae'n anodd dod yma. Diolch yn fawr i bawb am eu help.",
      "card 4547 2749 0458 7345 charged twice for the room hire, sort code 20-45-77 account 66804027 for the refund please. My NHS "
      "number is 474 793 8095 for the health check. Reference 7384920. The 2024-2025 programme looks good, on 12/03/2024 it closed "
      "early. Budget cuts of £250,000 mean fewer staff on Saturdays, which is a shame for everyone.",
  };
  std::vector<std::string> notes;
  for (const char* t : texts) {
    std::string note;
    for (char32_t c : tp::decode_utf8(t)) {
      if (tp::count_code_points(note) >= kNoteChars) break;
      tp::append_utf8(note, c);
    }
    while (tp::count_code_points(note) < kNoteChars) note += ' ';
    notes.push_back(note);
  }
  return notes;
}

std::vector<std::string> hard_notes() {
  auto repeat = [](const std::string& piece) {
    std::string s;
    while (s.size() + piece.size() <= kNoteChars) s += piece;
    return s;
  };
  return {repeat("0"),
          repeat("0 "),
          repeat("4-"),
          repeat("@"),
          repeat("a@"),
          repeat("a.b@c.d "),
          repeat("1 Acacia Avenue "),
          repeat("my name is Sarah Jones "),
          repeat(" dot a at b dot com"),
          repeat("+44 (0)"),
          repeat("CF10 3AT ")};
}

void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : ".";
  int n = argc > 2 ? std::atoi(argv[2]) : 2000;
  std::filesystem::create_directories(dir);
  remove_db(dir + "/scrub.db");
  tp::KioskStore store_db({dir + "/scrub.db", std::nullopt});
  if (!store_db.answers.probe()) std::abort();

  std::vector<std::string> notes = realistic_notes();
  std::vector<double> scrub_us, commit_us;
  std::size_t markers = 0;
  for (int i = 0; i < n; ++i) {
    const std::string& note = notes[static_cast<std::size_t>(i) % notes.size()];
    std::string language = note.find("Mae'r") == 0 ? "cy" : "en";
    auto t0 = Clock::now();
    std::string scrubbed = tp::scrub_note(note, language);
    auto t1 = Clock::now();
    tp::Answer a;
    a.uuid = tp::random_uuid();
    a.set_id = "library-demo";
    a.set_version = 1;
    a.question_id = "not_lower";
    a.session_id = tp::random_uuid();
    a.text = scrubbed;
    a.language = language;
    a.stamp = {1764500400, true, "boot", 0};
    auto t2 = Clock::now();
    if (!store_db.answers.commit(a)) std::abort();
    auto t3 = Clock::now();
    markers += static_cast<std::size_t>(std::count(scrubbed.begin(), scrubbed.end(), '['));
    scrub_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    commit_us.push_back(std::chrono::duration<double, std::micro>(t3 - t2).count());
  }
  // The scrubber must have done its work for the figure to count.
  if (markers == 0) {
    std::fprintf(stderr, "the scrubber replaced nothing in notes full of details\n");
    return 1;
  }

  double hardest_us = 0;
  std::string hardest;
  for (const std::string& note : hard_notes()) {
    std::vector<double> us;
    for (int i = 0; i < 200; ++i) {
      auto t0 = Clock::now();
      std::string out = tp::scrub_note(note, "en");
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      if (out.empty()) std::abort();
    }
    double p50 = summarise(us).p50;
    if (p50 > hardest_us) {
      hardest_us = p50;
      hardest = note.substr(0, 24);
    }
  }

  Lat ls = summarise(scrub_us), lc = summarise(commit_us);
  double ratio50 = ls.p50 / lc.p50, ratio99 = ls.p99 / lc.p99;
  std::printf("scrub cost per note, %d notes of %zu characters, each scrubbed then committed (WAL + synchronous=FULL)\n", n, kNoteChars);
  std::printf("  scrub_note:                          p50 %7.1f us  p99 %7.1f us\n", ls.p50, ls.p99);
  std::printf("  SqliteAnswerStore::commit of it:     p50 %7.1f us  p99 %7.1f us\n", lc.p50, lc.p99);
  std::printf("  ratio scrub/commit:                  p50 %7.3fx   p99 %7.3fx   (target: at most %.2fx)%s\n", ratio50, ratio99,
              kTargetRatio, ratio50 > kTargetRatio ? "  MISSED" : "");
  std::printf("  slowest hard note (\"%s...\"): p50 %.1f us, %.3fx of the commit's p50\n", hardest.c_str(), hardest_us,
              hardest_us / lc.p50);
  return 0;
}
