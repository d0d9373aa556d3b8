// Writes the fuzzers' seed corpora: tests/fuzz/corpus/<fuzzer>/<name>.
// Frames and records are made by the project's own encoders, so the seeds
// follow the code. Usage: gen_seeds OUTDIR   (build target: fuzz-seeds)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "helper/store/policy_state.h"
#include "helper/qr_text.h"
#include "helper/store/record.h"
#include "protocol/frame.h"
#include "protocol/messages.h"

namespace {

using sspr::proto::Type;

std::string g_out;
int g_failures = 0;

void Put(const char* fuzzer, const std::string& name, const std::string& data) {
  const std::string dir = g_out + "/" + fuzzer;
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "gen_seeds: mkdir %s: %s\n", dir.c_str(), strerror(errno));
    ++g_failures;
    return;
  }
  const std::string path = dir + "/" + name;
  FILE* f = fopen(path.c_str(), "wb");
  if (f == nullptr || fwrite(data.data(), 1, data.size(), f) != data.size() ||
      fclose(f) != 0) {
    fprintf(stderr, "gen_seeds: cannot write %s\n", path.c_str());
    ++g_failures;
  }
}

std::string Frame(Type t, const std::string& payload) {
  std::string out, err;
  if (!sspr::proto::EncodeFrame(t, payload, &out, &err)) {
    fprintf(stderr, "gen_seeds: %s\n", err.c_str());
    ++g_failures;
  }
  return out;
}

// fuzz_frame input: n = first byte % 16 chunk sizes, then the stream.
std::string FrameInput(std::initializer_list<uint8_t> chunks,
                       const std::string& stream) {
  std::string out(1, static_cast<char>(chunks.size()));
  for (uint8_t c : chunks) out.push_back(static_cast<char>(c));
  return out + stream;
}

sspr::proto::Start TypicalStart() {
  sspr::proto::Start s;
  s.user = "alice";
  s.service = "sshd";
  s.rhost = "192.0.2.10";
  s.tty = "ssh";
  s.lang = "en_GB.UTF-8";
  s.flags = sspr::proto::kFlagInteractive;
  s.conf = "/etc/security/pam_sspr.conf";
  s.args = {"mode=register", "failmode=secure", "debug"};
  return s;
}

void Frames() {
  const std::string hello = Frame(Type::kHello, sspr::proto::EncodeHello());
  const std::string start =
      Frame(Type::kStart, sspr::proto::EncodeStart(TypicalStart()));
  sspr::proto::Result ok{sspr::proto::Outcome::kRegisteredNow, 86400,
                         "registered; Authentication phone +1 ***-***-**23"};
  const std::string result =
      Frame(Type::kResult, sspr::proto::EncodeResult(ok));
  Put("fuzz_frame", "hello", FrameInput({}, hello));
  Put("fuzz_frame", "start", FrameInput({}, start));
  Put("fuzz_frame", "start_chunked", FrameInput({0, 4, 9}, start));
  Put("fuzz_frame", "result", FrameInput({}, result));

  sspr::proto::Start minimal;
  minimal.user = "u";
  Put("fuzz_frame", "start_minimal",
      FrameInput({}, Frame(Type::kStart, sspr::proto::EncodeStart(minimal))));
  for (uint8_t o = 1; o <= 7; ++o) {
    sspr::proto::Result r{static_cast<sspr::proto::Outcome>(o), o * 60u, ""};
    Put("fuzz_frame", "result_" + std::to_string(o),
        FrameInput({}, Frame(Type::kResult, sspr::proto::EncodeResult(r))));
  }

  // A whole session, byte by byte and in odd pieces.
  std::string session = hello + start;
  session += Frame(Type::kInfo, "Don't lose access to your account!");
  session += Frame(Type::kPromptEchoOn,
                   "Choose a method to register:\n"
                   "  1) Authentication phone\nChoice [1]: ");
  session += Frame(Type::kAnswer, "1");
  session += Frame(Type::kPromptEchoOff, "Code: ");
  session += Frame(Type::kAnswer, "123456");
  session += Frame(Type::kError, "That code is not right; 2 attempts left.");
  session += Frame(Type::kConvFailed, "");
  session += result;
  Put("fuzz_frame", "session", FrameInput({}, session));
  Put("fuzz_frame", "session_bytes", FrameInput({0}, session));
  Put("fuzz_frame", "session_pieces", FrameInput({2, 0, 6, 30}, session));

  // Malformed streams.
  Put("fuzz_frame", "zero_length",
      FrameInput({}, std::string("\0\0\0\0\1", 5)));
  Put("fuzz_frame", "too_long", FrameInput({}, std::string("\0\1\0\1\5", 5)));
  Put("fuzz_frame", "unknown_type",
      FrameInput({}, std::string("\0\0\0\1\x63", 5)));
  Put("fuzz_frame", "truncated",
      FrameInput({1}, start.substr(0, start.size() - 3)));
  Put("fuzz_frame", "start_trailing",
      FrameInput({}, Frame(Type::kStart,
                           sspr::proto::EncodeStart(TypicalStart()) + "x")));
  Put("fuzz_frame", "hello_v2", FrameInput({}, Frame(Type::kHello, "\2")));
}

