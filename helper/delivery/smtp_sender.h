// delivery = smtp for e-mail: libcurl's SMTP client, TLS always (smtps://,
// or smtp:// with STARTTLS required), peer and host verified, AUTH with
// smtp_user and the secrets_file's smtp_password.
#ifndef SSPR_HELPER_DELIVERY_SMTP_SENDER_H_
#define SSPR_HELPER_DELIVERY_SMTP_SENDER_H_

#include <memory>
#include <string>

#include "helper/delivery/sender.h"

namespace sspr {

struct SmtpOptions {
  std::string url;       // smtp://host[:port] (STARTTLS) | smtps://host[:port]
  std::string from;      // envelope and From: address
  std::string user;      // "" = no AUTH
  std::string password;  // from secrets_file (smtp_password); wiped
  std::string cafile;    // "" = the system store
  int timeout_s = 10;
  ~SmtpOptions();
};

// The address and URL checks are config.h's SmtpUrlValid and
// SmtpAddressValid.

// The RFC 5322 message (CRLF line ends) for `text` as CodeMessage makes it
// ("Subject: ...\n\nbody"). `date` and `message_id` are given for tests.
std::string BuildSmtpMessage(const std::string& from, const std::string& to,
                             const std::string& text, const std::string& date,
                             const std::string& message_id);

// Needs curl_global_init. Returns nullptr and *err for unusable options.
std::unique_ptr<CodeSender> MakeSmtpSender(const SmtpOptions& o,
                                           std::string* err);

// MakeChannelSender with email_delivery = smtp served by `smtp`.
std::unique_ptr<CodeSender> MakeChannelSender(const std::string& delivery,
                                              const std::string& email_delivery,
                                              int timeout_s,
                                              const SmtpOptions& smtp,
                                              std::string* err);

}  // namespace sspr

#endif  // SSPR_HELPER_DELIVERY_SMTP_SENDER_H_
