// Choosing the backend, and what the remote backends share.
#include <json-c/json.h>

#include <algorithm>

#include "helper/backends/remote.h"
#include "helper/net/json_util.h"

namespace sspr {

std::unique_ptr<Backend> MakeBackend(const Config& c, const Secrets& s,
                                     BackendDeps deps, std::string* err) {
  if (c.backend == BackendKind::kLocal) {
    if (!deps.sender) {
      *err = "no 'delivery' configured for the local backend";
      return nullptr;
    }
    std::unique_ptr<Backend> b =
        MakeLocalBackend(c, std::move(deps.sender), deps.clock, err);
    if (!b) *err = "local backend: " + *err;
    return b;
  }
  // Security questions: Okta keeps them itself (one question factor, the
  // clear answer sent over TLS); ldap keeps the helper's hashes in
  // ldap_attr_questions (ValidateLdap insists on it). Graph has no API to
  // write them, and the rest API stores no answers: those refuse the method.
  if (c.backend != BackendKind::kOkta && c.backend != BackendKind::kLdap &&
      std::find(c.methods.begin(), c.methods.end(), "questions") !=
          c.methods.end()) {
    *err = std::string("backend ") + BackendName(c.backend) +
           " cannot store security questions" +
           (c.backend == BackendKind::kGraph
                ? " (Microsoft Graph has no API for them)"
                : "") +
           ": remove 'questions' from 'methods'";
    return nullptr;
  }
  if (c.backend == BackendKind::kRest)
    return MakeRestBackend(c, s, std::move(deps), err);
  if (c.backend == BackendKind::kGraph)
    return MakeGraphBackend(c, s, std::move(deps), err);
  if (c.backend == BackendKind::kOkta)
    return MakeOktaBackend(c, s, std::move(deps), err);
  if (c.backend == BackendKind::kLdap)
    return MakeLdapBackend(c, s, std::move(deps), err);
  *err = std::string("unknown backend '") + BackendName(c.backend) + "'";
  return nullptr;
}

std::string DirectoryUser(const Config& c, const std::string& user) {
  std::string out = c.directory_user;
  for (size_t p = out.find("%u"); p != std::string::npos;
       p = out.find("%u", p + user.size())) {
    out.replace(p, 2, user);
  }
  return out;
}

bool BackendCanRegister(const Config& c) {
  return !(c.backend == BackendKind::kGraph && !c.graph_write);
}

int64_t OperationBudgetMs(const Config& c) {
  // Leaves 2 s for the helper's start and the frame that follows.
  return std::max<int64_t>(500, int64_t{c.helper_timeout} * 1000 - 2000);
}

std::string UrlPath(const std::string& url) {
  size_t p = url.find("://");
  p = p == std::string::npos ? 0 : url.find('/', p + 3);
  return p == std::string::npos ? "/" : url.substr(p, 200);
}

std::string ServiceErrorText(const std::string& body) {
  if (body.empty() || body.size() > 64 * 1024) return "";
  Json doc;
  std::string err, code, msg;
  if (!ParseJson(body, &doc, &err)) return "";
  json_object* e = nullptr;
  if (GetObject(doc.get(), "error", &e, &err)) {  // Graph, rest
    GetString(e, "code", &code, &err);
    GetString(e, "message", &msg, &err);
  } else if (GetString(doc.get(), "error", &code, &err)) {  // OAuth2
    GetString(doc.get(), "error_description", &msg, &err);
  } else {  // Okta
    GetString(doc.get(), "errorCode", &code, &err);
    GetString(doc.get(), "errorSummary", &msg, &err);
  }
  std::string out = code;
  if (!msg.empty()) out += (out.empty() ? "" : ": ") + msg;
  if (out.size() > 200) {
    size_t n = 200;  // not inside a UTF-8 sequence
    while (n > 0 && (static_cast<unsigned char>(out[n]) & 0xc0) == 0x80) --n;
    out = out.substr(0, n) + "...";
  }
  // One syslog line, nothing a terminal acts on: C0 controls, DEL and the
  // C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F) become spaces.
  for (size_t i = 0; i < out.size(); ++i) {
    unsigned char ch = static_cast<unsigned char>(out[i]);
    if (ch < ' ' || ch == 0x7f) {
      out[i] = ' ';
    } else if (ch == 0xc2 && i + 1 < out.size() &&
               (static_cast<unsigned char>(out[i + 1]) & 0xe0) == 0x80) {
      out[i] = ' ';
      out[i + 1] = ' ';
    }
  }
  return out;
}

std::string DescribeFailure(const char* service, const HttpRequest& req,
                            const HttpResponse& resp) {
  std::string t = std::string(service) + ": " + req.method + " " +
                  UrlPath(req.url) + ": " + HttpStatusText(resp);
  std::string e = ServiceErrorText(resp.body);
  if (!e.empty()) t += ": " + e;
  return t;
}

}  // namespace sspr
