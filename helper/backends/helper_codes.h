// Codes made, sent (through `delivery`) and checked by the helper: for the
// local backend and for the services that send none themselves (graph;
// rest when it asks). Cool-down per destination, rate limits, attempts
// across resends, expiry.
#ifndef SSPR_HELPER_BACKENDS_HELPER_CODES_H_
#define SSPR_HELPER_BACKENDS_HELPER_CODES_H_

#include <memory>
#include <string>
#include <utility>

#include "common/time.h"
#include "config/config.h"
#include "helper/backends/backend.h"
#include "helper/code.h"
#include "helper/store/rate_limit.h"

namespace sspr {

// A phone number or address as logs may show it.
std::string MaskDestination(const std::string& value);

class HelperCodes {
 public:
  HelperCodes(const Config& c, std::unique_ptr<CodeSender> sender,
              Clock* clock);
  // Creates the rate-limit state; false when no sender is configured.
  bool Init(std::string* err);
  SendStatus Send(const std::string& user, const Method& m, Channel ch,
                  int64_t* retry_at, std::string* err);
  CheckStatus Check(const std::string& typed, int* attempts_left);
  // True when the last code checked kOk went to m.type/m.value; that
  // proof is used up. Otherwise false with *err (for the log: masked).
  bool TakeVerified(const Method& m, std::string* err);
  // Sends a text that is no code (a notice) to `to` over `ch`.
  bool Notify(Channel ch, const std::string& to, const std::string& text,
              std::string* err);

 private:
  const Config& c_;
  Clock* clock_;
  RateLimiter limiter_;
  std::unique_ptr<CodeSender> sender_;
  PendingCode pending_;
  std::string last_type_, last_dest_;          // where the pending code went
  std::string verified_type_, verified_dest_;  // where a checked one went
};

// A backend whose codes and notices the helper sends and checks itself
// (local, ldap, graph): the three calls go to codes_ alike.
class HelperCodesBackend : public Backend {
 public:
  HelperCodesBackend(const Config& c, std::unique_ptr<CodeSender> sender,
                     Clock* clock)
      : codes_(c, std::move(sender), clock) {}
  SendStatus SendCode(const std::string& user, const Method& m, Channel ch,
                      int64_t* retry_at, std::string* err) override {
    return codes_.Send(user, m, ch, retry_at, err);
  }
  // Checked here, no I/O: the service is not asked.
  CheckStatus CheckCode(const std::string& typed, int* attempts_left,
                        std::string* /*err*/) override {
    return codes_.Check(typed, attempts_left);
  }
  bool Notify(const Method& to, Channel ch, const std::string& text,
              std::string* err) override {
    return codes_.Notify(ch, to.value, text, err);
  }

 protected:
  HelperCodes codes_;
};

}  // namespace sspr

#endif  // SSPR_HELPER_BACKENDS_HELPER_CODES_H_
