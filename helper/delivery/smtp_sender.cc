#include "helper/delivery/smtp_sender.h"

#include <curl/curl.h>
#include <ctype.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <algorithm>
#include <string>

#include "common/wipe.h"
#include "config/config.h"

namespace sspr {
namespace {

// Day and month names of RFC 5322, whatever the locale.
std::string RfcDate(time_t t) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed",
                                      "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                        "May", "Jun", "Jul", "Aug",
                                        "Sep", "Oct", "Nov", "Dec"};
  struct tm tm;
  if (gmtime_r(&t, &tm) == nullptr) return "Thu, 01 Jan 1970 00:00:00 +0000";
  char buf[64];
  snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d +0000",
           kDays[tm.tm_wday % 7], tm.tm_mday, kMonths[tm.tm_mon % 12],
           tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string RandomHex(size_t bytes) {
  unsigned char b[32] = {};
  bytes = std::min(bytes, sizeof(b));
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = getrandom(b + got, bytes - got, 0);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 15];
  }
  return out;
}

std::string Base64(const std::string& in) {
  static const char kB64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// A header value: printable ASCII as is, anything else as one RFC 2047
// encoded word (a translated subject).
std::string HeaderText(const std::string& s) {
  bool ascii = std::all_of(
      s.begin(), s.end(), [](unsigned char c) { return c >= ' ' && c < 0x7f; });
  if (ascii) return s;
  return "=?UTF-8?B?" + Base64(s) + "?=";
}

struct Upload {
  const std::string* data;
  size_t pos;
};

size_t OnRead(char* buf, size_t size, size_t n, void* p) {
  Upload* u = static_cast<Upload*>(p);
  size_t left = u->data->size() - u->pos;
  size_t k = std::min(left, size * n);
  memcpy(buf, u->data->data() + u->pos, k);
  u->pos += k;
  return k;
}

// Which SMTP command was sent last, from libcurl's protocol trace (only
// the verb is kept: the trace holds the address). A 5xx reply to RCPT TO
// is the recipient refused: the address the user typed.
struct LastCommand {
  char verb[5] = "";
};

int OnTrace(CURL*, curl_infotype type, char* data, size_t size, void* p) {
  if (type != CURLINFO_HEADER_OUT || size < 4) return 0;
  char verb[5];
  for (size_t i = 0; i < 4; ++i)
    verb[i] = static_cast<char>(toupper(static_cast<unsigned char>(data[i])));
  verb[4] = '\0';
  // A failed transfer ends with QUIT inside curl_easy_perform: the reply
  // that failed it answered the command before.
  if (strcmp(verb, "QUIT") != 0)
    memcpy(static_cast<LastCommand*>(p)->verb, verb, sizeof(verb));
  return 0;
}

class SmtpSender : public CodeSender {
 public:
  explicit SmtpSender(const SmtpOptions& o) {
    o_.url = o.url;
    o_.from = o.from;
    o_.user = o.user;
    o_.password = o.password;
    o_.cafile = o.cafile;
    o_.timeout_s = o.timeout_s;
  }

  SendStatus Send(Channel ch, const std::string& to, const std::string& text,
                  std::string* err) override {
    if (ch != Channel::kEmail) {
      *err = "smtp delivers e-mail only";
      return SendStatus::kError;
    }
    if (!ValidDestination(ch, to)) {
      *err = "invalid destination";  // never the destination itself
      return SendStatus::kError;
    }
    std::string host = o_.url.substr(o_.url.find("://") + 3);
    CURL* h = curl_easy_init();
    if (h == nullptr) {
      *err = "libcurl could not be initialised";
      return SendStatus::kError;
    }
    LastCommand last;
    std::string domain = o_.from.substr(o_.from.find('@') + 1);
    std::string msg =
        BuildSmtpMessage(o_.from, to, text, RfcDate(time(nullptr)),
                         "<" + RandomHex(16) + "@" + domain + ">");
    Upload up{&msg, 0};
    char errbuf[CURL_ERROR_SIZE] = "";
    std::string mail_from = "<" + o_.from + ">";
    std::string rcpt_to = "<" + to + ">";
    struct curl_slist* rcpt = curl_slist_append(nullptr, rcpt_to.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS,
                     long{CURLPROTO_SMTP | CURLPROTO_SMTPS});
#endif
    curl_easy_setopt(h, CURLOPT_URL, o_.url.c_str());
    curl_easy_setopt(h, CURLOPT_USE_SSL, long{CURLUSESSL_ALL});
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!o_.cafile.empty())
      curl_easy_setopt(h, CURLOPT_CAINFO, o_.cafile.c_str());
    if (!o_.user.empty()) {
      curl_easy_setopt(h, CURLOPT_USERNAME, o_.user.c_str());
      curl_easy_setopt(h, CURLOPT_PASSWORD, o_.password.c_str());
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, OnRead);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(msg.size()));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(o_.timeout_s));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
                     static_cast<long>(o_.timeout_s));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, OnTrace);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &last);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    const bool rcpt_refused =
        status >= 500 && status < 600 && strcmp(last.verb, "RCPT") == 0;
    curl_easy_cleanup(h);
    curl_slist_free_all(rcpt);
    Wipe(&msg);  // holds the code
    if (rc == CURLE_OK) return SendStatus::kSent;
    std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    if (detail.find('@') != std::string::npos) detail = curl_easy_strerror(rc);
    if (rc == CURLE_USE_SSL_FAILED)
      detail = "the server does not offer STARTTLS (" + detail + ")";
    *err = "smtp " + host + ": " + detail;
    if (status > 0) *err += " (reply " + std::to_string(status) + ")";
    if (rcpt_refused) {
      *err += ": the recipient was refused";
      return SendStatus::kBadDestination;
    }
    return SendStatus::kError;
  }

 private:
  SmtpOptions o_;
};

}  // namespace

