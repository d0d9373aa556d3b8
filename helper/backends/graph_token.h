// Microsoft identity platform client-credentials token for Graph, cached
// in <state_dir>/graph-token.json (0600, owned by the helper user) and
// fetched again before it expires.
#ifndef SSPR_HELPER_BACKENDS_GRAPH_TOKEN_H_
#define SSPR_HELPER_BACKENDS_GRAPH_TOKEN_H_

#include <string>

#include "config/config.h"
#include "helper/clock.h"
#include "helper/http.h"

namespace sspr {

class GraphToken {
 public:
  GraphToken(const Config& c, const std::string& client_secret,
             HttpClient* http, Clock* clock);
  ~GraphToken();
  // A usable access token: from memory, the cache file, or the token
  // endpoint (POST {graph_login_url}/{tenant}/oauth2/v2.0/token).
  bool Get(std::string* token, std::string* err);
  // After a 401 from Graph: forget the token (memory and file).
  void Invalidate();
  int fetches() const { return fetches_; }

 private:
  bool ReadCache();
  void WriteCache();
  std::string CacheKey() const;

  const Config& c_;
  std::string secret_;
  HttpClient* http_;
  Clock* clock_;
  std::string path_;
  std::string token_;
  int64_t refresh_at_ = 0;
  int fetches_ = 0;
};

}  // namespace sspr

#endif  // SSPR_HELPER_BACKENDS_GRAPH_TOKEN_H_
