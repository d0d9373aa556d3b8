// This file is long because it is one class for one API's whole factor life
// cycle; its JWT is in helper/net/jwt.cc.
// backend = okta: the Okta Factors API, with an SSWS API token or as an
// OAuth 2.0 service app (client credentials, private_key_jwt: a JWT signed
// RS256 with the app's key (helper/net/jwt.h), POST /oauth2/v1/token,
// Bearer access token). Over 400 lines: one class for one API's whole
// enrolment flow, whose calls share the user id and the pending factor.
//   user:     GET  /api/v1/users/{login}  (id cached under state_dir)
//   status:   GET  /api/v1/users/{id}/factors  (ACTIVE factors count)
//   enrol:    POST /api/v1/users/{id}/factors  {factorType sms|call|email,
//             provider OKTA, profile}: Okta sends the code
//   resend:   POST /api/v1/users/{id}/factors/{fid}/resend
//   activate: POST /api/v1/users/{id}/factors/{fid}/lifecycle/activate
//             {passCode}
//   undo:     DELETE /api/v1/users/{id}/factors/{fid}  (enrolment never
//             activated: nothing is left half-written)
//   question: GET  /api/v1/users/{id}/factors/questions  (the catalogue),
//             POST /api/v1/users/{id}/factors {factorType question,
//             provider OKTA, profile {question, answer}}: ACTIVE at once;
//             Okta keeps one question factor per user
//   prove:    POST /api/v1/users/{id}/factors/{fid}/verify  (an ACTIVE
//             sms, call or email factor, for the reset: {} has Okta send
//             the code, {passCode} checks it: factorResult SUCCESS)
//   password: POST /api/v1/users/{id}  {credentials {password {value}}}
//             (the reset: a partial update, which needs an administrator
//             allowed to manage the user; okta.users.manage)
#include <json-c/json.h>
#include <unistd.h>

#include <algorithm>

#include "common/file.h"
#include "common/text.h"
#include "common/time.h"
#include "common/wipe.h"
#include "helper/backends/helper_codes.h"
#include "helper/backends/remote.h"
#include "helper/net/json_util.h"
#include "helper/net/jwt.h"
#include "helper/net/oauth_token.h"

namespace sspr {
namespace {

constexpr size_t kMaxFactors = 100;
constexpr size_t kMaxQuestions = 100;
constexpr size_t kMaxQuestionKey = 64;
constexpr size_t kMaxQuestionText = 200;
constexpr size_t kMaxReason = 200;
constexpr int64_t kOktaResendSeconds = 30;  // Okta: one OTP per 30 s
constexpr size_t kMaxPolicyCause = 400;
constexpr size_t kMaxPolicyCauses = 4;

bool ValidOktaId(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(),
                     [](unsigned char ch) { return isalnum(ch) != 0; });
}

// The factor a POST .../factors created: its id and status.
bool ParseNewFactor(const HttpRequest& req, const HttpResponse& resp,
                    std::string* id, std::string* status, std::string* err) {
  Json doc;
  std::string perr;
  if (!ParseJson(resp.body, &doc, &perr) ||
      !GetString(doc.get(), "id", id, &perr) ||
      !GetString(doc.get(), "status", status, &perr) || !ValidOktaId(*id)) {
    *err = "okta: POST " + UrlPath(req.url) +
           ": answer needs string 'id' and 'status'" +
           (perr.empty() ? "" : ": " + perr);
    return false;
  }
  return true;
}

std::string ErrorCode(const std::string& body) {
  Json doc;
  std::string err, code;
  if (ParseJson(body, &doc, &err))
    GetString(doc.get(), "errorCode", &code, &err);
  return code;
}

// Text from the service that is shown at the login prompt: valid UTF-8,
// no C0/C1 control characters (no terminal escapes), not empty.
bool Printable(const std::string& s) {
  if (s.empty() || !IsValidUtf8(s)) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char ch = static_cast<unsigned char>(s[i]);
    if (ch < 0x20 || ch == 0x7f) return false;
    if (ch == 0xc2 && i + 1 < s.size() &&
        static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9f)
      return false;
  }
  return true;
}