void Configs() {
  Put("fuzz_config", "example",
      "# /etc/security/pam_sspr.conf\n"
      "backend = local\n"
      "mode = register\n"
      "methods = mobile, office\n"
      "methods_required = 1\n"
      "default_region = US\n"
      "failmode = safe\n"
      "state_dir = /var/lib/pam_sspr\n"
      "cache_dir = /var/cache/pam_sspr\n"
      "cache_ttl = 86400\n"
      "delivery = outbox:/var/lib/pam_sspr/outbox.jsonl\n");
  Put("fuzz_config", "all_keys",
      "backend=local\nmode=warn\nmethods=office mobile\nmethods_required=2\n"
      "default_region=gb\nfailmode=secure\ngroups=staff,wheel\n"
      "exempt_users=root backup\nexempt_groups=admins\n"
      "state_dir=/srv/sspr\ncache_dir=/run/sspr\ncache_ttl=0\n"
      "helper_timeout=30\ndialogue_timeout=600\nrequest_timeout=10\n"
      "code_length=8\ncode_ttl=600\nmax_attempts=5\nmax_input_attempts=2\n"
      "resend_cooldown=60\nrate_limit=10\nrate_window=3600\n"
      "rate_lockout=86400\ndelivery=command:/usr/local/bin/send-code\n"
      "delivery_timeout=5\nhelper_user=_sspr\n"
      "secrets_file=/etc/security/pam_sspr.secrets\n"
      "enroll_url=https://aka.ms/ssprsetup\ndebug=yes\n");
  Put("fuzz_config", "comments_blank_crlf",
      "\n# comment\n   \t\r\n  mode =  block  \r\n#methods = office\n");
  Put("fuzz_config", "args_style",
      "conf=/etc/x.conf\ndebug\nhelper=/bin/true\n");
  Put("fuzz_config", "invalid_relation",
      "methods = mobile\nmethods_required = 2\ncode_ttl = 30\n"
      "resend_cooldown = 60\n");
  Put("fuzz_config", "bad_values",
      "code_length = 99999999999\nmode = maybe\nunknown_key = 1\n");
}

sspr::Method M(const char* type, const char* value, int64_t at) {
  sspr::Method m;
  m.type = type;
  m.value = value;
  m.verified_at = at;
  return m;
}

sspr::UserRecord R(const std::string& user, std::vector<sspr::Method> methods,
                   int64_t created, int64_t updated) {
  sspr::UserRecord r;
  r.user = user;
  r.methods = std::move(methods);
  r.created_at = created;
  r.updated_at = updated;
  return r;
}

