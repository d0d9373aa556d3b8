// Fuzzes the parsers of the registration services' answers
// (helper/backends/remote.h): what a hostile or broken service, or anyone
// on the path to it, can send the helper. The first byte picks the parser
// (modulo 6), the rest is the response body:
//   0 ParseRestUser           rest:  GET /v1/users/{user}
//   1 ParseGraphMethods       graph: GET /users/{id}/authentication/methods
//   2 ParseGraphRegistration  graph: userRegistrationDetails report
//   3 ParseOktaFactors        okta:  GET /api/v1/users/{id}/factors
//   4 ServiceErrorText        any error body (rest, Graph, OAuth2, Okta)
//   5 ParseOktaQuestions      okta:  GET /api/v1/users/{id}/factors/questions
// Besides memory errors (ASan/UBSan), each parser must keep its promises:
// a refusal comes with a reason, an acceptance stays within the documented
// limits, and text meant for a log or a terminal has no control characters.
// Seeds (tests/fuzz/corpus/fuzz_remote) are the fakes' real answers:
// tests/fuzz/gen_remote_seeds.py.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/text.h"
#include "helper/backends/remote.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  fprintf(stderr, "fuzz_remote: %s%s%s\n", what, detail.empty() ? "" : ": ",
          detail.c_str());
  abort();
}

void CheckRefusal(bool ok, const std::string& err, const char* parser) {
  if (!ok && err.empty()) Fail("refused without a reason", parser);
}

void Record(const std::string& body, int which) {
  sspr::UserRecord rec;
  std::string err, next;
  bool ok = false, found = false;
  if (which == 0) {
    ok = sspr::ParseRestUser(body, &rec, &err);
    CheckRefusal(ok, err, "ParseRestUser");
    if (ok && rec.methods.size() > 64) Fail("more than 64 rest methods", "");
    if (ok)
      for (const auto& m : rec.methods)
        if (m.type.empty() || m.type.size() > 32 || m.value.size() > 256)
          Fail("rest method out of bounds", m.type);
  } else if (which == 1) {
    ok = sspr::ParseGraphMethods(body, &rec, &next, &err);
    CheckRefusal(ok, err, "ParseGraphMethods");
    if (ok && rec.methods.size() > 200) Fail("more than 200 Graph methods", "");
    if (ok)
      for (const auto& m : rec.methods)
        if (m.type.empty()) Fail("Graph method without a type", "");
  } else {
    ok = sspr::ParseGraphRegistration(body, &rec, &found, &err);
    CheckRefusal(ok, err, "ParseGraphRegistration");
    if (ok && !found && !rec.methods.empty())
      Fail("methods for a user not found", "");
  }
}

void Factors(const std::string& body) {
  std::vector<sspr::OktaFactor> f;
  std::string err;
  bool ok = sspr::ParseOktaFactors(body, &f, &err);
  CheckRefusal(ok, err, "ParseOktaFactors");
  if (!ok) return;
  if (f.size() > 100) Fail("more than 100 factors", "");
  for (const auto& x : f) {
    // The id goes into a URL path unescaped: alphanumerics only.
    if (x.id.empty() || x.id.size() > 64 ||
        !std::all_of(x.id.begin(), x.id.end(), [](char ch) {
          return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
                 (ch >= 'A' && ch <= 'Z');
        }))
      Fail("factor id unsafe in a URL", x.id);
    sspr::OktaMethodType(x.type);
  }
}

void Questions(const std::string& body) {
  std::vector<sspr::ServiceQuestion> q;
  std::string err;
  bool ok = sspr::ParseOktaQuestions(body, &q, &err);
  CheckRefusal(ok, err, "ParseOktaQuestions");
  if (!ok) return;
  if (q.size() > 100) Fail("more than 100 questions", "");
  for (size_t i = 0; i < q.size(); ++i) {
    const auto& x = q[i];
    if (x.key.empty() || x.key.size() > 64 ||
        !std::all_of(x.key.begin(), x.key.end(), [](char ch) {
          return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                 ch == '_';
        }))
      Fail("question key out of [a-z0-9_]{1,64}", x.key);
    // Shown at the login prompt: no terminal control.
    if (x.text.empty() || x.text.size() > 200 || sspr::HasControl(x.text))
      Fail("question text unsafe to show", x.text);
    for (size_t k = 0; k < i; ++k)
      if (q[k].key == x.key) Fail("question key twice", x.key);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 256 * 1024) return 0;
  const int which = data[0] % 6;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (which) {
    case 0:
    case 1:
    case 2:
      Record(body, which);
      break;
    case 3:
      Factors(body);
      break;
    case 4: {
      // Goes into syslog lines: bounded, one line, no control characters.
      std::string t = sspr::ServiceErrorText(body);
      if (t.size() > 203) Fail("error text longer than 200 + '...'", "");
      if (sspr::HasControl(t)) Fail("error text with a control character", t);
      break;
    }
    case 5:
      Questions(body);
      break;
  }
  return 0;
}
