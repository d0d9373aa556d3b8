// This file is long because it is one class for one API (status, write, and
// the error mapping of Microsoft Graph).
// backend = graph: Microsoft Entra ID through Microsoft Graph v1.0.
//   status:   GET /users/{upn}/authentication/methods  (graph_status=methods,
//             UserAuthenticationMethod.Read.All), or
//             GET /reports/authenticationMethods/userRegistrationDetails
//                 ?$filter=userPrincipalName eq '{upn}'  (graph_status=report,
//             AuditLog.Read.All; the report lags behind registrations)
//   register: the helper sends and checks the code (Graph sends none), then
//             POST /users/{upn}/authentication/phoneMethods | emailMethods
//             (UserAuthenticationMethod.ReadWrite.All)
#include <json-c/json.h>
#include <phonenumbers/phonenumberutil.h>

#include "common/wipe.h"
#include "helper/net/oauth_token.h"
#include "helper/backends/helper_codes.h"
#include "helper/backends/remote.h"
#include "helper/net/json_util.h"

namespace sspr {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr size_t kMaxItems = 200;
constexpr int kMaxPages = 5;

// Graph's phone format: "+{country code} {national number}".
std::string GraphPhone(const std::string& e164) {
  PhoneNumberUtil* u = PhoneNumberUtil::GetInstance();
  PhoneNumber pn;
  if (u->Parse(e164, "ZZ", &pn) != PhoneNumberUtil::NO_PARSING_ERROR) return "";
  std::string nsn;
  u->GetNationalSignificantNumber(pn, &nsn);
  return "+" + std::to_string(pn.country_code()) + " " + nsn;
}

std::string E164FromGraph(const std::string& g) {
  std::string out;
  for (char ch : g) {
    if (ch == 'x') break;  // extension
    if ((ch >= '0' && ch <= '9') || (ch == '+' && out.empty()))
      out.push_back(ch);
  }
  return out;
}

class GraphBackend : public HelperCodesBackend {
 public:
  GraphBackend(const Config& c, const std::string& secret, BackendDeps deps)
      : HelperCodesBackend(c, std::move(deps.sender), deps.clock),
        c_(c),
        secret_(secret),
        http_(deps.http, int64_t{c.request_timeout} * 1000,
              OperationBudgetMs(c), deps.deadline_ms),
        token_(TokenSpec{"graph token", c.state_dir + "/graph-token.json",
                         c.graph_login_url + " " + c.graph_tenant + " " +
                             c.graph_client_id + " " + c.graph_url,
                         [this](HttpRequest* r) { TokenRequest(r); }},
               &http_, deps.clock) {}
  ~GraphBackend() override { Wipe(&secret_); }

  bool Init(std::string* err) {
    if (!c_.graph_write) return true;  // no codes: enroll_url instead
    if (!codes_.Init(err)) {
      *err = "backend graph: " + *err;
      return false;
    }
    return true;
  }

  bool Lookup(const std::string& user, UserRecord* rec,
              std::string* err) override {
    http_.BeginOperation();
    std::string upn = DirectoryUser(c_, user);
    rec->user = user;
    rec->methods.clear();
    if (c_.graph_status == "report") {
      std::string q = upn;
      for (size_t p = q.find('\''); p != std::string::npos;
           p = q.find('\'', p + 2))
        q.insert(p, "'");  // OData quoting
      HttpRequest req = Get(c_.graph_url +
                            "/v1.0/reports/authenticationMethods/"
                            "userRegistrationDetails?%24filter=" +
                            UrlEscape("userPrincipalName eq '" + q + "'"));
      HttpResponse resp;
      if (!Call(&req, &resp, err)) return false;
      bool found = false;
      if (!ParseGraphRegistration(resp.body, rec, &found, err))
        return Shape(req, err);
      if (!found) return Unknown(upn, err);
      return true;
    }
    std::string url = c_.graph_url + "/v1.0/users/" + UrlEscape(upn) +
                      "/authentication/methods";
    for (int page = 0; !url.empty(); ++page) {
      if (page == kMaxPages) {
        *err = "graph: more than " + std::to_string(kMaxPages) +
               " pages of methods";
        return false;
      }
      HttpRequest req = Get(url);
      HttpResponse resp;
      if (!Call(&req, &resp, err)) {
        // Only Graph's own "no such user" (not a 404 from a wrong URL).
        std::string code = ServiceErrorText(resp.body);
        if (resp.status == 404 &&
            code.rfind("Request_ResourceNotFound", 0) == 0)
          return Unknown(upn, err);
        return false;
      }
      if (!ParseGraphMethods(resp.body, rec, &url, err)) return Shape(req, err);
      if (!url.empty() && url.rfind(c_.graph_url + "/", 0) != 0) {
        *err = "graph: @odata.nextLink leads to another host (" + UrlHost(url) +
               "); refused";
        return false;
      }
    }
    return true;
  }