void Records() {
  Put("fuzz_record", "no_methods",
      sspr::RecordToJson(R("alice", {}, 1800000000, 1800000000)));
  Put("fuzz_record", "mobile",
      sspr::RecordToJson(R("bob", {M("mobile", "+12015550123", 1800000100)},
                           1800000000, 1800000100)));
  Put("fuzz_record", "two_methods",
      sspr::RecordToJson(R("DOMAIN\\carol.o'neil",
                           {M("mobile", "+447400123456", 1800000100),
                            M("office", "+442079460000", 1800000200)},
                           1800000000, 1800000200)));
  Put("fuzz_record", "utf8_user_email",
      sspr::RecordToJson(R("d\xC3\xA9sir\xC3\xA9"
                           "e",
                           {M("email", "d@example.org", 1)}, 0, 253402300799)));
  Put("fuzz_record", "escapes",
      "{ \"version\": 1, \"user\": \"e\\u0301\\/x\", \"created_at\": 0,\n"
      "  \"updated_at\": 0, \"methods\": [ { \"type\": \"office\", "
      "\"value\": \"+12015550123\", \"verified_at\": 5 } ] }");
  sspr::Method q = M("questions", "3", 1800000300);
  q.answers = {{"What was the name of your first pet?", "$y$j9T$salt$hash1"},
               {"In what town or city were you born?", "$y$j9T$salt$hash2"},
               {"What was your first job?", "$6$salt$hash3"}};
  sspr::UserRecord questions =
      R("erin", {q, M("email", "erin@example.org", 1800000400)}, 1800000300,
        1800000400);
  Put("fuzz_record", "questions_email", sspr::RecordToJson(questions));
  sspr::PolicyState policy;
  policy.snoozes = 2;
  policy.last_snooze = 1800000000;
  policy.confirmed_at = 1790000000;
  Put("fuzz_record", "policy", sspr::PolicyToText(policy));
  Put("fuzz_record", "policy_partial", "snoozes 1\n");
  Put("fuzz_record", "duplicate_method",
      "{\"version\":1,\"user\":\"x\",\"created_at\":1,\"updated_at\":1,"
      "\"methods\":[{\"type\":\"mobile\",\"value\":\"+12015550123\","
      "\"verified_at\":1},{\"type\":\"mobile\",\"value\":\"+12015550124\","
      "\"verified_at\":1}]}");
}

void Phones() {
  const std::string nul(1, '\0');
  Put("fuzz_phone", "us_default", nul + "201-555-0123");
  Put("fuzz_phone", "gb_office", "GB" + nul + "020 7946 0000");
  Put("fuzz_phone", "gb_mobile_plus", "+44" + nul + "07400 123456");
  Put("fuzz_phone", "international", nul + "+44 7400 123456");
  Put("fuzz_phone", "double_zero", "0049" + nul + "0044 (0)7400-123.456");
  Put("fuzz_phone", "de_lower", "de" + nul + "030 123456");
  Put("fuzz_phone", "jp", "JP" + nul + "090-1234-5678");
  Put("fuzz_phone", "vanity", "US" + nul + "1-800-FLOWERS");
  Put("fuzz_phone", "unicode_dashes",
      "1" + nul +
          "(201)\xE2\x80\x93"
          "555\xC2\xA0"
          "0123");
  Put("fuzz_phone", "short_code", "GB" + nul + "999");
  Put("fuzz_phone", "premium", "GB" + nul + "09098 790000");
  Put("fuzz_phone", "bad_region", "XX" + nul + "12345");
  Put("fuzz_phone", "answer_only", "  yes\t");
  Put("fuzz_phone", "email", nul + "Alice.O'Neil+sspr@Mail.Example.ORG");
  Put("fuzz_phone", "email_bad", nul + "a..b@example");
  Put("fuzz_phone", "security_answer",
      nul + "  Saint-\xC3\x89tienne   sur  Loire ");
}

