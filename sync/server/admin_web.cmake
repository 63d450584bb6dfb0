# The admin web of tenpoint-server (sync/server/admin_*): its store on both
# backends, its pages, and the CSS and JavaScript of assets/web compiled in
# as bytes, so a deployed server needs no files beside its binary.
# Included from the top-level CMakeLists.txt.

set(TENPOINT_WEB_ASSETS
  ${CMAKE_CURRENT_SOURCE_DIR}/assets/web/admin.css
  ${CMAKE_CURRENT_SOURCE_DIR}/assets/web/admin.js)
# Editing an asset re-runs this step, which rewrites the header.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${TENPOINT_WEB_ASSETS})
set(tenpoint_web_header "// Made by sync/server/admin_web.cmake from assets/web: do not edit.\n#pragma once\n#include <string_view>\nnamespace tp::server::web_assets {\n")
foreach(asset ${TENPOINT_WEB_ASSETS})
  get_filename_component(asset_name ${asset} NAME)
  string(MAKE_C_IDENTIFIER ${asset_name} asset_id)
  file(READ ${asset} asset_hex HEX)
  string(LENGTH "${asset_hex}" asset_hex_length)
  math(EXPR asset_bytes "${asset_hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," asset_chars "${asset_hex}")
  string(APPEND tenpoint_web_header "inline constexpr char ${asset_id}_bytes[] = {${asset_chars} 0};\n")
  string(APPEND tenpoint_web_header "inline constexpr std::string_view ${asset_id}{${asset_id}_bytes, ${asset_bytes}};\n")
endforeach()
string(APPEND tenpoint_web_header "}  // namespace tp::server::web_assets\n")
file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/generated/web_assets.h CONTENT "${tenpoint_web_header}" @ONLY)

add_library(tenpoint_admin STATIC
  sync/server/admin_auth.cpp
  sync/server/admin_command.cpp
  sync/server/admin_moderation_page.cpp
  sync/server/admin_pg_store.cpp
  sync/server/admin_sets_page.cpp
  sync/server/admin_sqlite_store.cpp
  sync/server/admin_store.cpp
  sync/server/admin_web.cpp
  sync/server/admin_readback_page.cpp
  sync/server/readback_cards.cpp)
target_include_directories(tenpoint_admin PUBLIC sync/server PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)
target_link_libraries(tenpoint_admin PUBLIC tenpoint_server tenpoint_report PRIVATE tenpoint_sqlite PkgConfig::SODIUM PkgConfig::PQ CLI11::CLI11)
