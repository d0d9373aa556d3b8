#include "helper/questions.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "common/file.h"
#include "common/text.h"
#include "helper/answer.h"
#include "helper/code.h"
#include "helper/i18n.h"

namespace sspr {
namespace {

size_t CountChars(const std::string& utf8) {
  return static_cast<size_t>(std::count_if(
      utf8.begin(), utf8.end(),
      [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool ToUtf16(const std::string& s, std::u16string* out) {
  UErrorCode st = U_ZERO_ERROR;
  int32_t len = 0;
  u_strFromUTF8(nullptr, 0, &len, s.data(), static_cast<int32_t>(s.size()),
                &st);
  if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st)) return false;
  out->assign(static_cast<size_t>(len), u'\0');
  st = U_ZERO_ERROR;
  u_strFromUTF8(reinterpret_cast<UChar*>(out->data()), len, nullptr, s.data(),
                static_cast<int32_t>(s.size()), &st);
  return U_SUCCESS(st);
}

bool ToUtf8(const std::u16string& s, std::string* out) {
  UErrorCode st = U_ZERO_ERROR;
  int32_t len = 0;
  const UChar* src = reinterpret_cast<const UChar*>(s.data());
  u_strToUTF8(nullptr, 0, &len, src, static_cast<int32_t>(s.size()), &st);
  if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st)) return false;
  out->assign(static_cast<size_t>(len), '\0');
  st = U_ZERO_ERROR;
  u_strToUTF8(out->data(), len, nullptr, src, static_cast<int32_t>(s.size()),
              &st);
  return U_SUCCESS(st);
}

bool Nfc(const std::u16string& in, std::u16string* out) {
  UErrorCode st = U_ZERO_ERROR;
  const UNormalizer2* nfc = unorm2_getNFCInstance(&st);
  if (U_FAILURE(st)) return false;
  out->assign(in.size() * 3 + 8, u'\0');
  int32_t n = unorm2_normalize(nfc, reinterpret_cast<const UChar*>(in.data()),
                               static_cast<int32_t>(in.size()),
                               reinterpret_cast<UChar*>(out->data()),
                               static_cast<int32_t>(out->size()), &st);
  if (U_FAILURE(st)) return false;
  out->resize(static_cast<size_t>(n));
  return true;
}

bool FoldCase(const std::u16string& in, std::u16string* out) {
  UErrorCode st = U_ZERO_ERROR;
  out->assign(in.size() * 3 + 8, u'\0');
  int32_t n = u_strFoldCase(
      reinterpret_cast<UChar*>(out->data()), static_cast<int32_t>(out->size()),
      reinterpret_cast<const UChar*>(in.data()),
      static_cast<int32_t>(in.size()), U_FOLD_CASE_DEFAULT, &st);
  if (U_FAILURE(st)) return false;
  out->resize(static_cast<size_t>(n));
  return true;
}

// Runs of Unicode white space become one space; none at either end.
std::u16string CollapseSpaces(const std::u16string& in) {
  std::u16string out;
  bool pending = false;
  for (char16_t c : in) {
    if (u_isUWhiteSpace(c)) {
      pending = !out.empty();
      continue;
    }
    if (pending) out.push_back(u' ');
    pending = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::vector<std::string> BuiltinQuestions() {
  static const char* const kQuestions[] = {
      N_("What was the name of your first pet?"),
      N_("In what town or city were you born?"),
      N_("What was the name of the street you grew up on?"),
      N_("What was the first concert you went to?"),
      N_("What was the make and model of your first car?"),
      N_("What is the middle name of your oldest sibling?"),
      N_("What was the name of your first school?"),
      N_("In what town or city did your parents meet?"),
      N_("What was your nickname as a child?"),
      N_("What was the name of your favourite teacher?"),
      N_("What was your first job?"),
      N_("What is the title of the first book you loved?"),
  };
  std::vector<std::string> out;
  for (const char* q : kQuestions) out.push_back(_(q));
  return out;
}

bool LoadAdminQuestions(const std::string& path, bool check_perms,
                        std::vector<std::string>* out, std::string* err) {
  std::string text;
  if (!ReadSmallFile(
          path, check_perms ? FileRule::kRootNotWritable : FileRule::kAnyOwner,
          kMaxQuestionsFile, &text, err))
    return false;
  out->clear();
  return ForEachLine(
      text, path, [&](std::string* line, const std::string& where) {
        std::string clean, bad;
        if (!CheckAnswer(*line, kMaxAdminQuestionChars * 4, &clean, &bad)) {
          *err = where + "too long, not UTF-8 or a control character";
          return false;
        }
        if (clean.empty() || clean[0] == '#') return true;
        if (CountChars(clean) > kMaxAdminQuestionChars) {
          *err = where + "a question has at most 200 characters";
          return false;
        }
        if (std::find(out->begin(), out->end(), clean) != out->end()) {
          *err = where + "the same question twice";
          return false;
        }
        if (out->size() == kMaxAdminQuestions) {
          *err = where + "more than 20 questions";
          return false;
        }
        out->push_back(clean);
        return true;
      });
}

bool NormalizeAnswer(const std::string& raw, std::string* out,
                     std::string* error) {
  std::u16string u, a, b;
  if (!IsValidUtf8(raw) || !ToUtf16(raw, &u) || !Nfc(u, &a) ||
      !FoldCase(a, &b) || !Nfc(CollapseSpaces(b), &a) || !ToUtf8(a, out)) {
    *error = _("That answer contains characters that are not allowed.");
    return false;
  }
  size_t n = CountChars(*out);
  if (n < kMinAnswerChars || n > kMaxAnswerChars) {
    *error =
        Fmt(_("An answer must have {0} to {1} characters."),
            {std::to_string(kMinAnswerChars), std::to_string(kMaxAnswerChars)});
    return false;
  }
  return true;
}

bool HashAnswer(const std::string& normalized, std::string* hash,
                std::string* err) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$y$", 0, nullptr, 0, salt, sizeof(salt)) == nullptr &&
      crypt_gensalt_rn("$6$", 0, nullptr, 0, salt, sizeof(salt)) == nullptr) {
    *err = std::string("crypt_gensalt: ") + strerror(errno);
    return false;
  }
  auto data = std::make_unique<struct crypt_data>();
  const char* h = crypt_rn(normalized.c_str(), salt, data.get(), sizeof(*data));
  if (h == nullptr || h[0] == '*') {
    *err = "crypt failed";
    return false;
  }
  *hash = h;
  explicit_bzero(data.get(), sizeof(*data));
  return true;
}

bool VerifyAnswer(const std::string& normalized, const std::string& hash) {
  auto data = std::make_unique<struct crypt_data>();
  const char* h =
      crypt_rn(normalized.c_str(), hash.c_str(), data.get(), sizeof(*data));
  bool ok = h != nullptr && h[0] != '*' && ConstantTimeEquals(h, hash);
  explicit_bzero(data.get(), sizeof(*data));
  return ok;
}

}  // namespace sspr
