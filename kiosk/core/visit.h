// The visit state machine: what the kiosk shows and what each tap does.
//
// Invariants:
//   1. A tapped score or finished follow-up is committed to the store before
//      the screen moves on; the thank-you screen is a promise it is on disk.
//   2. Nothing a resident typed survives the end of their visit (thank-you,
//      idle reset, staff gesture): the next person starts from a clean slate.
//      The visit's language is the one exception: THANKS is drawn in it, and
//      it resets to the set's default on the way back to ATTRACT [go_attract].
//   3. A failed commit never loses the answer: it waits in `unsaved_` and is
//      retried every kStoreRetry while the kiosk shows OUT_OF_SERVICE.
//   4. A new question set is applied only on the attract screen (or the
//      closed one, where no visit is under way either), never in the middle
//      of someone's visit.
//   5. A note is stored scrubbed of personal details, with markers in the
//      visit's language ("[phone]", scrub.h); what was typed is never
//      stored, queued or logged.
//   6. Outside the config's opening hours the kiosk shows CLOSED (a dark
//      screen) and takes no answers, yet never cuts a resident off: a visit
//      under way at closing time runs to its end, and only the way back to
//      ATTRACT [go_attract] leads to CLOSED. The staff gesture works there as
//      everywhere. The hours follow the wall clock (stamps_.unix_now()); a
//      clock that was never set (before kEarliestPlausibleClock) keeps the
//      kiosk open, as without opening hours.
//   7. Large text, like the language, belongs to one visit: it lasts to the
//      thank-you screen and is off again on the way back to ATTRACT. Either
//      one chosen on the attract screen by someone who then walks away is
//      forgotten after idle_timeout.
//
//              tap [start_visit]          score [show_question]
//   ATTRACT ------------------> SCALE ------------------------> TEXT / CHOICE --+
//     ^  ^                       |  back [end_visit]              | done/skip     |
//     |  +-----------------------+                                | [advance]     |
//     |                                                           v   (no more)   |
//     +------------- (thanks_s or tap) [go_attract] ------ THANKS <---------------+
//
//   SCALE/TEXT/CHOICE --(idle_timeout)--> STILL_THERE --(still_there)--> ATTRACT [end_visit]
//                                            | tap --> the screen it interrupted
//   any --(staff gesture)--> STAFF_PIN --right PIN--> STAFF_MENU --exit--> (quit)
//                                   STAFF_MENU is held while staff_busy [set_staff_busy]
//                                   (an export to a USB stick): no close, exit or time-out
//                               | wrong PIN x N: locked for pin_lock, doubling up to a day
//                               | (pin_lock.h); kept in a PinLockLog across restarts [keep_pin_lock_in]
//   any commit fails --> OUT_OF_SERVICE --(retry succeeds)--> ATTRACT
//
//              hours end [tick -> go_closed], or any way back to ATTRACT
//              outside the hours [go_attract -> go_closed]
//   ATTRACT -----------------------------------------------> CLOSED (dark)
//      ^                                                       |  | tap: "Closed, open again at 09:00"
//      +------------------ hours begin [tick] -----------------+  |  for kClosedNotice, then dark again
//                                                                 +--(staff gesture)--> STAFF_PIN
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "answer_store.h"
#include "kiosk_config.h"
#include "kiosk_strings.h"
#include "pin.h"
#include "pin_lock.h"
#include "question_set.h"
#include "reports.h"
#include "sync_words.h"

