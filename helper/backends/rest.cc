// backend = rest: the project's own JSON API (docs/openapi.yaml).
#include <json-c/json.h>

#include "common/time.h"
#include "common/wipe.h"
#include "helper/backends/helper_codes.h"
#include "helper/backends/remote.h"
#include "helper/net/json_util.h"

namespace sspr {
namespace {

constexpr size_t kMaxMethods = 64;

class RestBackend : public Backend {
 public:
  RestBackend(const Config& c, const std::string& token, BackendDeps deps)
      : c_(c),
        token_(token),
        clock_(deps.clock),
        http_(deps.http, int64_t{c.request_timeout} * 1000,
              OperationBudgetMs(c), deps.deadline_ms),
        codes_(c, std::move(deps.sender), deps.clock),
        have_sender_(codes_.Init(&sender_err_)) {}
  ~RestBackend() override { Wipe(&token_); }

  bool Lookup(const std::string& user, UserRecord* rec,
              std::string* err) override {
    http_.BeginOperation();
    HttpRequest req = Request("GET", UserUrl(user), "");
    HttpResponse resp;
    if (!http_.Do(req, &resp, err)) return Fail(err);
    if (resp.status == 404 && ErrorCode(resp.body) == "user_not_found") {
      unknown_ = true;
      *err = "rest: user '" + DirectoryUser(c_, user) + "' not found";
      return false;
    }
    if (resp.status != 200) {
      *err = DescribeFailure("rest", req, resp);
      return false;
    }
    if (!ParseRestUser(resp.body, rec, err)) {
      *err = "rest: GET " + UrlPath(req.url) + ": " + *err;
      return false;
    }
    rec->user = user;
    return true;
  }

  SendStatus SendCode(const std::string& user, const Method& m, Channel ch,
                      int64_t* retry_at, std::string* err) override {
    http_.BeginOperation();
    json_object* o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string(m.type.c_str()));
    json_object_object_add(o, "value", json_object_new_string(m.value.c_str()));
    json_object_object_add(o, "channel",
                           json_object_new_string(ChannelName(ch)));
    HttpRequest req =
        Request("POST", UserUrl(user) + "/verifications", JsonString(o));
    json_object_put(o);
    req.retry_throttled = false;  // a 429 here is a cool-down for the user
    HttpResponse resp;
    if (!http_.Do(req, &resp, err)) {
      Fail(err);
      return SendStatus::kError;
    }
    if (resp.status == 429) {
      int64_t wait = resp.retry_after_s > 0 ? resp.retry_after_s : 60;
      *retry_at = clock_->Now() + wait;
      return ErrorCode(resp.body) == "cooldown" ? SendStatus::kCooldown
                                                : SendStatus::kRateLimited;
    }
    if (resp.status == 400 || resp.status == 422) {
      // The value is the only thing in this request the user chose: the
      // service (or its gateway) refuses the number or address.
      *err = DescribeFailure("rest", req, resp);
      return SendStatus::kBadDestination;
    }
    if (resp.status != 200 && resp.status != 201) {
      *err = DescribeFailure("rest", req, resp);
      return SendStatus::kError;
    }
    Json doc;
    std::string id, sender;
    if (!ParseJson(resp.body, &doc, err) ||
        !GetString(doc.get(), "id", &id, err) ||
        !GetString(doc.get(), "sender", &sender, err) ||
        (sender != "service" && sender != "helper") || id.empty() ||
        id.size() > 200) {
      *err = "rest: POST " + UrlPath(req.url) +
             ": answer needs a string 'id' and 'sender' (service|helper)" +
             (err->empty() ? "" : ": " + *err);
      return SendStatus::kError;
    }
    verification_ = id;
    verified_type_ = m.type;
    verified_value_ = m.value;
    by_helper_ = sender == "helper";
    if (!by_helper_) return SendStatus::kSent;
    if (!have_sender_) {
      *err = "rest: the service asks the helper to send the code, but " +
             sender_err_;
      return SendStatus::kError;
    }
    return codes_.Send(user, m, ch, retry_at, err);
  }

