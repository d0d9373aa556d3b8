// HttpClient over a scripted transport and a fake clock: one retry at
// most, Retry-After honoured only when it fits, URL rules.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

#include <deque>
#include <string>

#include "helper/net/http.h"

namespace sspr {
namespace {

struct Step {
  bool ok;
  long status;
  int64_t retry_after;
  bool connect_failed;
};

class Scripted : public HttpTransport {
 public:
  bool Perform(const HttpRequest&, int64_t deadline_ms, HttpResponse* resp,
               std::string* err) override {
    deadlines.push_back(deadline_ms);
    Step s = steps.front();
    steps.pop_front();
    resp->status = s.status;
    resp->retry_after_s = s.retry_after;
    resp->connect_failed = s.connect_failed;
    if (!s.ok) *err = "scripted failure";
    return s.ok;
  }
  std::deque<Step> steps;
  std::deque<int64_t> deadlines;
};

struct World {
  Scripted t;
  int64_t now = 1000000;
  int64_t slept = 0;
  HttpClient c{&t, 5000, 9000, 1000000 + 600000};
  World() {
    c.now_ms = [this] { return now; };
    c.sleep_ms = [this](int64_t ms) {
      slept += ms;
      now += ms;
    };
    c.unix_now = [] { return int64_t{1800000000}; };
  }
};

void a_retry_after_that_fits_is_waited_for(void**) {
  World w;
  w.t.steps = {{true, 429, 2, false}, {true, 200, -1, false}};
  HttpRequest r;
  HttpResponse resp;
  std::string err;
  w.c.BeginOperation();
  assert_true(w.c.Do(r, &resp, &err));
  assert_int_equal(resp.status, 200);
  assert_int_equal(w.slept, 2000);
  assert_int_equal(w.c.requests(), 2);
}

void a_retry_after_beyond_the_budget_is_not_waited_for(void**) {
  World w;
  w.t.steps = {{true, 429, 60, false}};
  HttpRequest r;
  HttpResponse resp;
  std::string err;
  w.c.BeginOperation();
  assert_true(w.c.Do(r, &resp, &err));
  assert_int_equal(resp.status, 429);
  assert_int_equal(w.slept, 0);
  assert_string_equal(HttpStatusText(resp).c_str(),
                      "HTTP 429 (retry in 60 s does not fit the deadline)");
}

void a_request_is_retried_at_most_once(void**) {
  World w;
  w.t.steps = {{true, 503, 1, false}, {true, 503, 1, false}};
  HttpRequest r;
  HttpResponse resp;
  std::string err;
  w.c.BeginOperation();
  assert_true(w.c.Do(r, &resp, &err));
  assert_int_equal(resp.status, 503);
  assert_int_equal(w.c.requests(), 2);
}

void post_500_is_not_retried_but_refused_connect_is(void**) {
  World w;
  w.t.steps = {{true, 500, -1, false}};
  HttpRequest post;
  post.method = "POST";
  HttpResponse resp;
  std::string err;
  w.c.BeginOperation();
  assert_true(w.c.Do(post, &resp, &err));
  assert_int_equal(w.c.requests(), 1);
  w.t.steps = {{false, 0, -1, true}, {true, 201, -1, false}};
  assert_true(w.c.Do(post, &resp, &err));
  assert_int_equal(resp.status, 201);
  HttpRequest get;
  w.t.steps = {{true, 500, -1, false}, {true, 200, -1, false}};
  assert_true(w.c.Do(get, &resp, &err));
  assert_int_equal(resp.status, 200);
}

void a_throttle_is_not_retried_when_asked_not_to(void**) {
  World w;
  w.t.steps = {{true, 429, 1, false}};
  HttpRequest r;
  r.retry_throttled = false;
  HttpResponse resp;
  std::string err;
  w.c.BeginOperation();
  assert_true(w.c.Do(r, &resp, &err));
  assert_int_equal(w.c.requests(), 1);
}

void attempt_deadline_is_the_smaller_bound(void**) {
  World w;
  w.t.steps = {{true, 200, -1, false}};
  HttpRequest r;
  HttpResponse resp;
  std::string err;
  w.c.BeginOperation();
  assert_true(w.c.Do(r, &resp, &err));
  assert_int_equal(w.t.deadlines[0], w.now + 5000);  // request_timeout
  w.now += 7000;  // 2 s of the 9 s operation budget left
  w.t.steps = {{true, 200, -1, false}};
  assert_true(w.c.Do(r, &resp, &err));
  assert_int_equal(w.t.deadlines[1], w.now + 2000);
}

void urls_must_be_https_or_loopback_http(void**) {
  std::string err;
  assert_true(UrlAllowed("https://graph.microsoft.com/v1.0", &err));
  assert_true(UrlAllowed("http://127.0.0.1:8080/x", &err));
  assert_true(UrlAllowed("http://[::1]:8080/x", &err));
  assert_false(UrlAllowed("http://example.com/x", &err));
  assert_false(UrlAllowed("http://127.0.0.1.evil.example/x", &err));
  assert_false(UrlAllowed("https://user@host/x", &err));
  assert_false(UrlAllowed("ftp://host/x", &err));
  assert_string_equal(UrlEscape("a b@c/ä").c_str(), "a%20b%40c%2F%C3%A4");
  assert_string_equal(UrlHost("https://h.example:8443/p?q").c_str(),
                      "h.example");
}

}  // namespace
}  // namespace sspr

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sspr::a_retry_after_that_fits_is_waited_for),
      cmocka_unit_test(sspr::a_retry_after_beyond_the_budget_is_not_waited_for),
      cmocka_unit_test(sspr::a_request_is_retried_at_most_once),
      cmocka_unit_test(sspr::post_500_is_not_retried_but_refused_connect_is),
      cmocka_unit_test(sspr::a_throttle_is_not_retried_when_asked_not_to),
      cmocka_unit_test(sspr::attempt_deadline_is_the_smaller_bound),
      cmocka_unit_test(sspr::urls_must_be_https_or_loopback_http),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
