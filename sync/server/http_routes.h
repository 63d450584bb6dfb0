// The route table between HTTP and the Api, and the error replies the HTTP
// layer makes itself (for requests the Api never sees). No sockets here.
#pragma once
#include <string>
#include <string_view>

#include "api.h"

namespace tp::server {

// metrics stays last: kRouteCount counts up to it.
// admin: every path under /admin, GET and POST (HttpOptions::admin answers them).
enum class Route { none, enrol, batches, heartbeat, health, question_set, set_key, readback, admin, metrics };
constexpr int kRouteCount = static_cast<int>(Route::metrics) + 1;  // sizes the counters of http_metrics.h

// Which listening address a request came to: the kiosks' (the API), or the
// admin's for /metrics. Each serves only its own routes.
enum class Site { api, metrics };

struct RouteMatch {
  Route route = Route::none;
  int refusal = 0;  // 404 (no such path) or 405 (wrong method); 0 when `route` is set
  // The route whose path matched, whatever the method (none for an unknown
  // path): what /metrics counts the request under.
  Route path = Route::none;
};

// `target` is the request-target as sent; a query string is ignored.
RouteMatch match_route(std::string_view method, std::string_view target, Site site = Site::api);
std::string_view path_of(std::string_view target);
// The route's path pattern, or "unmatched" for none: a label for /metrics
// that no client can vary, so the number of series stays fixed.
std::string_view route_label(Route route);
// Whether the route reads the request's body (the others discard it unread).
bool route_takes_body(Route route);
// Calls the Api for a matched route; `health` touches no storage.
ApiResponse call_route(Api& api, Route route, const ApiRequest& request);
// The same with the reply given to `done`: batches and heartbeats do not
// hold the calling thread while the store commits (Api::batches_async);
// every other route replies before this returns.
void call_route_async(Api& api, Route route, ApiRequest&& request, const Api::Reply& done);

// JSON error replies in the shape of wire::error_body, for the statuses the
// HTTP layer gives on its own: 400, 404, 405, 408, 413, 431, 500 and 503.
// `detail` adds a specific reason to the message where one is known.
ApiResponse http_refusal(int status, std::string_view target = {}, std::string_view detail = {});

}  // namespace tp::server
