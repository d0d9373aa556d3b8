// This file is long because it is the one place that turns typed numbers into
// E.164 with libphonenumber, region rules included.
// Phone numbers as the user types them, checked with libphonenumber.
#include "helper/phone_number.h"

#include <phonenumbers/phonenumberutil.h>
#include <phonenumbers/shortnumberinfo.h>

#include <cstring>
#include <string>

#include "helper/i18n.h"

namespace sspr {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;
using i18n::phonenumbers::ShortNumberInfo;
using Type = PhoneNumberUtil::PhoneNumberType;

constexpr char kBullet[] = "\xE2\x80\xA2";  // U+2022
constexpr char kThreeBullets[] = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";
// The user's texts go through gettext (helper/i18n.h).
std::string AllowedHint() {
  return _(
      "Type only digits, spaces and - . ( ) /, with + or 00 and the "
      "country code first if needed.");
}
std::string RegionHelp() {
  return _(
      "Type a two-letter code such as US or GB, or a calling code such "
      "as +44.");
}
std::string InternalError() {
  return _(
      "Something went wrong while checking the number; please try "
      "again.");
}

PhoneNumberUtil& Util() { return *PhoneNumberUtil::GetInstance(); }

// Decodes one strict UTF-8 sequence at s[i]; returns its length, 0 if bad.
size_t DecodeUtf8(const std::string& s, size_t i, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 ? 2 : 0;
  if (len == 0 || b0 > 0xF4 || i + len > s.size()) return 0;
  char32_t value = b0 & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    value = (value << 6) | (b & 0x3F);
  }
  const char32_t min_value[] = {0, 0, 0x80, 0x800, 0x10000};
  if (value < min_value[len] || value > 0x10FFFF ||
      (value >= 0xD800 && value <= 0xDFFF)) {
    return 0;
  }
  *cp = value;
  return len;
}

bool IsControl(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c < 0xA0) || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x2028 && c <= 0x202E) || (c >= 0x2060 && c <= 0x206F) ||
         c == 0xFEFF;
}

// Spaces, dashes, dots, brackets and slashes people put between digits.
bool IsSeparator(char32_t c) {
  if (c < 0x80)
    return c != 0 && std::strchr(" -.()/[]~", static_cast<int>(c)) != nullptr;
  return c == 0xA0 || c == 0x2009 || c == 0x202F || c == 0x2212 ||
         c == 0x3000 || (c >= 0x2010 && c <= 0x2015);  // dashes, spaces
}