namespace tp {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

enum class Screen { attract, scale, text, choice, thanks, still_there, staff_pin, staff_menu, out_of_service, closed };
const char* screen_name(Screen s);

enum class KeyboardLayer { letters, symbols, accents };

namespace ev {
struct Tap {};  // anywhere on attract / thanks / still-there / closed
struct SelectLanguage {
  std::string code;
};
struct ChooseScore {
  int score;
};
struct ChooseOption {
  std::string id;
};
struct TypeText {
  std::string utf8;
};
struct Backspace {};
struct ToggleShift {};
struct SetLayer {
  KeyboardLayer layer;
};
struct Done {};
struct Skip {};
struct Back {};
struct ChangeScore {};
struct StaffGesture {};
struct PinDigit {
  int digit;
};
struct PinErase {};
struct PinSubmit {};
struct StaffRefresh {};
struct StaffClose {};
struct StaffExit {};
struct StaffInstallFromUsb {};  // the kiosk app does the install; the visit only stays on the staff menu
struct StaffExportToUsb {};     // the kiosk app runs the export; the visit only stays on the staff menu
struct StaffEnrolFromUsb {};    // the kiosk app enrols from the stick's enrol.json; the visit only stays on the staff menu
struct QuitShortcut {};         // Alt+F4, Escape, Ctrl+Q, window close
struct ReadAloud {};            // the kiosk app speaks the screen (or stops); the visit only counts it as a touch
struct ToggleLargeText {};      // larger text and targets for this visit
}  // namespace ev

using Event = std::variant<ev::Tap, ev::SelectLanguage, ev::ChooseScore, ev::ChooseOption, ev::TypeText, ev::Backspace, ev::ToggleShift,
                           ev::SetLayer, ev::Done, ev::Skip, ev::Back, ev::ChangeScore, ev::StaffGesture, ev::PinDigit, ev::PinErase,
                           ev::PinSubmit, ev::StaffRefresh, ev::StaffClose, ev::StaffExit, ev::StaffInstallFromUsb, ev::StaffExportToUsb,
                           ev::StaffEnrolFromUsb, ev::QuitShortcut, ev::ReadAloud, ev::ToggleLargeText>;

enum class Offer { applied, deferred };

class Visit {
 public:
  static constexpr auto kStoreRetry = std::chrono::seconds(10);
  static constexpr auto kStaffIdle = std::chrono::seconds(120);
  static constexpr int kMaxPinDigits = 8;
  // How long a tap on the dark CLOSED screen shows when the kiosk opens again.
  static constexpr auto kClosedNotice = std::chrono::seconds(8);
  // 2025-01-01 00:00 UTC. A wall clock before it was never set (a Pi without
  // a real-time clock starts at 1970): opening hours are not followed then.
  static constexpr std::int64_t kEarliestPlausibleClock = 1735689600;

  // The visit keeps references: config, strings and the rest must outlive it.
  // A config reload assigns to `config` in place, and the visit follows it.
  Visit(QuestionSet set, const KioskConfig& config, const Strings& strings, AnswerStore& store, Reports& reports, StampSource& stamps,
        PinChecker& pins, TimePoint now);

  void handle(const Event& event, TimePoint now);
  void tick(TimePoint now);
  // The next moment at which tick() would change something (a timer, the
  // attract screen's greeting, a minute that may open or close the kiosk);
  // the frame loop sleeps until then.
  TimePoint next_deadline(TimePoint now) const;

  // A new question set, from a config reload. Refused mid-visit: it waits
  // and is applied when the kiosk is next on the attract screen. Applied at
  // once on the attract and closed screens, where no visit is under way.
  Offer offer_question_set(QuestionSet set);
  // Tells the kiosk that storage is broken from the start (unopenable database).
  void storage_failed(const std::string& message, TimePoint now);
  // While staff work is under way (an export to a USB stick), the staff menu
  // stays: it neither closes, exits nor times out. Only from the staff menu.
  void set_staff_busy(bool busy, TimePoint now);
  // Takes up the PIN lockout saved in `log` (a lock still running goes on
  // for what is left of it) and saves every change to it from now on.
  // Without a log, the lockout lasts as long as the visit.
  void keep_pin_lock_in(PinLockLog& log, TimePoint now);
  bool staff_busy() const { return staff_busy_; }
  // The resident is still being served though nobody touches the screen (a
  // question read aloud): the idle timer on a question screen starts again.
  void keep_alive(TimePoint now);

  // ---- what the screens read ----
  Screen screen() const { return screen_; }
  const QuestionSet& question_set() const { return set_; }
  // Rises each time another set goes on screen, so that the font atlas can follow it.
  std::uint64_t question_set_generation() const { return set_generation_; }
  const Question* question() const { return question_; }
  const std::string& language() const { return language_; }
  // Larger text and targets, switched on from the attract or a question screen (invariant 7).
  bool large_text() const { return large_text_; }
  const std::string& t(std::string_view key) const { return strings_.get(language_, key); }
  const Strings& strings() const { return strings_; }
  std::string prompt() const;
  std::optional<int> score() const { return score_; }
  const std::string& text() const { return text_; }
  std::size_t text_length() const;
  bool shift() const { return shift_; }
  KeyboardLayer layer() const { return layer_; }
  bool can_go_back() const { return !history_.empty(); }
  std::size_t greeting_index(TimePoint now) const;
  // Whole seconds since the attract screen came up (read-back cards turn by it).
  std::int64_t seconds_on_attract(TimePoint now) const;
  TimePoint attract_since() const { return attract_since_; }
  int still_there_seconds_left(TimePoint now) const;
  std::size_t pin_length() const { return pin_.size(); }
  int pin_locked_seconds(TimePoint now) const;
  bool pin_rejected() const { return pin_rejected_; }
  // The demo PIN opens the staff menu: it shows a warning.
  bool staff_pin_is_demo() const { return pins_.is_demo_pin(); }
  const StaffStatus& staff_summary() const { return summary_; }
  const std::string& out_of_service_reason() const { return out_of_service_reason_; }
  std::size_t answers_waiting_to_save() const { return unsaved_.size(); }
  bool wants_quit() const { return quit_; }
  // CLOSED: whether the short "Closed, open again at ..." notice is up after a tap.
  bool closed_notice_shown(TimePoint now) const { return closed_notice_until_ && now < *closed_notice_until_; }
  // CLOSED: when the kiosk opens next, as of the last tap or closing.
  const std::optional<OpeningHours::Opening>& reopens() const { return reopens_; }
  bool has_pending_question_set() const { return pending_set_.has_value(); }