void Dialogues() {
  Put("fuzz_dialogue", "mobile_sms", "1\n\n201-555-0123\n1\n@code\nn");
  Put("fuzz_dialogue", "office_call", "2\nGB\n020 7946 0000\n1\n@code\nn");
  Put("fuzz_dialogue", "wrong_codes",
      "!max_attempts=3\n1\n\n201-555-0123\n1\n@wrong\n@wrong\nr\n@wrong");
  Put("fuzz_dialogue", "expired_then_resend",
      "1\n\n201-555-0123\n1\n@+300 @code\nr\n@code\nn");
  Put("fuzz_dialogue", "cooldown",
      "!resend_cooldown=30\n1\n\n201-555-0123\n1\nr\n@+31 r\n@code\nn");
  Put("fuzz_dialogue", "back_and_full_number",
      "1\nGB\nb\n+44 7400 123456\nb\n\n201-555-0123\n2\n@code\nn");
  Put("fuzz_dialogue", "two_methods",
      "!methods_required=2\n1\n\n201-555-0123\n1\n@code\n1\nGB\n"
      "020 7946 0000\n@+31 1\n@code");
  Put("fuzz_dialogue", "backup_yes",
      "1\n\n201-555-0123\n1\n@code\ny\n1\n+44\n020 7946 0000\n1\n"
      "@+30 r\n@code");
  Put("fuzz_dialogue", "invalid_inputs", "1\n\nabc\n12\n\x1b[31m");
  Put("fuzz_dialogue", "rate_limit",
      "!rate_limit=2 resend_cooldown=0\n1\n\n201-555-0123\n1\nr\nr");
  Put("fuzz_dialogue", "quit", "1\nq");
  Put("fuzz_dialogue", "timeout", "1\n\n@timeout");
  Put("fuzz_dialogue", "closed", "1\n\n201-555-0123\n@closed");
  Put("fuzz_dialogue", "conv_failed", "");
  Put("fuzz_dialogue", "warn", "!mode=warn");
  Put("fuzz_dialogue", "block", "!mode=block");
  Put("fuzz_dialogue", "email",
      "!methods=email,mobile\n1\nAlice@Example.ORG\n1\n@code\nn");
  Put("fuzz_dialogue", "questions",
      "!methods=questions,mobile\n1\n1\nRex the dog\n1\nSpringfield\n1\n"
      "Elm Street\nn");
  Put("fuzz_dialogue", "registered_next_login",
      "1\n\n201-555-0123\n1\n@code\nn\n@login +60");
  Put("fuzz_dialogue", "reconfirm_keep",
      "!reconfirm_days=1\n1\n\n201-555-0123\n1\n@code\nn\n"
      "@login +90000\nk\n@login +60");
  Put("fuzz_dialogue", "reconfirm_update",
      "!reconfirm_days=1\n1\n\n201-555-0123\n1\n@code\nn\n"
      "@login +90000\nu\n1\n\n201-555-0199\n1\n@code\nn");
  Put("fuzz_dialogue", "snooze",
      "!snooze_max=1 snooze_interval=3600\nl\n@login +60\n"
      "@login +3600\nl\n1\n\n201-555-0123\n1\n@code\nn");
  Put("fuzz_dialogue", "grace",
      "!grace_until=2027-01-16\nl\n@login +86400\nl\n@login +86400\nl");
  Put("fuzz_dialogue", "landline_as_mobile",
      "mobile\nGB\n020 7946 0000\n07400 123456\nb\nq");
}

// fuzz_relay input: a type byte (0 PROMPT_ECHO_ON, 1 PROMPT_ECHO_OFF,
// 2 INFO, 3 ERROR), then the text.
void Relays() {
  Put("fuzz_relay", "prompt", std::string(1, '\0') + "Mobile number: ");
  Put("fuzz_relay", "prompt_code", "\1Code: ");
  Put("fuzz_relay", "info_lines",
      "\2Registration:\n  1) mobile\n  2) office\n\n" + std::string(600, 'x') +
          "\nDone.\n");
  Put("fuzz_relay", "info_utf8",
      "\2Gr\xC3\xBC\xC3\x9F"
      "e, \xE6\x97\xA5\xE6\x9C\xAC, "
      "\xF0\x9F\x93\xB1 \xE2\x80\x93 " +
          std::string(200, 'y') + std::string(300, '\xE2') + "\n");
  Put("fuzz_relay", "error_letter_continuations",
      "\3A" + std::string(600, '\x80'));
  Put("fuzz_relay", "info_60k_continuations",
      "\2" + std::string(60 * 1024, '\x80'));
  Put("fuzz_relay", "error_escapes",
      "\3\x1B[2J\x1B]0;title\x07\x1B[31mred\r\nsecond\xC2\x9B"
      "31m\x7F\ttab" +
          std::string(1, '\0') + "nul");
  Put("fuzz_relay", "error_ill_formed",
      "\3\xC0\xAF \xE0\x80\xAF \xED\xA0\x80 \xF4\x90\x80\x80 \xF5 "
      "\xE2\x82 \xF0\x9F\x98");
  Put("fuzz_relay", "info_newlines", "\2" + std::string(2000, '\n'));
  std::string qr, err;
  if (!sspr::QrText(std::string(sspr::kQrMaxData, 'Q'), &qr, &err)) {
    fprintf(stderr, "gen_seeds: %s\n", err.c_str());
    ++g_failures;
  }
  Put("fuzz_relay", "prompt_qr",
      std::string(1, '\0') + "Scan this code:\n" + qr + "Code: ");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
    return 2;
  }
  g_out = argv[1];
  if (mkdir(g_out.c_str(), 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "gen_seeds: mkdir %s: %s\n", g_out.c_str(),
            strerror(errno));
    return 1;
  }
  Frames();
  Configs();
  Records();
  Phones();
  Dialogues();
  Relays();
  return g_failures == 0 ? 0 : 1;
}
