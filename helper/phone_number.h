// Phone numbers as the user types them, checked with libphonenumber.
#ifndef SSPR_HELPER_PHONE_NUMBER_H_
#define SSPR_HELPER_PHONE_NUMBER_H_

#include <string>

namespace sspr {

enum class PhoneKind { kMobile, kOffice };

constexpr size_t kMaxPhoneInput = 64;  // characters the user may type
constexpr size_t kMaxRegionInput = 64;

struct PhoneInfo {
  std::string e164;           // "+14255550100"
  std::string international;  // "+1 425-555-0100"
  std::string region;         // "US"
  bool can_sms = false;       // "text me" may be offered
  bool can_call = false;      // "call me" may be offered
};

// Turns what the user typed at "Country or region" into a region code.
// Accepts "" (keeps default_region), "GB"/"gb", "+44", "44", "0044".
// On failure *error is a sentence for the user.
bool ResolveRegion(const std::string& input, const std::string& default_region,
                   std::string* region, std::string* error);

// Parses a number in `region` (a "+" or "00" international prefix wins
// over the region). Accepts any punctuation. Refuses invalid numbers, short
// codes, premium-rate / shared-cost / unknown types, and for kOffice numbers
// that cannot take a call; for kMobile numbers that cannot take SMS or a
// call. On failure *error is a sentence for the user.
bool ParsePhone(const std::string& input, const std::string& region,
                PhoneKind kind, PhoneInfo* out, std::string* error);

// For logs and summaries: "+1 •••-•••-••00" (country code, last two digits).
std::string MaskPhone(const std::string& e164);

}  // namespace sspr

#endif  // SSPR_HELPER_PHONE_NUMBER_H_
