#include "version.h"

// Written by kiosk/core/git_commit.cmake at every build, and rewritten only
// when the commit changes, so only this file is compiled again.
#include "tenpoint_git_commit.h"

namespace tp {

const char* build_commit() { return TENPOINT_GIT_COMMIT; }

std::string version_line(const std::string& program) { return program + " " + TENPOINT_VERSION + " (commit " + build_commit() + ")"; }

}  // namespace tp
