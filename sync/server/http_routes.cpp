#include "http_routes.h"

#include "http_limits.h"
#include "wire.h"

namespace tp::server {

namespace {

struct RouteEntry {
  std::string_view path;
  std::string_view method;
  Route route;
  Site site;
};

constexpr RouteEntry kRoutes[] = {
    {"/api/v1/enrol", "POST", Route::enrol, Site::api},
    {"/api/v1/batches", "POST", Route::batches, Site::api},
    {"/api/v1/heartbeat", "POST", Route::heartbeat, Site::api},
    {"/api/v1/health", "GET", Route::health, Site::api},
    {"/api/v1/question-set", "GET", Route::question_set, Site::api},
    {"/api/v1/set-key", "GET", Route::set_key, Site::api},
    {"/api/v1/readback", "GET", Route::readback, Site::api},
    {"/metrics", "GET", Route::metrics, Site::metrics},
};

// The admin web owns /admin and everything under it.
bool admin_path(std::string_view path) { return path == "/admin" || path.starts_with("/admin/"); }

std::string mib(std::size_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MiB"; }

}  // namespace

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

RouteMatch match_route(std::string_view method, std::string_view target, Site site) {
  std::string_view path = path_of(target);
  if (site == Site::api && admin_path(path)) {
    if (method != "GET" && method != "POST") return {Route::none, 405, Route::admin};
    return {Route::admin, 0, Route::admin};
  }
  for (const RouteEntry& e : kRoutes) {
    if (e.path != path || e.site != site) continue;
    if (e.method != method) return {Route::none, 405, e.route};
    return {e.route, 0, e.route};
  }
  return {Route::none, 404, Route::none};
}

std::string_view route_label(Route route) {
  if (route == Route::admin) return "/admin";
  for (const RouteEntry& e : kRoutes)
    if (e.route == route) return e.path;
  return "unmatched";
}

bool route_takes_body(Route route) {
  return route == Route::enrol || route == Route::batches || route == Route::heartbeat || route == Route::admin;
}

ApiResponse call_route(Api& api, Route route, const ApiRequest& request) {
  switch (route) {
    case Route::enrol:
      return api.enrol(request);
    case Route::batches:
      return api.batches(request);
    case Route::heartbeat:
      return api.heartbeat(request);
    case Route::health:
      return api.health();
    case Route::question_set:
      return api.question_set(request);
    case Route::set_key:
      return api.set_key(request);
    case Route::readback:
      return api.readback(request);
    case Route::metrics:  // served by the HTTP layer itself, never through the Api
    case Route::admin:    // served by HttpOptions::admin
    case Route::none:
      break;
  }
  return http_refusal(404);
}

void call_route_async(Api& api, Route route, ApiRequest&& request, const Api::Reply& done) {
  if (route == Route::batches) return api.batches_async(std::move(request), done);
  if (route == Route::heartbeat) return api.heartbeat_async(std::move(request), done);
  done(call_route(api, route, request));
}

ApiResponse http_refusal(int status, std::string_view target, std::string_view detail) {
  auto reply = [&](std::string_view code, const std::string& message, int retry_after_s = 0) {
    std::string full = detail.empty() ? message : message + " (" + std::string(detail) + ")";
    return ApiResponse{status, wire::error_body(code, full), retry_after_s, {}};
  };
  std::string path(path_of(target));
  switch (status) {
    case 400:
      return reply("bad_request", "the request is not valid HTTP/1.1");
    case 404:
      return reply("not_found", "no such endpoint: " + path + " (see /api/v1/)");
    case 405: {
      if (admin_path(path)) return reply("method_not_allowed", path + " takes GET or POST only");
      for (const RouteEntry& e : kRoutes)
        if (e.path == path) return reply("method_not_allowed", path + " takes " + std::string(e.method) + " only");
      return reply("method_not_allowed", "this method is not allowed here");
    }
    case 408:
      return reply("timeout", "the request did not arrive in time; send it again in one go");
    case 413:
      return reply("too_large", "the body is larger than the server accepts (" + mib(http_limits::kMaxWireBodyBytes) +
                                    " as sent); send smaller batches");
    case 431:
      return reply("header_too_large", "the request's header is over " + std::to_string(http_limits::kMaxHeaderBytes / 1024) + " KiB or " +
                                           std::to_string(http_limits::kMaxHeaderFields) + " fields");
    case 503:
      return reply("busy", "the server is receiving too much at once; try again in " + std::to_string(http_limits::kBusyRetryAfterS) + " s",
                   http_limits::kBusyRetryAfterS);
    default:
      break;
  }
  return ApiResponse{500, wire::error_body("internal", "the server failed on this request; it was not stored"), 0, {}};
}

}  // namespace tp::server
