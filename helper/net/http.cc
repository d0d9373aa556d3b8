#include "helper/net/http.h"

#include <curl/curl.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <algorithm>

#include "common/time.h"
#include "common/wipe.h"

namespace sspr {
namespace {

bool IsLoopbackHost(const std::string& h) {
  return h == "127.0.0.1" || h == "[::1]" || h == "localhost";
}

// scheme://host[:port]/... -> scheme, host (with [] for IPv6).
bool SplitUrl(const std::string& url, std::string* scheme, std::string* host) {
  size_t p = url.find("://");
  if (p == std::string::npos) return false;
  *scheme = url.substr(0, p);
  size_t start = p + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string auth = url.substr(
      start, end == std::string::npos ? std::string::npos : end - start);
  if (auth.empty() || auth.find('@') != std::string::npos) return false;
  if (auth[0] == '[') {
    size_t close = auth.find(']');
    if (close == std::string::npos) return false;
    *host = auth.substr(0, close + 1);
  } else {
    *host = auth.substr(0, auth.find(':'));
  }
  return !host->empty();
}

void WipeAll(std::vector<std::string>* v) {
  for (auto& s : *v) Wipe(&s);
}

struct Sink {
  std::string* body;
  size_t max;
  bool overflow = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* userp) {
  auto* s = static_cast<Sink*>(userp);
  size_t len = size * n;
  if (s->body->size() + len > s->max) {
    s->overflow = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  s->body->append(data, len);
  return len;
}

std::string HeaderValue(const char* line, size_t len, const char* name) {
  size_t n = strlen(name);
  if (len <= n + 1 || strncasecmp(line, name, n) != 0 || line[n] != ':')
    return "";
  std::string v(line + n + 1, len - n - 1);
  size_t b = v.find_first_not_of(" \t");
  size_t e = v.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : v.substr(b, e - b + 1);
}

size_t OnHeader(char* data, size_t size, size_t n, void* userp) {
  auto* r = static_cast<HttpResponse*>(userp);
  size_t len = size * n;
  if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {  // a new response
    r->content_type.clear();
    r->location.clear();
    r->retry_after_s = -1;
    r->rate_reset_at = 0;
  }
  std::string v;
  if (!(v = HeaderValue(data, len, "content-type")).empty()) {
    r->content_type = v.substr(0, 200);
  } else if (!(v = HeaderValue(data, len, "location")).empty()) {
    r->location = v.substr(0, 400);
  } else if (!(v = HeaderValue(data, len, "retry-after")).empty()) {
    if (v.size() <= 9 && std::all_of(v.begin(), v.end(), ::isdigit)) {
      r->retry_after_s = strtoll(v.c_str(), nullptr, 10);
    } else {
      time_t t = curl_getdate(v.c_str(), nullptr);
      if (t > 0) r->retry_after_s = std::max<int64_t>(0, t - time(nullptr));
    }
  } else if (!(v = HeaderValue(data, len, "x-rate-limit-reset")).empty()) {
    if (v.size() <= 12 && std::all_of(v.begin(), v.end(), ::isdigit))
      r->rate_reset_at = strtoll(v.c_str(), nullptr, 10);
  }
  return len;
}

class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(const TlsOptions& o) : o_(o), h_(curl_easy_init()) {}
  ~CurlTransport() override {
    if (h_) curl_easy_cleanup(h_);
  }

  bool Perform(const HttpRequest& req, int64_t deadline_ms, HttpResponse* resp,
               std::string* err) override {
    std::string scheme, host;
    if (!UrlAllowed(req.url, err)) return false;
    SplitUrl(req.url, &scheme, &host);
    int64_t left = deadline_ms - NowMs();
    if (left <= 0) {
      *err = "no time left for a request to " + host;
      return false;
    }
    if (h_ == nullptr) {
      *err = "libcurl could not be initialised";
      return false;
    }
    CURL* h = h_;
    curl_easy_reset(h);  // keeps the connection cache
    char errbuf[CURL_ERROR_SIZE] = "";
    Sink sink{&resp->body, o_.max_body};
    const char* protos = scheme == "http" ? "http" : "https";
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protos);
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
    long p = scheme == "http" ? CURLPROTO_HTTP : CURLPROTO_HTTPS;
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, p);
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, long{CURLPROTO_HTTPS});
#endif
    (void)protos;
    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!o_.cafile.empty())
      curl_easy_setopt(h, CURLOPT_CAINFO, o_.cafile.c_str());
    if (!o_.pinned_pubkey.empty())
      curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, o_.pinned_pubkey.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(left));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(left));
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(o_.max_body));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "pam_sspr/0.1");
    if (req.method == "POST" || req.method == "PATCH") {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.c_str());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE,
                       static_cast<long>(req.body.size()));
      if (req.method == "PATCH")
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PATCH");
    } else if (req.method == "DELETE") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
    } else {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    struct curl_slist* list = nullptr;
    for (const auto& hd : req.headers)
      list = curl_slist_append(list, hd.c_str());
    list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    CURLcode rc = curl_easy_perform(h);
    for (struct curl_slist* l = list; l; l = l->next)
      explicit_bzero(l->data, strlen(l->data));
    curl_slist_free_all(list);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, nullptr);
    if (rc == CURLE_OK) {
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
      return true;
    }
    std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    switch (rc) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
        resp->connect_failed = true;
        *err = "cannot connect to " + host + ": " + detail;
        break;
      case CURLE_OPERATION_TIMEDOUT:
        *err = "no answer from " + host + " within " + std::to_string(left) +
               " ms";
        break;
      case CURLE_PEER_FAILED_VERIFICATION:
        *err = "TLS certificate of " + host + " not accepted: " + detail;
        break;
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        *err = "TLS key of " + host + " does not match pinned_pubkey";
        break;
      case CURLE_WRITE_ERROR:
      case CURLE_FILESIZE_EXCEEDED:
        if (sink.overflow || rc == CURLE_FILESIZE_EXCEEDED) {
          *err = "response from " + host + " larger than " +
                 std::to_string(o_.max_body) + " bytes; aborted";
          break;
        }
        [[fallthrough]];
      default:
        *err = "request to " + host + " failed: " + detail;
    }
    Wipe(&resp->body);
    resp->status = 0;
    return false;
  }

 private:
  TlsOptions o_;
  CURL* h_;
};

}  // namespace

