# Debian packages with CPack (included from the top-level CMakeLists.txt):
#   tenpoint-kiosk   the kiosk, tenpoint-sync, the tenpoint command line, their
#                    units, the USB rule, the journald cap, a default config
#   tenpoint-server  the server and its unit
# Built by `deploy/tenpoint-dev package` (deploy/README.md). Depends on
# Debian's libraries come from dpkg-shlibdeps; the rest are listed below.

include(GNUInstallDirs)
# `install` and cpack take what is built, and build nothing themselves: the
# packages test runs cpack from ctest, after the build. deploy/tenpoint-dev
# package builds everything first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(tenpoint_units ${CMAKE_SOURCE_DIR}/deploy/systemd)
# Always /usr/lib/..., whatever the install prefix: where systemd and udev look.
set(tenpoint_libdir /usr/lib)

# ---- tenpoint-kiosk ---------------------------------------------------------
install(FILES ${tenpoint_units}/tenpoint-kiosk.service ${tenpoint_units}/tenpoint-sync.service
        DESTINATION ${tenpoint_libdir}/systemd/system COMPONENT kiosk)
install(FILES ${tenpoint_units}/tenpoint-kiosk.sysusers DESTINATION ${tenpoint_libdir}/sysusers.d
        RENAME tenpoint-kiosk.conf COMPONENT kiosk)
install(FILES ${tenpoint_units}/journald-tenpoint.conf DESTINATION ${tenpoint_libdir}/systemd/journald.conf.d
        RENAME tenpoint.conf COMPONENT kiosk)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/udev/90-tenpoint-usb.rules DESTINATION ${tenpoint_libdir}/udev/rules.d COMPONENT kiosk)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/kiosk.json DESTINATION /etc/tenpoint COMPONENT kiosk)
install(FILES ${tenpoint_units}/kmsdrm.conf ${CMAKE_SOURCE_DIR}/deploy/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tenpoint-kiosk/deploy COMPONENT kiosk)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tenpoint-kiosk COMPONENT kiosk)

# ---- tenpoint-server --------------------------------------------------------
install(FILES ${tenpoint_units}/tenpoint-server.service DESTINATION ${tenpoint_libdir}/systemd/system COMPONENT server)
install(FILES ${tenpoint_units}/tenpoint-server.sysusers DESTINATION ${tenpoint_libdir}/sysusers.d
        RENAME tenpoint-server.conf COMPONENT server)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tenpoint-server/deploy COMPONENT server)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tenpoint-server COMPONENT server)

# ---- CPack ------------------------------------------------------------------
set(TENPOINT_PACKAGE_MAINTAINER "Tenpoint maintainers <tenpoint@example.org>" CACHE STRING "The Maintainer field of the Debian packages")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tenpoint)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Tenpoint")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL kiosk server)
if(NOT TENPOINT_BUILD_KIOSK)
  set(CPACK_COMPONENTS_ALL server)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${TENPOINT_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
# The libraries the programs link (SDL2, SQLite, libcurl, libsodium, ICU,
# OpenSSL, libpq, libsystemd...), with the versions this build needs.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
# The packages' architecture: this machine's (CPack asks dpkg), or, in a cross
# build (deploy/arm64-toolchain.cmake), the target's; dpkg-shlibdeps then names
# the arm64 packages of the same libraries (libc6, libsdl2-2.0-0...), the hand-
# written Depends below mean the arm64 packages too, and deploy/cpack-cross.cmake
# gives dpkg-shlibdeps the architecture.
if(CMAKE_CROSSCOMPILING)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|amd64|AMD64)$")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
  else()
    message(FATAL_ERROR "packaging.cmake: no Debian architecture known for CMAKE_SYSTEM_PROCESSOR ${CMAKE_SYSTEM_PROCESSOR}")
  endif()
  set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_SOURCE_DIR}/deploy/cpack-cross.cmake)
endif()

set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME tenpoint-kiosk)
set(CPACK_COMPONENT_KIOSK_DESCRIPTION
    "Touch-screen polling kiosk\n The Tenpoint kiosk (tenpoint-kiosk), its sync service (tenpoint-sync) and the\n staff command line (tenpoint), with systemd units that start the kiosk under\n the cage compositor at boot, a udev rule that mounts USB sticks for the\n staff export, and a journald size cap for SD cards.")
# cage runs the kiosk; GL (SDL opens libGL or libEGL at run time, so
# dpkg-shlibdeps cannot see them), the GPU drivers and a font it draws with; systemd
# (systemd-mount, sysusers) and udev for the units and the USB rule.
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS "cage, systemd, udev, libgl1, libegl1, libgles2, libgl1-mesa-dri, fonts-noto-core | fonts-dejavu-core")
set(CPACK_DEBIAN_KIOSK_PACKAGE_RECOMMENDS "systemd-timesyncd, exfatprogs, dosfstools")
# Control files by their Debian names: deploy/debian/COMPONENT/{postinst,prerm,conffiles}.
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_EXTRA
    "${CMAKE_SOURCE_DIR}/deploy/debian/kiosk/postinst;${CMAKE_SOURCE_DIR}/deploy/debian/kiosk/prerm;${CMAKE_SOURCE_DIR}/deploy/debian/kiosk/conffiles")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME tenpoint-server)
set(CPACK_COMPONENT_SERVER_DESCRIPTION
    "Tenpoint central server\n Receives answers from Tenpoint kiosks over HTTPS, delivers signed question\n sets to them and serves the admin web; SQLite or PostgreSQL. With a hardened\n systemd unit.")
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_SERVER_PACKAGE_SUGGESTS "postgresql")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA "${CMAKE_SOURCE_DIR}/deploy/debian/server/postinst;${CMAKE_SOURCE_DIR}/deploy/debian/server/prerm")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
