#!/usr/bin/env python3
"""Writes fuzz_remote's seed corpus from the fake services' real answers
(tests/fakes/): each seed is one selector byte (see fuzz_remote.cc) and a
response body exactly as the fake sends it. No server is started: the
fakes' routes are called directly.

  python3 tests/fuzz/gen_remote_seeds.py tests/fuzz/corpus/fuzz_remote
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))

from fake_graph import FakeGraph  # noqa: E402
from fake_okta import FakeOkta  # noqa: E402
from fake_rest import FakeRest  # noqa: E402
from server import Request  # noqa: E402

REST_USER, GRAPH_METHODS, GRAPH_REPORT, OKTA_FACTORS, ERROR, OKTA_QUESTIONS = \
    range(6)


def get(svc, path, auth, method="GET", body=b""):
    r = svc.route(Request(method, path, {"Authorization": auth}, body))
    return r.body


def main(out):
    os.makedirs(out, exist_ok=True)
    seeds = {}

    rest = FakeRest(None, "t")
    rest.url = "https://127.0.0.1:1"
    rest.users = {"alice": [{"type": "mobile", "value": "+12015550123",
                             "verified_at": 1764000000},
                            {"type": "email", "value": "alice@example.org",
                             "verified_at": 1764000001}],
                  "bob": []}
    seeds["rest_user"] = (REST_USER, get(rest, "/v1/users/alice", "Bearer t"))
    seeds["rest_user_empty"] = (REST_USER, get(rest, "/v1/users/bob",
                                               "Bearer t"))
    seeds["rest_error_unknown"] = (ERROR, get(rest, "/v1/users/zoe",
                                              "Bearer t"))
    seeds["rest_error_wrong_code"] = (ERROR, rest.error(
        422, "wrong_code", "Wrong code.", attempts_left=2).body)

    g = FakeGraph(None, "contoso.test", "c", "s")
    g.url = "https://127.0.0.1:1"
    g.tokens["tok"] = time.time() + 3600
    g.add_user("alice@contoso.test", {"mobile": "+1 2015550123",
                                      "office": "+44 2079460000x12"},
               ["alice@example.org"])
    g.add_user("bob@contoso.test")
    p = "/v1.0/users/alice@contoso.test/authentication/methods"
    seeds["graph_methods"] = (GRAPH_METHODS, get(g, p, "Bearer tok"))
    g.page_size = 1
    seeds["graph_methods_paged"] = (GRAPH_METHODS, get(g, p, "Bearer tok"))
    g.page_size = 0
    rp = "/v1.0/reports/authenticationMethods/userRegistrationDetails"

    def report(upn):
        r = g.route(Request("GET", rp + "?$filter=userPrincipalName%20eq%20'"
                            + upn + "'", {"Authorization": "Bearer tok"},
                            b""))
        return r.body
    seeds["graph_report"] = (GRAPH_REPORT, report("alice@contoso.test"))
    seeds["graph_report_none"] = (GRAPH_REPORT, report("zoe@contoso.test"))
    seeds["graph_error_not_found"] = (ERROR, get(
        g, "/v1.0/users/zoe@contoso.test/authentication/methods",
        "Bearer tok"))
    seeds["oauth_error"] = (ERROR, g.token(Request(
        "POST", "/contoso.test/oauth2/v2.0/token", {},
        b"client_id=c&client_secret=x&grant_type=client_credentials&scope="
        b"https%3A%2F%2F127.0.0.1%3A1%2F.default")).body)

    o = FakeOkta(None, "ssws")
    o.url = "https://127.0.0.1:1"
    uid = o.add_user("alice@example.test", [
        ("sms", "+12015550123", "ACTIVE"),
        ("call", "+442079460000", "PENDING_ACTIVATION"),
        ("email", "alice@example.org", "ACTIVE"),
        ("question", "disliked_food", "ACTIVE")])
    seeds["okta_factors"] = (OKTA_FACTORS, get(
        o, f"/api/v1/users/{uid}/factors", "SSWS ssws"))
    seeds["okta_questions"] = (OKTA_QUESTIONS, get(
        o, f"/api/v1/users/{uid}/factors/questions", "SSWS ssws"))
    bob = o.add_user("bob@example.test")
    seeds["okta_error_short_answer"] = (ERROR, get(
        o, f"/api/v1/users/{bob}/factors", "SSWS ssws", "POST",
        b'{"factorType":"question","provider":"OKTA","profile":'
        b'{"question":"disliked_food","answer":"ab"}}'))
    seeds["okta_error_not_found"] = (ERROR, get(
        o, "/api/v1/users/zoe@example.test", "SSWS ssws"))

    for name, (sel, body) in sorted(seeds.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes([sel]) + body)
    print(f"{len(seeds)} seeds in {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(HERE, "corpus", "fuzz_remote"))
