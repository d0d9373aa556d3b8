#include "helper/net/oauth_token.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "common/file.h"
#include "common/time.h"
#include "common/wipe.h"
#include "helper/backends/remote.h"
#include "helper/net/json_util.h"

namespace sspr {
namespace {

constexpr size_t kMaxTokenFile = 64 * 1024;
constexpr size_t kMaxToken = 16 * 1024;
constexpr int64_t kRefreshMargin = 300;  // seconds before expiry

}  // namespace

OAuthToken::OAuthToken(TokenSpec spec, HttpClient* http, Clock* clock)
    : spec_(std::move(spec)), http_(http), clock_(clock) {}

OAuthToken::~OAuthToken() { Wipe(&token_); }

bool OAuthToken::ReadCache() {
  int fd = open(spec_.cache_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  std::string text;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
      (st.st_mode & 077) == 0 &&
      st.st_size <= static_cast<off_t>(kMaxTokenFile)) {
    text.resize(static_cast<size_t>(st.st_size));
    ssize_t n = read(fd, text.data(), text.size());
    if (n != st.st_size) Wipe(&text);
  }
  close(fd);
  Json doc;
  std::string err, key, token;
  int64_t refresh_at = 0;
  bool ok = !text.empty() && ParseJson(text, &doc, &err) &&
            GetString(doc.get(), "for", &key, &err) && key == spec_.cache_key &&
            GetString(doc.get(), "access_token", &token, &err) &&
            GetInt(doc.get(), "refresh_at", &refresh_at, &err) &&
            !token.empty() && token.size() <= kMaxToken &&
            refresh_at > clock_->Now();
  Wipe(&text);
  if (ok) {
    Wipe(&token_);
    token_ = token;
    refresh_at_ = refresh_at;
  }
  Wipe(&token);
  return ok;
}

void OAuthToken::WriteCache() {
  json_object* o = json_object_new_object();
  json_object_object_add(o, "for",
                         json_object_new_string(spec_.cache_key.c_str()));
  json_object_object_add(o, "access_token",
                         json_object_new_string(token_.c_str()));
  json_object_object_add(o, "refresh_at", json_object_new_int64(refresh_at_));
  std::string text = JsonString(o);
  json_object_put(o);  // json-c frees; the copy below is wiped
  std::string err;
  WriteFileAtomic(spec_.cache_path, text, 0600, &err);  // best effort: a cache
  Wipe(&text);
}

void OAuthToken::Invalidate() {
  Wipe(&token_);
  refresh_at_ = 0;
  unlink(spec_.cache_path.c_str());
}

bool OAuthToken::Get(std::string* token, std::string* err) {
  int64_t now = clock_->Now();
  if (token_.empty() || refresh_at_ <= now) {
    if (!ReadCache()) {
      HttpRequest req;
      req.method = "POST";
      spec_.build(&req);
      HttpResponse resp;
      if (!http_->Do(req, &resp, err)) {
        *err = spec_.name + ": " + *err;
        return false;
      }
      if (resp.status != 200) {
        *err = DescribeFailure(spec_.name.c_str(), req, resp);
        return false;
      }
      Json doc;
      std::string type, access;
      int64_t expires_in = 0;
      std::string perr;
      if (!ParseJson(resp.body, &doc, &perr) ||
          !GetString(doc.get(), "access_token", &access, &perr) ||
          !GetString(doc.get(), "token_type", &type, &perr) ||
          !GetInt(doc.get(), "expires_in", &expires_in, &perr) ||
          strcasecmp(type.c_str(), "Bearer") != 0 || access.empty() ||
          access.size() > kMaxToken || expires_in <= 0 || expires_in > 86400) {
        Wipe(&access);
        *err = spec_.name + ": POST " + UrlPath(req.url) +
               ": unusable answer (need access_token, token_type Bearer, "
               "expires_in)" +
               (perr.empty() ? "" : ": " + perr);
        return false;
      }
      Wipe(&token_);
      token_ = access;
      Wipe(&access);
      refresh_at_ = now + expires_in - std::min(kRefreshMargin, expires_in / 2);
      WriteCache();
    }
  }
  *token = token_;
  return true;
}

}  // namespace sspr
