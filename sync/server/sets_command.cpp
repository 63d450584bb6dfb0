// tenpoint-server sets: see sets_command.h.
#include "sets_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>

#include "question_set.h"
#include "question_set_versions.h"
#include "set_delivery.h"
#include "signed_set.h"

namespace tp::server {

namespace {

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

// How to name the store again in a hint.
std::string store_flag(const StoreLocation& where) { return where.postgres() ? "--database URL" : "--data " + where.data_dir; }

// Venue names come from people: control characters would move the cursor or
// recolour the terminal, and the name travels into logs and pages.
bool valid_venue(const std::string& venue) {
  if (venue.empty() || venue.size() > 128) return false;
  for (std::size_t i = 0; i < venue.size(); ++i) {
    auto c = static_cast<unsigned char>(venue[i]);
    if (c < 0x20 || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < venue.size() && static_cast<unsigned char>(venue[i + 1]) <= 0x9F) return false;
  }
  return true;
}

void add_store_options(CLI::App* command, StoreLocation& where) {
  auto* data = command->add_option("--data", where.data_dir, "The server's data folder (SQLite)");
  command->add_option("--database", where.database_url, "PostgreSQL instead of --data: postgresql://USER@HOST/DB, or key=value pairs")
      ->excludes(data);
}

int add(const StoreLocation& where, const std::string& file) {
  auto text = read_file_capped(file, kMaxSetBytes);
  if (!text) {
    std::fprintf(stderr, "%s (a question set is at most %zu MiB)\n", text.message().c_str(), kMaxSetBytes / (1024 * 1024));
    return 1;
  }
  // The kiosk's own validator, reported as `tenpoint questions validate` does.
  LoadResult loaded = parse_question_set(*text);
  if (!loaded.set) {
    std::fputs(format_problems(file, loaded.problems).c_str(), stderr);
    std::fprintf(stderr, "%s: not stored: fix the problems above, then add it again\n", file.c_str());
    return 1;
  }
  auto store = open_store(where, {.apply_migrations = true});
  auto added = store->add_set_draft(*text, now_s());
  if (!added) {
    std::fprintf(stderr, "%s: not stored: %s\n", file.c_str(), added.message().c_str());
    return 1;
  }
  std::printf("%s: stored as %s version %d, a draft", file.c_str(), added->set_id.c_str(), added->version);
  if (loaded.set->version != added->version)
    std::printf(" (the file said version %d; the server numbers the versions and wrote %d into it)", loaded.set->version, added->version);
  std::printf("\npublish it with: tenpoint-server sets publish %s %s\n", added->set_id.c_str(), store_flag(where).c_str());
  return 0;
}

int publish(const StoreLocation& where, const std::string& set_id) {
  auto store = open_store(where, {.apply_migrations = true});
  auto changed = store->publish_set(set_id, now_s());
  if (!changed) {
    std::fprintf(stderr, "%s\n", changed.message().c_str());
    return 1;
  }
  switch (changed->kind) {
    case SetChange::done:
      std::printf("published %s version %d: kiosks at venues assigned %s get it at their next sync\n", set_id.c_str(), changed->version,
                  set_id.c_str());
      return 0;
    case SetChange::nothing_to_publish:
      std::fprintf(stderr,
                   "%s has no draft to publish: version %d is published already (add a new draft with: tenpoint-server sets add FILE)\n",
                   set_id.c_str(), changed->version);
      return 1;
    default:
      std::fprintf(stderr, "No question set %s (see tenpoint-server sets list %s)\n", set_id.c_str(), store_flag(where).c_str());
      return 1;
  }
}

int rollback(const StoreLocation& where, const std::string& set_id, int to_version) {
  if (to_version < 1) {
    std::fprintf(stderr, "--to takes a version number from 1 up, not %d\n", to_version);
    return 2;
  }
  auto store = open_store(where, {.apply_migrations = true});
  auto changed = store->rollback_set(set_id, to_version, now_s());
  if (!changed) {
    std::fprintf(stderr, "%s\n", changed.message().c_str());
    return 1;
  }
  switch (changed->kind) {
    case SetChange::done:
      std::printf("published %s version %d with the content of version %d: kiosks get it at their next sync\n", set_id.c_str(),
                  changed->version, to_version);
      return 0;
    case SetChange::no_such_set:
      std::fprintf(stderr, "No question set %s (see tenpoint-server sets list %s)\n", set_id.c_str(), store_flag(where).c_str());
      return 1;
    case SetChange::no_such_version:
      std::fprintf(stderr, "%s has no version %d (see tenpoint-server sets list %s)\n", set_id.c_str(), to_version,
                   store_flag(where).c_str());
      return 1;
    case SetChange::not_published:
      std::fprintf(stderr, "%s version %d was never published, so it cannot be rolled back to\n", set_id.c_str(), to_version);
      return 1;
    case SetChange::draft_pending:
      std::fprintf(stderr,
                   "%s has an unpublished draft, version %d: a rollback would leave it behind. Publish it first, or replace it with "
                   "the content you want (tenpoint-server sets add FILE) and publish that\n",
                   set_id.c_str(), changed->version);
      return 1;
    case SetChange::nothing_to_publish:
      break;
  }
  return 1;
}

int assign(const StoreLocation& where, const SetsArgs& args) {
  if (!valid_set_id(args.set_id)) {
    std::fprintf(stderr, "A set id is 1 to 64 of a-z 0-9 - _ (as in the set's \"id\"), not \"%s\"\n", args.set_id.c_str());
    return 2;
  }
  if (!valid_venue(args.venue)) {
    std::fprintf(stderr, "A venue name is 1 to 128 characters with no control characters\n");
    return 2;
  }
  if (args.from.empty() != args.until.empty()) {
    std::fprintf(stderr,
                 "Give --from and --until together (a consultation's first and last day), or neither for the venue's standing set\n");
    return 2;
  }
  SetAssignment a{args.venue, args.set_id, std::nullopt, std::nullopt};
  if (!args.from.empty()) {
    a.starts_at = local_midnight(args.from);
    a.ends_at = local_midnight(args.until, 1);  // the whole of the last day
    for (const auto& [flag, value, parsed] : {std::tuple{"--from", args.from, a.starts_at}, std::tuple{"--until", args.until, a.ends_at}})
      if (!parsed) {
        std::fprintf(stderr, "%s takes a date as YYYY-MM-DD, such as 2026-03-02, not \"%s\"\n", flag, value.c_str());
        return 2;
      }
    if (*a.ends_at <= *a.starts_at) {
      std::fprintf(stderr, "--until %s is before --from %s\n", args.until.c_str(), args.from.c_str());
      return 2;
    }
    if (*a.ends_at <= now_s()) {
      std::fprintf(stderr, "--until %s has passed: the assignment would never apply\n", args.until.c_str());
      return 2;
    }
  }
  auto store = open_store(where, {.apply_migrations = true});
  auto changed = store->assign_set(a, now_s());
  if (!changed) {
    std::fprintf(stderr, "%s\n", changed.message().c_str());
    return 1;
  }
  if (changed->kind == SetChange::no_such_set) {
    std::fprintf(stderr, "No question set %s: add it first (tenpoint-server sets add FILE)\n", args.set_id.c_str());
    return 1;
  }
  if (a.starts_at)
    std::printf("%s at %s from %s to %s (whole days, this server's time zone); outside those days the venue's standing set applies\n",
                args.set_id.c_str(), args.venue.c_str(), args.from.c_str(), args.until.c_str());
  else
    std::printf("%s is now the standing set of %s\n", args.set_id.c_str(), args.venue.c_str());
  auto versions = store->set_versions();
  bool published = false;
  if (versions)
    for (const auto& v : *versions) published = published || (v.set_id == args.set_id && v.published);
  if (versions && !published)
    std::printf("note: %s has no published version yet; nothing is delivered for it until one is published\n", args.set_id.c_str());
  return 0;
}

int list(const StoreLocation& where) {
  auto store = open_store(where, {.apply_migrations = false});
  auto versions = store->set_versions();
  if (!versions) {
    std::fprintf(stderr, "%s\n", versions.message().c_str());
    return 1;
  }
  auto assignments = store->set_assignments();
  if (!assignments) {
    std::fprintf(stderr, "%s\n", assignments.message().c_str());
    return 1;
  }
  if (versions->empty()) {
    std::printf("no question sets yet (add one with: tenpoint-server sets add FILE %s)\n", store_flag(where).c_str());
    return 0;
  }
  std::printf("%-24s  %7s  %s\n", "set", "version", "state");
  for (const auto& v : *versions) {
    std::string state = v.published ? "published " + local_date(*v.published_at) : "draft, added " + local_date(v.created_at);
    if (v.rolled_back_from > 0) state += ", the content of version " + std::to_string(v.rolled_back_from);
    std::printf("%-24s  %7d  %s\n", v.set_id.c_str(), v.version, state.c_str());
  }
  std::printf("\n");
  if (assignments->empty()) {
    std::printf("no venue has a set yet (tenpoint-server sets assign SET_ID --venue NAME %s)\n", store_flag(where).c_str());
    return 0;
  }
  std::printf("%-24s  %-24s  %s\n", "venue", "set", "when");
  for (const auto& a : *assignments) {
    std::string when = a.starts_at ? local_date(*a.starts_at) + " to " + local_date(*a.ends_at - 1) : "standing";
    std::printf("%-24s  %-24s  %s\n", a.venue.c_str(), a.set_id.c_str(), when.c_str());
  }
  return 0;
}

}  // namespace

CLI::App* add_sets_command(CLI::App& cli, StoreLocation& where, SetsArgs& args) {
  auto* sets = cli.add_subcommand("sets", "Question sets: add versions, publish, assign to venues, roll back, list");
  sets->require_subcommand(1);
  auto* add_cmd = sets->add_subcommand("add", "Store a question-set file as a new draft version (checked as the kiosk checks it)");
  add_store_options(add_cmd, where);
  add_cmd->add_option("FILE", args.file, "The question set (JSON, config/questions/FORMAT.md)")->required();
  auto* publish_cmd = sets->add_subcommand("publish", "Publish the set's draft; a published version never changes");
  add_store_options(publish_cmd, where);
  publish_cmd->add_option("SET_ID", args.set_id, "The set's id")->required();
  auto* assign_cmd = sets->add_subcommand("assign", "Give a venue a set: its standing one, or one for some days");
  add_store_options(assign_cmd, where);
  assign_cmd->add_option("SET_ID", args.set_id, "The set's id")->required();
  assign_cmd->add_option("--venue", args.venue, "Venue name, as in enrol-code")->required();
  assign_cmd->add_option("--from", args.from, "First day (YYYY-MM-DD) of a dated assignment, such as a consultation");
  assign_cmd->add_option("--until", args.until, "Last day (YYYY-MM-DD), included");
  auto* rollback_cmd = sets->add_subcommand("rollback", "Publish an earlier version's content again, as a new version");
  add_store_options(rollback_cmd, where);
  rollback_cmd->add_option("SET_ID", args.set_id, "The set's id")->required();
  rollback_cmd->add_option("--to", args.to_version, "The published version to go back to")->required();
  auto* list_cmd = sets->add_subcommand("list", "Every set's versions, and which venue has which set");
  add_store_options(list_cmd, where);
  return sets;
}

bool sets_command_makes_database(const CLI::App& sets) { return sets.got_subcommand("add"); }

int run_sets_command(const CLI::App& sets, const StoreLocation& where, const SetsArgs& args) {
  if (sets.got_subcommand("add")) return add(where, args.file);
  if (sets.got_subcommand("publish")) return publish(where, args.set_id);
  if (sets.got_subcommand("assign")) return assign(where, args);
  if (sets.got_subcommand("rollback")) return rollback(where, args.set_id, args.to_version);
  if (sets.got_subcommand("list")) return list(where);
  return 2;
}

}  // namespace tp::server
