// The visit state machine. The diagram and invariants are in visit.h.
#include "visit.h"

#include <algorithm>
#include <ctime>

#include "scrub.h"
#include "text.h"

namespace tp {

const char* screen_name(Screen s) {
  switch (s) {
    case Screen::attract:
      return "attract";
    case Screen::scale:
      return "scale";
    case Screen::text:
      return "text";
    case Screen::choice:
      return "choice";
    case Screen::thanks:
      return "thanks";
    case Screen::still_there:
      return "still_there";
    case Screen::staff_pin:
      return "staff_pin";
    case Screen::staff_menu:
      return "staff_menu";
    case Screen::out_of_service:
      return "out_of_service";
    case Screen::closed:
      return "closed";
  }
  return "?";
}

namespace {

int ceil_seconds(Clock::duration d) {
  if (d <= Clock::duration::zero()) return 0;
  return static_cast<int>(std::chrono::ceil<std::chrono::seconds>(d).count());
}

std::int64_t local_day_start(std::int64_t unix_now) {
  std::time_t t = static_cast<std::time_t>(unix_now);
  std::tm local{};
  localtime_r(&t, &local);
  local.tm_hour = local.tm_min = local.tm_sec = 0;
  local.tm_isdst = -1;
  return static_cast<std::int64_t>(std::mktime(&local));
}

}  // namespace

Visit::Visit(QuestionSet set, const KioskConfig& config, const Strings& strings, AnswerStore& store, Reports& reports, StampSource& stamps,
             PinChecker& pins, TimePoint now)
    : set_(std::move(set)), config_(config), strings_(strings), store_(store), reports_(reports), stamps_(stamps), pins_(pins) {
  language_ = set_.default_language;
  last_activity_ = entered_ = attract_since_ = next_retry_ = now;
  if (!open_now()) go_closed(now);
}

void Visit::handle(const Event& event, TimePoint now) {
  last_activity_ = now;
  std::visit([&](const auto& e) { on(e, now); }, event);
}

void Visit::tick(TimePoint now) {
  switch (screen_) {
    case Screen::scale:
    case Screen::text:
    case Screen::choice:
      if (now - last_activity_ >= config_.idle_timeout) {
        interrupted_ = screen_;
        screen_ = Screen::still_there;
        entered_ = now;
      }
      break;
    case Screen::still_there:
      if (now - entered_ >= config_.still_there) {
        end_visit(now);
        if (screen_ != Screen::out_of_service) go_attract(now);
      }
      break;
    case Screen::thanks:
      if (now - entered_ >= config_.thanks) go_attract(now);
      break;
    case Screen::staff_pin:
    case Screen::staff_menu:
      if (!staff_busy_ && now - last_activity_ >= kStaffIdle) go_attract(now);
      break;
    case Screen::out_of_service:
      if (now >= next_retry_ && retry_unsaved(now)) go_attract(now);
      break;
    case Screen::attract:
      if (!open_now()) go_closed(now);
      // A language or large text chosen here by someone who walked away (invariant 7).
      else if (chosen_on_attract() && now - last_activity_ >= config_.idle_timeout) {
        language_ = set_.default_language;
        large_text_ = false;
      }
      break;
    case Screen::closed:
      if (closed_notice_until_ && now >= *closed_notice_until_) closed_notice_until_.reset();
      if (open_now()) go_attract(now);
      break;
  }
}

TimePoint Visit::next_deadline(TimePoint now) const {
  // Opening hours change only on a whole minute of the wall clock.
  auto next_minute = [&] { return now + std::chrono::seconds(60 - stamps_.unix_now() % 60); };
  switch (screen_) {
    case Screen::attract: {
      auto step = std::chrono::duration_cast<Clock::duration>(config_.greeting_every);
      auto elapsed = now - attract_since_;
      TimePoint greeting = attract_since_ + step * (elapsed / step + 1);
      if (chosen_on_attract()) greeting = std::min(greeting, last_activity_ + config_.idle_timeout);
      return config_.opening_hours.always_open ? greeting : std::min(greeting, next_minute());
    }
    case Screen::closed:
      if (closed_notice_shown(now)) return std::min(*closed_notice_until_, next_minute());
      return next_minute();
    case Screen::scale:
    case Screen::text:
    case Screen::choice:
      return last_activity_ + config_.idle_timeout;
    case Screen::still_there: {
      // Redraw each second for the countdown.
      auto next = entered_ + std::chrono::floor<std::chrono::seconds>(now - entered_) + std::chrono::seconds(1);
      return std::min<TimePoint>(next, entered_ + config_.still_there);
    }
    case Screen::thanks:
      return entered_ + config_.thanks;
    case Screen::staff_pin:
      if (pin_locked_until_ && *pin_locked_until_ > now) return std::min<TimePoint>(now + std::chrono::seconds(1), *pin_locked_until_);
      return last_activity_ + kStaffIdle;
    case Screen::staff_menu:
      return last_activity_ + kStaffIdle;
    case Screen::out_of_service:
      return next_retry_;
  }
  return now + std::chrono::seconds(1);
}

Offer Visit::offer_question_set(QuestionSet set) {
  if (screen_ == Screen::attract || screen_ == Screen::closed) {
    set_ = std::move(set);
    ++set_generation_;
    question_ = nullptr;
    pending_set_.reset();
    if (!set_.language(language_)) language_ = set_.default_language;
    return Offer::applied;
  }
  pending_set_ = std::move(set);
  return Offer::deferred;
}

void Visit::storage_failed(const std::string& message, TimePoint now) {
  out_of_service_reason_ = message;
  screen_ = Screen::out_of_service;
  next_retry_ = now + kStoreRetry;
}

std::string Visit::prompt() const {
  if (!question_) return render_prompt(set_.find(set_.start)->prompt, language_, std::nullopt);
  return render_prompt(question_->prompt, language_, score_, set_.article_rule(language_));
}

std::size_t Visit::text_length() const { return count_code_points(text_); }

std::size_t Visit::greeting_index(TimePoint now) const {
  auto step = std::chrono::duration_cast<Clock::duration>(config_.greeting_every);
  if (now < attract_since_ || step.count() <= 0) return 0;
  return static_cast<std::size_t>((now - attract_since_) / step);
}

std::int64_t Visit::seconds_on_attract(TimePoint now) const {
  if (now < attract_since_) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(now - attract_since_).count();
}

int Visit::still_there_seconds_left(TimePoint now) const { return ceil_seconds(entered_ + config_.still_there - now); }

int Visit::pin_locked_seconds(TimePoint now) const {
  if (!pin_locked_until_) return 0;
  return ceil_seconds(*pin_locked_until_ - now);
}

// ---- events ----

void Visit::on(const ev::Tap&, TimePoint now) {
  if (screen_ == Screen::closed) {
    // No visit: a short word on when to come back, then dark again.
    closed_notice_until_ = now + kClosedNotice;
    reopens_ = config_.opening_hours.next_opening_unix(stamps_.unix_now());
  } else if (screen_ == Screen::attract)
    start_visit(now);
  else if (screen_ == Screen::thanks)
    go_attract(now);
  else if (screen_ == Screen::still_there)
    screen_ = interrupted_;
}

void Visit::on(const ev::ReadAloud&, TimePoint) {}

void Visit::keep_alive(TimePoint now) {
  if (screen_ == Screen::scale || screen_ == Screen::text || screen_ == Screen::choice) last_activity_ = now;
}

void Visit::on(const ev::ToggleLargeText&, TimePoint) {
  if (screen_ == Screen::attract || screen_ == Screen::scale || screen_ == Screen::text || screen_ == Screen::choice)
    large_text_ = !large_text_;
}

void Visit::on(const ev::SelectLanguage& e, TimePoint) {
  if ((screen_ == Screen::attract || in_visit()) && set_.language(e.code)) language_ = e.code;
}

void Visit::on(const ev::ChooseScore& e, TimePoint now) {
  if (screen_ != Screen::scale || !question_ || e.score < question_->min || e.score > question_->max) return;
  score_ = e.score;
  Answer a = answer_for(*question_);
  a.score = e.score;
  if (!save(std::move(a), now)) return;
  advance(now);
}

void Visit::on(const ev::ChooseOption& e, TimePoint now) {
  if (screen_ != Screen::choice || !question_) return;
  auto& opts = question_->options;
  if (std::none_of(opts.begin(), opts.end(), [&](const Option& o) { return o.id == e.id; })) return;
  Answer a = answer_for(*question_);
  a.choice = e.id;
  if (!save(std::move(a), now)) return;
  advance(now);
}

void Visit::on(const ev::TypeText& e, TimePoint) {
  if (screen_ != Screen::text || !question_ || !is_valid_utf8(e.utf8)) return;
  std::size_t room = static_cast<std::size_t>(question_->max_length);
  std::size_t length = count_code_points(text_);
  for (char32_t c : decode_utf8(e.utf8)) {
    if (length >= room) break;
    if (c < 0x20 || c == 0x7F) continue;
    append_utf8(text_, c);
    ++length;
    if (c != U' ') shift_ = false;
  }
}

void Visit::on(const ev::Backspace&, TimePoint) {
  if (screen_ != Screen::text) return;
  drop_last_code_point(text_);
  if (text_.empty()) shift_ = cased_language(language_);
}

void Visit::on(const ev::ToggleShift&, TimePoint) {
  if (screen_ == Screen::text) shift_ = !shift_;
}

void Visit::on(const ev::SetLayer& e, TimePoint) {
  if (screen_ == Screen::text) layer_ = e.layer;
}

void Visit::on(const ev::Done&, TimePoint now) {
  if (screen_ != Screen::text || !question_) return;
  auto max_length = static_cast<std::size_t>(question_->max_length);
  // Personal details go before the note reaches the store (invariant 5). A
  // marker can be longer than what it replaces ("M1" -> "[cod post]"), so
  // the note is held to the question's length again.
  std::string cleaned = clean_answer_text(scrub_note(clean_answer_text(text_, max_length), language_), max_length);
  if (!cleaned.empty()) {
    Answer a = answer_for(*question_);
    a.text = std::move(cleaned);
    if (!save(std::move(a), now)) return;
  }
  advance(now);
}

void Visit::on(const ev::Skip&, TimePoint now) {
  if (screen_ == Screen::text || screen_ == Screen::choice) advance(now);
}

void Visit::on(const ev::Back&, TimePoint now) {
  if (screen_ != Screen::scale && screen_ != Screen::text && screen_ != Screen::choice) return;
  if (history_.empty()) {
    end_visit(now);
    if (screen_ != Screen::out_of_service) go_attract(now);
    return;
  }
  const Question* previous = set_.find(history_.back());
  history_.pop_back();
  show_question(previous, now);
}

void Visit::on(const ev::ChangeScore&, TimePoint now) {
  if (screen_ != Screen::text && screen_ != Screen::choice) return;
  while (!history_.empty()) {
    const Question* q = set_.find(history_.back());
    history_.pop_back();
    if (q && q->type == QuestionType::scale) {
      show_question(q, now);
      return;
    }
  }
}

void Visit::on(const ev::StaffGesture&, TimePoint now) {
  if (screen_ == Screen::staff_pin || screen_ == Screen::staff_menu) return;
  if (in_visit()) end_visit(now);
  if (screen_ == Screen::thanks) language_ = set_.default_language;  // the visit ended; thanks no longer shows
  large_text_ = false;                                               // staff screens are drawn as they always are
  screen_ = Screen::staff_pin;
  entered_ = now;
  pin_.clear();
  pin_rejected_ = false;
}

void Visit::on(const ev::PinDigit& e, TimePoint now) {
  if (screen_ != Screen::staff_pin || pin_locked_seconds(now) > 0) return;
  if (e.digit < 0 || e.digit > 9 || pin_.size() >= kMaxPinDigits) return;
  pin_ += static_cast<char>('0' + e.digit);
  pin_rejected_ = false;
}

void Visit::on(const ev::PinErase&, TimePoint) {
  if (screen_ == Screen::staff_pin && !pin_.empty()) pin_.pop_back();
}

void Visit::on(const ev::PinSubmit&, TimePoint now) {
  if (screen_ != Screen::staff_pin || pin_.empty() || pin_locked_seconds(now) > 0) return;
  bool right = pins_.verify(pin_);
  pin_.clear();
  if (right) {
    bool was_failing = pin_failures_ > 0 || pin_locks_ > 0;
    pin_failures_ = 0;
    pin_locks_ = 0;
    pin_locked_until_.reset();
    pin_locked_until_unix_ = 0;
    if (was_failing) save_pin_lock();
    refresh_staff_summary();
    screen_ = Screen::staff_menu;
    entered_ = now;
    return;
  }
  pin_rejected_ = true;
  if (++pin_failures_ >= config_.pin_attempts_before_lock) {
    pin_failures_ = 0;
    std::chrono::seconds lock = pin_lock_length(config_.pin_lock, pin_locks_);
    ++pin_locks_;
    pin_locked_until_ = now + lock;
    pin_locked_until_unix_ = stamps_.unix_now() + lock.count();
  }
  save_pin_lock();
}

void Visit::keep_pin_lock_in(PinLockLog& log, TimePoint now) {
  pin_lock_log_ = &log;
  Result<PinLockState> saved = log.load_pin_lock();
  if (!saved) return;  // unreadable: the lockout starts afresh, as without a log
  pin_failures_ = std::max(0, saved->failures);
  pin_locks_ = std::max(0, saved->locks);
  pin_locked_until_.reset();
  pin_locked_until_unix_ = 0;
  std::int64_t left = saved->locked_until_unix - stamps_.unix_now();
  if (left > 0 && pin_locks_ > 0) {
    // Never longer than the lock imposed, whatever the wall clock did meanwhile.
    left = std::min<std::int64_t>(left, pin_lock_length(config_.pin_lock, pin_locks_ - 1).count());
    pin_locked_until_ = now + std::chrono::seconds(left);
    pin_locked_until_unix_ = saved->locked_until_unix;
  }
}

void Visit::save_pin_lock() {
  if (!pin_lock_log_) return;
  // A lockout that cannot be saved still holds until the kiosk restarts;
  // the staff menu's storage line shows why the database is failing.
  (void)pin_lock_log_->save_pin_lock({pin_failures_, pin_locks_, pin_locked_until_ ? pin_locked_until_unix_ : 0});
}

void Visit::on(const ev::StaffRefresh&, TimePoint) {
  if (screen_ == Screen::staff_menu) refresh_staff_summary();
}

void Visit::on(const ev::StaffClose&, TimePoint now) {
  if (staff_busy_) return;  // the export finishes first
  if (screen_ == Screen::staff_pin || screen_ == Screen::staff_menu) {
    if (!unsaved_.empty())
      storage_failed(out_of_service_reason_, now);
    else
      go_attract(now);
  }
}

void Visit::on(const ev::StaffExit&, TimePoint) {
  if (screen_ == Screen::staff_menu && !staff_busy_) quit_ = true;
}

void Visit::on(const ev::StaffInstallFromUsb&, TimePoint) {}
void Visit::on(const ev::StaffExportToUsb&, TimePoint) {}
void Visit::on(const ev::StaffEnrolFromUsb&, TimePoint) {}

void Visit::on(const ev::QuitShortcut&, TimePoint) {
  // Only staff may close the kiosk; elsewhere the shortcut is ignored.
  if (screen_ == Screen::staff_menu && !staff_busy_) quit_ = true;
}

void Visit::set_staff_busy(bool busy, TimePoint now) {
  if (busy && screen_ != Screen::staff_menu) return;
  staff_busy_ = busy;
  last_activity_ = now;  // the staff's time-out counts from the end of the work
}

// ---- transitions ----

void Visit::start_visit(TimePoint now) {
  session_id_ = random_uuid();
  rapid_repeat_ = last_visit_end_ && now - *last_visit_end_ < config_.rapid_repeat;
  history_.clear();
  score_.reset();
  show_question(set_.find(set_.start), now);
}

void Visit::show_question(const Question* q, TimePoint now) {
  clear_typing();
  entered_ = now;
  if (!q) {
    // The thank-you screen still speaks the visit's language; go_attract resets it.
    end_visit(now, AfterVisit::keep_language);
    if (screen_ == Screen::out_of_service) return;
    screen_ = Screen::thanks;
    entered_ = now;
    return;
  }
  question_ = q;
  screen_ = q->type == QuestionType::scale ? Screen::scale : q->type == QuestionType::text ? Screen::text : Screen::choice;
}

void Visit::advance(TimePoint now) {
  history_.push_back(question_->id);
  show_question(set_.next_after(*question_, score_), now);
}

void Visit::end_visit(TimePoint now, AfterVisit after) {
  if (!session_id_.empty()) {
    Status s = store_.close_session(session_id_);
    if (!s) {
      unclosed_sessions_.push_back(session_id_);
      out_of_service_reason_ = s.message();
      screen_ = Screen::out_of_service;
      next_retry_ = now + kStoreRetry;
    }
    last_visit_end_ = now;
  }
  forget_visit();
  // Out of service, nobody is being thanked: the next person starts in the default language.
  if (after == AfterVisit::reset_language || screen_ == Screen::out_of_service) {
    language_ = set_.default_language;
    large_text_ = false;
  }
}

void Visit::go_attract(TimePoint now) {
  end_visit(now);
  if (screen_ == Screen::out_of_service && (!unsaved_.empty() || !unclosed_sessions_.empty())) return;
  screen_ = Screen::attract;
  attract_since_ = entered_ = now;
  if (pending_set_) {
    set_ = std::move(*pending_set_);
    ++set_generation_;
    pending_set_.reset();
    language_ = set_.default_language;
  }
  if (!open_now()) go_closed(now);  // the visit that ran past closing time has ended (invariant 6)
}

void Visit::go_closed(TimePoint now) {
  screen_ = Screen::closed;
  entered_ = now;
  closed_notice_until_.reset();
  reopens_ = config_.opening_hours.next_opening_unix(stamps_.unix_now());
}

bool Visit::open_now() const {
  if (config_.opening_hours.always_open) return true;
  std::int64_t wall = stamps_.unix_now();
  return wall < kEarliestPlausibleClock || config_.opening_hours.open_at_unix(wall);
}

void Visit::forget_visit() {
  session_id_.clear();
  clear_typing();
  history_.clear();
  score_.reset();
  question_ = nullptr;
}

void Visit::refresh_staff_summary() {
  std::int64_t now = stamps_.unix_now();
  summary_ = describe_store(reports_.counts(local_day_start(now)), now);
}

void Visit::clear_typing() {
  text_.clear();
  shift_ = cased_language(language_);
  layer_ = KeyboardLayer::letters;
}

bool Visit::save(Answer answer, TimePoint now) {
  Status s = unsaved_.empty() ? store_.commit(answer) : Status::failure(Fault::storage_unavailable, out_of_service_reason_);
  if (s) return true;
  // Keep the answer and the visit's closing for later; show the resting screen.
  unsaved_.push_back(std::move(answer));
  if (!session_id_.empty()) unclosed_sessions_.push_back(session_id_);
  forget_visit();
  language_ = set_.default_language;
  large_text_ = false;
  storage_failed(s.message(), now);
  return false;
}

bool Visit::retry_unsaved(TimePoint now) {
  // Oldest first; stop at the first failure and try again later.
  auto drain = [&](auto& queue, auto write) {
    while (!queue.empty()) {
      Status s = write(queue.front());
      if (!s) {
        out_of_service_reason_ = s.message();
        next_retry_ = now + kStoreRetry;
        return false;
      }
      queue.erase(queue.begin());
    }
    return true;
  };
  if (!drain(unsaved_, [&](const Answer& a) { return store_.commit(a); })) return false;
  if (!drain(unclosed_sessions_, [&](const std::string& id) { return store_.close_session(id); })) return false;
  // Nothing was waiting (the database could not be opened at start): probe it.
  if (Status probe = store_.probe(); !probe) {
    out_of_service_reason_ = probe.message();
    next_retry_ = now + kStoreRetry;
    return false;
  }
  out_of_service_reason_.clear();
  return true;
}

Answer Visit::answer_for(const Question& q) {
  Answer a;
  a.uuid = answer_uuid();
  a.set_id = set_.id;
  a.set_version = set_.version;
  a.question_id = q.id;
  a.session_id = session_id_;
  a.language = language_;
  a.stamp = stamps_.now();
  a.rapid_repeat = rapid_repeat_;
  return a;
}

}  // namespace tp
