// Issue 11 item 4, in each remote backend: Save stores only the method the
// last checked code went to, and refuses anything else before asking the
// service. rest and okta with service-sent codes, graph (and rest when the
// service asks) with helper-sent ones. A scripted transport answers by
// method and path; the service's own checks are not relied upon.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

#include <string.h>
#include <time.h>

#include <string>
#include <utility>
#include <vector>

#include "common/time.h"
#include "helper/backends/remote.h"
#include "tests/common/fakes.h"
#include "tests/unit/temp_dir.h"

namespace sspr {
namespace {

using test::FakeClock;
using test::FakeSender;
using test::Sent;

// Answers the first rule whose method matches and whose text occurs in the
// URL; records every request as "METHOD path-ish".
class Service : public HttpTransport {
 public:
  struct Rule {
    std::string method, url_part;
    long status;
    std::string body;
    std::string body_part;  // "" or text the request body must contain
  };
  bool Perform(const HttpRequest& req, int64_t, HttpResponse* resp,
               std::string* err) override {
    seen.push_back(req.method + " " + req.url);
    for (const Rule& r : rules) {
      if (r.method != req.method ||
          req.url.find(r.url_part) == std::string::npos ||
          req.body.find(r.body_part) == std::string::npos)
        continue;
      resp->status = r.status;
      resp->body = r.body;
      resp->content_type = "application/json";
      if (r.status == 429) resp->retry_after_s = 45;
      return true;
    }
    *err = "no rule for " + req.method + " " + req.url;
    return false;
  }
  int Count(const std::string& part) const {
    int n = 0;
    for (const auto& s : seen) n += s.find(part) != std::string::npos;
    return n;
  }
  std::vector<Rule> rules;
  std::vector<std::string> seen;
};

struct World {
  World() {
    dir = sspr_test::MakeTempDir();
    c.state_dir = dir;
    c.resend_cooldown = 0;
    c.request_timeout = 5;
  }
  ~World() { sspr_test::RemoveTree(dir); }
  std::unique_ptr<Backend> Make(std::unique_ptr<Backend> (*make)(
      const Config&, const Secrets&, BackendDeps, std::string*)) {
    BackendDeps deps;
    deps.sender = std::make_unique<FakeSender>(&sent);
    deps.clock = &clock;
    deps.http = &svc;
    deps.deadline_ms = proto_now_plus_minute();
    std::string err;
    auto b = make(c, secrets, std::move(deps), &err);
    if (!b) fail_msg("backend: %s", err.c_str());
    return b;
  }
  static int64_t proto_now_plus_minute() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000 + 60000;
  }
  std::string Code() const { return test::CodeIn(sent.back().text); }

