#include "helper/net/secrets.h"

#include <string.h>

#include "common/file.h"
#include "common/text.h"
#include "common/wipe.h"

namespace sspr {
namespace {

const char* const kKeys[] = {
    "rest_token",    "graph_client_secret",   "okta_api_token",
    "smtp_password", "okta_private_key_file", "ldap_bind_password"};

}  // namespace

Secrets::~Secrets() {
  for (auto& kv : values_) Wipe(&kv.second);
}

const std::string& Secrets::Get(const std::string& key) const {
  static const std::string kEmpty;
  auto it = values_.find(key);
  return it == values_.end() ? kEmpty : it->second;
}

void Secrets::Set(const std::string& key, const std::string& value) {
  Wipe(&values_[key]);
  values_[key] = value;
}

bool ReadSecretsFile(const std::string& path, Secrets* s, std::string* err) {
  std::string text;
  if (!ReadSmallFile(path, FileRule::kRootPrivate, kMaxSecretsFileSize, &text,
                     err)) {
    *err = "secrets_file " + *err;
    return false;
  }
  auto each = [&](KeyValueLine* kv, const std::string& where) {
    const std::string& key = kv->key;
    const std::string& val = kv->value;
    bool known = false;
    for (const char* k : kKeys) known = known || key == k;
    bool good = false;
    if (!kv->pair) {
      *err = where + "expected 'key = value'";
    } else if (!known) {
      *err = where + "unknown key '" + key.substr(0, 64) + "'";
    } else if (val.empty() || val.find('\0') != std::string::npos) {
      *err = where + "'" + key + "' has an empty or invalid value";
    } else {
      s->Set(key, val);
      good = true;
    }
    return good;  // ForEachKeyValue wipes key and value
  };
  bool ok = ForEachKeyValue(text, path, kBlanks, each);
  Wipe(&text);
  // An Okta service app's private key: a PEM file with the same rules,
  // read now (as root), kept as okta_private_key.
  std::string key_path = s->Get("okta_private_key_file");
  if (ok && !key_path.empty()) {
    ok = ReadSmallFile(key_path, FileRule::kRootPrivate, 16 * 1024, &text, err);
    if (ok) s->Set("okta_private_key", text);
    Wipe(&text);
  }
  return ok;
}

}  // namespace sspr
