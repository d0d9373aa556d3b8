"""ldap_attr_questions against a real slapd (tests/ldap/slapd_env.py),
through real libpam, module and helper: the helper's salted hashes in the
entry, read back as a registration and as a proof; malformed ones ignored
and logged by sspr-admin's probe."""
import json
import os
import subprocess

from test_ldap import LdapCase
from bhelp import PAM_PERM_DENIED, PAM_SUCCESS, main  # noqa: E402


def question_value(question, hash_):
    """One ssprQuestionHash value: the local record's answer object."""
    return json.dumps({"question": question, "hash": hash_},
                      separators=(",", ":"))


# Well-formed SHA-512 crypt hashes (of nothing anyone types): the directory
# cannot tell them from real ones, and neither can the helper.
FAKE_HASH = "$6$saltsaltsalt$" + "A" * 86
QUESTIONS = ["What was the name of your first pet?",
             "In what town or city were you born?",
             "What was your first job?"]
# methods = questions: "1" picks questions, then three times a question
# and its answer; the closing "Press Enter".
REGISTER_QUESTIONS = ("1", "1", "Rex the dog", "1", "Brighton", "1",
                      "Baker", "")


class LdapQuestions(LdapCase):
    """ldap_attr_questions: the helper's own salted hashes in the entry."""

    def setUp(self):
        super().setUp()
        self.env.set(methods="questions", methods_required=1,
                     ldap_attr_questions="ssprQuestionHash")

    def hashes(self, user):
        return self.slapd.attrs(user, "ssprQuestionHash").get(
            "ssprQuestionHash", [])

    def test_questions_are_registered_as_hashes_in_the_mapped_attribute(self):
        before = self.slapd.attrs("ldapwho")
        code, out = self.env.run("ldapwho", *REGISTER_QUESTIONS)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Thanks!", out)
        after = self.slapd.attrs("ldapwho")
        values = after.pop("ssprQuestionHash")
        # only the questions' values, and the class that allows them
        self.assertEqual(after.pop("objectClass"),
                         before.pop("objectClass") + ["ssprPerson"])
        self.assertEqual(after, before)
        self.assertEqual(len(values), 3)
        for v in values:
            qa = json.loads(v)
            self.assertEqual(set(qa), {"question", "hash"})
            self.assertTrue(qa["hash"].startswith("$y$"), v)
        joined = "\n".join(values).lower()
        for secret in ("rex the dog", "brighton", "baker"):
            self.assertNotIn(secret, joined)
        self.assertEqual(self.env.outbox_lines(), [])  # no code for these
        os.unlink(os.path.join(self.env.cache, "ldapwho"))
        code, out = self.env.run("ldapwho")  # the directory knows it now
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)

    def test_with_a_marker_the_questions_get_their_time(self):
        self.env.set(ldap_attr_verified="ssprVerified")
        code, out = self.env.run("ldapwho", *REGISTER_QUESTIONS)
        self.assertResult(code, PAM_SUCCESS, out)
        got = self.slapd.attrs("ldapwho", "ssprVerified", "ssprQuestionHash")
        self.assertEqual(len(got["ssprQuestionHash"]), 3)
        self.assertEqual(len(got["ssprVerified"]), 1)
        self.assertRegex(got["ssprVerified"][0], r"^questions \d{10} 3$")

    def test_a_malformed_hash_is_ignored_and_logged_never_registered(self):
        good = [question_value(q, FAKE_HASH) for q in QUESTIONS[:2]]
        bad = question_value("What was your first car?",
                             "$1$hunter2$MD5cryptIsNoLongerTaken")
        self.slapd.add_values("ldapwho", "ssprQuestionHash", good + [bad])
        # two good ones are not enough: asked to register
        code, out = self.env.run("ldapwho", "q")
        self.assertIn("PROMPT", out)
        self.assertFalse(self.env.cached("ldapwho"))
        # sspr-admin's probe reads the entry as the helper does; its log
        # names the attribute and the entry, never the value
        log = os.path.join(self.env.root, "admin-syslog.txt")
        open(log, "w").close()
        os.chmod(log, 0o666)  # written after the drop to helper_user
        rc, text, err = self.admin("show", "ldapwho", env={
            "LD_PRELOAD": os.environ["SSPR_SYSLOG_SHIM"],
            "SSPR_SYSLOG_FILE": log})
        self.assertEqual(rc, 1, text + err)
        with open(log) as f:
            logged = f.read()
        self.assertIn("ssprQuestionHash of uid=ldapwho,ou=people,"
                      "dc=example,dc=test ignored: hash is not a salted",
                      logged)
        self.assertIn("fewer than 3 valid questions", logged)
        self.assertNotIn("hunter2", logged)
        self.assertNotIn("first car", logged)
        # a third good one: registered, the bad one still ignored
        self.slapd.add_values("ldapwho", "ssprQuestionHash",
                              [question_value(QUESTIONS[2], FAKE_HASH)])
        code, out = self.env.run("ldapwho")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)
        rc, text, err = self.admin("show", "ldapwho")
        self.assertEqual(rc, 0, text + err)
        self.assertRegex(text, r"method:   questions  3")

    def test_the_directorys_questions_prove_the_person_before_an_update(self):
        # ldapreg: a mobile from the directory and three questions whose
        # hashes (SHA-512 crypt, as libcrypt makes them) were stored there
        answers = ["rex the dog", "brighton", "baker"]
        values = []
        for q, a in zip(QUESTIONS, answers):
            h = subprocess.run(["openssl", "passwd", "-6", a],
                               capture_output=True, text=True, timeout=30,
                               check=True).stdout.strip()
            values.append(question_value(q, h))
        self.slapd.add_values("ldapreg", "ssprQuestionHash", values)
        # no time in the directory: reconfirmation is due at once
        self.env.set(methods="mobile, questions", reconfirm_days=30)
        code, out = self.env.run(
            "ldapreg", "u", "2", "Rex  the Dog", "BRIGHTON", "baker",
            "1", "", "201-555-0199", "1", "@code", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Security questions", out)
        for q in QUESTIONS:
            self.assertIn(q, out)
        self.assertIn("You're all set", out)
        got = self.slapd.attrs("ldapreg", "mobile", "ssprQuestionHash")
        self.assertEqual(got["mobile"], ["+12015550199"])
        self.assertEqual(sorted(got["ssprQuestionHash"]), sorted(values))
        # a wrong answer proves nothing: after max_attempts, refused (due
        # again once this host forgets the confirmation and the cache)
        os.unlink(os.path.join(self.env.cache, "ldapreg"))
        os.unlink(os.path.join(self.env.state, "policy", "ldapreg"))
        self.env.set(max_attempts=1)
        code, out = self.env.run("ldapreg", "u", "2", "rex the cat",
                                 "brighton", "baker")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("wrong security answers", self.env.last_log())
        self.assertEqual(self.slapd.attrs("ldapreg", "mobile")["mobile"],
                         ["+12015550199"])

    def test_questions_without_the_attribute_are_a_configuration_error(self):
        self.env.set(ldap_attr_questions="")
        rc, text, err = self.admin("check-config")
        self.assertEqual(rc, 1, text + err)
        self.assertIn("ldap_attr_questions", text + err)


if __name__ == "__main__":
    main()
