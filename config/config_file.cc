// Reading the config file: ownership and permission checks, size limits,
// `key = value` lines with `#` comments, errors naming file:line.
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"

namespace sspr {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

bool LoadConfigFile(const std::string& path, bool check_perms, bool must_exist,
                    Config* c, std::string* err) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT && !must_exist) return true;
    *err = path + ": " + strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    *err = path + ": not a regular file";
    return false;
  }
  if (check_perms && (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))) {
    close(fd);
    *err = path + ": must be owned by root and not writable by group or "
                  "others (fix: chown root:root " + path + "; chmod 644 " +
           path + ")";
    return false;
  }
  if (st.st_size > static_cast<off_t>(kMaxConfigFileSize)) {
    close(fd);
    *err = path + ": larger than " + std::to_string(kMaxConfigFileSize) +
           " bytes";
    return false;
  }
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxConfigFileSize) break;
  }
  close(fd);
  if (n < 0 || text.size() > kMaxConfigFileSize) {
    *err = path + ": read failed or file too large";
    return false;
  }
  size_t lineno = 0, pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++lineno;
    std::string where = path + ":" + std::to_string(lineno) + ": ";
    if (line.size() > kMaxConfigLine) {
      *err = where + "line longer than " + std::to_string(kMaxConfigLine);
      return false;
    }
    if (line.find('\0') != std::string::npos) {
      *err = where + "NUL byte";
      return false;
    }
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) {
      *err = where + "expected 'key = value', got '" + line + "'";
      return false;
    }
    std::string key = Trim(line.substr(0, eq));
    std::string val = Trim(line.substr(eq + 1));
    if (key == "conf" || key == "helper") {
      *err = where + "'" + key + "' is a module argument only";
      return false;
    }
    std::string e;
    if (!SetKey(c, key, val, &e)) {
      *err = where + e;
      return false;
    }
  }
  return true;
}

}  // namespace sspr
