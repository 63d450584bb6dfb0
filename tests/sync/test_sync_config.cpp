// The kiosk config's "sync" section: what tenpoint-sync accepts and refuses.
#include <catch2/catch.hpp>

#include "support.h"
#include "sync_config.h"

using namespace tp;

namespace {

// The error message for a config whose "sync" section is `sync_json`, or "" when it loads.
std::string error_for(const std::string& name, const std::string& sync_json) {
  std::string dir = test::scratch_dir(name);
  test::write_file(dir + "/kiosk.json", "{\"question_set\": \"q.json\", \"sync\": " + sync_json + "}");
  try {
    sync::load_sync_config(dir + "/kiosk.json");
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace

TEST_CASE("plain http:// only to this machine, and only when the config asks for it", "[sync][config]") {
  CHECK(error_for("cfg_https", R"({"server": "https://tenpoint.example.org/"})").empty());
  std::string refused = error_for("cfg_http", R"({"server": "http://127.0.0.1:8080"})");
  CHECK(refused.find("kiosk.json:1:") != std::string::npos);
  CHECK(refused.find("set \"allow_insecure_http\": true") != std::string::npos);
  CHECK(error_for("cfg_http_ok", R"({"server": "http://127.0.0.1:8080", "allow_insecure_http": true})").empty());
  CHECK(error_for("cfg_http_v6", R"({"server": "http://[::1]:8080", "allow_insecure_http": true})").empty());
  CHECK(error_for("cfg_http_name", R"({"server": "http://localhost:8080/", "allow_insecure_http": true})").empty());
  std::string remote = error_for("cfg_http_remote", R"({"server": "http://192.0.2.7:8080", "allow_insecure_http": true})");
  CHECK(remote.find("allowed only to this machine") != std::string::npos);
  // A name that merely starts like a loopback address is not one.
  CHECK_FALSE(error_for("cfg_http_trick", R"({"server": "http://127.0.0.1.example.org", "allow_insecure_http": true})").empty());
  CHECK_FALSE(error_for("cfg_http_user", R"({"server": "http://127.0.0.1@example.org", "allow_insecure_http": true})").empty());
  CHECK(error_for("cfg_flag_type", R"({"server": "https://a.example", "allow_insecure_http": "yes"})").find("must be true or false") !=
        std::string::npos);
}

TEST_CASE("loopback addresses are told from look-alikes", "[sync][config]") {
  CHECK(sync::is_loopback_url("http://127.0.0.1"));
  CHECK(sync::is_loopback_url("http://127.255.1.2:9/x"));
  CHECK(sync::is_loopback_url("http://[::1]:80"));
  CHECK(sync::is_loopback_url("http://localhost"));
  CHECK_FALSE(sync::is_loopback_url("http://128.0.0.1"));
  CHECK_FALSE(sync::is_loopback_url("http://localhost.example.org"));
  CHECK_FALSE(sync::is_loopback_url("http://127.0.0.1x"));
  CHECK_FALSE(sync::is_loopback_url("http://[::2]"));
  CHECK_FALSE(sync::is_loopback_url("127.0.0.1"));
}
