// OAuth 2.0 client-credentials tokens (Microsoft identity platform for
// Graph, Okta's org authorization server for an Okta service app).
#ifndef SSPR_HELPER_NET_OAUTH_TOKEN_H_
#define SSPR_HELPER_NET_OAUTH_TOKEN_H_

#include <functional>
#include <string>

#include "config/config.h"
#include "common/time.h"
#include "helper/net/http.h"

namespace sspr {

// What differs between the services: where the token comes from.
struct TokenSpec {
  std::string name;        // for messages: "graph token", "okta token"
  std::string cache_path;  // <state_dir>/<service>-token.json
  std::string cache_key;   // no secret: hosts, tenant, client id
  // Fills the token request (url, headers, form body); may hold secrets,
  // which HttpRequest wipes.
  std::function<void(HttpRequest*)> build;
};

// An OAuth 2.0 client-credentials access token, cached in a 0600 file
// owned by the helper user and fetched again shortly before it expires
// (the last 300 s, or the last half of a short lifetime).
class OAuthToken {
 public:
  OAuthToken(TokenSpec spec, HttpClient* http, Clock* clock);
  ~OAuthToken();
  // A usable access token: from memory, the cache file, or the endpoint.
  bool Get(std::string* token, std::string* err);
  // After a 401 from the service: forget the token (memory and file).
  void Invalidate();

 private:
  bool ReadCache();
  void WriteCache();

  TokenSpec spec_;
  HttpClient* http_;
  Clock* clock_;
  std::string token_;
  int64_t refresh_at_ = 0;
};

}  // namespace sspr

#endif  // SSPR_HELPER_NET_OAUTH_TOKEN_H_
