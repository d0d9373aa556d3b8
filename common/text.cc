#include "common/text.h"

#include <string.h>

#include "common/sha256.h"
#include "common/wipe.h"

namespace sspr {

std::string Trim(const std::string& s, const char* blanks) {
  size_t b = s.find_first_not_of(blanks);
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(blanks);
  return s.substr(b, e - b + 1);
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
    const bool go_on = fn(&line, path + ":" + std::to_string(lineno) + ": ");
    Wipe(&line);
    if (!go_on) return false;
  }
  return true;
}

bool ForEachKeyValue(
    const std::string& text, const std::string& path, const char* blanks,
    const std::function<bool(KeyValueLine* kv, const std::string& where)>& fn) {
  auto each = [&](std::string* raw, const std::string& where) {
    std::string line = Trim(*raw, blanks);
    if (line.empty() || line[0] == '#') {
      Wipe(&line);
      return true;
    }
    KeyValueLine kv;
    const size_t eq = line.find('=');
    kv.pair = eq != std::string::npos;
    if (kv.pair) {
      kv.key = Trim(line.substr(0, eq), blanks);
      kv.value = Trim(line.substr(eq + 1), blanks);
    } else {
      kv.key = line;
    }
    Wipe(&line);
    const bool go_on = fn(&kv, where);
    Wipe(&kv.key);
    Wipe(&kv.value);
    return go_on;
  };
  return ForEachLine(text, path, each);
}

size_t Utf8Sequence(const unsigned char* p, size_t n, uint32_t* cp,
                    size_t* bad) {
  const unsigned char c = p[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len = 0;
  uint32_t v = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, v = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, v = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, v = c & 0x07;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    if (bad != nullptr) *bad = 1;  // a continuation, C0/C1 (overlong), F5-FF
    return 0;
  }
  size_t i = 1;
  for (; i < len && i < n; ++i) {
    const unsigned char b = p[i];
    if (i == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80) break;
    v = (v << 6) | (b & 0x3F);
  }
  if (i == len) {
    *cp = v;
    return len;
  }
  if (bad != nullptr) *bad = i;
  return 0;
}

bool IsValidUtf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0, n = s.size(); i < n;) {
    uint32_t cp = 0;
    const size_t len = Utf8Sequence(p + i, n - i, &cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

bool IsControlChar(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

bool HasControl(const std::string& s, const char* allowed) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0, n = s.size(); i < n;) {
    uint32_t cp = 0;
    size_t bad = 1;
    const size_t len = Utf8Sequence(p + i, n - i, &cp, &bad);
    if (len == 0) {
      i += bad;
      continue;
    }
    if (IsControlChar(cp) && (cp == 0 || cp >= 0x80 ||
                              strchr(allowed, static_cast<int>(cp)) == nullptr))
      return true;
    i += len;
  }
  return false;
}

size_t SafeFileNameTo(std::string_view user, char* out) {
  static const char kHex[] = "0123456789ABCDEF";
  // %XX makes a name up to three times longer; past kMaxEscapedName the
  // file is named by a hash of the name. '+' never starts an escaped name
  // (it is escaped as %2B), so the two kinds never meet.
  constexpr size_t kMaxEscapedName = 200;
  static_assert(kMaxEscapedName + 3 < kSafeFileNameSize, "room for %XX");
  size_t n = 0;
  if (user.empty()) out[n++] = '%';  // never the directory itself
  for (size_t i = 0; i < user.size(); ++i) {
    unsigned char ch = static_cast<unsigned char>(user[i]);
    bool keep = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
                (ch == '.' && i > 0);
    if (keep) {
      out[n++] = static_cast<char>(ch);
    } else {
      out[n++] = '%';
      out[n++] = kHex[ch >> 4];
      out[n++] = kHex[ch & 15];
    }
    if (n > kMaxEscapedName) {
      const std::string hash = Sha256Hex(std::string(user));
      out[0] = '+';
      memcpy(out + 1, hash.data(), hash.size());
      n = 1 + hash.size();
      break;
    }
  }
  out[n] = '\0';
  return n;
}

std::string SafeFileName(const std::string& user) {
  char name[kSafeFileNameSize];
  const size_t n = SafeFileNameTo(user, name);
  return std::string(name, n);
}

}  // namespace sspr
