// E-mail addresses as the user types them.
#ifndef SSPR_HELPER_EMAIL_ADDRESS_H_
#define SSPR_HELPER_EMAIL_ADDRESS_H_

#include <string>

namespace sspr {

constexpr size_t kMaxEmailInput = 254;  // RFC 5321 path limit

// Checks the shape of an address: one '@', a dot-atom local part of at most
// 64 bytes (letters, digits and !#$%&'*+/=?^_`{|}~- , dots not leading,
// trailing or doubled), a domain of dot-separated labels (letters, digits,
// hyphens, not at a label's ends, at most 63 bytes each) with at least one
// dot and an alphabetic top-level label; never a leading '-' (it would
// read as an option to the delivery command). The domain is lower-cased
// into *normalized. ValidDestination (delivery.h) applies this same check
// to every address a sender is given. On failure *error is a sentence for the
// user.
bool ValidateEmail(const std::string& input, std::string* normalized,
                   std::string* error);

// "a•••@example.com": the first character of the local part and the domain.
std::string MaskEmail(const std::string& address);

}  // namespace sspr

#endif  // SSPR_HELPER_EMAIL_ADDRESS_H_