SmtpOptions::~SmtpOptions() { Wipe(&password); }

std::string BuildSmtpMessage(const std::string& from, const std::string& to,
                             const std::string& text, const std::string& date,
                             const std::string& message_id) {
  std::string subject = "Your verification code", body = text;
  if (text.rfind("Subject: ", 0) == 0) {
    size_t nl = text.find('\n');
    subject =
        text.substr(9, nl == std::string::npos ? std::string::npos : nl - 9);
    body = nl == std::string::npos ? "" : text.substr(nl + 1);
    if (!body.empty() && body[0] == '\n') body.erase(0, 1);
  }
  subject.erase(std::remove_if(subject.begin(), subject.end(),
                               [](char c) { return c == '\r' || c == '\n'; }),
                subject.end());
  std::string m;
  m += "Date: " + date + "\r\n";
  m += "From: " + from + "\r\n";
  m += "To: " + to + "\r\n";
  m += "Subject: " + HeaderText(subject) + "\r\n";
  m += "Message-ID: " + message_id + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=UTF-8\r\n";
  m += "Content-Transfer-Encoding: 8bit\r\n";
  m += "\r\n";
  for (char c : body) {
    if (c == '\r') continue;
    if (c == '\n') m += "\r\n";
    else m += c;
  }
  if (m.size() < 2 || m.compare(m.size() - 2, 2, "\r\n") != 0) m += "\r\n";
  Wipe(&body);
  return m;
}

std::unique_ptr<CodeSender> MakeSmtpSender(const SmtpOptions& o,
                                           std::string* err) {
  std::string why;
  if (o.url.empty()) {
    *err = "smtp needs smtp_url";
    return nullptr;
  }
  if (!SmtpUrlValid(o.url, &why)) {
    *err = "smtp_url " + why;
    return nullptr;
  }
  if (!SmtpAddressValid(o.from)) {
    *err = "smtp needs smtp_from, an address such as noreply@example.com";
    return nullptr;
  }
  if (!o.user.empty() && o.password.empty()) {
    *err = "smtp_user is set but secrets_file has no smtp_password";
    return nullptr;
  }
  if (o.timeout_s < 1) {
    *err = "delivery timeout must be at least 1 second";
    return nullptr;
  }
  return std::make_unique<SmtpSender>(o);
}

}  // namespace sspr
