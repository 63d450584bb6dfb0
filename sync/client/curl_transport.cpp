#include "curl_transport.h"

#include <curl/curl.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace tp::sync {

struct CurlTransport::Impl {
  SyncConfig config;
  CURL* curl = nullptr;  // one handle per transport: connections are reused within a round
  std::unique_ptr<CurlTransport> second;
  bool is_second = false;
  ~Impl() {
    if (curl) curl_easy_cleanup(curl);
  }
};

namespace {

// Larger than any reply the server sends (a signed set is at most 6 MiB):
// a reply that grows past it is cut off rather than filling memory.
constexpr std::size_t kMaxReplyBytes = 16 * 1024 * 1024;  // 16 MiB

std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() + size * n > kMaxReplyBytes) return 0;  // libcurl stops with CURLE_WRITE_ERROR
  body->append(data, size * n);
  return size * n;
}

// The value of header `name` (lower case, with its colon) in `line`, trimmed; nullopt for another header.
std::optional<std::string> header_value(const std::string& line, const char* name) {
  std::size_t length = std::strlen(name);
  if (line.size() <= length || strncasecmp(line.c_str(), name, length) != 0) return std::nullopt;
  std::string value = line.substr(length);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
  return value;
}

std::size_t header_line(char* data, std::size_t size, std::size_t n, void* user) {
  std::string line(data, size * n);
  auto* result = static_cast<HttpResult*>(user);
  if (auto retry = header_value(line, "retry-after:")) result->retry_after_s = std::atoi(retry->c_str());
  if (auto etag = header_value(line, "etag:")) result->etag = *etag;
  return size * n;
}

// What went wrong, in words a staff member or admin can act on.
std::string describe(CURLcode rc, long os_errno, const char* detail, const SyncConfig& c) {
  std::string d = detail && *detail ? detail : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
      if (os_errno == ECONNREFUSED) return "server unreachable (connection refused)";
      if (os_errno == ENETUNREACH || os_errno == EHOSTUNREACH) return "server unreachable (no route: is the network up?)";
      return "server unreachable (" + d + ")";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "server name not found (DNS): " + d;
    case CURLE_OPERATION_TIMEDOUT:
      return "server too slow or network stalled (timed out): " + d;
    case CURLE_PEER_FAILED_VERIFICATION:
      return "server certificate refused (" + d + ")" + (c.ca_file.empty() ? "; for a self-hosted server set sync.ca_file" : "");
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return "server key does not match sync.pinned_public_key (" + d + ")";
    case CURLE_SSL_CACERT_BADFILE:
      return "unable to read sync.ca_file " + c.ca_file + " (" + d + ")";
    case CURLE_SSL_CONNECT_ERROR:
      return "TLS handshake failed (" + d + ")";
    case CURLE_WRITE_ERROR:
      return "the server's reply was larger than " + std::to_string(kMaxReplyBytes / (1024 * 1024)) + " MiB; it was not read";
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return "connection dropped during the request (" + d + ")";
    default:
      return "network error (" + d + ")";
  }
}

}  // namespace

CurlTransport::CurlTransport(const SyncConfig& config) : impl_(std::make_unique<Impl>()) {
  static const bool global = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)global;
  impl_->config = config;
  impl_->curl = curl_easy_init();
}

CurlTransport::~CurlTransport() = default;

HttpResult CurlTransport::post(const std::string& path, const std::string& body, const std::string& token, bool gzip) {
  return perform(path, &body, token, gzip, "");
}

HttpResult CurlTransport::get(const std::string& path, const std::string& token, const std::string& if_none_match) {
  return perform(path, nullptr, token, false, if_none_match);
}

Transport* CurlTransport::second() {
  if (impl_->is_second) return nullptr;
  if (!impl_->second) {
    impl_->second = std::make_unique<CurlTransport>(impl_->config);
    impl_->second->impl_->is_second = true;
  }
  return impl_->second.get();
}

HttpResult CurlTransport::perform(const std::string& path, const std::string* body, const std::string& token, bool gzip,
                                  const std::string& if_none_match) {
  HttpResult r;
  CURL* c = impl_->curl;
  const SyncConfig& cfg = impl_->config;
  if (!c) {
    r.failure = "unable to start libcurl";
    return r;
  }
  curl_easy_reset(c);
  std::string url = cfg.server + path;
  char detail[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  if (body) headers = curl_slist_append(headers, "Content-Type: application/json");
  if (gzip) headers = curl_slist_append(headers, "Content-Encoding: gzip");
  std::string condition = "If-None-Match: " + if_none_match;
  if (!if_none_match.empty()) headers = curl_slist_append(headers, condition.c_str());
  std::string auth = "Authorization: Bearer " + token;
  if (!token.empty()) headers = curl_slist_append(headers, auth.c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip

  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  if (body) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "tenpoint-sync/" TENPOINT_VERSION);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  // Verification stays on (these are libcurl's defaults, set here so that no one wonders).
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!cfg.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, cfg.ca_file.c_str());
  if (!cfg.pinned_public_key.empty()) curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, cfg.pinned_public_key.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(cfg.connect_timeout_s));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(cfg.total_timeout_s));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(cfg.low_speed_bytes_per_s));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(cfg.low_speed_time_s));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_line);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);

  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    long os_errno = 0;
    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
    r.failure = describe(rc, os_errno, detail, cfg);
    r.body.clear();
    return r;
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  r.reached = true;
  r.status = static_cast<int>(status);
  return r;
}

}  // namespace tp::sync