// Why Okta refused an enrolment, for the user: the first errorCauses
// summary, else errorSummary; "" when it is not shown safely.
std::string RefusalReason(const std::string& body) {
  Json doc;
  std::string err, reason;
  if (!ParseJson(body, &doc, &err)) return "";
  json_object* causes = nullptr;
  if (GetArray(doc.get(), "errorCauses", &causes, &err) &&
      json_object_array_length(causes) > 0) {
    json_object* c = json_object_array_get_idx(causes, 0);
    if (json_object_is_type(c, json_type_object))
      GetString(c, "errorSummary", &reason, &err);
  }
  if (reason.empty()) GetString(doc.get(), "errorSummary", &reason, &err);
  if (reason.size() > kMaxReason || !Printable(reason)) return "";
  return reason;
}

// An enrolment refusal that names the phone number or e-mail address.
bool AboutTheValue(std::string reason) {
  for (char& ch : reason)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return reason.find("phone") != std::string::npos ||
         reason.find("email") != std::string::npos ||
         reason.find("e-mail") != std::string::npos;
}

// factorResult of a verify answer ("" when there is none).
std::string FactorResult(const std::string& body) {
  Json doc;
  std::string err, result;
  if (ParseJson(body, &doc, &err))
    GetString(doc.get(), "factorResult", &result, &err);
  return result;
}

// Whether a factor of Okta type `type` is the method `kind`.
bool TypeFits(MethodKind kind, const std::string& type) {
  if (kind == MethodKind::kEmail) return type == "email";
  if (kind == MethodKind::kOffice) return type == "call";
  return kind == MethodKind::kMobile && (type == "sms" || type == "call");
}

class OktaBackend : public Backend, public QuestionService {
 public:
  OktaBackend(const Config& c, const std::string& token, BackendDeps deps)
      : c_(c),
        token_(token),
        clock_(deps.clock),
        http_(deps.http, int64_t{c.request_timeout} * 1000,
              OperationBudgetMs(c), deps.deadline_ms),
        oauth_(
            TokenSpec{"okta token", c.state_dir + "/okta-token.json",
                      c.okta_url + " " + c.okta_client_id + " " + c.okta_scopes,
                      [this](HttpRequest* r) { TokenRequest(r); }},
            &http_, deps.clock),
        sender_(std::move(deps.sender)) {}
  ~OktaBackend() override { Wipe(&token_); }

  bool Init(std::string* err) {
    if (!c_.okta_client_id.empty()) {  // the key must be usable
      std::string jwt;
      if (!ClientAssertion(token_, c_.okta_client_id, c_.okta_key_id, "x",
                           clock_->Now(), &jwt, err))
        return false;
      Wipe(&jwt);
    }
    return EnsureDir(c_.state_dir + "/okta-ids", 0700, err);
  }

