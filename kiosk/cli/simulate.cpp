#include "simulate.h"

#include <ctime>
#include <random>
#include <vector>

#include "kiosk_store.h"
#include "question_set.h"

namespace tp {

namespace {

// Scores people give public services cluster around 6 to 8, with a tail.
constexpr double kScoreWeights[11] = {2, 2, 3, 4, 6, 9, 12, 16, 18, 14, 14};

const char* const kPraise[] = {"The staff are kind and always help",
                               "A quiet place to work",
                               "Good children's corner",
                               "Free computers and wifi",
                               "Lots of new books",
                               "Warm in winter",
                               "The reading group on Tuesdays"};
const char* const kNext[] = {"Longer opening hours on Saturday", "More seats near the windows", "A few more computers",
                             "Signs that are easier to read",    "A place to get a hot drink",  "More books in Polish",
                             "Open later on Thursdays"};
const char* const kHard[] = {"Not much, honestly", "My neighbour brings me here", "The bus still runs", "Talking to people"};
const char* const kWelsh[] = {"Mae'r staff yn garedig iawn", "Lle tawel i weithio", "Mwy o lyfrau Cymraeg", "Oriau agor hirach"};

template <std::size_t N>
const char* pick(std::mt19937_64& rng, const char* const (&list)[N]) {
  return list[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

}  // namespace

long long simulate(const SimulateOptions& o, std::string& error) {
  LoadResult loaded = load_question_set(o.questions_path);
  if (!loaded.set) {
    error = "Unable to use the question set:\n" + format_problems(o.questions_path, loaded.problems);
    return -1;
  }
  const QuestionSet& set = *loaded.set;
  SqliteDatabase database({o.db_path, std::nullopt});
  SqliteAnswerStore store(database);
  if (Status s = database.open(); !s) {
    error = s.message();
    return -1;
  }
  std::mt19937_64 rng(o.seed ? o.seed : std::random_device{}());
  std::discrete_distribution<int> score_dist(std::begin(kScoreWeights), std::end(kScoreWeights));
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  const std::int64_t granularity = 15 * 60;

  std::vector<Answer> batch;
  batch.reserve(10000);
  long long made = 0;
  while (made < o.answers) {
    // One visit.
    std::int64_t day = std::uniform_int_distribution<int>(0, o.days - 1)(rng);
    std::int64_t minute_of_day = std::uniform_int_distribution<int>(9 * 60, 18 * 60 - 1)(rng);
    std::int64_t t = now - day * 86400;
    t = t - t % 86400 + minute_of_day * 60;
    t -= t % granularity;
    std::string session = random_uuid();
    std::string lang = (set.languages.size() > 1 && coin(rng) < 0.15) ? set.languages[1].code : set.default_language;
    bool rapid = coin(rng) < 0.02;
    std::optional<int> score;
    const Question* q = set.find(set.start);
    while (q && made < o.answers) {
      Answer a;
      a.uuid = answer_uuid();
      a.set_id = set.id;
      a.set_version = set.version;
      a.question_id = q->id;
      a.session_id = session;
      a.language = lang;
      a.stamp = {t, true, "simulated", 0};
      a.rapid_repeat = rapid;
      bool answered = true;
      switch (q->type) {
        case QuestionType::scale: {
          int steps = q->max - q->min;
          int s = score_dist(rng);
          score = q->min + (steps == 10 ? s : s * steps / 10);
          a.score = score;
          break;
        }
        case QuestionType::text:
          answered = coin(rng) < 0.55;  // many skip the free-text questions
          if (answered) {
            if (lang != "en")
              a.text = pick(rng, kWelsh);
            else if (score && *score <= 2)
              a.text = pick(rng, kHard);
            else if (q->id.find("higher") != std::string::npos)
              a.text = pick(rng, kNext);
            else
              a.text = pick(rng, kPraise);
          }
          break;
        case QuestionType::choice:
          answered = coin(rng) < 0.9;
          if (answered) a.choice = q->options[std::uniform_int_distribution<std::size_t>(0, q->options.size() - 1)(rng)].id;
          break;
      }
      if (answered) {
        batch.push_back(std::move(a));
        ++made;
      }
      if (coin(rng) < 0.06) break;  // walked away
      q = set.next_after(*q, score);
    }
    if (batch.size() >= 10000 || made >= o.answers) {
      if (Status s = store.commit_many(batch); !s) {
        error = s.message();
        return -1;
      }
      batch.clear();
    }
  }
  return made;
}

}  // namespace tp
