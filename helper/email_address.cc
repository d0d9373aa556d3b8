#include "helper/email_address.h"

#include <string.h>

#include <algorithm>

#include "helper/i18n.h"

namespace sspr {
namespace {

bool AtomChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') ||
         (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

bool ValidLocal(const std::string& l) {
  if (l.empty() || l.size() > 64 || l.front() == '.' || l.back() == '.' ||
      l.find("..") != std::string::npos)
    return false;
  return std::all_of(l.begin(), l.end(),
                     [](char c) { return c == '.' || AtomChar(c); });
}

bool ValidLabel(const std::string& l) {
  if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-')
    return false;
  return std::all_of(l.begin(), l.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool ValidDomain(const std::string& d) {
  if (d.size() > 253 || d.find('.') == std::string::npos) return false;
  size_t start = 0;
  std::string last;
  for (;;) {
    size_t dot = d.find('.', start);
    last = d.substr(start,
                    dot == std::string::npos ? std::string::npos : dot - start);
    if (!ValidLabel(last)) return false;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return last.size() >= 2 && std::all_of(last.begin(), last.end(), [](char c) {
           return c >= 'a' && c <= 'z';
         });
}

}  // namespace

bool ValidateEmail(const std::string& input, std::string* normalized,
                   std::string* error) {
  if (input.empty()) {
    *error = _("Please type an e-mail address such as name@example.com.");
    return false;
  }
  if (input.size() > kMaxEmailInput) {
    *error = _("That address is too long.");
    return false;
  }
  size_t at = input.find('@');
  if (at == std::string::npos || input.find('@', at + 1) != std::string::npos) {
    *error = _("An e-mail address has exactly one @, as in name@example.com.");
    return false;
  }
  if (input[0] == '-') {
    // Valid in RFC 5322, but it would read as an option to the delivery
    // command, so no sender takes it.
    *error = _("An e-mail address cannot start with a hyphen (-).");
    return false;
  }
  std::string local = input.substr(0, at);
  std::string domain = input.substr(at + 1);
  std::transform(domain.begin(), domain.end(), domain.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  if (!ValidLocal(local)) {
    *error =
        _("The part before the @ is not valid (no spaces, quotes or "
          "double dots).");
    return false;
  }
  if (!ValidDomain(domain)) {
    *error =
        _("The part after the @ is not a valid domain, such as "
          "example.com.");
    return false;
  }
  *normalized = local + "@" + domain;
  return true;
}

std::string MaskEmail(const std::string& address) {
  size_t at = address.find('@');
  if (at == std::string::npos || at == 0) return "•••";
  return address.substr(0, 1) + "•••" + address.substr(at);
}

}  // namespace sspr