  bool Lookup(const std::string& user, UserRecord* rec,
              std::string* err) override {
    http_.BeginOperation();
    rec->user = user;
    rec->methods.clear();
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool cached = false;
      if (!UserId(user, &cached, err)) return false;
      HttpRequest req = Request("GET", FactorsUrl(), "");
      HttpResponse resp;
      if (!Send(&req, &resp, err)) return Fail(err);
      if (resp.status == 404 && cached && attempt == 0) {
        unlink(IdPath(user).c_str());  // the id went stale: look up again
        continue;
      }
      if (resp.status != 200) {
        *err = DescribeFailure("okta", req, resp);
        return false;
      }
      std::vector<OktaFactor> factors;
      if (!ParseOktaFactors(resp.body, &factors, err)) {
        *err = "okta: GET " + UrlPath(req.url) + ": " + *err;
        return false;
      }
      stale_.clear();
      active_.clear();
      for (const auto& f : factors) {
        std::string t = OktaMethodType(f.type);
        if (f.status == "ACTIVE" && !t.empty()) {
          rec->methods.push_back(Method{t, f.value, 0});
          active_.push_back(f);
        } else if (f.status == "PENDING_ACTIVATION") {
          stale_.push_back(f);
        }
      }
      return true;
    }
    *err = "okta: user id lookup failed twice";
    return false;
  }

  SendStatus SendCode(const std::string& user, const Method& m, Channel ch,
                      int64_t* retry_at, std::string* err) override {
    http_.BeginOperation();
    bool cached = false;
    if (id_.empty() && !UserId(user, &cached, err)) return SendStatus::kError;
    std::string type =
        m.Kind() == MethodKind::kEmail                               ? "email"
        : (m.Kind() == MethodKind::kOffice || ch == Channel::kVoice) ? "call"
                                                                     : "sms";
    for (const auto& f : active_)  // already enrolled: Okta's verify API
      if (f.type == type && f.value == m.value)
        return Challenge(f, retry_at, err);
    challenge_ = OktaFactor();
    bool resend = !pending_.id.empty() && pending_.type == type &&
                  pending_.value == m.value;
    if (!resend) {
      DropPending();
      for (const auto& f : stale_)  // left by an earlier, abandoned login
        if (f.type == type) Delete(f.id);
      stale_.erase(
          std::remove_if(stale_.begin(), stale_.end(),
                         [&](const OktaFactor& f) { return f.type == type; }),
          stale_.end());
    }
    json_object* o = json_object_new_object();
    json_object* profile = json_object_new_object();
    json_object_object_add(o, "factorType",
                           json_object_new_string(type.c_str()));
    json_object_object_add(o, "provider", json_object_new_string("OKTA"));
    json_object_object_add(profile, type == "email" ? "email" : "phoneNumber",
                           json_object_new_string(m.value.c_str()));
    json_object_object_add(o, "profile", profile);
    std::string url =
        resend ? FactorsUrl() + "/" + pending_.id + "/resend" : FactorsUrl();
    HttpRequest req = Request("POST", url, JsonString(o));
    json_object_put(o);
    req.retry_throttled = false;  // E0000109 is a cool-down for the user
    HttpResponse resp;
    if (!Send(&req, &resp, err)) {
      Fail(err);
      return SendStatus::kError;
    }
    if (resp.status == 429) return Throttled(req, resp, retry_at, err);
    if (!resend && (resp.status == 400 || resp.status == 422) &&
        AboutTheValue(RefusalReason(resp.body))) {
      // Okta refuses the number or address the user typed (E0000001,
      // "Invalid Phone Number."): their input, not the service.
      *err = DescribeFailure("okta", req, resp);
      return SendStatus::kBadDestination;
    }
    if (resp.status != 200 && resp.status != 201) {
      *err = DescribeFailure("okta", req, resp);
      return SendStatus::kError;
    }
    if (resend) return SendStatus::kSent;
    std::string id, status;
    if (!ParseNewFactor(req, resp, &id, &status, err))
      return SendStatus::kError;
    pending_ = OktaFactor{id, type, status, m.value};
    attempts_ = 0;
    if (status != "PENDING_ACTIVATION") {
      *err = "okta: new " + type + " factor is " + status.substr(0, 32) +
             ", not PENDING_ACTIVATION";
      DropPending();
      return SendStatus::kError;
    }
    return SendStatus::kSent;
  }

  CheckStatus CheckCode(const std::string& code, int* attempts_left,
                        std::string* err) override {
    *attempts_left = 0;
    if (!challenge_.id.empty() && !verified_)
      return CheckChallenge(code, attempts_left, err);
    if (pending_.id.empty() || activated_) return CheckStatus::kNoCode;
    http_.BeginOperation();
    std::string body = JsonWithSecret("{\"passCode\":", code, "}");
    HttpRequest req = Request(
        "POST", FactorsUrl() + "/" + pending_.id + "/lifecycle/activate", body);
    Wipe(&body);
    HttpResponse resp;
    if (!Send(&req, &resp, err)) {
      Fail(err);
      return CheckStatus::kError;  // the pending factor goes in EndSession
    }
    if (resp.status == 200) {
      // Documented answer: the factor, now ACTIVE.
      Json doc;
      std::string st, perr;
      if (!ParseJson(resp.body, &doc, &perr) ||
          !GetString(doc.get(), "status", &st, &perr) || st != "ACTIVE") {
        *err = "okta: POST " + UrlPath(req.url) +
               ": a 200 answer needs the factor with status ACTIVE" +
               (perr.empty() ? "" : ": " + perr);
        return CheckStatus::kError;
      }
      activated_ = true;
      return CheckStatus::kOk;
    }
    if (resp.status == 403 && ErrorCode(resp.body) == "E0000068") {
      ++attempts_;
      *attempts_left = std::max(0, c_.max_attempts - attempts_);
      if (*attempts_left > 0) return CheckStatus::kWrong;
      DropPending();
      return CheckStatus::kTooMany;
    }
    *err = DescribeFailure("okta", req, resp);
    return CheckStatus::kError;
  }

  bool Save(const std::string&, const Method& m, std::string* err) override {
    if (verified_ && challenge_.value == m.value &&
        TypeFits(m.Kind(), challenge_.type)) {
      challenge_ = OktaFactor();  // enrolled already: nothing to write
      verified_ = false;
      return true;
    }
    if (!activated_ || pending_.value != m.value ||
        !TypeFits(m.Kind(), pending_.type)) {
      *err = "okta: refused to store " + m.type + " " +
             MaskDestination(m.value) + ": no factor activated for it";
      return false;
    }
    pending_ = OktaFactor();  // Okta stored it when it was activated
    activated_ = false;
    return true;
  }

  bool UserUnknown() const override { return unknown_; }

  // Okta sends codes, not our notices: those go through `delivery`.
  bool Notify(const Method& to, Channel ch, const std::string& text,
              std::string* err) override {
    if (!sender_) {
      *err = "no 'delivery' configured (Okta sends codes only)";
      return false;
    }
    return sender_->Send(ch, to.value, text, err) == SendStatus::kSent;
  }

  // Codes to a factor already enrolled go through Okta's verify API
  // (Challenge). An update would then enrol a second factor of the same
  // type, which Okta refuses: a replacement still goes to the admin, and
  // only the reset proves registered factors here.
  bool CanProveRegistered() const override { return false; }
  bool CanProveForReset() const override { return true; }

  // The reset: a partial update of the user's credentials. Okta's password
  // policy refusal (400 E0000001) is shown and asked again; anything else
  // (403 E0000006: the token may not set passwords; 404; 5xx) leaves the
  // password as it was.
  bool CanSetPassword() const override { return true; }
  PasswordStatus SetPassword(const std::string& user,
                             const std::string& password, std::string* reason,
                             std::string* err) override {
    reason->clear();
    http_.BeginOperation();
    bool cached = false;
    if (id_.empty() && !UserId(user, &cached, err))
      return PasswordStatus::kError;
    std::string body = JsonWithSecret(
        "{\"credentials\":{\"password\":{\"value\":", password, "}}}");
    HttpRequest req = Request("POST", c_.okta_url + "/api/v1/users/" + id_,
                              body);  // wipes its copy
    Wipe(&body);
    req.retry_throttled = false;  // never sent twice
    HttpResponse resp;
    if (!Send(&req, &resp, err)) {
      Fail(err);
      return PasswordStatus::kError;
    }
    if (resp.status == 200) return PasswordStatus::kSet;
    const std::string code = ErrorCode(resp.body);
    if (resp.status == 400 && code == "E0000001" &&
        OktaPasswordRefusal(resp.body, password, reason))
      return PasswordStatus::kRefused;
    *err = DescribeFailure("okta", req, resp);
    if (!password.empty() && err->find(password) != std::string::npos)
      *err = "okta: POST " + UrlPath(req.url) + ": HTTP " +
             std::to_string(resp.status);
    if (resp.status == 403 || code == "E0000006")
      *err +=
          "; setting passwords needs an administrator role that may manage "
          "this user's credentials (for example Super or Org "
          "Administrator), and okta.users.manage for a service app";
    return PasswordStatus::kError;
  }

  QuestionService* questions() override { return this; }

  bool Catalogue(std::vector<ServiceQuestion>* out, std::string* err) override {
    out->clear();
    http_.BeginOperation();
    if (id_.empty()) {
      *err = "okta: no user id (no lookup before the questions)";
      return false;
    }
    HttpRequest req = Request("GET", FactorsUrl() + "/questions", "");
    HttpResponse resp;
    if (!Send(&req, &resp, err)) return Fail(err);
    if (resp.status != 200) {
      *err = DescribeFailure("okta", req, resp);
      return false;
    }
    if (!ParseOktaQuestions(resp.body, out, err)) {
      *err = "okta: GET " + UrlPath(req.url) + ": " + *err;
      return false;
    }
    return true;
  }

  AnswerStatus SaveAnswer(const std::string&, const std::string& key,
                          const std::string& answer, std::string* reason,
                          std::string* err) override {
    reason->clear();
    http_.BeginOperation();
    if (id_.empty()) {
      *err = "okta: no user id (no lookup before the question)";
      return AnswerStatus::kError;
    }
    // Built by hand so that every copy of the answer can be wiped.
    std::string prefix =
        "{\"factorType\":\"question\",\"provider\":\"OKTA\","
        "\"profile\":{\"question\":";
    AppendJsonLiteral(key, &prefix);
    std::string body = JsonWithSecret(prefix + ",\"answer\":", answer, "}}");
    HttpRequest req = Request("POST", FactorsUrl(), body);  // wipes its copy
    Wipe(&body);
    req.retry_throttled = false;
    HttpResponse resp;
    if (!Send(&req, &resp, err)) {
      Fail(err);
      return AnswerStatus::kError;
    }
    if (resp.status == 400 && ErrorCode(resp.body) == "E0000001") {
      *reason = RefusalReason(resp.body);
      return AnswerStatus::kRejected;
    }
    if (resp.status != 200 && resp.status != 201) {
      *err = DescribeFailure("okta", req, resp);
      return AnswerStatus::kError;
    }
    std::string id, status;
    if (!ParseNewFactor(req, resp, &id, &status, err))
      return AnswerStatus::kError;
    if (status != "ACTIVE") {  // not documented for questions: undo it
      Delete(id);
      *err = "okta: new question factor is " + status.substr(0, 32) +
             ", not ACTIVE";
      return AnswerStatus::kError;
    }
    return AnswerStatus::kSaved;
  }

  void EndSession() override {
    if (!pending_.id.empty() && !activated_) {
      http_.BeginOperation();
      DropPending();
    }
  }

 private:
  std::string IdPath(const std::string& user) const {
    return c_.state_dir + "/okta-ids/" + SafeFileName(user);
  }

  std::string FactorsUrl() const {
    return c_.okta_url + "/api/v1/users/" + id_ + "/factors";
  }

  bool UserId(const std::string& user, bool* cached, std::string* err) {
    std::string text;
    bool missing = false;
    std::string rerr;
    if (ReadFileLimited(IdPath(user), 128, &text, &missing, &rerr) &&
        !missing && ValidOktaId(text)) {
      id_ = text;
      *cached = true;
      return true;
    }
    *cached = false;
    std::string login = DirectoryUser(c_, user);
    HttpRequest req =
        Request("GET", c_.okta_url + "/api/v1/users/" + UrlEscape(login), "");
    HttpResponse resp;
    if (!Send(&req, &resp, err)) return Fail(err);
    if (resp.status == 404 && ErrorCode(resp.body) == "E0000007") {
      unknown_ = true;
      *err = "okta: user '" + login + "' not found";
      return false;
    }
    if (resp.status != 200) {
      *err = DescribeFailure("okta", req, resp);
      return false;
    }
    Json doc;
    std::string id, perr;
    if (!ParseJson(resp.body, &doc, &perr) ||
        !GetString(doc.get(), "id", &id, &perr) || !ValidOktaId(id)) {
      *err = "okta: GET " + UrlPath(req.url) + ": answer needs a string 'id'" +
             (perr.empty() ? "" : ": " + perr);
      return false;
    }
    id_ = id;
    WriteFileAtomic(IdPath(user), id, 0600, &rerr);  // a cache: best effort
    return true;
  }

  HttpRequest Request(const std::string& method, const std::string& url,
                      const std::string& body) {
    HttpRequest r;
    r.method = method;
    r.url = url;
    r.headers = {"Accept: application/json"};
    if (c_.okta_client_id.empty()) {
      r.headers.push_back("Authorization: SSWS " + token_);
    } else {
      std::string at, err;
      if (oauth_.Get(&at, &err)) {
        r.headers.push_back("Authorization: Bearer " + at);
      } else {
        token_error_ = err;  // Send() reports it instead of sending
      }
      Wipe(&at);
    }
    if (!body.empty()) {
      r.headers.push_back("Content-Type: application/json");
      r.body = body;
    }
    return r;
  }

  // One request; for a service app a 401 gets a new token, once.
  bool Send(HttpRequest* req, HttpResponse* resp, std::string* err) {
    for (int attempt = 0;; ++attempt) {
      if (!token_error_.empty()) {
        *err = token_error_;
        token_error_.clear();
        return false;
      }
      if (!http_.Do(*req, resp, err)) return false;
      if (resp->status != 401 || c_.okta_client_id.empty() || attempt > 0)
        return true;
      oauth_.Invalidate();
      std::string at;
      if (!oauth_.Get(&at, err)) return false;
      for (auto& h : req->headers)
        if (h.rfind("Authorization: ", 0) == 0) {
          Wipe(&h);
          h = "Authorization: Bearer " + at;
        }
      Wipe(&at);
    }
  }

  // The token request of an Okta service app (token_ holds the PEM key).
  void TokenRequest(HttpRequest* req) {
    std::string aud = c_.okta_url + "/oauth2/v1/token", jwt, err;
    req->url = aud;
    req->headers = {"Content-Type: application/x-www-form-urlencoded",
                    "Accept: application/json"};
    if (!ClientAssertion(token_, c_.okta_client_id, c_.okta_key_id, aud,
                         clock_->Now(), &jwt, &err)) {
      req->url.clear();  // refused by the transport; Init() checked the key
      return;
    }
    req->body =
        "grant_type=client_credentials&scope=" + UrlEscape(c_.okta_scopes) +
        "&client_assertion_type=" +
        UrlEscape("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
        "&client_assertion=" + jwt;
    Wipe(&jwt);
  }

  SendStatus Throttled(const HttpRequest& req, const HttpResponse& resp,
                       int64_t* retry_at, std::string* err) {
    *retry_at = resp.rate_reset_at > clock_->Now()
                    ? resp.rate_reset_at
                    : clock_->Now() + kOktaResendSeconds;
    if (ErrorCode(resp.body) == "E0000109") return SendStatus::kCooldown;
    *err = DescribeFailure("okta", req, resp);
    return SendStatus::kError;
  }

  // A code to a factor already enrolled: POST .../verify without a
  // passCode has Okta send one (the same call again sends a new one).
  SendStatus Challenge(const OktaFactor& f, int64_t* retry_at,
                       std::string* err) {
    DropPending();
    HttpRequest req =
        Request("POST", FactorsUrl() + "/" + f.id + "/verify", "{}");
    req.retry_throttled = false;  // E0000109 is a cool-down for the user
    HttpResponse resp;
    if (!Send(&req, &resp, err)) {
      Fail(err);
      return SendStatus::kError;
    }
    if (resp.status == 429) return Throttled(req, resp, retry_at, err);
    if (resp.status != 200 && resp.status != 201) {
      *err = DescribeFailure("okta", req, resp);
      return SendStatus::kError;
    }
    const std::string result = FactorResult(resp.body);
    if (result != "CHALLENGE" && result != "WAITING") {
      *err = "okta: POST " + UrlPath(req.url) +
             ": answer needs factorResult CHALLENGE, not '" +
             result.substr(0, 32) + "'";
      return SendStatus::kError;
    }
    if (challenge_.id != f.id) attempts_ = 0;
    challenge_ = f;
    verified_ = false;
    return SendStatus::kSent;
  }

  CheckStatus CheckChallenge(const std::string& code, int* attempts_left,
                             std::string* err) {
    http_.BeginOperation();
    std::string body = JsonWithSecret("{\"passCode\":", code, "}");
    HttpRequest req =
        Request("POST", FactorsUrl() + "/" + challenge_.id + "/verify", body);
    Wipe(&body);
    HttpResponse resp;
    if (!Send(&req, &resp, err)) {
      Fail(err);
      return CheckStatus::kError;
    }
    if (resp.status == 403 && ErrorCode(resp.body) == "E0000068") {
      ++attempts_;
      *attempts_left = std::max(0, c_.max_attempts - attempts_);
      if (*attempts_left > 0) return CheckStatus::kWrong;
      challenge_ = OktaFactor();
      return CheckStatus::kTooMany;
    }
    const std::string result =
        resp.status == 200 ? FactorResult(resp.body) : "";
    if (result == "SUCCESS") {
      verified_ = true;
      return CheckStatus::kOk;
    }
    if (result == "EXPIRED" || result == "TIMEOUT") {
      challenge_ = OktaFactor();
      return CheckStatus::kExpired;
    }
    *err = resp.status == 200
               ? "okta: POST " + UrlPath(req.url) +
                     ": answer needs factorResult SUCCESS, not '" +
                     result.substr(0, 32) + "'"
               : DescribeFailure("okta", req, resp);
    return CheckStatus::kError;
  }

  void Delete(const std::string& factor_id) {
    HttpRequest req = Request("DELETE", FactorsUrl() + "/" + factor_id, "");
    HttpResponse resp;
    std::string err;
    Send(&req, &resp, &err);  // best effort; Okta expires them anyway
  }

  void DropPending() {
    if (!pending_.id.empty() && !activated_) Delete(pending_.id);
    pending_ = OktaFactor();
    activated_ = false;
  }

  static bool Fail(std::string* err) {
    *err = "okta: " + *err;
    return false;
  }

  const Config& c_;
  std::string token_;  // SSWS token, or the service app's PEM key
  Clock* clock_;
  HttpClient http_;
  OAuthToken oauth_;
  std::unique_ptr<CodeSender> sender_;  // notices only; may be null
  std::string token_error_;
  std::string id_;
  std::vector<OktaFactor> stale_;
  std::vector<OktaFactor> active_;  // found at Lookup: provable (reset)
  OktaFactor pending_;
  OktaFactor challenge_;   // an ACTIVE factor Okta sent a code for
  bool verified_ = false;  // ... and the code was right
  bool activated_ = false;
  int attempts_ = 0;
  bool unknown_ = false;
};

}  // namespace

