// The services' answers: every field checked for its type, wrong shapes
// and malformed or too deep JSON refused.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

#include <string>
#include <vector>

#include "helper/backends/remote.h"
#include "helper/net/json_util.h"

namespace sspr {
namespace {

void json_too_deep_or_with_trailing_garbage_is_refused(void**) {
  Json doc;
  std::string err;
  std::string deep(40, '[');
  deep += std::string(40, ']');
  assert_false(ParseJson(deep, &doc, &err));
  assert_true(ParseJson("{\"a\":[1,2]} \n", &doc, &err));
  err.clear();
  assert_false(ParseJson("{\"a\":1} x", &doc, &err));
  assert_false(ParseJson("{\"a\":", &doc, &err));
  assert_false(ParseJson("", &doc, &err));
}

void members_are_read_only_with_their_type(void**) {
  Json doc;
  std::string err, s;
  int64_t n = 0;
  assert_true(ParseJson("{\"s\":\"x\",\"n\":5,\"b\":\"true\"}", &doc, &err));
  assert_true(GetString(doc.get(), "s", &s, &err));
  assert_true(GetInt(doc.get(), "n", &n, &err));
  assert_int_equal(n, 5);
  bool b = false;
  assert_false(GetBool(doc.get(), "b", &b, &err));
  assert_string_equal(err.c_str(), "'b' is not true or false");
  err.clear();
  assert_false(GetString(doc.get(), "missing", &s, &err));
  assert_true(err.empty());  // absent is not a type error
  assert_false(GetString(doc.get(), "n", &s, &err));
  assert_false(err.empty());
}

void a_rest_user_record_parses(void**) {
  UserRecord r;
  std::string err;
  assert_true(ParseRestUser(
      "{\"user\":\"a\",\"methods\":[{\"type\":\"mobile\",\"value\":\"+1201\","
      "\"verified_at\":5}]}",
      &r, &err));
  assert_int_equal(r.methods.size(), 1);
  assert_string_equal(r.methods[0].type.c_str(), "mobile");
  assert_int_equal(r.methods[0].verified_at, 5);
  for (const char* bad : {"[]", "{}", "{\"methods\":{}}", "{\"methods\":[1]}",
                          "{\"methods\":[{\"type\":1,\"value\":\"x\"}]}",
                          "{\"methods\":[{\"type\":\"m\",\"value\":\"x\","
                          "\"verified_at\":\"1\"}]}",
                          "{\"methods\":[{\"type\":\"\",\"value\":\"x\"}]}"}) {
    err.clear();
    assert_false(ParseRestUser(bad, &r, &err));
    assert_false(err.empty());
  }
}

void graph_methods_parse_into_a_record(void**) {
  UserRecord r;
  std::string err, next;
  assert_true(ParseGraphMethods(
      "{\"value\":[{\"@odata.type\":\"#microsoft.graph."
      "passwordAuthenticationMethod\",\"id\":\"x\"},"
      "{\"@odata.type\":\"#microsoft.graph.phoneAuthenticationMethod\","
      "\"phoneNumber\":\"+1 2065555555x12\",\"phoneType\":\"office\"},"
      "{\"@odata.type\":\"#microsoft.graph.emailAuthenticationMethod\","
      "\"emailAddress\":\"a@b.c\"}],"
      "\"@odata.nextLink\":\"https://graph/next\"}",
      &r, &next, &err));
  assert_int_equal(r.methods.size(), 2);  // the password does not count
  assert_string_equal(r.methods[0].type.c_str(), "office");
  assert_string_equal(r.methods[0].value.c_str(), "+12065555555");
  assert_string_equal(r.methods[1].type.c_str(), "email");
  assert_string_equal(next.c_str(), "https://graph/next");
  for (const char* bad :
       {"{\"value\":{}}", "{\"value\":[5]}", "{\"value\":[{}]}",
        "{\"value\":[{\"@odata.type\":\"#microsoft.graph."
        "phoneAuthenticationMethod\",\"phoneType\":7,\"phoneNumber\":\"1\"}]}",
        "{\"value\":[],\"@odata.nextLink\":5}"}) {
    UserRecord r2;
    err.clear();
    assert_false(ParseGraphMethods(bad, &r2, &next, &err));
    assert_false(err.empty());
  }
}

void the_graph_registration_report_parses(void**) {
  UserRecord r;
  std::string err;
  bool found = true;
  assert_true(ParseGraphRegistration("{\"value\":[]}", &r, &found, &err));
  assert_false(found);
  assert_true(ParseGraphRegistration(
      "{\"value\":[{\"isSsprRegistered\":true,\"methodsRegistered\":"
      "[\"mobilePhone\",\"fido2\",\"email\"]}]}",
      &r, &found, &err));
  assert_true(found);
  assert_int_equal(r.methods.size(), 2);
  for (const char* bad :
       {"{\"value\":[{\"isSsprRegistered\":1,\"methodsRegistered\":[]}]}",
        "{\"value\":[{\"isSsprRegistered\":true,\"methodsRegistered\":[3]}]}",
        "{\"value\":[{\"isSsprRegistered\":true}]}"}) {
    UserRecord r2;
    err.clear();
    assert_false(ParseGraphRegistration(bad, &r2, &found, &err));
  }
}

void okta_factors_parse(void**) {
  std::vector<OktaFactor> f;
  std::string err;
  assert_true(ParseOktaFactors(
      "[{\"id\":\"mbl1\",\"factorType\":\"sms\",\"status\":\"ACTIVE\","
      "\"profile\":{\"phoneNumber\":\"+1201\"}},"
      "{\"id\":\"emf1\",\"factorType\":\"email\",\"status\":"
      "\"PENDING_ACTIVATION\",\"profile\":{\"email\":\"a@b.c\"}}]",
      &f, &err));
  assert_int_equal(f.size(), 2);
  assert_string_equal(f[0].value.c_str(), "+1201");
  assert_string_equal(f[1].value.c_str(), "a@b.c");
  assert_string_equal(OktaMethodType("call").c_str(), "office");
  assert_string_equal(OktaMethodType("webauthn").c_str(), "");
  for (const char* bad :
       {"{}", "[1]", "[{\"id\":\"a\",\"factorType\":\"sms\"}]",
        "[{\"id\":\"a/b\",\"factorType\":\"sms\",\"status\":\"ACTIVE\"}]",
        "[{\"id\":\"a\",\"factorType\":\"sms\",\"status\":\"ACTIVE\","
        "\"profile\":[]}]",
        "[{\"id\":\"a\",\"factorType\":\"sms\",\"status\":\"ACTIVE\","
        "\"profile\":{\"phoneNumber\":5}}]"}) {
    std::vector<OktaFactor> f2;
    err.clear();
    assert_false(ParseOktaFactors(bad, &f2, &err));
  }
}

void okta_questions_parse(void**) {
  std::vector<ServiceQuestion> q;
  std::string err;
  assert_true(ParseOktaQuestions(
      "[{\"question\":\"disliked_food\",\"questionText\":\"What is the "
      "food you least liked as a child?\"},{\"question\":\"first_award\","
      "\"questionText\":\"Caf\u00e9?\"}]",
      &q, &err));
  assert_int_equal(q.size(), 2);
  assert_string_equal(q[0].key.c_str(), "disliked_food");
  assert_string_equal(q[1].text.c_str(), "Caf\xc3\xa9?");
  assert_true(ParseOktaQuestions("[]", &q, &err));
  assert_int_equal(q.size(), 0);
  const char* bad[] = {
      "{}",                                               // not an array
      "[1]",                                              // not an object
      "[{\"question\":\"a\"}]",                           // no text
      "[{\"question\":7,\"questionText\":\"x\"}]",        // wrong type
      "[{\"question\":\"A b\",\"questionText\":\"x\"}]",  // bad key
      "[{\"question\":\"a\",\"questionText\":\"\"}]",     // empty text
      "[{\"question\":\"a\",\"questionText\":\"\\u001b[2J\"}]",  // escape
      "[{\"question\":\"a\",\"questionText\":\"\\u0085\"}]",     // C1 control
      ("[{\"question\":\"a\",\"questionText\":\"x\"},"
       "{\"question\":\"a\",\"questionText\":\"y\"}]"),  // twice
      "[{\"question\":\"a\",\"questionText\":\"x\"",     // malformed
  };
  for (const char* b : bad) {
    err.clear();
    assert_false(ParseOktaQuestions(b, &q, &err));
    assert_false(err.empty());
  }
  std::string many = "[";
  for (int i = 0; i < 101; ++i)
    many += std::string(i ? "," : "") + "{\"question\":\"q" +
            std::to_string(i) + "\",\"questionText\":\"x\"}";
  assert_false(ParseOktaQuestions(many + "]", &q, &err));
  std::string long_text(201, 'x');
  assert_false(ParseOktaQuestions(
      "[{\"question\":\"a\",\"questionText\":\"" + long_text + "\"}]", &q,
      &err));
}

void service_errors_become_short_texts(void**) {
  assert_string_equal(
      ServiceErrorText("{\"error\":{\"code\":\"Request_ResourceNotFound\","
                       "\"message\":\"no\"}}")
          .c_str(),
      "Request_ResourceNotFound: no");
  assert_string_equal(
      ServiceErrorText("{\"errorCode\":\"E0000011\",\"errorSummary\":"
                       "\"Invalid token provided\"}")
          .c_str(),
      "E0000011: Invalid token provided");
  assert_string_equal(
      ServiceErrorText("{\"error\":\"invalid_client\",\"error_description\":"
                       "\"AADSTS7000215: x\"}")
          .c_str(),
      "invalid_client: AADSTS7000215: x");
  assert_string_equal(ServiceErrorText("<html>").c_str(), "");
  // Control characters (C0, DEL, C1) become spaces (fuzz_remote finding:
  // a DEL went into the log line).
  assert_string_equal(ServiceErrorText("{\"errorCode\":\"E1\",\"errorSummary\":"
                                       "\"a\\nb\\u007fc\\u009bd\\u00e9\"}")
                          .c_str(),
                      "E1: a b c  d\xc3\xa9");
  // Cut at 200 bytes, never inside a UTF-8 sequence.
  std::string e = "{\"errorCode\":\"E\",\"errorSummary\":\"" +
                  std::string(196, 'x') + "\u00e9\u00e9\"}";
  std::string t = ServiceErrorText(e);
  assert_string_equal(t.substr(t.size() - 4).c_str(), "x...");
}

// Okta's refusal of a new password: its causes are shown, bounded and
// printable, never one that repeats the password; other 400s are not a
// refusal the person can answer.
void okta_password_refusals_show_their_causes_but_never_the_password(void**) {
  std::string why;
  assert_true(OktaPasswordRefusal(
      R"({"errorCode":"E0000001","errorSummary":"Api validation failed: )"
      R"(password","errorCauses":[{"errorSummary":"password: Password )"
      R"(requirements were not met. Password requirements: at least 8 )"
      R"(characters."}]})",
      "short1A", &why));
  assert_string_equal(
      why.c_str(),
      "Password requirements were not met. Password requirements: at "
      "least 8 characters.");
  // A cause that echoes the password, or has a terminal escape, is left
  // out; the refusal stands (asked again, with the generic text).
  assert_true(OktaPasswordRefusal(
      R"({"errorCode":"E0000001","errorSummary":"Api validation failed: )"
      R"(password","errorCauses":[{"errorSummary":"password: Hunter2x )"
      R"(is too common"},{"errorSummary":"password: bad[2J"}]})",
      "Hunter2x", &why));
  assert_string_equal(why.c_str(), "");
  // A long cause is cut at a space, at most 4 causes.
  std::string many = R"({"errorCode":"E0000001","errorSummary":"Api )"
                     R"(validation failed: password","errorCauses":[)";
  for (int i = 0; i < 6; ++i)
    many += std::string(i ? "," : "") + R"({"errorSummary":"password: )" +
            std::string(100, 'a') + " " + std::string(400, 'b') + R"("})";
  many += "]}";
  assert_true(OktaPasswordRefusal(many, "x", &why));
  assert_string_equal(why.substr(0, 105).c_str(),
                      (std::string(100, 'a') + " ...\n").c_str());
  assert_int_equal(why.size(), 4 * 104 + 3);
  // Not about the password: not a refusal.
  assert_false(OktaPasswordRefusal(
      R"({"errorCode":"E0000001","errorSummary":"Api validation failed: )"
      R"(login","errorCauses":[{"errorSummary":"login: must be unique"}]})",
      "x", &why));
  assert_false(OktaPasswordRefusal("not json", "x", &why));
}

