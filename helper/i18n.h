// Translations (gettext, domain "pam_sspr"), the safe formatter every text
// uses, the language chosen from START's `lang`, and the admin's own texts
// (texts_file). Only the helper translates; the module stays tiny.
#ifndef SSPR_HELPER_I18N_H_
#define SSPR_HELPER_I18N_H_

#include <initializer_list>
#include <map>
#include <string>

namespace sspr {

constexpr const char* kTextDomain = "pam_sspr";
constexpr size_t kMaxTextsFile = 16 * 1024;
constexpr size_t kMaxAdminText = 400;  // bytes, after \n escapes

// The translation of `msgid` in the current language (the msgid itself
// for English or when the catalogue lacks it). xgettext keyword: _
const char* _(const char* msgid);
// Marks a string for xgettext without translating it (keyword N_).
constexpr const char* N_(const char* msgid) { return msgid; }
// Singular or plural for `n`, by the catalogue's Plural-Forms (English:
// n == 1). xgettext keyword: NGettext:1,2
const char* NGettext(const char* singular, const char* plural, unsigned long n);

// Replaces {0} ... {9} in `format` with the arguments; anything else,
// including a placeholder without an argument, is copied as it is. The
// arguments (user data) are never read as a format, so a "{1}" typed by a
// user stays "{1}". Translators move placeholders freely.
std::string Fmt(const std::string& format,
                std::initializer_list<std::string> args);

// START's `lang` as a LANGUAGE list: "de_DE.UTF-8" -> "de_DE:de",
// "sr_RS@latin" -> "sr_RS@latin:sr@latin:sr_RS:sr", "de" -> "de".
// "" for English: empty, "C", "POSIX", "C.UTF-8" or anything malformed.
std::string LanguageList(const std::string& lang);

// Translates from now on into `lang` with the catalogues under
// locale_dir/<language>/LC_MESSAGES/pam_sspr.mo, and loads the catalogue
// at once (call it as root, before dropping privileges). gettext reads
// LANGUAGE only when LC_MESSAGES is not "C"/"POSIX"; LC_MESSAGES is set to
// "C.UTF-8", which needs no generated locale. False (English stays) when
// that locale is missing. English always succeeds.
bool SetupLanguage(const std::string& lang, const std::string& locale_dir);
// The LANGUAGE list in use; "" for English.
const std::string& CurrentLanguages();

// The admin's texts_file: `key = value` lines, `#` comments. Keys: intro
// (replaces the introduction) and help (appended to the block, warn,
// cannot-prompt and quit texts), each optionally for one language:
// intro.de, intro.de_DE. Values may contain \n (new line) and \\ ; each
// at most 400 bytes of valid UTF-8 without control characters.
struct AdminTexts {
  std::map<std::string, std::string> texts;  // "intro.de" -> text
};
// Errors look like "/etc/security/pam_sspr.texts:3: ...".
bool ParseAdminTexts(const std::string& content, const std::string& path,
                     AdminTexts* out, std::string* err);
// Reads and parses `path` (at most 16 KiB); with check_perms it must be a
// regular file owned by root and not writable by group or others.
bool LoadAdminTexts(const std::string& path, bool check_perms, AdminTexts* out,
                    std::string* err);
// The text for `key` in the first of `languages` (a LANGUAGE list) that
// has one, else the plain key; "" when there is none.
std::string PickAdminText(const AdminTexts& t, const std::string& key,
                          const std::string& languages);

// The admin's texts the texts (helper/texts.h) use from now on.
void SetAdminTexts(AdminTexts t);
// PickAdminText over those, in the current language.
std::string AdminText(const std::string& key);

}  // namespace sspr

#endif  // SSPR_HELPER_I18N_H_
