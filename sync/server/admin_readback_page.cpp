// The admin web's read-back page: cards that read back to residents, on
// their kiosks' attract screens, what their neighbours said ("You said") and
// what the venue did or will do about it ("We did" / "We will").
//
// Rules:
//   1. A card quotes only notes an admin marked "read back" on the
//      moderation page, as moderated (edited text, never a hidden note), and
//      only from groups of at least report::kMinAnswersForNotes notes over
//      the last kQuoteWeeks weeks (admin_page::quotable_notes). The server
//      checks this again when the card is published, whatever the form sent.
//   2. A card's quotes come from one venue, and the card goes to that venue.
//   3. A card is never changed once published: it is withdrawn, and its
//      kiosks drop it at their next poll. Publishing and withdrawing are
//      written to the audit log.
//   4. Admins only, like moderation; each action a POST with the CSRF token.
//
//   (marked notes) --publish--> live card (dates) --withdraw--> withdrawn
#include <algorithm>
#include <set>

#include "admin_pages.h"
#include "question_set_versions.h"
#include "readback.h"
#include "text.h"

namespace tp::server {

using admin_page::csrf_field;
using admin_page::escape;
using admin_page::frame;
using admin_page::html;
using admin_page::notice;
using admin_page::redirect;

namespace {

constexpr int kQuoteWeeks = 13;
constexpr int kDefaultCardDays = 30;

std::string trimmed(std::string_view text) {
  auto blank = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return std::string(text);
}

bool language_code(std::string_view code) {
  return code.size() >= 2 && code.size() <= 8 && std::all_of(code.begin(), code.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; });
}

bool one_line(std::string_view text) {
  return is_valid_utf8(text) &&
         std::none_of(text.begin(), text.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20 && ch != '\n'; });
}

}  // namespace

// Rule 1: the notes that may be quoted now.
Status AdminWeb::quotable(std::int64_t now, std::vector<admin_page::QuotableNote>& out) {
  auto until = local_midnight(local_date(now), 1);
  if (!until) return Status::failure(Fault::invalid_input, "the server's date is not readable");
  AnswerQuery q{std::nullopt, *until - std::int64_t{kQuoteWeeks} * 7 * 86400, *until, std::nullopt, std::nullopt};
  q.notes = true;
  auto rows = admin_.answer_rows(q);
  if (!rows) return rows.status();
  auto moderation = admin_.note_moderation();
  if (!moderation) return moderation.status();
  std::vector<QuestionSet> sets;
  if (Status s = load_sets(sets); !s) return s;
  out = admin_page::quotable_notes(*rows, *moderation, sets);
  return {};
}