bool IsAsciiLetter(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string Upper(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// What the user typed, reduced to digits and "+" signs.
struct Scan {
  std::string dialable;
  size_t chars = 0;
  bool bad_utf8 = false, letters = false, control = false, other = false,
       late_plus = false;
};

Scan ScanInput(const std::string& input) {
  Scan scan;
  for (size_t i = 0; i < input.size(); ++scan.chars) {
    char32_t c = 0;
    const size_t len = DecodeUtf8(input, i, &c);
    scan.bad_utf8 |= len == 0;
    i += len == 0 ? 1 : len;
    if ((c >= '0' && c <= '9') || c == '+') {
      scan.late_plus |= c == '+' && !scan.dialable.empty();
      scan.dialable.push_back(static_cast<char>(c));
    } else {
      scan.letters |= IsAsciiLetter(c);
      scan.control |= IsControl(c);
      scan.other |= !IsSeparator(c);
    }
  }
  return scan;
}

// The sentence for the first problem found, or "" if there is none.
std::string ScanError(const Scan& scan) {
  if (scan.chars > kMaxPhoneInput) {
    return Fmt(NGettext("That is too long for a phone number; type at most "
                        "{0} character.",
                        "That is too long for a phone number; type at most "
                        "{0} characters.",
                        kMaxPhoneInput),
               {std::to_string(kMaxPhoneInput)});
  }
  if (scan.bad_utf8) {
    return _(
        "The number is not valid text; type only digits, spaces and "
        "- . ( ) /.");
  }
  if (scan.control) {
    return _(
        "The number contains a control character; type only digits, "
        "spaces and - . ( ) /.");
  }
  if (scan.letters) {
    return _(
        "Letters are not allowed in a phone number; type it with "
        "digits only (1-800-FLOWERS becomes 1-800-356-9377).");
  }
  if (scan.other) return AllowedHint();
  if (scan.late_plus) {
    return _(
        "A + may only come once, at the start, before the country "
        "code.");
  }
  if (scan.dialable.empty() || scan.dialable == "+") {
    return _("Please type a phone number.");
  }
  return "";
}

// Reduces the typed text to digits with an optional leading "+";
// a leading "00" becomes "+" whatever the region.
bool ToDialable(const std::string& input, std::string* dialable,
                std::string* error) {
  Scan scan;
  if (input.size() > kMaxPhoneInput * 4) {
    scan.chars = input.size();  // Too long to be worth decoding.
  } else {
    scan = ScanInput(input);
  }
  *error = ScanError(scan);
  if (!error->empty()) return false;
  if (scan.dialable.compare(0, 2, "00") == 0) scan.dialable.replace(0, 2, "+");
  *dialable = scan.dialable;
  return true;
}

std::string ParseErrorMessage(PhoneNumberUtil::ErrorType err,
                              bool international) {
  switch (err) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
      if (international) {
        return _(
            "The country code after + or 00 is not valid; check it "
            "(e.g. +1 for the US, +44 for the UK).");
      }
      return _(
          "Type the number with + and its country code (e.g. +44 20 "
          "7946 0000), or choose a country or region first.");
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN:
      return _(
          "That number is too short; type the full number with its "
          "area code.");
    case PhoneNumberUtil::TOO_LONG_NSN:
      return _("That number has too many digits; check it and try again.");
    default:
      return _(
          "That is not a phone number; check the digits and try "
          "again.");
  }
}

std::string InvalidNumberMessage(const PhoneNumber& number,
                                 const std::string& region,
                                 bool international) {
  const ShortNumberInfo short_info;
  if (short_info.IsPossibleShortNumber(number)) {
    return _("That looks like a short code; give a full phone number.");
  }
  const auto reason = Util().IsPossibleNumberWithReason(number);
  const bool too_short = reason == PhoneNumberUtil::TOO_SHORT;
  const bool too_long = reason == PhoneNumberUtil::TOO_LONG;
  if (international) {
    if (too_short)
      return _(
          "That number is too short; check the digits after the "
          "country code.");
    if (too_long)
      return _(
          "That number has too many digits; check it and the country "
          "code.");
    return _(
        "That is not a valid phone number; check the digits and the "
        "country code.");
  }
  // TRANSLATORS: {0} is a region code such as US or GB.
  if (too_short)
    return Fmt(_("That number is too short for {0}. If it is from another "
                 "country or region, type + and its country code first "
                 "(e.g. +44)."),
               {region});
  // TRANSLATORS: {0} is a region code such as US or GB.
  if (too_long)
    return Fmt(_("That number has too many digits for {0}. If it is from "
                 "another country or region, type + and its country code "
                 "first (e.g. +44)."),
               {region});
  // TRANSLATORS: {0} is a region code such as US or GB.
  return Fmt(_("That is not a valid phone number in {0}. If it is from "
               "another country or region, type + and its country code first "
               "(e.g. +44)."),
             {region});
}

// Decides what the number may be used for; false with *error if refused.
bool CheckType(Type type, PhoneKind kind, PhoneInfo* info, std::string* error) {
  switch (type) {
    case PhoneNumberUtil::PREMIUM_RATE:
      *error =
          _("Premium-rate numbers cannot be used; give a mobile or "
            "office phone number.");
      return false;
    case PhoneNumberUtil::SHARED_COST:
      *error =
          _("Shared-cost numbers cannot be used; give a mobile or office "
            "phone number.");
      return false;
    case PhoneNumberUtil::FIXED_LINE:
      if (kind == PhoneKind::kMobile) {
        *error =
            _("That looks like a landline, which cannot receive text "
              "messages; add it as an office phone instead.");
        return false;
      }
      break;
    default:
      break;
  }
  info->can_sms = type == PhoneNumberUtil::MOBILE ||
                  type == PhoneNumberUtil::FIXED_LINE_OR_MOBILE;
  info->can_call = info->can_sms || type == PhoneNumberUtil::FIXED_LINE ||
                   type == PhoneNumberUtil::VOIP ||
                   type == PhoneNumberUtil::PERSONAL_NUMBER ||
                   type == PhoneNumberUtil::TOLL_FREE;
  if (kind == PhoneKind::kOffice) info->can_sms = false;
  if (!info->can_sms && !info->can_call) {
    *error =
        _("Pager, voicemail and company numbers cannot be used; give a "
          "mobile or office phone number.");
    return false;
  }
  return true;
}

bool ParsePhoneImpl(const std::string& input, const std::string& region,
                    PhoneKind kind, PhoneInfo* out, std::string* error) {
  std::string dialable;
  if (!ToDialable(input, &dialable, error)) return false;
  const bool international = dialable[0] == '+';
  const std::string upper_region = Upper(region);
  PhoneNumber number;
  const auto err = Util().Parse(dialable, upper_region, &number);
  if (err != PhoneNumberUtil::NO_PARSING_ERROR) {
    *error = ParseErrorMessage(err, international);
    return false;
  }
  if (!Util().IsValidNumber(number)) {
    *error = InvalidNumberMessage(number, upper_region, international);
    return false;
  }
  PhoneInfo info;
  if (!CheckType(Util().GetNumberType(number), kind, &info, error)) {
    return false;
  }
  Util().Format(number, PhoneNumberUtil::E164, &info.e164);
  // E.164 allows 15 digits; libphonenumber's metadata accepts a few longer
  // (German extension-style) numbers that no SMS or call gateway takes.
  if (info.e164.size() > 16) {
    *error =
        _("That number is longer than an international number can be "
          "(15 digits). Give the number without an extension.");
    return false;
  }
  Util().Format(number, PhoneNumberUtil::INTERNATIONAL, &info.international);
  Util().GetRegionCodeForNumber(number, &info.region);
  *out = info;
  return true;
}

bool IsSupportedRegion(const std::string& upper) {
  return upper.size() == 2 && Util().GetCountryCodeForRegion(upper) != 0;
}

// "+44", "44", "0044" (spaces after the prefix allowed) -> 44; else 0.
int ParseCallingCode(const std::string& s) {
  size_t i = s.compare(0, 1, "+") == 0 ? 1 : s.compare(0, 2, "00") == 0 ? 2 : 0;
  while (i < s.size() && s[i] == ' ') ++i;
  const std::string digits = s.substr(i);
  if (digits.empty() || digits.size() > 3 || digits[0] == '0') return 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 0;
  }
  return std::stoi(digits);
}

