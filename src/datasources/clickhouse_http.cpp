#include "clickhouse_http.h"

#include <algorithm>
#include <mutex>

namespace as::datasources::clickhouse {
namespace {

// The most of an error response kept (ClickHouse's messages are short; a proxy's page may not be).
constexpr std::size_t kMaxErrorBody = 64 * 1024;
// libcurl's receive buffer: larger than its 16 KB default, so a fast server needs fewer callbacks.
constexpr long kReceiveBuffer = 256 * 1024;

std::size_t collect(char* data, std::size_t size, std::size_t count, void* target) {
  auto* body = static_cast<std::string*>(target);
  std::size_t bytes = size * count;
  if (body->size() < kMaxErrorBody) body->append(data, std::min(bytes, kMaxErrorBody - body->size()));
  return bytes;
}

CurlHeaders request_headers() {
  // ClickHouse takes the body as the statement whatever its type; "Expect:" stops curl waiting
  // for a 100 Continue before large bodies.
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: text/plain; charset=UTF-8");
  if (list) list = curl_slist_append(list, "Expect:");
  return CurlHeaders(list);
}

}  // namespace

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlEasy make_easy(const HttpEndpoint& endpoint) {
  init_curl();
  CurlEasy easy(curl_easy_init());
  if (!easy) return easy;
  CURL* handle = easy.get();
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, endpoint.connect_timeout_ms);
  curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(handle, CURLOPT_BUFFERSIZE, kReceiveBuffer);
  if (!endpoint.user.empty() || !endpoint.password.empty()) {
    curl_easy_setopt(handle, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(handle, CURLOPT_USERNAME, endpoint.user.c_str());
    curl_easy_setopt(handle, CURLOPT_PASSWORD, endpoint.password.c_str());
  }
  if (!endpoint.ca_file.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, endpoint.ca_file.c_str());
  return easy;
}

HttpResult post_once(const HttpEndpoint& endpoint, const std::string& url, const std::string& body, long timeout_ms) {
  HttpResult result;
  CurlEasy easy = make_easy(endpoint);
  if (!easy) {
    result.error = "could not create a curl handle";
    return result;
  }
  CurlHeaders headers = request_headers();
  char error_buffer[CURL_ERROR_SIZE] = {};
  CURL* handle = easy.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
  CURLcode code = curl_easy_perform(handle);
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &result.status);
  result.transferred = code == CURLE_OK;
  if (code != CURLE_OK) result.error = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
  return result;
}

HttpTransfer::HttpTransfer(CURLM* multi, const HttpEndpoint& endpoint, std::size_t pause_at_bytes)
    : multi_(multi), easy_(make_easy(endpoint)), pause_at_(pause_at_bytes), headers_(request_headers()) {}

HttpTransfer::~HttpTransfer() { abandon(); }

void HttpTransfer::start(const std::string& url, std::string body) {
  body_ = std::move(body);
  if (!easy_ || !headers_) {
    failure_ = "could not create a curl handle";
    finished_ = true;
    return;
  }
  CURL* handle = easy_.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers_.get());
  curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body_.data());
  curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer_);
  CURLMcode code = curl_multi_add_handle(multi_, handle);
  if (code != CURLM_OK) {
    failure_ = curl_multi_strerror(code);
    finished_ = true;
    return;
  }
  added_ = true;
}

std::size_t HttpTransfer::on_data(char* data, std::size_t size, std::size_t count, void* self) {
  auto* transfer = static_cast<HttpTransfer*>(self);
  std::size_t bytes = size * count;
  if (transfer->discarding_) return bytes;
  if (transfer->status_ == 0) curl_easy_getinfo(transfer->easy_.get(), CURLINFO_RESPONSE_CODE, &transfer->status_);
  if (transfer->status_ != 200) return collect(data, size, count, &transfer->buffer_);
  if (transfer->buffer_.size() - transfer->consumed_ >= transfer->pause_at_) {
    transfer->paused_ = true;  // curl keeps this chunk and hands it over again after the unpause
    return CURL_WRITEFUNC_PAUSE;
  }
  transfer->buffer_.append(data, bytes);
  return bytes;
}

void HttpTransfer::compact() {
  if (consumed_ == 0) return;
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
  } else {
    buffer_.erase(0, consumed_);
  }
  consumed_ = 0;
}

bool HttpTransfer::pump(const Check& check, std::chrono::milliseconds check_every) {
  if (finished_) return false;
  compact();
  // The reader asks for more while holding pause_at_ bytes: a line longer than that.
  if (buffer_.size() >= pause_at_) pause_at_ = buffer_.size() * 2;
  std::size_t before = buffer_.size();
  if (paused_) {
    paused_ = false;
    curl_easy_pause(easy_.get(), CURLPAUSE_CONT);  // may deliver the held chunk right here
  }
  while (true) {
    check();
    int running = 0;
    CURLMcode code = curl_multi_perform(multi_, &running);
    if (code != CURLM_OK) {
      failure_ = curl_multi_strerror(code);
      abandon();
      return false;
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
      if (message->msg != CURLMSG_DONE || message->easy_handle != easy_.get()) continue;
      if (message->data.result != CURLE_OK) failure_ = error_buffer_[0] ? error_buffer_ : curl_easy_strerror(message->data.result);
      if (status_ == 0) curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status_);
      curl_multi_remove_handle(multi_, easy_.get());
      added_ = false;
      finished_ = true;
    }
    if (finished_) return buffer_.size() > before;
    if (buffer_.size() > before || paused_) return true;
    curl_multi_poll(multi_, nullptr, 0, static_cast<int>(check_every.count()), nullptr);
  }
}

void HttpTransfer::abandon() {
  if (added_) {
    discarding_ = true;
    curl_multi_remove_handle(multi_, easy_.get());  // closes the connection mid-response
    added_ = false;
  }
  finished_ = true;
}

}  // namespace as::datasources::clickhouse
