// A plain libcurl client for the benchmarks that look at single requests
// (bench_poll, bench_results): one kept-alive connection per client, the
// bytes curl counted for each request, and the TCP payload bytes the socket
// itself counted (TLS records included), read with TCP_INFO.
//
// Header-only; needs libcurl.
#pragma once
#include <curl/curl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tp::bench {

// The server's CPU time so far (user + system), in seconds.
inline double process_cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command's closing parenthesis; utime and stime are the 14th and 15th.
  std::size_t at = stat.rfind(')');
  if (at == std::string::npos) return -1;
  std::vector<std::string> fields;
  std::string field;
  for (char ch : stat.substr(at + 2)) {
    if (ch == ' ') {
      fields.push_back(field);
      field.clear();
    } else {
      field += ch;
    }
  }
  if (fields.size() < 13) return -1;
  double ticks = std::stod(fields[11]) + std::stod(fields[12]);  // fields[0] is the 3rd field of the line
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

struct Reply {
  long status = 0;
  std::string body, headers;
  long request_bytes = 0, header_bytes = 0;  // as curl counted them: the HTTP request, the reply's status line and headers
  double seconds = 0;
};

class HttpClient {
 public:
  explicit HttpClient(const std::string& ca_file) : curl_(curl_easy_init()) {
    if (!curl_) throw std::runtime_error("curl_easy_init failed");
    curl_easy_setopt(curl_, CURLOPT_CAINFO, ca_file.c_str());
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 300L);
    curl_easy_setopt(curl_, CURLOPT_COOKIEFILE, "");  // keep cookies in memory
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &HttpClient::collect);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &HttpClient::collect);
    curl_easy_setopt(curl_, CURLOPT_SOCKOPTFUNCTION, &HttpClient::note_socket);
    curl_easy_setopt(curl_, CURLOPT_SOCKOPTDATA, this);
  }
  ~HttpClient() { curl_easy_cleanup(curl_); }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `headers`: whole lines, "Name: value". `post_body` set: a POST.
  Reply request(const std::string& url, const std::vector<std::string>& headers = {}, const std::string* post_body = nullptr) {
    Reply out;
    curl_slist* list = nullptr;
    for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &out.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &out.headers);
    if (post_body) {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, post_body->c_str());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(post_body->size()));
    } else {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    }
    auto start = std::chrono::steady_clock::now();
    CURLcode rc = curl_easy_perform(curl_);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    curl_slist_free_all(list);
    if (rc != CURLE_OK) throw std::runtime_error(url + ": " + curl_easy_strerror(rc));
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &out.status);
    curl_easy_getinfo(curl_, CURLINFO_REQUEST_SIZE, &out.request_bytes);
    curl_easy_getinfo(curl_, CURLINFO_HEADER_SIZE, &out.header_bytes);
    return out;
  }

  // TCP payload bytes this connection has sent and received so far (TLS
  // records and handshake included; TCP/IP headers not). {-1, -1} when the
  // kernel does not say.
  std::pair<long long, long long> socket_bytes() const {
    tcp_info info{};
    socklen_t size = sizeof info;
    if (socket_ < 0 || getsockopt(socket_, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return {-1, -1};
    return {static_cast<long long>(info.tcpi_bytes_acked), static_cast<long long>(info.tcpi_bytes_received)};
  }

 private:
  static std::size_t collect(char* data, std::size_t size, std::size_t n, void* to) {
    static_cast<std::string*>(to)->append(data, size * n);
    return size * n;
  }
  static int note_socket(void* self, curl_socket_t fd, curlsocktype) {
    static_cast<HttpClient*>(self)->socket_ = fd;
    return CURL_SOCKOPT_OK;
  }

  CURL* curl_;
  int socket_ = -1;
};

}  // namespace tp::bench