  CheckStatus CheckCode(const std::string& code, int* attempts_left,
                        std::string* err) override {
    *attempts_left = 0;
    if (verification_.empty()) return CheckStatus::kNoCode;
    if (by_helper_) return codes_.Check(code, attempts_left);
    http_.BeginOperation();
    std::string body = JsonWithSecret("{\"code\":", code, "}");
    HttpRequest req = Request("POST",
                              UserUrl(user_) + "/verifications/" +
                                  UrlEscape(verification_) + "/check",
                              body);
    Wipe(&body);
    req.retry_throttled = false;
    HttpResponse resp;
    if (!http_.Do(req, &resp, err)) {
      Fail(err);
      return CheckStatus::kError;
    }
    if (resp.status == 200) {
      // Documented answer: {"status": "verified"}; anything else is not a
      // yes (a proxy's page, a truncated body).
      Json doc;
      std::string st, perr;
      if (ParseJson(resp.body, &doc, &perr) &&
          GetString(doc.get(), "status", &st, &perr) && st == "verified")
        return CheckStatus::kOk;
      *err = "rest: POST " + UrlPath(req.url) +
             ": a 200 answer needs \"status\": \"verified\"" +
             (perr.empty() ? "" : ": " + perr);
      return CheckStatus::kError;
    }
    std::string ec = ErrorCode(resp.body);
    if (ec == "wrong_code") {
      Json doc;
      json_object* e = nullptr;
      int64_t left = 0;
      std::string perr;
      if (ParseJson(resp.body, &doc, &perr) &&
          GetObject(doc.get(), "error", &e, &perr) &&
          GetInt(e, "attempts_left", &left, &perr) && left >= 0 && left < 100)
        *attempts_left = static_cast<int>(left);
      return *attempts_left > 0 ? CheckStatus::kWrong : CheckStatus::kTooMany;
    }
    if (ec == "expired") return CheckStatus::kExpired;
    if (ec == "too_many_attempts") return CheckStatus::kTooMany;
    if (ec == "no_verification") return CheckStatus::kNoCode;
    *err = DescribeFailure("rest", req, resp);
    return CheckStatus::kError;
  }

  bool Save(const std::string& user, const Method& m,
            std::string* err) override {
    // The verification must be the one started for this very method: a
    // later request for another number that the service refused (429)
    // leaves the earlier one here.
    if (verification_.empty() || m.type != verified_type_ ||
        m.value != verified_value_) {
      *err = "rest: refused to store " + m.type + " " +
             MaskDestination(m.value) + ": the verification was started for " +
             (verification_.empty()
                  ? std::string("nothing")
                  : verified_type_ + " " + MaskDestination(verified_value_));
      return false;
    }
    if (by_helper_ && !codes_.TakeVerified(m, err)) {
      *err = "rest: " + *err;
      return false;
    }
    http_.BeginOperation();
    json_object* o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string(m.type.c_str()));
    json_object_object_add(o, "value", json_object_new_string(m.value.c_str()));
    json_object_object_add(o, "verification_id",
                           json_object_new_string(verification_.c_str()));
    HttpRequest req =
        Request("POST", UserUrl(user) + "/methods", JsonString(o));
    json_object_put(o);
    HttpResponse resp;
    if (!http_.Do(req, &resp, err)) return Fail(err);
    if (resp.status != 200 && resp.status != 201) {
      *err = DescribeFailure("rest", req, resp);
      return false;
    }
    // Documented answer: the stored Method.
    Json doc;
    std::string type, perr;
    if (!ParseJson(resp.body, &doc, &perr) ||
        !GetString(doc.get(), "type", &type, &perr) || type != m.type) {
      *err = "rest: POST " + UrlPath(req.url) +
             ": answer is not the stored method" +
             (perr.empty() ? "" : ": " + perr);
      return false;
    }
    verification_.clear();
    return true;
  }

  bool Notify(const Method& to, Channel ch, const std::string& text,
              std::string* err) override {
    return have_sender_ ? codes_.Notify(ch, to.value, text, err)
                        : (*err = sender_err_, false);
  }

  bool UserUnknown() const override { return unknown_; }

  bool CanSetPassword() const override { return true; }

