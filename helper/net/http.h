// HTTPS for the registration services: one exchange behind HttpTransport
// (libcurl here, fakes in tests) and HttpClient on top, which owns the
// deadline, the single retry and Retry-After.
#ifndef SSPR_HELPER_NET_HTTP_H_
#define SSPR_HELPER_NET_HTTP_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/time.h"

namespace sspr {

constexpr size_t kMaxResponseBody = 1024 * 1024;

struct HttpRequest {
  std::string method = "GET";  // GET | POST | PATCH | DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"; wiped (may hold tokens)
  std::string body;                  // wiped
  // A 429/503 answer is retried after Retry-After when it fits the
  // deadline. Off where a 429 is an answer for the user (a code cool-down).
  bool retry_throttled = true;
  ~HttpRequest();
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string content_type;
  std::string location;         // of a 3xx
  int64_t retry_after_s = -1;   // Retry-After (seconds or HTTP date), -1 none
  int64_t rate_reset_at = 0;    // X-Rate-Limit-Reset (unix time), 0 none
  bool connect_failed = false;  // nothing was sent: safe to retry any method
  std::string note;             // set by HttpClient ("Retry-After 600 s ...")
  ~HttpResponse();
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // One exchange, no retry, finished by deadline_ms (NowMs clock).
  // False with *err when no HTTP status was received.
  virtual bool Perform(const HttpRequest& req, int64_t deadline_ms,
                       HttpResponse* resp, std::string* err) = 0;
};

struct TlsOptions {
  std::string cafile;         // "" = the system store
  std::string pinned_pubkey;  // "" = no pin
  size_t max_body = kMaxResponseBody;
};

// libcurl: https only (http only to 127.0.0.1, ::1, localhost), peer and
// host verified, no redirects followed, connect and total timeouts from the
// deadline, bodies above max_body aborted. Call curl_global_init first.
std::unique_ptr<HttpTransport> MakeCurlTransport(const TlsOptions& o);

// True for https://, and for http:// to a loopback host.
bool UrlAllowed(const std::string& url, std::string* err);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string UrlEscape(const std::string& s);

class HttpClient {
 public:
  // request_timeout_ms bounds one attempt; op_budget_ms one operation
  // (attempts, waits and retry), never past the dialogue deadline.
  HttpClient(HttpTransport* t, int64_t request_timeout_ms, int64_t op_budget_ms,
             int64_t dialogue_deadline_ms)
      : t_(t),
        request_timeout_ms_(request_timeout_ms),
        op_budget_ms_(op_budget_ms),
        dialogue_deadline_ms_(dialogue_deadline_ms) {}

  // Starts an operation: its deadline is now + op budget (capped).
  void BeginOperation();
  // One request with at most one retry: after Retry-After (or Okta's
  // X-Rate-Limit-Reset) on 429/503 when the wait fits the deadline, or at
  // once after a refused connection or a 502/503/504 on GET/DELETE.
  // Any status is returned in *resp (3xx too); false only when none.
  bool Do(const HttpRequest& req, HttpResponse* resp, std::string* err);

  // Tests replace the sleep and the clock.
  std::function<void(int64_t ms)> sleep_ms;
  std::function<int64_t()> now_ms;
  std::function<int64_t()> unix_now;
  int requests() const { return requests_; }

 private:
  int64_t Now() const;
  HttpTransport* t_;
  int64_t request_timeout_ms_, op_budget_ms_, dialogue_deadline_ms_;
  int64_t op_deadline_ms_ = 0;
  int requests_ = 0;
};

// "HTTP 500" / "redirect to other.example refused" / ... for logs: never
// the body of a request, at most 200 bytes of a response's error text.
std::string HttpStatusText(const HttpResponse& r);

// The host part of a URL ("" if none), for messages.
std::string UrlHost(const std::string& url);

}  // namespace sspr

#endif  // SSPR_HELPER_NET_HTTP_H_
