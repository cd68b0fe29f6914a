#pragma once
// HTTP for the ClickHouse driver, over libcurl: RAII for its handles, and one POST whose response
// is read incrementally. The transfer runs on a multi handle (which keeps the server connection
// open between requests); when the unread response reaches a limit, the transfer is paused
// (CURL_WRITEFUNC_PAUSE) until the reader has used it up, so memory stays flat however long the
// response is. Another thread may wake() the waiting reader, e.g. to cancel.
#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace as::datasources::clickhouse {

struct CurlEasyCleanup {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlMultiCleanup {
  void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
struct CurlSlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyCleanup>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiCleanup>;
using CurlHeaders = std::unique_ptr<curl_slist, CurlSlistFree>;

// Where and how to reach a server.
struct HttpEndpoint {
  std::string base_url;  // "http://host:8123", no trailing slash
  std::string user, password;
  std::string ca_file;
  long connect_timeout_ms = 10'000;
};

// libcurl's process-wide setup, done once.
void init_curl();

// A new easy handle set up for `endpoint` (credentials by HTTP Basic auth, never in the URL).
CurlEasy make_easy(const HttpEndpoint& endpoint);

// A short request whose whole response is wanted (KILL QUERY, small statements): its status and
// body, or the transfer's error. Blocking; `timeout_ms` bounds it.
struct HttpResult {
  bool transferred = false;  // false: no HTTP response (error says why)
  long status = 0;
  std::string body;
  std::string error;
};
HttpResult post_once(const HttpEndpoint& endpoint, const std::string& url, const std::string& body, long timeout_ms);

// One POST on a connection's multi handle, its response read as it arrives.
class HttpTransfer {
 public:
  // What the reader checks each time it waits; it may throw to abandon the transfer.
  using Check = std::function<void()>;

  // A transfer on `multi` (which must outlive it) with its own easy handle.
  HttpTransfer(CURLM* multi, const HttpEndpoint& endpoint, std::size_t pause_at_bytes);
  HttpTransfer(const HttpTransfer&) = delete;
  HttpTransfer& operator=(const HttpTransfer&) = delete;
  ~HttpTransfer();  // abandons the transfer when it has not finished (the connection is closed)

  void start(const std::string& url, std::string body);
  // Waits until more of the response arrives or it ends, calling `check` at least every
  // `check_every` (and whenever the multi handle is woken). Returns false once the response has
  // ended (then status() and failure() are final). A line longer than the pause limit raises it.
  bool pump(const Check& check, std::chrono::milliseconds check_every);
  // Ends the transfer now (the server sees the connection close).
  void abandon();

  bool finished() const { return finished_; }
  long status() const { return status_; }
  // The transfer's own error (no response, a broken connection), "" when none.
  const std::string& failure() const { return failure_; }

  // The response not yet used: data() is valid until the next pump().
  std::string_view unread() const { return std::string_view(buffer_).substr(consumed_); }
  void consume(std::size_t bytes) { consumed_ += bytes; }

 private:
  static std::size_t on_data(char* data, std::size_t size, std::size_t count, void* self);
  void compact();

  CURLM* multi_;
  CurlEasy easy_;
  std::size_t pause_at_;
  std::string body_;
  CurlHeaders headers_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  std::string buffer_;
  std::size_t consumed_ = 0;
  bool added_ = false;
  bool paused_ = false;
  bool discarding_ = false;  // abandoning: what curl still delivers is dropped
  bool finished_ = false;
  long status_ = 0;
  std::string failure_;
};

}  // namespace as::datasources::clickhouse
