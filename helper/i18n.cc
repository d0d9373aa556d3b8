#include "helper/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libintl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "common/file.h"
#include "common/text.h"

namespace sspr {
namespace {

std::string g_languages;  // LANGUAGE list in use; "" = English
AdminTexts g_admin;

bool AllOf(const std::string& s, int (*pred)(int)) {
  return std::all_of(s.begin(), s.end(),
                     [pred](unsigned char c) { return pred(c) != 0; });
}

// "de" or "ast"; "DE" or "419"; "latin".
bool IsLanguage(const std::string& s) {
  return (s.size() == 2 || s.size() == 3) && AllOf(s, isalpha);
}
bool IsTerritory(const std::string& s) {
  return (s.size() == 2 && AllOf(s, isalpha)) ||
         (s.size() == 3 && AllOf(s, isdigit));
}
bool IsModifier(const std::string& s) {
  return !s.empty() && s.size() <= 16 && AllOf(s, isalnum);
}

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string Upper(std::string s) {
  for (char& c : s)
    c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return s;
}

// A LANGUAGE entry as written in texts_file keys: "de", "de_DE",
// "sr@latin" (canonical: what LanguageList puts first).
bool IsLanguageTag(const std::string& s) {
  std::string list = LanguageList(s);
  return !s.empty() && list.substr(0, list.find(':')) == s;
}

// "\n" -> new line, "\\" -> backslash; any other escape is an error.
bool Unescape(const std::string& in, std::string* out, std::string* err) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 1 < in.size() && in[i + 1] == 'n') {
      out->push_back('\n');
    } else if (i + 1 < in.size() && in[i + 1] == '\\') {
      out->push_back('\\');
    } else {
      *err = "only \\n and \\\\ are allowed after a backslash";
      return false;
    }
    ++i;
  }
  return true;
}

}  // namespace

const char* _(const char* msgid) { return dgettext(kTextDomain, msgid); }

const char* NGettext(const char* singular, const char* plural,
                     unsigned long n) {
  return dngettext(kTextDomain, singular, plural, n);
}

std::string Fmt(const std::string& format,
                std::initializer_list<std::string> args) {
  const std::string* a = args.begin();
  std::string out;
  out.reserve(format.size() + 64);
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '{' && i + 2 < format.size() && format[i + 1] >= '0' &&
        format[i + 1] <= '9' && format[i + 2] == '}') {
      size_t k = static_cast<size_t>(format[i + 1] - '0');
      if (k < args.size()) {
        out += a[k];
        i += 2;
        continue;
      }
    }
    out.push_back(format[i]);
  }
  return out;
}

std::string LanguageList(const std::string& lang) {
  if (lang.size() > 64) return "";
  // language[_territory][.codeset][@modifier]
  std::string s = lang, modifier;
  size_t at = s.find('@');
  if (at != std::string::npos) {
    modifier = s.substr(at + 1);
    s.erase(at);
    if (!IsModifier(modifier)) return "";
    modifier = "@" + Lower(modifier);
  }
  size_t dot = s.find('.');
  if (dot != std::string::npos) {  // the codeset: UTF-8 anyway
    std::string codeset = s.substr(dot + 1);
    if (codeset.empty() || codeset.size() > 16 ||
        codeset.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                                  "qrstuvwxyz0123456789-_") !=
            std::string::npos)
      return "";
    s.erase(dot);
  }
  std::string language = s, territory;
  size_t us = s.find('_');
  if (us != std::string::npos) {
    language = s.substr(0, us);
    territory = s.substr(us + 1);
    if (!IsTerritory(territory)) return "";
    territory = Upper(territory);
  }
  if (!IsLanguage(language)) return "";  // also "C" and "POSIX"
  language = Lower(language);
  std::vector<std::string> list;
  if (!modifier.empty()) {
    if (!territory.empty())
      list.push_back(language + "_" + territory + modifier);
    list.push_back(language + modifier);
  }
  if (!territory.empty()) list.push_back(language + "_" + territory);
  list.push_back(language);
  std::string out;
  for (const auto& l : list) out += (out.empty() ? "" : ":") + l;
  return out;
}

