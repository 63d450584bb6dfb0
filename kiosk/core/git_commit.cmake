# Writes OUTPUT, a header defining TENPOINT_GIT_COMMIT: the commit SOURCE_DIR
# is checked out at (12 hex digits), or COMMIT when given (a build from a
# release tarball can name its commit), else "unknown" (no git, or not a
# checkout). Run at every build by the tenpoint_git_commit target; the file
# is rewritten only when its text changes, so an unchanged commit rebuilds
# nothing.
#   cmake -DSOURCE_DIR=... -DOUTPUT=... [-DCOMMIT=...] -P git_commit.cmake
set(commit "${COMMIT}")
if(commit STREQUAL "")
  find_program(GIT_PROGRAM git)
  if(GIT_PROGRAM)
    # Only a checkout of this project: not a parent folder's repository.
    execute_process(COMMAND ${GIT_PROGRAM} -C "${SOURCE_DIR}" rev-parse --show-toplevel
                    OUTPUT_VARIABLE top OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE git_failed)
    if(NOT git_failed)
      file(REAL_PATH "${top}" top)
      file(REAL_PATH "${SOURCE_DIR}" source)
    endif()
    if(NOT git_failed AND top STREQUAL source)
      execute_process(COMMAND ${GIT_PROGRAM} -C "${SOURCE_DIR}" rev-parse --short=12 --verify -q HEAD
                      OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE git_failed)
      if(git_failed)
        set(commit "")
      endif()
    endif()
  endif()
endif()
if(NOT commit MATCHES "^[0-9a-f]+$")
  set(commit "unknown")
endif()
file(CONFIGURE OUTPUT "${OUTPUT}" CONTENT "// Made by kiosk/core/git_commit.cmake: do not edit.\n#define TENPOINT_GIT_COMMIT \"${commit}\"\n")