bool ResolveRegionImpl(const std::string& input,
                       const std::string& default_region, std::string* region,
                       std::string* error) {
  if (input.size() > kMaxRegionInput) {
    *error =
        _("That is too long for a country or region; type e.g. US, GB "
          "or +44.");
    return false;
  }
  for (char c : input) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b >= 0x7F) {
      *error = RegionHelp();
      return false;
    }
  }
  const size_t first = input.find_first_not_of(' ');
  if (first == std::string::npos) {
    const std::string fallback = Upper(default_region);
    *region = IsSupportedRegion(fallback) ? fallback : "";
    return true;
  }
  const std::string typed =
      input.substr(first, input.find_last_not_of(' ') - first + 1);
  if (typed.size() == 2 && IsAsciiLetter(typed[0]) && IsAsciiLetter(typed[1])) {
    if (IsSupportedRegion(Upper(typed))) {
      *region = Upper(typed);
      return true;
    }
    // TRANSLATORS: {0} is what the user typed.
    *error = Fmt(_("'{0}' is not a country or region code; type e.g. US, GB "
                   "or +44"),
                 {typed});
    return false;
  }
  if (const int code = ParseCallingCode(typed)) {
    std::string found;
    Util().GetRegionCodeForCountryCode(code, &found);
    if (IsSupportedRegion(found)) {
      *region = found;
      return true;
    }
  }
  if (typed.size() <= 6 && typed.find_first_of("+0123456789") == 0) {
    // TRANSLATORS: {0} is what the user typed.
    *error = Fmt(_("'{0}' is not a country calling code; type e.g. US, GB or "
                   "+44"),
                 {typed});
    return false;
  }
  *error = RegionHelp();
  return false;
}

size_t CountDigits(const std::string& s) {
  size_t digits = 0;
  for (char c : s) digits += (c >= '0' && c <= '9') ? 1 : 0;
  return digits;
}

// Replaces every digit with a bullet but the last two (if more than four).
std::string MaskDigits(const std::string& s) {
  const size_t digits = CountDigits(s);
  const size_t keep = digits > 4 ? 2 : 0;
  std::string out;
  size_t seen = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9' && seen++ + keep < digits) {
      out += kBullet;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// "+•••" and the last two digits, or "•••" if there are too few digits.
std::string MaskUnparsed(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  if (digits.size() <= 4) return kThreeBullets;
  return "+" + std::string(kThreeBullets) + digits.substr(digits.size() - 2);
}

}  // namespace

bool ResolveRegion(const std::string& input, const std::string& default_region,
                   std::string* region, std::string* error) {
  if (region == nullptr || error == nullptr) return false;
  try {
    return ResolveRegionImpl(input, default_region, region, error);
  } catch (...) {
    *error = InternalError();
    return false;
  }
}

bool ParsePhone(const std::string& input, const std::string& region,
                PhoneKind kind, PhoneInfo* out, std::string* error) {
  if (out == nullptr || error == nullptr) return false;
  try {
    return ParsePhoneImpl(input, region, kind, out, error);
  } catch (...) {
    *error = InternalError();
    return false;
  }
}

std::string MaskPhone(const std::string& e164) {
  try {
    PhoneNumber number;
    if (e164.size() > kMaxPhoneInput * 4 ||
        Util().Parse(e164, "ZZ", &number) !=
            PhoneNumberUtil::NO_PARSING_ERROR ||
        number.has_extension()) {
      return MaskUnparsed(e164);
    }
    std::string formatted;
    Util().Format(number, PhoneNumberUtil::INTERNATIONAL, &formatted);
    const std::string prefix = "+" + std::to_string(number.country_code());
    if (formatted.compare(0, prefix.size(), prefix) != 0) {
      return MaskUnparsed(e164);
    }
    return prefix + MaskDigits(formatted.substr(prefix.size()));
  } catch (...) {
    return kThreeBullets;
  }
}

}  // namespace sspr
