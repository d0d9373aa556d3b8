// Reading the config file: ownership and permission checks, size limits,
// `key = value` lines with `#` comments (also after a value), every error
// naming its file:line.
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "common/text.h"
#include "config/config.h"

namespace sspr {

std::string StripComment(const std::string& line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (ch == '\\' && i + 1 < line.size() && line[i + 1] == '#') {
      out.push_back('#');  // "\#": a literal '#', never a comment
      ++i;
    } else if (ch == '#' &&
               (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      break;
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

bool LoadConfigFileAll(const std::string& path, bool check_perms,
                       bool must_exist, Config* c,
                       std::vector<std::string>* errors) {
  std::string text, err;
  int open_errno = 0;
  if (!ReadSmallFile(
          path, check_perms ? FileRule::kRootNotWritable : FileRule::kAnyOwner,
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
