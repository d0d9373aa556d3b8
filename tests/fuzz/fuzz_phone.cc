// Fuzzes what the user types at "Country or region" and "Phone number",
// and the answer checks in front of them.
//
// Input: region text, NUL, number text (no NUL: the region is empty and the
// whole input is the number). ResolveRegion on the region; ParsePhone on
// the number (in the resolved region, else in the raw region text) for both
// kinds; MaskPhone on each accepted E.164; CheckAnswer on the raw input.
// The number text also goes to the other free-text answers: ValidateEmail
// (+ MaskEmail) and NormalizeAnswer (security questions).
// Oracles beyond the sanitizers:
//  - every refusal has a sentence for the user: valid UTF-8, < 512 bytes;
//  - an accepted number has an E.164 form the user store accepts, parses
//    again from that form to the same E.164, and its mask keeps at most the
//    country code and two digits;
//    (SSPR_FUZZ_IGNORE=e164 skips the store check, see
//    tests/fuzz/crashes/README.md);
//  - IsValidUtf8 agrees with an independent strict decoder; CheckAnswer's
//    clean answer is trimmed, bounded and free of control characters;
//  - an accepted e-mail address is valid again as normalised, and its mask
//    hides the local part; a normalised security answer is valid UTF-8 of
//    3 to 40 characters.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <string>

#include "common/text.h"
#include "helper/answer.h"
#include "helper/email_address.h"
#include "helper/phone_number.h"
#include "helper/questions.h"
#include "tests/fuzz/known_findings.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  fprintf(stderr, "fuzz_phone: %s%s%s\n", what, detail.empty() ? "" : ": ",
          detail.c_str());
  abort();
}

// Strict UTF-8 (RFC 3629): no overlongs, no surrogates, <= U+10FFFF.
bool RefUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp, min;
    if (b <= 0x7F) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      n = 1, cp = b & 0x1Fu, min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 2, cp = b & 0x0Fu, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 3, cp = b & 0x07u, min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      const unsigned char c = static_cast<unsigned char>(s[i + k]);
      if (c < 0x80 || c > 0xBF) return false;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

void CheckUserText(const char* what, const std::string& text) {
  if (text.empty()) Fail(what, "empty sentence");
  if (text.size() >= 512) Fail(what, "sentence of 512 bytes or more");
  if (!RefUtf8(text)) Fail(what, "sentence is not valid UTF-8");
}

// The user store's rule for a phone method's value.
bool StoreAcceptsE164(const std::string& v) {
  if (v.size() < 3 || v.size() > 16 || v[0] != '+' || v[1] == '0') return false;
  for (size_t i = 1; i < v.size(); ++i)
    if (v[i] < '0' || v[i] > '9') return false;
  return true;
}

size_t Digits(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c >= '0' && c <= '9';
  return n;
}

void CheckNumber(const std::string& number, const std::string& region,
                 sspr::PhoneKind kind) {
  sspr::PhoneInfo info;
  std::string error;
  if (!sspr::ParsePhone(number, region, kind, &info, &error)) {
    CheckUserText("ParsePhone refusal", error);
    return;
  }
  if (!StoreAcceptsE164(info.e164) && !sspr_fuzz::Ignored("e164"))
    Fail("accepted number has an E.164 the store refuses", info.e164);
  if (info.international.empty() || info.international[0] != '+')
    Fail("international form does not start with +", info.international);
  if (!info.can_sms && !info.can_call)
    Fail("accepted number can take neither a text nor a call", info.e164);
  if (kind == sspr::PhoneKind::kOffice && info.can_sms)
    Fail("office number offered a text", info.e164);

  // The E.164 form is itself an accepted input with the same result.
  sspr::PhoneInfo again;
  if (!sspr::ParsePhone(info.e164, "ZZ", kind, &again, &error))
    Fail("E.164 form of an accepted number is refused",
         info.e164 + ": " + error);
  if (again.e164 != info.e164) Fail("E.164 is not stable", info.e164);

  // The mask shows the country code and at most the last two digits.
  const std::string mask = sspr::MaskPhone(info.e164);
  if (!RefUtf8(mask)) Fail("mask is not valid UTF-8", mask);
  const size_t cc =
      info.international.find(' ') == std::string::npos
          ? 3
          : Digits(info.international.substr(0, info.international.find(' ')));
  if (Digits(mask) > cc + 2) Fail("mask shows too many digits", mask);
  if (mask.find(info.e164.substr(1)) != std::string::npos)
    Fail("mask contains the whole number", mask);
}