  std::string dir;
  Config c;
  Secrets secrets;
  FakeClock clock;
  Service svc;
  std::vector<Sent> sent;
};

const Method k123{"mobile", "+12015550123", 0, {}};
const Method k199{"mobile", "+12015550199", 0, {}};

int St(SendStatus s) { return static_cast<int>(s); }
int St(CheckStatus s) { return static_cast<int>(s); }

// rest, service-sent: the repro of the issue. A code to ...0123, checked;
// then ...0199 answered 429 "cooldown"; Save(...0199) must not send
// ...0123's verification id.
void rest_refuses_a_number_its_verification_was_not_for(void**) {
  World w;
  w.c.backend = sspr::BackendKind::kRest;
  w.c.rest_url = "https://rest.example";
  w.secrets.Set("rest_token", "t0ken");
  w.svc.rules = {
      {"POST", "/verifications/v1/check", 200, R"({"status":"verified"})", ""},
      {"POST", "/verifications", 201, R"({"id":"v1","sender":"service"})",
       "+12015550123"},
      {"POST", "/verifications", 429,
       R"({"error":{"code":"cooldown","message":"wait"}})", "+12015550199"},
      {"POST", "/methods", 201, R"({"type":"mobile","value":"x"})", ""},
  };
  auto b = w.Make(MakeRestBackend);
  int64_t retry = 0;
  int left = 0;
  std::string err;
  assert_int_equal(St(b->SendCode("bob", k123, Channel::kSms, &retry, &err)),
                   St(SendStatus::kSent));
  assert_int_equal(St(b->CheckCode("123456", &left, &err)),
                   St(CheckStatus::kOk));
  assert_int_equal(St(b->SendCode("bob", k199, Channel::kSms, &retry, &err)),
                   St(SendStatus::kCooldown));
  assert_false(b->Save("bob", k199, &err));
  assert_non_null(strstr(err.c_str(), "rest: refused to store mobile"));
  assert_null(strstr(err.c_str(), "5550199"));  // masked
  assert_false(b->Save("bob", Method{"office", "+12015550123", 0, {}}, &err));
  assert_int_equal(w.svc.Count("/methods"), 0);
  assert_true(b->Save("bob", k123, &err));
  assert_int_equal(w.svc.Count("/methods"), 1);
}

// rest, helper-sent: the service's verification id and the helper's code
// must both be for the number stored.
void rest_helper_sent_code_proves_only_its_number(void**) {
  World w;
  w.c.backend = sspr::BackendKind::kRest;
  w.c.rest_url = "https://rest.example";
  w.c.delivery = "outbox:/nonexistent";
  w.secrets.Set("rest_token", "t0ken");
  w.svc.rules = {
      {"POST", "/verifications", 201, R"({"id":"v2","sender":"helper"})", ""},
      {"POST", "/methods", 201, R"({"type":"mobile","value":"x"})", ""},
  };
  auto b = w.Make(MakeRestBackend);
  int64_t retry = 0;
  int left = 0;
  std::string err;
  assert_int_equal(St(b->SendCode("bob", k123, Channel::kSms, &retry, &err)),
                   St(SendStatus::kSent));
  assert_int_equal(St(b->SendCode("bob", k199, Channel::kSms, &retry, &err)),
                   St(SendStatus::kSent));
  // The code typed is ...0199's; nothing was checked for ...0123.
  assert_int_equal(St(b->CheckCode(w.Code(), &left, &err)),
                   St(CheckStatus::kOk));
  assert_false(b->Save("bob", k123, &err));
  assert_int_equal(w.svc.Count("/methods"), 0);
}

// graph, helper-sent: refused before any request to Graph.
void graph_refuses_a_number_no_checked_code_went_to(void**) {
  World w;
  w.c.backend = sspr::BackendKind::kGraph;
  w.c.graph_url = "https://graph.example";
  w.c.graph_login_url = "https://login.example";
  w.c.graph_tenant = "t";
  w.c.graph_client_id = "c";
  w.secrets.Set("graph_client_secret", "s3cret");
  auto b = w.Make(MakeGraphBackend);
  int64_t retry = 0;
  int left = 0;
  std::string err;
  assert_false(b->Save("bob", k123, &err));  // no code at all
  assert_int_equal(St(b->SendCode("bob", k123, Channel::kSms, &retry, &err)),
                   St(SendStatus::kSent));
  assert_int_equal(St(b->CheckCode(w.Code(), &left, &err)),
                   St(CheckStatus::kOk));
  assert_false(b->Save("bob", k199, &err));
  assert_non_null(strstr(err.c_str(), "graph: refused to store mobile"));
  assert_int_equal(static_cast<int>(w.svc.seen.size()), 0);
}

// okta, service-sent: only the factor activated, of the type activated.
void okta_refuses_what_was_not_activated(void**) {
  World w;
  w.c.backend = sspr::BackendKind::kOkta;
  w.c.okta_url = "https://okta.example";
  w.secrets.Set("okta_api_token", "t0ken");
  w.svc.rules = {
      {"GET", "/api/v1/users/bob", 200, R"({"id":"00u1"})", ""},
      {"POST", "/lifecycle/activate", 200, R"({"id":"f1","status":"ACTIVE"})",
       ""},
      {"POST", "/factors", 200, R"({"id":"f1","status":"PENDING_ACTIVATION"})",
       ""},
  };
  auto b = w.Make(MakeOktaBackend);
  int64_t retry = 0;
  int left = 0;
  std::string err;
  assert_false(b->Save("bob", k123, &err));
  assert_int_equal(St(b->SendCode("bob", k123, Channel::kSms, &retry, &err)),
                   St(SendStatus::kSent));
  assert_int_equal(St(b->CheckCode("123456", &left, &err)),
                   St(CheckStatus::kOk));
  assert_false(b->Save("bob", k199, &err));
  assert_non_null(strstr(err.c_str(), "okta: refused to store mobile"));
  assert_false(b->Save("bob", Method{"email", "+12015550123", 0, {}}, &err));
  assert_true(b->Save("bob", k123, &err));
}

}  // namespace
}  // namespace sspr

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          sspr::rest_refuses_a_number_its_verification_was_not_for),
      cmocka_unit_test(sspr::rest_helper_sent_code_proves_only_its_number),
      cmocka_unit_test(sspr::graph_refuses_a_number_no_checked_code_went_to),
      cmocka_unit_test(sspr::okta_refuses_what_was_not_activated),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
