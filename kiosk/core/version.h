// What `--version` prints: the project's version and the git commit it was
// built from ("unknown" when built outside a git checkout).
#pragma once
#include <string>

namespace tp {

// The commit, as stamped into the build (12 hex digits, or "unknown").
const char* build_commit();
// "PROGRAM VERSION (commit COMMIT)", e.g. "tenpoint-kiosk 0.1.0 (commit 0123456789ab)".
std::string version_line(const std::string& program);

}  // namespace tp