HttpRequest::~HttpRequest() {
  WipeAll(&headers);
  Wipe(&body);
}

HttpResponse::~HttpResponse() { Wipe(&body); }

std::unique_ptr<HttpTransport> MakeCurlTransport(const TlsOptions& o) {
  return std::make_unique<CurlTransport>(o);
}

std::string UrlHost(const std::string& url) {
  std::string scheme, host;
  return SplitUrl(url, &scheme, &host) ? host : "";
}

bool UrlAllowed(const std::string& url, std::string* err) {
  std::string scheme, host;
  if (!SplitUrl(url, &scheme, &host)) {
    *err = "not a usable URL: " + url.substr(0, 100);
    return false;
  }
  if (scheme == "https") return true;
  if (scheme == "http" && IsLoopbackHost(host)) return true;
  *err = "refusing " + scheme + "://" + host +
         ": only https (or http to this host) is allowed";
  return false;
}

std::string UrlEscape(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
      out.push_back(static_cast<char>(ch));
    } else {
      out.push_back('%');
      out.push_back(kHex[ch >> 4]);
      out.push_back(kHex[ch & 15]);
    }
  }
  return out;
}

int64_t HttpClient::Now() const { return now_ms ? now_ms() : NowMs(); }

void HttpClient::BeginOperation() {
  op_deadline_ms_ = std::min(Now() + op_budget_ms_, dialogue_deadline_ms_);
}

bool HttpClient::Do(const HttpRequest& req, HttpResponse* resp,
                    std::string* err) {
  if (op_deadline_ms_ == 0) BeginOperation();
  bool idempotent = req.method == "GET" || req.method == "DELETE";
  for (int attempt = 0;; ++attempt) {
    Wipe(&resp->body);
    *resp = HttpResponse();
    int64_t deadline = std::min(op_deadline_ms_, Now() + request_timeout_ms_);
    ++requests_;
    bool ok = t_->Perform(req, deadline, resp, err);
    if (attempt > 0) return ok;
    int64_t wait_ms = -1;  // -1: no retry
    if (!ok) {
      if (resp->connect_failed) wait_ms = 200;
    } else if ((resp->status == 429 || resp->status == 503) &&
               req.retry_throttled) {
      int64_t s = resp->retry_after_s;
      if (s < 0 && resp->rate_reset_at > 0) {
        int64_t now = unix_now ? unix_now() : time(nullptr);
        s = std::max<int64_t>(0, resp->rate_reset_at - now);
      }
      wait_ms = s < 0 ? 1000 : s * 1000;
    } else if (idempotent && (resp->status == 502 || resp->status == 503 ||
                              resp->status == 504 || resp->status == 500)) {
      wait_ms = 200;
    }
    if (wait_ms < 0) return ok;
    // Retry only when the wait plus a short exchange still fits.
    if (Now() + wait_ms + 250 >= op_deadline_ms_) {
      if (ok && (resp->status == 429 || resp->status == 503))
        resp->note = "retry in " + std::to_string(wait_ms / 1000) +
                     " s does not fit the deadline";
      return ok;
    }
    if (sleep_ms) {
      sleep_ms(wait_ms);
    } else {
      struct timespec ts = {static_cast<time_t>(wait_ms / 1000),
                            static_cast<long>(wait_ms % 1000) * 1000000L};
      while (nanosleep(&ts, &ts) != 0) {
      }
    }
  }
}

std::string HttpStatusText(const HttpResponse& r) {
  if (r.status >= 300 && r.status < 400)
    return "HTTP " + std::to_string(r.status) + ": redirect to " +
           (UrlHost(r.location).empty() ? std::string("?")
                                        : UrlHost(r.location)) +
           " refused";
  return "HTTP " + std::to_string(r.status) +
         (r.note.empty() ? "" : " (" + r.note + ")");
}

}  // namespace sspr
