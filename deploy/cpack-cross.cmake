# Read by cpack in a cross build (CPACK_PROJECT_CONFIG_FILE, set in
# deploy/packaging.cmake). cpack runs dpkg-shlibdeps for the Depends; told the
# packages' architecture, as `dpkg-buildpackage -a arm64` tells it, it reads
# the programs with aarch64-linux-gnu-objdump and looks for their libraries in
# /usr/lib/aarch64-linux-gnu first. Otherwise it would use the build machine's
# objdump (which reads arm64 programs only through its generic ELF support)
# and find the arm64 libraries only through /etc/ld.so.conf.d.
if(CPACK_DEBIAN_PACKAGE_ARCHITECTURE)
  set(ENV{DEB_HOST_ARCH} "${CPACK_DEBIAN_PACKAGE_ARCHITECTURE}")
endif()
