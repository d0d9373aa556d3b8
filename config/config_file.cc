// Reading the config file: ownership and permission checks, size limits,
// `key = value` lines with `#` comments (also after a value), every error
// naming its file:line. Also the
// small-file reader every other admin-written file goes through.
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/small_file.h"

namespace sspr {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// What is wrong with the file's type, owner or mode under `rule`, or "".
std::string FileProblem(const std::string& path, FileRule rule, bool regular,
                        const struct stat& st) {
  if (rule == FileRule::kRootPrivate) {
    if (regular && st.st_uid == 0 && (st.st_mode & 077) == 0) return "";
    return path + " must be a regular file owned by root with mode 0600 "
                  "(fix: chown root:root " + path + "; chmod 600 " + path +
           ")";
  }
  if (!regular) return path + ": not a regular file";
  if (rule == FileRule::kRootNotWritable &&
      (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0))
    return path + ": must be owned by root and not writable by group or "
                  "others (fix: chown root:root " + path + "; chmod 644 " +
           path + ")";
  return "";
}

}  // namespace

std::string StripComment(const std::string& line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (ch == '\\' && i + 1 < line.size() && line[i + 1] == '#') {
      out.push_back('#');  // "\#": a literal '#', never a comment
      ++i;
    } else if (ch == '#' && (i == 0 || line[i - 1] == ' ' ||
                             line[i - 1] == '\t')) {
      break;
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

bool ReadSmallFile(const std::string& path, FileRule rule, size_t max,
                   std::string* text, std::string* err, int* open_errno) {
  if (open_errno) *open_errno = 0;
  text->clear();
  // O_NONBLOCK: a FIFO put in the file's place cannot block the login.
  int fd = open(path.c_str(),
                O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (open_errno) *open_errno = errno;
    *err = path + ": " + strerror(errno);
    return false;
  }
  struct stat st = {};
  const bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  std::string problem = FileProblem(path, rule, regular, st);
  if (!problem.empty()) {
    close(fd);
    *err = problem;
    return false;
  }
  const std::string too_big =
      path + ": larger than " + std::to_string(max) + " bytes";
  if (st.st_size > static_cast<off_t>(max)) {
    close(fd);
    *err = too_big;
    return false;
  }
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    text->append(buf, static_cast<size_t>(n));
    if (text->size() > max) break;
  }
  const int read_errno = errno;
  explicit_bzero(buf, sizeof(buf));
  close(fd);
  if (n < 0 || text->size() > max) {
    explicit_bzero(&(*text)[0], text->size());
    text->clear();
    *err = n < 0 ? path + ": " + strerror(read_errno) : too_big;
    return false;
  }
  return true;
}

bool ForEachLine(const std::string& text, const std::string& path,
                 const std::function<bool(std::string* line,
                                          const std::string& where)>& fn) {
  size_t pos = 0, lineno = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const bool go_on =
        fn(&line, path + ":" + std::to_string(lineno) + ": ");
    if (!line.empty()) explicit_bzero(&line[0], line.size());
    if (!go_on) return false;
  }
  return true;
}

bool LoadConfigFileAll(const std::string& path, bool check_perms,
                       bool must_exist, Config* c,
                       std::vector<std::string>* errors) {
  std::string text, err;
  int open_errno = 0;
  if (!ReadSmallFile(path,
                     check_perms ? FileRule::kRootNotWritable
                                 : FileRule::kAnyOwner,
                     kMaxConfigFileSize, &text, &err, &open_errno)) {
    if (open_errno == ENOENT && !must_exist) return true;
    errors->push_back(err);
    return false;
  }
  const size_t before = errors->size();
  ForEachLine(text, path, [&](std::string* raw, const std::string& where) {
    if (raw->size() > kMaxConfigLine) {
      errors->push_back(where + "line longer than " +
                        std::to_string(kMaxConfigLine));
      return true;
    }
    if (raw->find('\0') != std::string::npos) {
      errors->push_back(where + "NUL byte");
      return true;
    }
    std::string line = Trim(StripComment(*raw));
    if (line.empty()) return true;
    size_t eq = line.find('=');
    if (eq == std::string::npos) {
      errors->push_back(where + "expected 'key = value', got '" + line + "'");
      return true;
    }
    std::string key = Trim(line.substr(0, eq));
    std::string val = Trim(line.substr(eq + 1));
    if (key == "conf" || key == "helper" || key == "setpass") {
      errors->push_back(where + "'" + key + "' is a module argument only");
      return true;
    }
    std::string e;
    if (!SetKey(c, key, val, &e)) errors->push_back(where + e);
    return true;
  });
  return errors->size() == before;
}

bool LoadConfigFile(const std::string& path, bool check_perms, bool must_exist,
                    Config* c, std::string* err) {
  std::vector<std::string> errors;
  bool ok = LoadConfigFileAll(path, check_perms, must_exist, c, &errors);
  *err = FirstError(errors);
  return ok;
}

}  // namespace sspr
