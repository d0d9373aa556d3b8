// The services' credentials: read from secrets_file while the helper is
// still root, kept in memory only, wiped on destruction. Never in argv,
// the environment, logs or the config file.
#ifndef SSPR_HELPER_NET_SECRETS_H_
#define SSPR_HELPER_NET_SECRETS_H_

#include <map>
#include <string>

namespace sspr {

constexpr size_t kMaxSecretsFileSize = 64 * 1024;

// Keys understood in secrets_file (`key = value`, `#` comments):
//   rest_token           bearer token for backend = rest
//   graph_client_secret  client secret of the Entra app (backend = graph)
//   okta_api_token       Okta API token, sent as "SSWS <token>"
//   okta_private_key_file  PEM private key of an Okta service app (a root
//                        0600 file, read here; kept as okta_private_key)
//   smtp_password        password for smtp_user (email_delivery = smtp)
//   ldap_bind_password   password of ldap_bind_dn (backend = ldap)
class Secrets {
 public:
  Secrets() = default;
  ~Secrets();
  Secrets(const Secrets&) = delete;
  Secrets& operator=(const Secrets&) = delete;
  // "" when absent.
  const std::string& Get(const std::string& key) const;
  void Set(const std::string& key, const std::string& value);

 private:
  std::map<std::string, std::string> values_;
};

// The file must be a regular file (no symlink) owned by root with no
// group or other permission bits (0600 or 0400). Unknown keys are errors
// naming file:line; values never appear in messages.
bool ReadSecretsFile(const std::string& path, Secrets* s, std::string* err);

}  // namespace sspr

#endif  // SSPR_HELPER_NET_SECRETS_H_
