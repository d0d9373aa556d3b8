// Reading the config file: ownership and permission checks, size limits,
// `key = value` lines with `#` comments (also after a value), every error
// naming its file:line. One parser for Config and ModuleConfig: it works
// in place on the text, so for a ModuleConfig it allocates nothing unless
// something is wrong.
#include <errno.h>
#include <string.h>

#include <string_view>

#include "common/file.h"
#include "config/config.h"

namespace sspr {
namespace {

constexpr std::string_view kBlank = " \t\r";

std::string_view TrimView(std::string_view s) {
  const size_t b = s.find_first_not_of(kBlank);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kBlank) - b + 1);
}

// Cuts the comment off line[0, len) in place ("\#" becomes '#'); returns
// the new length.
size_t StripCommentInPlace(char* line, size_t len) {
  size_t out = 0;
  for (size_t i = 0; i < len; ++i) {
    const char ch = line[i];
    if (ch == '\\' && i + 1 < len && line[i + 1] == '#') {
      line[out++] = '#';  // "\#": a literal '#', never a comment
      ++i;
    } else if (ch == '#' &&
               (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      break;
    } else {
      line[out++] = ch;
    }
  }
  return out;
}

// Applies every line of text[0, len) to *c; changes the text in place
// (comments), and a ModuleConfig keeps pointing into it.
template <class C>
void ParseText(char* text, size_t len, std::string_view path, C* c,
               std::vector<std::string>* errors) {
  size_t pos = 0, lineno = 0;
  auto where = [&] {
    return std::string(path) + ":" + std::to_string(lineno) + ": ";
  };
  while (pos < len) {
    const void* nl = memchr(text + pos, '\n', len - pos);
    const size_t end =
        nl ? static_cast<size_t>(static_cast<const char*>(nl) - text) : len;
    char* line = text + pos;
    size_t n = end - pos;
    pos = end + 1;
    ++lineno;
    if (n > 0 && line[n - 1] == '\r') --n;
    if (n > kMaxConfigLine) {
      errors->push_back(where() + "line longer than " +
                        std::to_string(kMaxConfigLine));
      continue;
    }
    if (memchr(line, '\0', n) != nullptr) {
      errors->push_back(where() + "NUL byte");
      continue;
    }
    const std::string_view stripped =
        TrimView(std::string_view(line, StripCommentInPlace(line, n)));
    if (stripped.empty()) continue;
    const size_t eq = stripped.find('=');
    if (eq == std::string_view::npos) {
      errors->push_back(where() + "expected 'key = value', got '" +
                        std::string(stripped) + "'");
      continue;
    }
    const std::string_view key = TrimView(stripped.substr(0, eq));
    const std::string_view val = TrimView(stripped.substr(eq + 1));
    if (key == "conf" || key == "helper" || key == "setpass") {
      errors->push_back(where() + "'" + std::string(key) +
                        "' is a module argument only");
      continue;
    }
    std::string e;
    if (!SetKey(c, key, val, &e)) errors->push_back(where() + e);
  }
}

}  // namespace

std::string StripComment(const std::string& line) {
  std::string out = line;
  out.resize(StripCommentInPlace(out.data(), out.size()));
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
  ParseText(text.data(), text.size(), path, c, errors);
  explicit_bzero(text.data(), text.size());
  return errors->size() == before;
}

bool LoadConfigFileAll(std::string_view path, bool check_perms, bool must_exist,
                       ConfigText* text, ModuleConfig* c,
                       std::vector<std::string>* errors) {
  char name[1025];  // PathOk: at most 1024 bytes
  if (path.size() >= sizeof(name)) {
    errors->push_back("conf: path too long");
    return false;
  }
  path.copy(name, path.size());
  name[path.size()] = '\0';
  std::string err;
  int open_errno = 0;
  size_t size = 0;
  const FileRule rule =
      check_perms ? FileRule::kRootNotWritable : FileRule::kAnyOwner;
  const int fd =
      OpenSmallFile(name, rule, kMaxConfigFileSize, &size, &err, &open_errno);
  if (fd < 0) {
    if (open_errno == ENOENT && !must_exist) return true;
    errors->push_back(err);
    return false;
  }
  char* buf = text->small;
  size_t cap = sizeof(text->small);
  if (size + 1 > cap) {  // a large file: one allocation
    cap = kMaxConfigFileSize + 1;
    text->big.reset(new char[cap]);
    buf = text->big.get();
  }
  size_t len = 0;
  if (!ReadOpenedFile(fd, name, kMaxConfigFileSize, buf, cap, &len, &err)) {
    errors->push_back(err);
    return false;
  }
  const size_t before = errors->size();
  ParseText(buf, len, path, c, errors);
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