 private:
  void on(const ev::Tap&, TimePoint now);
  void on(const ev::SelectLanguage&, TimePoint now);
  void on(const ev::ChooseScore&, TimePoint now);
  void on(const ev::ChooseOption&, TimePoint now);
  void on(const ev::TypeText&, TimePoint now);
  void on(const ev::Backspace&, TimePoint now);
  void on(const ev::ToggleShift&, TimePoint now);
  void on(const ev::SetLayer&, TimePoint now);
  void on(const ev::Done&, TimePoint now);
  void on(const ev::Skip&, TimePoint now);
  void on(const ev::Back&, TimePoint now);
  void on(const ev::ChangeScore&, TimePoint now);
  void on(const ev::StaffGesture&, TimePoint now);
  void on(const ev::PinDigit&, TimePoint now);
  void on(const ev::PinErase&, TimePoint now);
  void on(const ev::PinSubmit&, TimePoint now);
  void on(const ev::StaffRefresh&, TimePoint now);
  void on(const ev::StaffClose&, TimePoint now);
  void on(const ev::StaffExit&, TimePoint now);
  void on(const ev::StaffInstallFromUsb&, TimePoint now);
  void on(const ev::StaffExportToUsb&, TimePoint now);
  void on(const ev::StaffEnrolFromUsb&, TimePoint now);
  void on(const ev::QuitShortcut&, TimePoint now);
  void on(const ev::ReadAloud&, TimePoint now);
  void on(const ev::ToggleLargeText&, TimePoint now);

  bool chosen_on_attract() const { return language_ != set_.default_language || large_text_; }
  bool in_visit() const {
    return screen_ == Screen::scale || screen_ == Screen::text || screen_ == Screen::choice || screen_ == Screen::still_there;
  }
  void start_visit(TimePoint now);
  void show_question(const Question* q, TimePoint now);
  void advance(TimePoint now);
  // The visit's language outlives its end only for the thank-you screen.
  enum class AfterVisit { reset_language, keep_language };
  void end_visit(TimePoint now, AfterVisit after = AfterVisit::reset_language);
  void go_attract(TimePoint now);
  void go_closed(TimePoint now);
  // Within the opening hours by the wall clock, or no hours to follow (invariant 6).
  bool open_now() const;
  void clear_typing();
  void forget_visit();  // drops everything of the visit in progress (invariant 2) but its language
  void refresh_staff_summary();
  bool save(Answer answer, TimePoint now);
  bool retry_unsaved(TimePoint now);
  Answer answer_for(const Question& q);
  void save_pin_lock();

  QuestionSet set_;
  std::optional<QuestionSet> pending_set_;
  std::uint64_t set_generation_ = 0;
  const KioskConfig& config_;
  const Strings& strings_;
  AnswerStore& store_;
  Reports& reports_;
  StampSource& stamps_;
  PinChecker& pins_;

  Screen screen_ = Screen::attract;
  Screen interrupted_ = Screen::attract;  // what STILL_THERE returns to
  std::string language_;
  bool large_text_ = false;
  const Question* question_ = nullptr;
  std::vector<std::string> history_;  // question ids, for Back
  std::optional<int> score_;
  std::string text_;
  bool shift_ = true;  // a sentence starts with a capital
  KeyboardLayer layer_ = KeyboardLayer::letters;

  std::string session_id_;
  bool rapid_repeat_ = false;
  std::optional<TimePoint> last_visit_end_;
  TimePoint last_activity_;
  TimePoint entered_;  // when the current screen was shown
  TimePoint attract_since_;

  std::string pin_;
  bool pin_rejected_ = false;
  int pin_failures_ = 0;
  int pin_locks_ = 0;
  std::optional<TimePoint> pin_locked_until_;
  std::int64_t pin_locked_until_unix_ = 0;
  PinLockLog* pin_lock_log_ = nullptr;
  StaffStatus summary_;

  std::vector<Answer> unsaved_;
  std::vector<std::string> unclosed_sessions_;
  std::string out_of_service_reason_;
  TimePoint next_retry_;
  bool quit_ = false;
  bool staff_busy_ = false;

  std::optional<TimePoint> closed_notice_until_;
  std::optional<OpeningHours::Opening> reopens_;
};

}  // namespace tp