bool SetupLanguage(const std::string& lang, const std::string& locale_dir) {
  std::string list = LanguageList(lang);
  bindtextdomain(kTextDomain, locale_dir.c_str());
  bind_textdomain_codeset(kTextDomain, "UTF-8");
  bool ok = true;
  if (!list.empty() && setlocale(LC_MESSAGES, "C.UTF-8") == nullptr &&
      setlocale(LC_MESSAGES, "C.utf8") == nullptr) {
    list.clear();  // no locale that is not "C": English
    ok = false;
  }
  if (list.empty()) {
    setlocale(LC_MESSAGES, "C");
    unsetenv("LANGUAGE");
  } else {
    setenv("LANGUAGE", list.c_str(), 1);
  }
  g_languages = list;
  // Setting the same default domain again tells glibc that LANGUAGE
  // changed: translations looked up before are forgotten.
  textdomain(textdomain(nullptr));
  // Load the catalogue now, while the files can still be read.
  if (!list.empty()) (void)dgettext(kTextDomain, "");
  return ok;
}

const std::string& CurrentLanguages() { return g_languages; }

bool ParseAdminTexts(const std::string& content, const std::string& path,
                     AdminTexts* out, std::string* err) {
  out->texts.clear();
  auto each = [&](KeyValueLine* kv, const std::string& where) {
    if (!kv->pair) {
      *err = where + "expected 'key = text'";
      return false;
    }
    const std::string& key = kv->key;
    const std::string& raw = kv->value;
    std::string text, e;
    std::string base = key.substr(0, key.find('.'));
    std::string tag =
        key.size() > base.size() ? key.substr(base.size() + 1) : "";
    if (base != "intro" && base != "help") {
      *err = where + "unknown key '" + key +
             "' (intro or help, optionally "
             "with a language such as intro.de)";
      return false;
    }
    if (key.size() > base.size() && !IsLanguageTag(tag)) {
      *err = where + "'" + tag + "' is not a language such as de or de_DE";
      return false;
    }
    if (out->texts.count(key) != 0) {
      *err = where + "'" + key + "' is set twice";
      return false;
    }
    if (!Unescape(raw, &text, &e)) {
      *err = where + e;
      return false;
    }
    if (text.empty()) {
      *err = where + "'" + key + "' has no text";
      return false;
    }
    if (text.size() > kMaxAdminText) {
      *err = where + "'" + key + "' is longer than " +
             std::to_string(kMaxAdminText) + " bytes";
      return false;
    }
    if (!IsValidUtf8(text)) {
      *err = where + "'" + key + "' is not valid UTF-8";
      return false;
    }
    for (unsigned char c : text) {
      if ((c < 0x20 && c != '\n') || c == 0x7F) {
        *err = where + "'" + key + "' contains a control character";
        return false;
      }
    }
    out->texts[key] = text;
    return true;
  };
  return ForEachKeyValue(content, path, " \t", each);
}

bool LoadAdminTexts(const std::string& path, bool check_perms, AdminTexts* out,
                    std::string* err) {
  std::string content;
  if (!ReadSmallFile(
          path, check_perms ? FileRule::kRootNotWritable : FileRule::kAnyOwner,
          kMaxTextsFile, &content, err))
    return false;
  return ParseAdminTexts(content, path, out, err);
}

std::string PickAdminText(const AdminTexts& t, const std::string& key,
                          const std::string& languages) {
  size_t pos = 0;
  while (pos < languages.size()) {
    size_t colon = languages.find(':', pos);
    if (colon == std::string::npos) colon = languages.size();
    auto it = t.texts.find(key + "." + languages.substr(pos, colon - pos));
    if (it != t.texts.end()) return it->second;
    pos = colon + 1;
  }
  auto it = t.texts.find(key);
  return it == t.texts.end() ? "" : it->second;
}

void SetAdminTexts(AdminTexts t) { g_admin = std::move(t); }

std::string AdminText(const std::string& key) {
  return PickAdminText(g_admin, key, g_languages);
}

}  // namespace sspr
