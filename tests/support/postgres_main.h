// main() for a Catch2 program whose cases run on SQLite and on PostgreSQL
// (TEMPLATE_TEST_CASE types named PostgreSQL, or the tag [postgresql]).
// Include after <catch2/catch.hpp>, with CATCH_CONFIG_RUNNER defined.
//
// When the cases selected need PostgreSQL and this machine cannot start a
// cluster, the program prints why and exits 77 before running anything:
// ctest shows it skipped (SKIP_RETURN_CODE 77), never passed.
#pragma once
#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>

#include "postgres.h"

namespace tp::test {

inline bool needs_postgres(const Catch::TestCase& test) {
  const Catch::TestCaseInfo& info = test.getTestCaseInfo();
  if (std::find(info.tags.begin(), info.tags.end(), "postgresql") != info.tags.end()) return true;
  const std::string suffix = " - PostgreSQL";  // a TEMPLATE_TEST_CASE's type
  return info.name.size() >= suffix.size() && info.name.compare(info.name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// `after` runs once the cases have run (to stop a cluster they shared
// before static destructors run).
inline int run_with_postgres(int argc, char* argv[], const std::function<void()>& after = {}) {
  Catch::Session session;
  if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  const Catch::Config& config = session.config();
  bool listing = config.listTests() || config.listTestNamesOnly() || config.listTags() || config.listReporters() || config.showHelp();
  if (!listing) {
    auto selected = Catch::filterTests(Catch::getAllTestCasesSorted(config), config.testSpec(), config);
    if (std::any_of(selected.begin(), selected.end(), needs_postgres)) {
      if (std::string why = PostgresCluster::unavailable_reason(); !why.empty()) {
        std::printf("SKIPPED: %s\n", why.c_str());
        return 77;
      }
    }
  }
  int failed = session.run();
  if (after) after();
  return failed;
}

}  // namespace tp::test
