// The registration services: rest (docs/openapi.yaml), graph (Microsoft
// Entra ID) and okta (Factors API), and the one factory the helper calls.
#ifndef SSPR_HELPER_BACKENDS_REMOTE_H_
#define SSPR_HELPER_BACKENDS_REMOTE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "helper/backends/backend.h"
#include "common/time.h"
#include "helper/delivery/sender.h"
#include "helper/net/http.h"
#include "helper/net/secrets.h"

namespace sspr {

struct BackendDeps {
  std::unique_ptr<CodeSender> sender;  // null when `delivery` is unset
  Clock* clock = nullptr;
  HttpTransport* http = nullptr;  // not owned; remote backends only
  int64_t deadline_ms = 0;        // end of the dialogue (NowMs)
};

// Picks the backend named by c.backend. Secrets are copied as needed.
std::unique_ptr<Backend> MakeBackend(const Config& c, const Secrets& s,
                                     BackendDeps deps, std::string* err);

std::unique_ptr<Backend> MakeRestBackend(const Config& c, const Secrets& s,
                                         BackendDeps deps, std::string* err);
std::unique_ptr<Backend> MakeGraphBackend(const Config& c, const Secrets& s,
                                          BackendDeps deps, std::string* err);
std::unique_ptr<Backend> MakeOktaBackend(const Config& c, const Secrets& s,
                                         BackendDeps deps, std::string* err);
// helper/backends/ldap.cc (libldap: the helper and sspr-admin only).
std::unique_ptr<Backend> MakeLdapBackend(const Config& c, const Secrets& s,
                                         BackendDeps deps, std::string* err);
// sspr-admin reset with backend = ldap (after the drop to helper_user):
// empties, in one modify of the user's entry, the attributes pam_sspr owns
// (ldap_attr_verified, ldap_attr_questions) and with `values` also the
// mapped phone and address attributes of `methods`. Without
// ldap_attr_verified and without `values`, an entry with such values is
// left as it is and *needs_values set (they alone count as registered).
struct LdapForgetReport {
  bool found = false;  // the filter found the user's entry
  std::string dn;
  bool needs_values = false;
  std::vector<std::pair<std::string, int>> removed, kept;  // attr, values
};
bool LdapForgetUser(const Config& c, const Secrets& s, const std::string& user,
                    bool values, LdapForgetReport* rep, std::string* err);

// The user's name in the directory: directory_user with %u replaced.
std::string DirectoryUser(const Config& c, const std::string& user);

// False when the service cannot take registrations from this helper
// (graph with graph_write = no): the helper then shows enroll_url.
bool BackendCanRegister(const Config& c);

// Per-operation time budget: the module waits helper_timeout for a frame,
// and no frame goes out while the helper waits on the service.
int64_t OperationBudgetMs(const Config& c);

// The services' answers, parsed (exposed for the unit tests). Each checks
// every field it reads for its type; a wrong shape is an error.
//   rest: GET /v1/users/{user}
bool ParseRestUser(const std::string& body, UserRecord* rec, std::string* err);
//   graph: GET /users/{id}/authentication/methods (one page)
bool ParseGraphMethods(const std::string& body, UserRecord* rec,
                       std::string* next_link, std::string* err);
//   graph: GET /reports/authenticationMethods/userRegistrationDetails?$filter
//   (*found=false when the list is empty)
bool ParseGraphRegistration(const std::string& body, UserRecord* rec,
                            bool* found, std::string* err);
//   graph and rest error bodies {"error":{"code","message"}}; okta
//   {"errorCode","errorSummary"}. "" when the body is not one.
std::string ServiceErrorText(const std::string& body);

struct OktaFactor {
  std::string id, type, status, value;  // value: phone number or email
};
//   okta: GET /api/v1/users/{id}/factors
bool ParseOktaFactors(const std::string& body, std::vector<OktaFactor>* out,
                      std::string* err);
//   okta: GET /api/v1/users/{id}/factors/questions: [{question,
//   questionText}]; keys [a-z0-9_], texts valid UTF-8 without control
//   characters (they are shown at the login prompt).
bool ParseOktaQuestions(const std::string& body,
                        std::vector<ServiceQuestion>* out, std::string* err);
//   okta: a 400 E0000001 to POST /api/v1/users/{id} (the reset's new
//   password): true when it is about the password; *reason gets its causes
//   for the person (printable, each cut near 400 bytes, at most 4; a cause
//   that contains `password` is left out).
bool OktaPasswordRefusal(const std::string& body, const std::string& password,
                         std::string* reason);
// Our method type for an ACTIVE Okta factor ("" = not an SSPR method).
std::string OktaMethodType(const std::string& factor_type);

// Shared by the backends.
//   "graph: GET /v1.0/users/a%40b/authentication/methods: HTTP 500:
//   generalException: ..." -- never a header, a request body or a secret.
std::string DescribeFailure(const char* service, const HttpRequest& req,
                            const HttpResponse& resp);
//   The path of a URL, for messages.
std::string UrlPath(const std::string& url);

}  // namespace sspr

#endif  // SSPR_HELPER_BACKENDS_REMOTE_H_