  bool Save(const std::string& user, const Method& m,
            std::string* err) override {
    if (!codes_.TakeVerified(m, err)) {
      *err = "graph: " + *err;
      return false;
    }
    http_.BeginOperation();
    std::string base = c_.graph_url + "/v1.0/users/" +
                       UrlEscape(DirectoryUser(c_, user)) + "/authentication/";
    json_object* o = json_object_new_object();
    std::string path;
    if (IsPhone(m.Kind())) {
      std::string phone = GraphPhone(m.value);
      if (phone.empty()) {
        json_object_put(o);
        *err = "graph: cannot format the number for Graph";
        return false;
      }
      json_object_object_add(o, "phoneNumber",
                             json_object_new_string(phone.c_str()));
      json_object_object_add(o, "phoneType",
                             json_object_new_string(m.type.c_str()));
      path = "phoneMethods";
    } else if (m.Kind() == MethodKind::kEmail) {
      json_object_object_add(o, "emailAddress",
                             json_object_new_string(m.value.c_str()));
      path = "emailMethods";
    } else {
      json_object_put(o);
      *err = "graph: Graph has no API to store '" + m.type + "'";
      return false;
    }
    HttpRequest req;
    req.method = "POST";
    req.url = base + path;
    req.body = JsonString(o);
    json_object_put(o);
    req.headers = {"Content-Type: application/json",
                   "Accept: application/json"};
    HttpResponse resp;
    refused_ = false;
    if (!Call(&req, &resp, err)) {
      refused_ = InvalidValue(resp);
      if (resp.status == 403)
        *err +=
            " (the app needs UserAuthenticationMethod.ReadWrite.All, or "
            "set graph_write = no)";
      return false;
    }
    if (resp.status != 201 && resp.status != 200) {
      *err = DescribeFailure("graph", req, resp);
      return false;
    }
    // Documented answer: the new method, with its id.
    Json doc;
    std::string id, perr;
    if (!ParseJson(resp.body, &doc, &perr) ||
        !GetString(doc.get(), "id", &id, &perr) || id.empty()) {
      *err = "graph: POST " + UrlPath(req.url) +
             ": answer is not the new method" +
             (perr.empty() ? "" : ": " + perr);
      return false;
    }
    return true;
  }

  bool UserUnknown() const override { return unknown_; }
  bool ValueRefused() const override { return refused_; }

  // PATCH /users/{id} with passwordProfile (User-PasswordProfile.ReadWrite.All
  // or the User Administrator role). Graph refuses privileged accounts
  // (403) and federated ones; both are told to the person as such.
  bool CanSetPassword() const override { return true; }
  PasswordStatus SetPassword(const std::string& user,
                             const std::string& password, std::string* reason,
                             std::string* err) override {
    http_.BeginOperation();
    HttpRequest req;
    req.method = "PATCH";
    req.url =
        c_.graph_url + "/v1.0/users/" + UrlEscape(DirectoryUser(c_, user));
    req.headers = {"Accept: application/json",
                   "Content-Type: application/json"};
    // By hand, not json-c, so that the one copy (req.body) is wiped.
    req.body = JsonWithSecret(
        "{\"passwordProfile\":{\"forceChangePasswordNextSignIn\":false,"
        "\"password\":",
        password, "}}");
    req.retry_throttled = false;
    HttpResponse resp;
    if (Call(&req, &resp, err)) return PasswordStatus::kSet;
    const std::string said = ServiceErrorText(resp.body);
    std::string lower = said;
    for (char& ch : lower)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    if (resp.status == 403 ||
        (resp.status == 400 && lower.find("federat") != std::string::npos)) {
      *reason = said.substr(
          said.find(':') == std::string::npos ? 0 : said.find(':') + 1);
      while (!reason->empty() && (*reason)[0] == ' ') reason->erase(0, 1);
      return PasswordStatus::kNotAllowed;
    }
    if (resp.status == 400 && (lower.find("complexity") != std::string::npos ||
                               lower.find("password") != std::string::npos)) {
      *reason = said.substr(
          said.find(':') == std::string::npos ? 0 : said.find(':') + 1);
      while (!reason->empty() && (*reason)[0] == ' ') reason->erase(0, 1);
      return PasswordStatus::kRefused;
    }
    return PasswordStatus::kError;  // *err set by Call
  }

