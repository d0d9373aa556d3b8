#include "helper/secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sspr {
namespace {

const char* const kKeys[] = {"rest_token", "graph_client_secret",
                             "okta_api_token", "smtp_password",
                             "okta_private_key_file"};

void Wipe(std::string* s) {
  if (!s->empty()) explicit_bzero(&(*s)[0], s->size());
  s->clear();
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// A regular file (no symlink) owned by root with no group/other bits.
bool ReadPrivateFile(const std::string& path, size_t max, std::string* text,
                     std::string* err) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
                                  O_NONBLOCK);
  if (fd < 0) {
    *err = path + ": " + strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
      (st.st_mode & 077) != 0) {
    close(fd);
    *err = path + " must be a regular file owned by root with mode 0600 "
                  "(fix: chown root:root " + path + "; chmod 600 " + path + ")";
    return false;
  }
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    text->append(buf, static_cast<size_t>(n));
    if (text->size() > max) break;
  }
  explicit_bzero(buf, sizeof(buf));
  close(fd);
  if (n < 0 || text->size() > max) {
    Wipe(text);
    *err = path + ": unreadable or larger than " + std::to_string(max) +
           " bytes";
    return false;
  }
  return true;
}

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
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
                                  O_NONBLOCK);
  if (fd < 0) {
    *err = "secrets_file " + path + ": " + strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
      (st.st_mode & 077) != 0) {
    close(fd);
    *err = "secrets_file " + path +
           " must be a regular file owned by root with mode 0600 (fix: "
           "chown root:root " + path + "; chmod 600 " + path + ")";
    return false;
  }
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxSecretsFileSize) break;
  }
  explicit_bzero(buf, sizeof(buf));
  close(fd);
  if (n < 0 || text.size() > kMaxSecretsFileSize) {
    Wipe(&text);
    *err = "secrets_file " + path + ": unreadable or larger than " +
           std::to_string(kMaxSecretsFileSize) + " bytes";
    return false;
  }
  bool ok = true;
  size_t pos = 0, lineno = 0;
  while (ok && pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = Trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++lineno;
    std::string where = path + ":" + std::to_string(lineno) + ": ";
    if (line.empty() || line[0] == '#') {
      Wipe(&line);
      continue;
    }
    size_t eq = line.find('=');
    std::string key = eq == std::string::npos ? "" : Trim(line.substr(0, eq));
    std::string val = eq == std::string::npos ? "" : Trim(line.substr(eq + 1));
    Wipe(&line);
    bool known = false;
    for (const char* k : kKeys) known = known || key == k;
    if (eq == std::string::npos) {
      *err = where + "expected 'key = value'";
      ok = false;
    } else if (!known) {
      *err = where + "unknown key '" + key.substr(0, 64) + "'";
      ok = false;
    } else if (val.empty() || val.find('\0') != std::string::npos) {
      *err = where + "'" + key + "' has an empty or invalid value";
      ok = false;
    } else {
      s->Set(key, val);
    }
    Wipe(&val);
  }
  Wipe(&text);
  // An Okta service app's private key: a PEM file with the same rules,
  // read now (as root), kept as okta_private_key.
  std::string key_path = s->Get("okta_private_key_file");
  if (ok && !key_path.empty()) {
    ok = ReadPrivateFile(key_path, 16 * 1024, &text, err);
    if (ok) s->Set("okta_private_key", text);
    Wipe(&text);
  }
  return ok;
}

}  // namespace sspr
