// config/scope.h: rule f (which caller is interactive) row by row, and the
// account rules a-c on accounts every Debian system has.
#include "config/scope.h"

#include <string>

// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {  // cmocka 1.1 has no C++ guards of its own
#include <cmocka.h>
}
// clang-format on

namespace sspr {
namespace {

bool Asks(const Config& c, const std::string& service, const std::string& tty,
          bool stdin_tty, std::string* why = nullptr) {
  std::string w;
  Caller k;
  k.service = service;
  k.tty = tty;
  k.stdin_tty = stdin_tty;
  bool r = Interactive(c, k, &w);
  if (why) *why = w;
  return r;
}

void noninteractive_services_never_ask(void** /*state*/) {
  Config c;
  for (const char* s :
       {"cron", "crond", "atd", "systemd-user", "sudo", "sudo-i", "runuser",
        "runuser-l", "polkit-1", "pkexec", "CRON"}) {
    // Even with a terminal: sudo on a tty checks the invoking user.
    if (Asks(c, s, "/dev/pts/3", true)) fail_msg("%s asks", s);
  }
  std::string why;
  Asks(c, "sudo", "/dev/pts/3", true, &why);
  assert_string_equal(why.c_str(), "service sudo in noninteractive_services");
}

void sshd_asks_through_its_conversation(void** /*state*/) {
  Config c;
  assert_true(Asks(c, "sshd", "ssh", false));
}

void a_terminal_asks_only_with_stdin_a_terminal(void** /*state*/) {
  Config c;
  for (const char* tty : {"/dev/pts/0", "/dev/tty1", "tty1", "pts/4"}) {
    if (!Asks(c, "login", tty, true)) fail_msg("%s with a tty stdin", tty);
    // echo X | su - bob -c cat: stdout on a tty, stdin a pipe.
    if (Asks(c, "su-l", tty, false)) fail_msg("%s with a piped stdin", tty);
  }
}

void a_display_asks(void** /*state*/) {
  Config c;
  for (const char* tty : {":0", ":1.0", "host:10", "ws.example.com:0.1"})
    if (!Asks(c, "gdm-password", tty, false)) fail_msg("display %s", tty);
  for (const char* tty : {":", ":x", "a:b", "host:", "/x:0"})
    if (Asks(c, "gdm-password", tty, false)) fail_msg("not a display: %s", tty);
}

void interactive_services_ask_without_a_tty(void** /*state*/) {
  Config c;
  assert_true(Asks(c, "cockpit", "", false));
  assert_false(Asks(c, "cockpit-other", "", false));
  std::string err;
  assert_true(SetKey(&c, "interactive_services", "", &err));
  assert_false(Asks(c, "cockpit", "", false));
}

void anything_else_does_not_ask(void** /*state*/) {
  Config c;
  std::string why;
  assert_false(Asks(c, "sshd", "", false, &why));
  assert_string_equal(why.c_str(), "service sshd, PAM_TTY unset");
  assert_false(Asks(c, "mailer", "cron", true));
  assert_false(Asks(c, "other", "", true));
}

void noninteractive_services_come_first(void** /*state*/) {
  Config c;
  std::string err;
  assert_true(SetKey(&c, "noninteractive_services", "sshd", &err));
  assert_false(Asks(c, "sshd", "ssh", false));
  assert_true(SetKey(&c, "noninteractive_services", "", &err));
  assert_true(Asks(c, "sudo", "/dev/pts/1", true));
}

// Rules a-c on accounts every system has: root (0), daemon (1).
void root_system_and_unknown_accounts_are_out_of_scope(void** /*state*/) {
  Config c;
  std::string why;
  assert_false(InScope(c, "root", &why));
  assert_string_equal(why.c_str(), "root (check_root = no)");
  c.check_root = true;
  assert_true(InScope(c, "root", &why));
  assert_false(InScope(c, "daemon", &why));
  const std::string want =
      "system account (uid 1 < min_uid " + std::to_string(MinUid(c)) + ")";
  assert_string_equal(why.c_str(), want.c_str());
  c.min_uid = 0;
  assert_true(InScope(c, "daemon", &why));
  c.exempt_users = {"daemon"};
  assert_false(InScope(c, "daemon", &why));
  assert_string_equal(why.c_str(), "exempt user");
  assert_false(InScope(c, "ghost-user-sspr-unit", &why));
  assert_string_equal(why.c_str(), "user unknown to the system (NSS)");
}

void uid_min_comes_from_login_defs(void** /*state*/) {
  assert_int_equal(ParseLoginDefs("UID_MIN  2000\n").min, 2000);
  assert_int_equal(ParseLoginDefs("#UID_MIN 5\n").min, 1000);
  // As login.defs(5) is read: blanks around, CRLF, a comment after the
  // value, the last line without a newline, the last definition wins.
  UidRange r = ParseLoginDefs(
      "# c\n  UID_MIN\t500\r\nUID_MAX 30000 # people\nUID_MINX 7\n"
      "UID_MIN\nUID_MAX\nUID_MIN 600");
  assert_int_equal(r.min, 600);
  assert_int_equal(r.max, 30000);
  r = ParseLoginDefs("UID_MIN 5000\nUID_MAX 100\n");  // min > max: defaults
  assert_int_equal(r.min, 1000);
  assert_int_equal(r.max, 60000);
  r = ParseLoginDefs("UID_MIN 12x\nUID_MAX 99999999999\nUID_MIN -1\n");
  assert_int_equal(r.min, 1000);
  assert_int_equal(r.max, 60000);
  Config c;
  c.min_uid = 7;
  assert_int_equal(MinUid(c), 7);  // an explicit min_uid wins
  c.min_uid = -1;
  assert_int_equal(MinUid(c), SystemUidRange().min);
}

}  // namespace
}  // namespace sspr

int main() {
  using namespace sspr;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(noninteractive_services_never_ask),
      cmocka_unit_test(sshd_asks_through_its_conversation),
      cmocka_unit_test(a_terminal_asks_only_with_stdin_a_terminal),
      cmocka_unit_test(a_display_asks),
      cmocka_unit_test(interactive_services_ask_without_a_tty),
      cmocka_unit_test(anything_else_does_not_ask),
      cmocka_unit_test(noninteractive_services_come_first),
      cmocka_unit_test(root_system_and_unknown_accounts_are_out_of_scope),
      cmocka_unit_test(uid_min_comes_from_login_defs),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