 private:
  // Graph refuses the number or address itself (400 invalidPhoneNumber,
  // invalidEmail), not the request (phoneMethodAlreadyExists, rights).
  static bool InvalidValue(const HttpResponse& resp) {
    if (resp.status != 400 && resp.status != 422) return false;
    std::string code = ServiceErrorText(resp.body);
    code = code.substr(0, code.find(':'));
    for (char& ch : code)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return code.rfind("invalid", 0) == 0 &&
           (code.find("phone") != std::string::npos ||
            code.find("email") != std::string::npos);
  }

  // Microsoft identity platform, client credentials with a secret.
  void TokenRequest(HttpRequest* req) const {
    req->url = c_.graph_login_url + "/" + UrlEscape(c_.graph_tenant) +
               "/oauth2/v2.0/token";
    req->headers = {"Content-Type: application/x-www-form-urlencoded",
                    "Accept: application/json"};
    req->body = "client_id=" + UrlEscape(c_.graph_client_id) +
                "&scope=" + UrlEscape(c_.graph_url + "/.default") +
                "&client_secret=" + UrlEscape(secret_) +
                "&grant_type=client_credentials";
  }

  static HttpRequest Get(const std::string& url) {
    HttpRequest r;
    r.url = url;
    r.headers = {"Accept: application/json"};
    return r;
  }

  // Adds the token; on a 401 gets a new token once and repeats. True only
  // for a 2xx answer; otherwise *err describes the failure.
  bool Call(HttpRequest* req, HttpResponse* resp, std::string* err) {
    size_t plain = req->headers.size();
    for (int attempt = 0; attempt < 2; ++attempt) {
      std::string token;
      if (!token_.Get(&token, err)) return false;
      req->headers.resize(plain);
      req->headers.push_back("Authorization: Bearer " + token);
      Wipe(&token);
      if (!http_.Do(*req, resp, err)) {
        *err = "graph: " + req->method + " " + UrlPath(req->url) + ": " + *err;
        return false;
      }
      if (resp->status == 401 && attempt == 0) {
        token_.Invalidate();
        continue;
      }
      break;
    }
    if (resp->status >= 200 && resp->status < 300) return true;
    *err = DescribeFailure("graph", *req, *resp);
    return false;
  }

  bool Unknown(const std::string& upn, std::string* err) {
    unknown_ = true;
    *err = "graph: user '" + upn + "' not found";
    return false;
  }

  static bool Shape(const HttpRequest& req, std::string* err) {
    *err = "graph: GET " + UrlPath(req.url) + ": " + *err;
    return false;
  }

  const Config& c_;
  std::string secret_;
  HttpClient http_;
  OAuthToken token_;
  bool unknown_ = false;
  bool refused_ = false;  // the last Save: Graph refused the value
};

bool AddGraphMethod(json_object* item, size_t i, UserRecord* rec,
                    std::string* err) {
  std::string type, v;
  if (!json_object_is_type(item, json_type_object) ||
      !GetString(item, "@odata.type", &type, err)) {
    if (err->empty())
      *err = "value[" + std::to_string(i) + "] has no string '@odata.type'";
    return false;
  }
  Method m;
  if (type == "#microsoft.graph.phoneAuthenticationMethod") {
    std::string kind;
    if (!GetString(item, "phoneType", &kind, err) ||
        !GetString(item, "phoneNumber", &v, err)) {
      if (err->empty()) *err = "phone method without phoneType/phoneNumber";
      return false;
    }
    if (kind == "mobile") m.type = "mobile";
    else if (kind == "alternateMobile") m.type = "alternate_mobile";
    else if (kind == "office") m.type = "office";
    else return true;  // a phone type this version does not know
    m.value = E164FromGraph(v);
  } else if (type == "#microsoft.graph.emailAuthenticationMethod") {
    if (!GetString(item, "emailAddress", &v, err)) {
      if (err->empty()) *err = "email method without emailAddress";
      return false;
    }
    m.type = "email";
    m.value = v;
  } else if (
      type == "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod" ||
      type == "#microsoft.graph.softwareOathAuthenticationMethod") {
    m.type = "app";
    GetString(item, "displayName", &m.value, err);
    err->clear();
  } else {
    return true;  // password, FIDO2, Hello, TAP...: not for password reset
  }
  rec->methods.push_back(m);
  return true;
}

}  // namespace

