# Cross-building Tenpoint for arm64 (64-bit Raspberry Pi OS 12 = Debian 12
# arm64) on a Debian 12 amd64 machine, with Debian's cross toolchain and the
# :arm64 -dev packages installed beside the amd64 ones (multiarch):
#   deploy/install-deps.sh --arm64
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=deploy/arm64-toolchain.cmake
# `deploy/tenpoint-dev package` and `test` do both (deploy/README.md, "Packages").
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Debian's multiarch folders: libraries and CMake packages (Boost's config)
# under /usr/lib/aarch64-linux-gnu, headers shared in /usr/include.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Libraries, headers and CMake packages: the cross toolchain's own folder
# (libc and libstdc++ of crossbuild-essential-arm64), then the multiarch
# folders of the whole system; find_library looks only in lib/aarch64-linux-gnu
# and lib, never in the build machine's lib/x86_64-linux-gnu. Programs (cmake,
# pkg-config, git) are the build machine's.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# pkg-config reads only the arm64 .pc files. deploy/arm64-pkgconfig holds
# libpq.pc: Debian's libpq-dev cannot be installed for both architectures
# (Multi-Arch: no), so the arm64 server links libpq5:arm64 with the amd64
# package's headers, whose client API (libpq-fe.h) is the same on both.
set(ENV{PKG_CONFIG_LIBDIR} "${CMAKE_CURRENT_LIST_DIR}/arm64-pkgconfig:/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
unset(ENV{PKG_CONFIG_PATH})
unset(ENV{PKG_CONFIG_SYSROOT_DIR})
find_program(TENPOINT_CROSS_PKG_CONFIG aarch64-linux-gnu-pkg-config)
if(TENPOINT_CROSS_PKG_CONFIG)
  set(PKG_CONFIG_EXECUTABLE ${TENPOINT_CROSS_PKG_CONFIG} CACHE FILEPATH "pkg-config for arm64")
endif()

# ctest, and Catch2's test discovery at build time, run the arm64 programs
# under qemu-user, called directly: no binfmt_misc registration needed. The
# programs' loader is libc6:arm64's /lib/ld-linux-aarch64.so.1 (installed with
# the :arm64 libraries, and the libc a Pi runs), so no -L: with
# -L /usr/aarch64-linux-gnu (the cross toolchain's libc), qemu 7.2 leaves a
# forked child spinning for ever (test_storage forks).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