std::string OktaMethodType(const std::string& factor_type) {
  if (factor_type == "sms") return "mobile";
  if (factor_type == "call") return "office";
  if (factor_type == "email") return "email";
  if (factor_type == "question") return "questions";
  if (factor_type == "push" || factor_type == "token:software:totp")
    return "app";
  return "";
}

// Okta's "Api validation failed: password", causes "password: Password
// requirements were not met. ...": each cause is cut at a space before
// kMaxPolicyCause bytes.
bool OktaPasswordRefusal(const std::string& body, const std::string& password,
                         std::string* reason) {
  reason->clear();
  Json doc;
  std::string err, summary;
  if (!ParseJson(body, &doc, &err)) return false;
  GetString(doc.get(), "errorSummary", &summary, &err);
  bool about = summary.find("password") != std::string::npos;
  json_object* causes = nullptr;
  if (!GetArray(doc.get(), "errorCauses", &causes, &err)) return about;
  const size_t n = std::min(json_object_array_length(causes), kMaxPolicyCauses);
  for (size_t i = 0; i < n; ++i) {
    json_object* c = json_object_array_get_idx(causes, i);
    std::string text;
    if (!json_object_is_type(c, json_type_object) ||
        !GetString(c, "errorSummary", &text, &err))
      continue;
    if (text.rfind("password: ", 0) == 0) {
      about = true;
      text.erase(0, 10);
    } else if (text.find("assword") == std::string::npos) {
      continue;  // about something else
    }
    about = true;
    if (text.size() > kMaxPolicyCause) {
      size_t cut = text.rfind(' ', kMaxPolicyCause);
      text = text.substr(0, cut == std::string::npos ? 0 : cut) + " ...";
    }
    if (!Printable(text) ||
        (!password.empty() && text.find(password) != std::string::npos))
      continue;
    *reason += (reason->empty() ? "" : "\n") + text;
  }
  return about;
}