ApiResponse AdminWeb::readback_page(Context& c) {
  std::vector<admin_page::QuotableNote> notes;
  if (Status s = quotable(c.now, notes); !s) return unavailable(s, "read the notes marked read back");
  auto cards = admin_.cards();
  if (!cards) return unavailable(cards.status(), "read the read-back cards");
  const std::string today = local_date(c.now);

  std::string body =
      "<h1>Read back</h1><p class=\"lead\">Cards on the kiosks' attract screens, between invitations: what residents said, and "
      "what the venue did about it. Residents see they were heard.</p>";
  if (std::string done = c.query.get("done"); done == "published")
    body += notice("The card is published. Its venue's kiosks show it after their next poll.");
  else if (done == "withdrawn")
    body += notice("The card is withdrawn. Kiosks drop it after their next poll.");

  body += "<section aria-labelledby=\"new-card\" class=\"card\"><h2 id=\"new-card\">New card</h2>";
  if (notes.empty()) {
    body +=
        "<p>No notes can be quoted yet. Mark notes \"read back\" on the <a href=\"/admin/moderation\">moderation page</a>: notes from "
        "groups of at least " +
        std::to_string(report::kMinAnswersForNotes) + " notes in the last " + std::to_string(kQuoteWeeks) + " weeks can be quoted.</p>";
  } else {
    body += "<form class=\"stack wide\" method=\"post\" action=\"/admin/readback/publish\">" + csrf_field(*c.who) +
            "<fieldset><legend>You said: choose up to " + std::to_string(kMaxQuotes) +
            " notes from one venue</legend><p class=\"hint\">Notes marked read back, from groups of at least " +
            std::to_string(report::kMinAnswersForNotes) + " notes, as moderated.</p>";
    int i = 0;
    for (const auto& n : notes) {
      const std::string id = "quote-" + std::to_string(++i);
      body += "<div class=\"check\"><input type=\"checkbox\" id=\"" + id + "\" name=\"note\" value=\"" + escape(n.answer_id) +
              "\"/><label for=\"" + id + "\"><q lang=\"" + escape(n.language) + "\">" + escape(n.text) + "</q> <span class=\"hint\">" +
              escape(n.venue) + " · " + escape(n.prompt) + " · " + escape(n.band) + "</span></label></div>";
    }
    body +=
        "</fieldset><fieldset><legend>The venue's answer</legend><div class=\"check\"><input type=\"radio\" id=\"we-did\" name=\"we\" "
        "value=\"did\" checked=\"checked\"/><label for=\"we-did\">We did</label></div><div class=\"check\"><input type=\"radio\" "
        "id=\"we-will\" name=\"we\" value=\"will\"/><label for=\"we-will\">We will</label></div><div class=\"check\"><input "
        "type=\"radio\" id=\"we-none\" name=\"we\" value=\"\"/><label for=\"we-none\">No answer yet: only \"You said\"</label></div>"
        "<div class=\"field\"><label for=\"answer\">What the venue did or will do</label><textarea id=\"answer\" name=\"answer\" "
        "rows=\"3\" maxlength=\"" +
        std::to_string(kMaxCardTextBytes) +
        "\"></textarea></div><div class=\"field\"><label for=\"language\">Language of the card</label><input type=\"text\" "
        "id=\"language\" name=\"language\" value=\"en\" maxlength=\"8\" pattern=\"[a-z]{2,8}\" required=\"required\"/>"
        "<span class=\"hint\">A code such as en, cy, pl, uk, ar or bn. Kiosks show the card in a visit's language when it has a "
        "translation, else in this one.</span></div></fieldset>"
        "<fieldset><legend>A translation (optional)</legend><div class=\"field\"><label for=\"tr-language\">Language</label><input "
        "type=\"text\" id=\"tr-language\" name=\"tr_language\" maxlength=\"8\" pattern=\"[a-z]{2,8}\"/></div><div "
        "class=\"field\"><label for=\"tr-said\">You said, translated (one quote a line)</label><textarea id=\"tr-said\" "
        "name=\"tr_said\" rows=\"3\"></textarea></div><div class=\"field\"><label for=\"tr-answer\">The answer, "
        "translated</label><textarea id=\"tr-answer\" name=\"tr_answer\" rows=\"2\"></textarea></div></fieldset>"
        "<div class=\"inline\"><div class=\"field\"><label for=\"from\">First day</label><input type=\"date\" id=\"from\" name=\"from\" "
        "value=\"" +
        escape(today) +
        "\" required=\"required\"/></div><div class=\"field\"><label for=\"until\">Last day</label><input type=\"date\" "
        "id=\"until\" name=\"until\" value=\"" +
        escape(local_date(c.now + std::int64_t{kDefaultCardDays} * 86400)) +
        "\" required=\"required\"/></div></div><div class=\"actions\"><button type=\"submit\">Publish card</button></div></form>";
  }
  body += "</section>";

  body += "<section aria-labelledby=\"cards\"><h2 id=\"cards\">Cards</h2>";
  if (cards->empty()) body += "<p>No cards yet. A kiosk without cards shows its invitation alone.</p>";
  for (const StoredCard& s : *cards) {
    auto card = parse_card(s.body);
    if (!card) continue;
    const CardText& t = card->texts.at(card->language);
    std::string state = s.withdrawn_at        ? "Withdrawn by " + s.withdrawn_by + " on " + local_date(s.withdrawn_at)
                        : card->until < today ? "Ended"
                        : card->from > today  ? "Starts " + card->from
                                              : "Showing";
    const bool live = !s.withdrawn_at && card->until >= today;
    body += "<article class=\"card readback-card\" aria-labelledby=\"card-" + std::to_string(s.id) + "\"><h3 id=\"card-" +
            std::to_string(s.id) + "\">Card " + std::to_string(s.id) + " · " + escape(s.venue) +
            "</h3><p class=\"note-tags\"><span class=\"tag" + (live ? " ok" : "") + "\">" + escape(state) + "</span> " +
            escape(card->from) + " to " + escape(card->until) + " · by " + escape(s.made_by) + "</p><p><strong>You said</strong></p>";
    for (const auto& q : t.said) body += "<blockquote lang=\"" + escape(card->language) + "\">" + escape(q) + "</blockquote>";
    if (!t.we.empty())
      body += std::string("<p><strong>") + (t.we == "did" ? "We did" : "We will") + "</strong></p><p lang=\"" + escape(card->language) +
              "\">" + escape(t.answer) + "</p>";
    if (card->texts.size() > 1) {
      std::string others;
      for (const auto& [code, _] : card->texts)
        if (code != card->language) others += (others.empty() ? "" : ", ") + code;
      body += "<p class=\"hint\">Also in: " + escape(others) + "</p>";
    }
    if (live)
      body += "<form method=\"post\" action=\"/admin/readback/withdraw\">" + csrf_field(*c.who) +
              "<input type=\"hidden\" name=\"card\" value=\"" + std::to_string(s.id) +
              "\"/><button class=\"danger\" type=\"submit\">Withdraw<span class=\"visually-hidden\"> card " + std::to_string(s.id) +
              "</span></button></form>";
    body += "</article>";
  }
  body += "</section>";
  return html(200, frame("Read back", c.who, "/admin/readback", body));
}