// The escaper that builds bodies with a password: what json-c reads back
// is what went in, and the size it reserves is exact (no reallocation).
void a_secret_in_a_hand_built_body_reads_back_unchanged(void**) {
  const std::string cases[] = {"plain",
                               "Tq7#vLm2!pZr9wKx",
                               "quote\" back\\slash",
                               "/slash/",
                               "\u00e9t\u00e9 \u2603",
                               std::string("tab\tnl\ncr\r\x01\x1f", 12),
                               ""};
  for (const std::string& pw : cases) {
    std::string lit;
    AppendJsonLiteral(pw, &lit);
    assert_int_equal(lit.size(), JsonLiteralSize(pw));
    std::string body = JsonWithSecret("{\"a\":{\"value\":", pw, "}}");
    assert_int_equal(body.size(), 14 + lit.size() + 2);
    Json doc;
    std::string err, back;
    json_object* a = nullptr;
    assert_true(ParseJson(body, &doc, &err));
    assert_true(GetObject(doc.get(), "a", &a, &err));
    assert_true(GetString(a, "value", &back, &err));
    assert_true(back == pw);
  }
  std::string lit;
  AppendJsonLiteral(std::string("a\"\\\x02", 4), &lit);
  assert_string_equal(lit.c_str(), "\"a\\\"\\\\\\u0002\"");
}

}  // namespace
}  // namespace sspr

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sspr::json_too_deep_or_with_trailing_garbage_is_refused),
      cmocka_unit_test(sspr::members_are_read_only_with_their_type),
      cmocka_unit_test(sspr::a_rest_user_record_parses),
      cmocka_unit_test(sspr::graph_methods_parse_into_a_record),
      cmocka_unit_test(sspr::the_graph_registration_report_parses),
      cmocka_unit_test(sspr::okta_factors_parse),
      cmocka_unit_test(sspr::okta_questions_parse),
      cmocka_unit_test(sspr::service_errors_become_short_texts),
      cmocka_unit_test(
          sspr::a_secret_in_a_hand_built_body_reads_back_unchanged),
      cmocka_unit_test(
          sspr::
              okta_password_refusals_show_their_causes_but_never_the_password),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