bool ParseGraphMethods(const std::string& body, UserRecord* rec,
                       std::string* next_link, std::string* err) {
  Json doc;
  if (!ParseJson(body, &doc, err)) return false;
  json_object* value = nullptr;
  if (!GetArray(doc.get(), "value", &value, err)) {
    if (err->empty()) *err = "answer has no 'value' array";
    return false;
  }
  size_t n = json_object_array_length(value);
  if (n + rec->methods.size() > kMaxItems) {
    *err = "too many methods";
    return false;
  }
  for (size_t i = 0; i < n; ++i)
    if (!AddGraphMethod(json_object_array_get_idx(value, i), i, rec, err))
      return false;
  next_link->clear();
  // No nextLink is the last page; a nextLink that is no string an error.
  return GetString(doc.get(), "@odata.nextLink", next_link, err) ||
         err->empty();
}

bool ParseGraphRegistration(const std::string& body, UserRecord* rec,
                            bool* found, std::string* err) {
  Json doc;
  if (!ParseJson(body, &doc, err)) return false;
  json_object* value = nullptr;
  if (!GetArray(doc.get(), "value", &value, err)) {
    if (err->empty()) *err = "answer has no 'value' array";
    return false;
  }
  *found = json_object_array_length(value) > 0;
  if (!*found) return true;
  json_object* d = json_object_array_get_idx(value, 0);
  json_object* methods = nullptr;
  bool sspr = false;
  if (!json_object_is_type(d, json_type_object) ||
      !GetArray(d, "methodsRegistered", &methods, err) ||
      !GetBool(d, "isSsprRegistered", &sspr, err)) {
    if (err->empty())
      *err =
          "value[0] needs 'methodsRegistered' (array) and "
          "'isSsprRegistered' (boolean)";
    return false;
  }
  size_t n = json_object_array_length(methods);
  if (n > kMaxItems) {
    *err = "too many methods";
    return false;
  }
  static const struct {
    const char* graph;
    const char* ours;
  } kMap[] = {{"mobilePhone", "mobile"},
              {"alternateMobilePhone", "alternate_mobile"},
              {"officePhone", "office"},
              {"email", "email"},
              {"securityQuestion", "questions"},
              {"microsoftAuthenticatorPush", "app"},
              {"softwareOneTimePasscode", "app"}};
  for (size_t i = 0; i < n; ++i) {
    json_object* m = json_object_array_get_idx(methods, i);
    if (!json_object_is_type(m, json_type_string)) {
      *err = "methodsRegistered[" + std::to_string(i) + "] is not a string";
      return false;
    }
    std::string name = json_object_get_string(m);
    for (const auto& e : kMap)
      if (name == e.graph) rec->methods.push_back(Method{e.ours, "", 0});
  }
  return true;
}

std::unique_ptr<Backend> MakeGraphBackend(const Config& c, const Secrets& s,
                                          BackendDeps deps, std::string* err) {
  if (c.graph_tenant.empty() || c.graph_client_id.empty()) {
    *err = "backend graph needs 'graph_tenant' and 'graph_client_id'";
    return nullptr;
  }
  if (s.Get("graph_client_secret").empty()) {
    *err = "backend graph needs 'graph_client_secret' in " + c.secrets_file;
    return nullptr;
  }
  if (!deps.http || !deps.clock) {
    *err = "internal: no transport";
    return nullptr;
  }
  auto b = std::make_unique<GraphBackend>(c, s.Get("graph_client_secret"),
                                          std::move(deps));
  if (!b->Init(err)) return nullptr;
  return b;
}

}  // namespace sspr