ApiResponse AdminWeb::readback_action(Context& c) {
  auto bad = [&](int status, const std::string& why) {
    return html(status, frame("Read back", c.who, "/admin/readback",
                              "<h1>Read back</h1>" + notice(escape(why) + " Nothing was published.", "bad") +
                                  "<p><a href=\"/admin/readback\">Back to read back</a></p>"));
  };
  if (c.path == "/admin/readback/withdraw") {
    const std::string id = c.form.get("card");
    char* end = nullptr;
    const long long n = std::strtoll(id.c_str(), &end, 10);
    if (id.empty() || *end != '\0' || n < 1) return bad(400, "No such card.");
    auto done = admin_.withdraw_card(n, c.who->account.name, c.now);
    if (!done) return unavailable(done.status(), "withdraw a read-back card");
    if (!*done) return bad(404, "Card " + id + " is not showing: it was withdrawn already, or there is no such card.");
    audit(c, "withdrew a read-back card", "card " + id);
    return redirect("/admin/readback?done=withdrawn");
  }
  if (c.path != "/admin/readback/publish") return html(404, frame("Not found", c.who, "", "<h1>Not found</h1>"));

  std::vector<admin_page::QuotableNote> notes;
  if (Status s = quotable(c.now, notes); !s) return unavailable(s, "read the notes marked read back");
  std::vector<const admin_page::QuotableNote*> chosen;
  for (const auto& [name, value] : c.form.all()) {
    if (name != "note") continue;
    auto it = std::find_if(notes.begin(), notes.end(), [&](const admin_page::QuotableNote& n) { return n.answer_id == value; });
    if (it == notes.end())
      return bad(400, "A chosen note can no longer be quoted: it is not marked read back, it is hidden, or its group is too small.");
    if (std::find(chosen.begin(), chosen.end(), &*it) == chosen.end()) chosen.push_back(&*it);
  }
  if (chosen.empty()) return bad(400, "Choose at least one note for \"You said\".");
  if (chosen.size() > kMaxQuotes) return bad(400, "A card quotes at most " + std::to_string(kMaxQuotes) + " notes.");
  for (const auto* n : chosen)
    if (n->venue != chosen.front()->venue) return bad(400, "The notes of one card come from one venue: it goes to that venue's kiosks.");

  ReadbackCard card;
  card.id = "new";
  card.language = trimmed(c.form.get("language"));
  card.from = trimmed(c.form.get("from"));
  card.until = trimmed(c.form.get("until"));
  if (!language_code(card.language)) return bad(400, "The card's language is a code of 2 to 8 small letters, such as en or cy.");
  if (!valid_day(card.from) || !valid_day(card.until)) return bad(400, "Dates are written YYYY-MM-DD, such as 2025-01-31.");
  if (card.until < card.from) return bad(400, "The last day comes before the first one.");
  if (card.until < local_date(c.now)) return bad(400, "The last day has passed already.");
  CardText own;
  for (const auto* n : chosen) own.said.push_back(n->text);
  own.we = c.form.get("we");
  own.answer = trimmed(c.form.get("answer"));
  if (own.we != "did" && own.we != "will") own.we.clear();
  if (!own.we.empty() && own.answer.empty()) return bad(400, "Write what the venue did or will do, or choose \"No answer yet\".");
  if (own.we.empty()) own.answer.clear();
  if (own.answer.size() > kMaxCardTextBytes || !one_line(own.answer) || own.answer.find('\n') != std::string::npos)
    return bad(400, "The answer is text of at most " + std::to_string(kMaxCardTextBytes) + " bytes.");
  card.texts[card.language] = own;

  const std::string tr_language = trimmed(c.form.get("tr_language"));
  const std::string tr_said = trimmed(c.form.get("tr_said")), tr_answer = trimmed(c.form.get("tr_answer"));
  if (!tr_language.empty() || !tr_said.empty() || !tr_answer.empty()) {
    if (!language_code(tr_language) || tr_language == card.language)
      return bad(400, "A translation needs its own language code, other than the card's.");
    CardText tr;
    std::string line;
    for (char ch : tr_said + "\n") {
      if (ch != '\n') {
        line += ch;
        continue;
      }
      if (std::string q = trimmed(line); !q.empty()) tr.said.push_back(q);
      line.clear();
    }
    if (tr.said.size() != own.said.size())
      return bad(400, "The translation has " + std::to_string(tr.said.size()) + " quotes; the card has " + std::to_string(own.said.size()) +
                          ". Write one a line.");
    for (const auto& q : tr.said)
      if (q.size() > kMaxCardTextBytes || !one_line(q))
        return bad(400, "A translated quote is one line of text of at most " + std::to_string(kMaxCardTextBytes) + " bytes.");
    if (tr_answer.size() > kMaxCardTextBytes || !one_line(tr_answer) || tr_answer.find('\n') != std::string::npos)
      return bad(400, "The translated answer is one line of text of at most " + std::to_string(kMaxCardTextBytes) + " bytes.");
    tr.we = own.we;
    tr.answer = tr_answer;
    if (tr.we.empty() != tr.answer.empty()) return bad(400, "Translate the answer too, or leave it out of both.");
    card.texts[tr_language] = tr;
  }
  // The card must read back as the kiosks will read it.
  const std::string body_text = write_card(card);
  auto checked = parse_card(body_text);
  if (!checked) return bad(400, "The card is not valid: " + checked.message() + ".");

  StoredCard stored;
  stored.venue = chosen.front()->venue;
  stored.body = body_text;
  for (const auto* n : chosen) stored.notes += (stored.notes.empty() ? "" : " ") + n->answer_id;
  stored.made_by = c.who->account.name;
  stored.made_at = c.now;
  auto id = admin_.add_card(stored);
  if (!id) return unavailable(id.status(), "publish a read-back card");
  audit(c, "published a read-back card",
        "card " + std::to_string(*id) + " for " + stored.venue + ", " + card.from + " to " + card.until + ", quoting " + stored.notes);
  return redirect("/admin/readback?done=published");
}

}  // namespace tp::server