  // POST /v1/users/{user}/password; 422 password_rejected is the service's
  // policy speaking to the person.
  PasswordStatus SetPassword(const std::string& user,
                             const std::string& password, std::string* reason,
                             std::string* err) override {
    http_.BeginOperation();
    // By hand, not json-c, so that every copy of the password is wiped.
    std::string body = JsonWithSecret("{\"password\":", password, "}");
    HttpRequest req = Request("POST", UserUrl(user) + "/password", body);
    Wipe(&body);
    req.retry_throttled = false;  // never sent twice
    HttpResponse resp;
    if (!http_.Do(req, &resp, err)) {
      Fail(err);
      return PasswordStatus::kError;
    }
    if ((resp.status == 400 || resp.status == 422) &&
        ErrorCode(resp.body) == "password_rejected") {
      *reason = ServiceErrorText(resp.body);
      return PasswordStatus::kRefused;
    }
    if (resp.status != 204 && resp.status != 200) {
      *err = DescribeFailure("rest", req, resp);
      return PasswordStatus::kError;
    }
    return PasswordStatus::kSet;
  }

 private:
  std::string UserUrl(const std::string& user) {
    user_ = user;
    return c_.rest_url + "/v1/users/" + UrlEscape(DirectoryUser(c_, user));
  }

  HttpRequest Request(const std::string& method, const std::string& url,
                      const std::string& body) {
    HttpRequest r;
    r.method = method;
    r.url = url;
    r.headers = {"Authorization: Bearer " + token_, "Accept: application/json"};
    if (!body.empty()) {
      r.headers.push_back("Content-Type: application/json");
      r.body = body;
    }
    return r;
  }

  static std::string ErrorCode(const std::string& body) {
    Json doc;
    json_object* e = nullptr;
    std::string err, code;
    if (ParseJson(body, &doc, &err) && GetObject(doc.get(), "error", &e, &err))
      GetString(e, "code", &code, &err);
    return code;
  }

  static bool Fail(std::string* err) {
    *err = "rest: " + *err;
    return false;
  }

  const Config& c_;
  std::string token_;
  Clock* clock_;
  HttpClient http_;
  HelperCodes codes_;
  std::string sender_err_;
  bool have_sender_;
  std::string user_, verification_;
  std::string verified_type_, verified_value_;  // what verification_ is for
  bool by_helper_ = false;
  bool unknown_ = false;
};

}  // namespace

bool ParseRestUser(const std::string& body, UserRecord* rec, std::string* err) {
  Json doc;
  if (!ParseJson(body, &doc, err)) return false;
  json_object* methods = nullptr;
  if (!json_object_is_type(doc.get(), json_type_object) ||
      !GetArray(doc.get(), "methods", &methods, err)) {
    if (err->empty()) *err = "answer has no 'methods' array";
    return false;
  }
  size_t n = json_object_array_length(methods);
  if (n > kMaxMethods) {
    *err = "more than " + std::to_string(kMaxMethods) + " methods";
    return false;
  }
  rec->methods.clear();
  for (size_t i = 0; i < n; ++i) {
    json_object* m = json_object_array_get_idx(methods, i);
    Method out;
    int64_t at = 0;
    if (!json_object_is_type(m, json_type_object) ||
        !GetString(m, "type", &out.type, err) ||
        !GetString(m, "value", &out.value, err)) {
      if (err->empty())
        *err = "methods[" + std::to_string(i) +
               "] needs string 'type' and 'value'";
      return false;
    }
    if (GetInt(m, "verified_at", &at, err)) out.verified_at = at;
    if (!err->empty()) return false;
    if (out.type.empty() || out.type.size() > 32 || out.value.size() > 256) {
      *err = "methods[" + std::to_string(i) + "] has an invalid type or value";
      return false;
    }
    rec->methods.push_back(out);
  }
  return true;
}

std::unique_ptr<Backend> MakeRestBackend(const Config& c, const Secrets& s,
                                         BackendDeps deps, std::string* err) {
  if (c.rest_url.empty()) {
    *err = "backend rest needs 'rest_url'";
    return nullptr;
  }
  if (s.Get("rest_token").empty()) {
    *err = "backend rest needs 'rest_token' in " + c.secrets_file;
    return nullptr;
  }
  if (!deps.http || !deps.clock) {
    *err = "internal: no transport";
    return nullptr;
  }
  return std::make_unique<RestBackend>(c, s.Get("rest_token"), std::move(deps));
}

}  // namespace sspr