void CheckAnswerOn(const std::string& raw, size_t max_len) {
  std::string clean, error;
  if (!sspr::CheckAnswer(raw, max_len, &clean, &error)) {
    CheckUserText("CheckAnswer refusal", error);
    return;
  }
  if (clean.size() > max_len || clean.size() > raw.size())
    Fail("clean answer longer than allowed", "");
  if (raw.find(clean) == std::string::npos)
    Fail("clean answer is not part of the raw answer", "");
  if (!clean.empty() && (clean.front() == ' ' || clean.front() == '\t' ||
                         clean.back() == ' ' || clean.back() == '\t'))
    Fail("clean answer is not trimmed", "");
  for (unsigned char c : clean)
    if ((c < 0x20 && c != '\t') || c == 0x7F)
      Fail("clean answer has a control character", "");
  if (!RefUtf8(clean)) Fail("clean answer is not valid UTF-8", "");
  (void)sspr::YesNo(clean);
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void CheckEmail(const std::string& input) {
  std::string norm, error;
  if (!sspr::ValidateEmail(input, &norm, &error)) {
    CheckUserText("ValidateEmail refusal", error);
    return;
  }
  if (norm.empty() || norm.size() > sspr::kMaxEmailInput || !RefUtf8(norm))
    Fail("accepted address is empty, too long or not UTF-8", norm);
  const size_t at = norm.find('@');
  if (at == std::string::npos || norm.find('@', at + 1) != std::string::npos)
    Fail("accepted address has not exactly one @", norm);
  std::string again, error2;
  if (!sspr::ValidateEmail(norm, &again, &error2))
    Fail("normalised address is refused", norm + ": " + error2);
  if (again != norm) Fail("normalising an address is not stable", norm);
  const std::string mask = sspr::MaskEmail(norm);
  if (!RefUtf8(mask)) Fail("address mask is not UTF-8", mask);
  if (at > 1 && mask.substr(0, mask.rfind('@')).find(norm.substr(0, at)) !=
                    std::string::npos)
    Fail("address mask shows the local part", mask);
}

void CheckSecurityAnswer(const std::string& raw) {
  std::string norm, error;
  if (!sspr::NormalizeAnswer(raw, &norm, &error)) {
    CheckUserText("NormalizeAnswer refusal", error);
    return;
  }
  const size_t n = CodePoints(norm);
  if (!RefUtf8(norm) || n < sspr::kMinAnswerChars || n > sspr::kMaxAnswerChars)
    Fail("normalised answer is not 3 to 40 characters of UTF-8", norm);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string raw(reinterpret_cast<const char*>(data), size);
  const size_t nul = raw.find('\0');
  const std::string region_text =
      nul == std::string::npos ? "" : raw.substr(0, nul);
  const std::string number =
      nul == std::string::npos ? raw : raw.substr(nul + 1);

  std::string region, error;
  const bool region_ok =
      sspr::ResolveRegion(region_text, "US", &region, &error);
  if (region_ok) {
    if (region.size() != 2 || region[0] < 'A' || region[0] > 'Z' ||
        region[1] < 'A' || region[1] > 'Z')
      Fail("ResolveRegion gave no region code", region);
  } else {
    CheckUserText("ResolveRegion refusal", error);
  }
  const std::string& use = region_ok ? region : region_text;
  CheckNumber(number, use, sspr::PhoneKind::kMobile);
  CheckNumber(number, use, sspr::PhoneKind::kOffice);
  (void)sspr::MaskPhone(number);

  if (sspr::IsValidUtf8(raw) != RefUtf8(raw))
    Fail("IsValidUtf8 disagrees with a strict decoder", "");
  CheckAnswerOn(raw, 64);
  CheckAnswerOn(number, sspr::kMaxPhoneInput);
  CheckEmail(number);
  if (number.size() <= sspr::kMaxAnswerInput) CheckSecurityAnswer(number);
  return 0;
}
