// Directory values, checked before they count (helper/net/ldap_values.h).
#include "helper/net/ldap_values.h"

#include <ctype.h>

#include <algorithm>

#include "helper/email_address.h"
#include "helper/phone_number.h"

namespace sspr {
namespace {

bool Bounded(const std::string& raw, std::string* why) {
  if (raw.empty()) {
    *why = "empty value";
    return false;
  }
  if (raw.size() > kMaxLdapValue) {
    *why = "value longer than " + std::to_string(kMaxLdapValue) + " bytes";
    return false;
  }
  if (!std::all_of(raw.begin(), raw.end(),
                   [](unsigned char ch) { return ch >= ' ' && ch < 0x7f; })) {
    *why = "value with control or non-ASCII characters";
    return false;
  }
  return true;
}

}  // namespace

std::string LdapEscapeFilterValue(const std::string& v) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(v.size());
  for (unsigned char ch : v) {
    if (ch == '*' || ch == '(' || ch == ')' || ch == '\\' || ch < ' ' ||
        ch >= 0x7f) {
      out.push_back('\\');
      out.push_back(kHex[ch >> 4]);
      out.push_back(kHex[ch & 15]);
    } else {
      out.push_back(static_cast<char>(ch));
    }
  }
  return out;
}

std::string LdapUserFilterFor(const std::string& tmpl,
                              const std::string& user) {
  const std::string esc = LdapEscapeFilterValue(user);
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '%' && i + 1 < tmpl.size() && tmpl[i + 1] == 'u') {
      out += esc;
      ++i;
    } else {
      out.push_back(tmpl[i]);
    }
  }
  return out;
}

bool LdapPhoneValue(const std::string& raw, bool mobile, std::string* e164,
                    std::string* why) {
  if (!Bounded(raw, why)) return false;
  if (raw.size() > kMaxPhoneInput) {
    *why =
        "number longer than " + std::to_string(kMaxPhoneInput) + " characters";
    return false;
  }
  size_t first = raw.find_first_not_of(' ');
  if (first == std::string::npos || raw[first] != '+') {
    *why = "number not in international form (+country code)";
    return false;
  }
  PhoneInfo info;
  std::string e;
  if (!ParsePhone(raw, "ZZ", mobile ? PhoneKind::kMobile : PhoneKind::kOffice,
                  &info, &e)) {
    *why =
        "not a valid " + std::string(mobile ? "mobile" : "office") + " number";
    return false;
  }
  *e164 = info.e164;
  return true;
}

bool LdapEmailValue(const std::string& raw, std::string* address,
                    std::string* why) {
  if (!Bounded(raw, why)) return false;
  if (raw.size() > kMaxEmailInput) {
    *why = "address longer than " + std::to_string(kMaxEmailInput) + " bytes";
    return false;
  }
  std::string e;
  if (!ValidateEmail(raw, address, &e)) {
    *why = "not a valid e-mail address";
    return false;
  }
  return true;
}

bool LdapQuestionValue(const std::string& raw, QuestionAnswer* qa,
                       std::string* why) {
  if (raw.empty() || raw.size() > kMaxLdapQuestionValue) {
    *why = "question value empty or longer than " +
           std::to_string(kMaxLdapQuestionValue) + " bytes";
    return false;
  }
  QuestionAnswer got;
  std::string err;
  if (!AnswerFromJson(raw, &got, &err)) {
    *why = "not a pam_sspr question and hash";
    return false;
  }
  const std::string& h = got.hash;
  const bool known = h.rfind("$y$", 0) == 0 || h.rfind("$6$", 0) == 0;
  if (!known || h.size() < 20 ||
      !std::all_of(h.begin(), h.end(), [](unsigned char ch) {
        return isalnum(ch) || ch == '.' || ch == '/' || ch == '$';
      })) {
    *why = "hash is not a salted yescrypt or SHA-512 crypt hash";
    return false;
  }
  *qa = std::move(got);
  return true;
}

bool ParseVerifiedMarker(const std::string& raw, VerifiedMarker* out,
                         std::string* why) {
  if (!Bounded(raw, why)) return false;
  size_t a = raw.find(' ');
  size_t b = a == std::string::npos ? a : raw.find(' ', a + 1);
  if (b == std::string::npos) {
    *why = "marker is not '<method> <unix time> <value>'";
    return false;
  }
  std::string method = raw.substr(0, a);
  std::string secs = raw.substr(a + 1, b - a - 1);
  std::string value = raw.substr(b + 1);
  if (method != "mobile" && method != "office" && method != "email" &&
      method != "questions") {
    *why = "marker names an unknown method";
    return false;
  }
  if (secs.empty() || secs.size() > 12 ||
      !std::all_of(secs.begin(), secs.end(),
                   [](unsigned char ch) { return ch >= '0' && ch <= '9'; })) {
    *why = "marker's time is not unix seconds";
    return false;
  }
  if (value.empty() || value.find(' ') != std::string::npos) {
    *why = "marker's value is empty or has spaces";
    return false;
  }
  if (method == "questions" &&
      (value.size() != 1 || value < "3" || value > "5")) {
    *why = "marker's question count is not 3 to 5";
    return false;
  }
  out->method = method;
  out->at = std::stoll(secs);
  out->value = value;
  return true;
}

std::string FormatVerifiedMarker(const VerifiedMarker& m) {
  return m.method + " " + std::to_string(m.at) + " " + m.value;
}

}  // namespace sspr