bool ParseOktaFactors(const std::string& body, std::vector<OktaFactor>* out,
                      std::string* err) {
  Json doc;
  size_t n = 0;
  if (!ParseJsonArray(body, kMaxFactors, "factors", &doc, &n, err))
    return false;
  for (size_t i = 0; i < n; ++i) {
    json_object* f = json_object_array_get_idx(doc.get(), i);
    OktaFactor of;
    if (!json_object_is_type(f, json_type_object) ||
        !GetString(f, "id", &of.id, err) ||
        !GetString(f, "factorType", &of.type, err) ||
        !GetString(f, "status", &of.status, err) || !ValidOktaId(of.id)) {
      if (err->empty())
        *err = "factor " + std::to_string(i) +
               " needs string 'id', 'factorType' and 'status'";
      return false;
    }
    json_object* profile = nullptr;
    if (GetObject(f, "profile", &profile, err)) {
      if (!GetString(profile, "phoneNumber", &of.value, err) && !err->empty())
        return false;
      if (of.value.empty() && !GetString(profile, "email", &of.value, err) &&
          !err->empty())
        return false;
    } else if (!err->empty()) {
      return false;
    }
    out->push_back(of);
  }
  return true;
}

bool ParseOktaQuestions(const std::string& body,
                        std::vector<ServiceQuestion>* out, std::string* err) {
  out->clear();
  Json doc;
  size_t n = 0;
  if (!ParseJsonArray(body, kMaxQuestions, "questions", &doc, &n, err))
    return false;
  for (size_t i = 0; i < n; ++i) {
    json_object* q = json_object_array_get_idx(doc.get(), i);
    ServiceQuestion sq;
    std::string at = "question " + std::to_string(i);
    if (!json_object_is_type(q, json_type_object) ||
        !GetString(q, "question", &sq.key, err) ||
        !GetString(q, "questionText", &sq.text, err)) {
      *err = at + " needs string 'question' and 'questionText'" +
             (err->empty() ? "" : ": " + *err);
      return false;
    }
    bool key_ok = !sq.key.empty() && sq.key.size() <= kMaxQuestionKey &&
                  std::all_of(sq.key.begin(), sq.key.end(), [](char ch) {
                    return (ch >= 'a' && ch <= 'z') ||
                           (ch >= '0' && ch <= '9') || ch == '_';
                  });
    if (!key_ok) {
      *err = at + ": 'question' is not a key of [a-z0-9_], 1-" +
             std::to_string(kMaxQuestionKey) + " characters";
      return false;
    }
    if (sq.text.size() > kMaxQuestionText || !Printable(sq.text)) {
      *err = at + ": 'questionText' is empty, longer than " +
             std::to_string(kMaxQuestionText) +
             " bytes, not UTF-8 or has control characters";
      return false;
    }
    for (const auto& seen : *out)
      if (seen.key == sq.key) {
        *err = at + ": '" + sq.key + "' twice";
        return false;
      }
    out->push_back(std::move(sq));
  }
  return true;
}

std::unique_ptr<Backend> MakeOktaBackend(const Config& c, const Secrets& s,
                                         BackendDeps deps, std::string* err) {
  if (c.okta_url.empty()) {
    *err = "backend okta needs 'okta_url'";
    return nullptr;
  }
  const std::string& cred = c.okta_client_id.empty()
                                ? s.Get("okta_api_token")
                                : s.Get("okta_private_key");
  if (cred.empty()) {
    *err =
        "backend okta needs " +
        std::string(c.okta_client_id.empty()
                        ? "'okta_api_token'"
                        : "'okta_private_key_file' (okta_client_id is set)") +
        " in " + c.secrets_file;
    return nullptr;
  }
  if (!deps.http || !deps.clock) {
    *err = "internal: no transport";
    return nullptr;
  }
  auto b = std::make_unique<OktaBackend>(c, cred, std::move(deps));
  if (!b->Init(err)) return nullptr;
  return b;
}

}  // namespace sspr
