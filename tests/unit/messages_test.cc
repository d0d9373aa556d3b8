// This file is long because it is the table of every message payload, well-
// formed and hostile.
// Unit tests for protocol/messages.h: the HELLO, START and RESULT payloads
// and the small field codec (Writer/Reader).
#include "protocol/messages.h"

#include <string>
#include <vector>

#include "protocol/frame.h"

// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {  // cmocka 1.1 has no C++ guards of its own
#include <cmocka.h>
}
// clang-format on

namespace sspr::proto {
namespace {

const Outcome kAllOutcomes[] = {
    Outcome::kRegistered, Outcome::kRegisteredNow, Outcome::kNotApplicable,
    Outcome::kBlocked,    Outcome::kDeferred,      Outcome::kUnavailable,
    Outcome::kFailed,     Outcome::kPasswordReset,
};

Start FullStart() {
  Start s;
  s.user = "alice@example.com";
  s.service = "sshd";
  s.rhost = "2001:db8::1";
  s.tty = "ssh";
  s.lang = "fr_FR.UTF-8";
  s.flags = kFlagSilent | kFlagInteractive;
  s.conf = "/etc/security/pam_sspr.conf";
  for (size_t i = 0; i < kMaxArgs; ++i)
    s.args.push_back("key" + std::to_string(i) + "=value " + std::to_string(i));
  return s;
}

void AssertStartEqual(const Start& a, const Start& b) {
  assert_int_equal(a.version, b.version);
  assert_true(a.user == b.user);
  assert_true(a.service == b.service);
  assert_true(a.rhost == b.rhost);
  assert_true(a.tty == b.tty);
  assert_true(a.lang == b.lang);
  assert_int_equal(a.flags, b.flags);
  assert_true(a.conf == b.conf);
  assert_int_equal(a.args.size(), b.args.size());
  for (size_t i = 0; i < a.args.size(); ++i)
    assert_true(a.args[i] == b.args[i]);
}

// START fields up to (not including) the argument count, written by hand.
Writer StartHead(const std::string& user) {
  Writer w;
  w.U8(kVersion);
  w.Str(user);
  w.Str("sshd");
  w.Str("");
  w.Str("");
  w.Str("");
  w.U8(0);
  w.Str("");
  return w;
}

// A u16 length followed by n bytes, bypassing Writer::Str's truncation.
std::string RawField(size_t n, char fill) {
  std::string s;
  s.push_back(static_cast<char>((n >> 8) & 0xff));
  s.push_back(static_cast<char>(n & 0xff));
  s.append(n, fill);
  return s;
}

// ---------------------------------------------------------------------------
// Writer / Reader.

void the_writer_lays_out_integers_big_endian_and_strings_with_a_length(
    void** /*state*/) {
  Writer w;
  w.U8(0xab);
  w.U16(0x1234);
  w.U32(0xdeadbeef);
  w.Str("hi");
  w.Str("");
  const char want[] = "\xab\x12\x34\xde\xad\xbe\xef\x00\x02hi\x00\x00";
  assert_int_equal(w.data().size(), sizeof(want) - 1);
  assert_memory_equal(w.data().data(), want, sizeof(want) - 1);
}

void the_writer_cuts_a_string_at_the_field_limit(void** /*state*/) {
  Writer w;
  w.Str(std::string(kMaxField + 100, 'z'));
  assert_int_equal(w.data().size(), 2 + kMaxField);
  Reader r(w.data());
  std::string s;
  assert_true(r.Str(&s));
  assert_int_equal(s.size(), kMaxField);
  assert_true(r.AtEnd());
}

void the_reader_reads_what_the_writer_wrote_and_no_further(void** /*state*/) {
  Writer w;
  w.U8(7);
  w.U16(0xffff);
  w.U32(0xffffffffu);
  w.Str(std::string("a\0b", 3));
  std::string data = w.data();
  Reader r(data);
  uint8_t a = 0;
  uint16_t b = 0;
  uint32_t c = 0;
  std::string s;
  assert_true(r.U8(&a));
  assert_true(r.U16(&b));
  assert_true(r.U32(&c));
  assert_true(r.Str(&s));
  assert_int_equal(a, 7);
  assert_int_equal(b, 0xffff);
  assert_int_equal(c, 0xffffffffu);
  assert_int_equal(s.size(), 3);
  assert_memory_equal(s.data(), "a\0b", 3);
  assert_true(r.AtEnd());
  // Nothing more to read.
  assert_false(r.U8(&a));
  assert_false(r.U16(&b));
  assert_false(r.U32(&c));
  assert_false(r.Str(&s));

  // Partial integers fail.
  std::string one("\x01", 1);
  Reader r1(one);
  assert_false(r1.U16(&b));
  std::string three("\x01\x02\x03", 3);
  Reader r3(three);
  assert_false(r3.U32(&c));

  // A string whose length runs past the end fails.
  std::string short_str(
      "\x00\x05"
      "abc",
      5);
  Reader rs(short_str);
  assert_false(rs.Str(&s));

  // A string longer than kMaxField fails even when all bytes are there.
  std::string big = RawField(kMaxField + 1, 'q');
  Reader rb(big);
  assert_false(rb.Str(&s));
  // Exactly kMaxField is fine.
  std::string max = RawField(kMaxField, 'q');
  Reader rm(max);
  assert_true(rm.Str(&s));
  assert_int_equal(s.size(), kMaxField);
  assert_true(rm.AtEnd());
}

// ---------------------------------------------------------------------------
// START.

void a_start_round_trips(void** /*state*/) {
  Start in = FullStart();
  std::string wire = EncodeStart(in);
  Start out;
  std::string err;
  assert_true(DecodeStart(wire, &out, &err));
  AssertStartEqual(in, out);
  assert_int_equal(out.args.size(), kMaxArgs);
}

void a_start_with_edge_values_round_trips(void** /*state*/) {
  Start in;
  in.user = std::string(kMaxField, 'u');  // longest allowed field
  in.service = "";
  in.rhost = std::string("\0\x01\xff", 3);  // binary survives
  in.tty = "/dev/pts/0";
  in.lang = "caf\xc3\xa9";
  in.flags = 0xff;
  in.conf = std::string(kMaxField, 'c');
  in.args = {"", "debug", std::string(kMaxField, 'a')};
  std::string wire = EncodeStart(in);
  Start out;
  std::string err;
  assert_true(DecodeStart(wire, &out, &err));
  AssertStartEqual(in, out);

  // No args at all.
  Start none;
  none.user = "bob";
  Start out2;
  out2.args = {"stale"};
  assert_true(DecodeStart(EncodeStart(none), &out2, &err));
  assert_true(out2.args.empty());
  assert_int_equal(out2.flags, 0);
}

void a_start_has_its_documented_wire_layout(void** /*state*/) {
  Start s;
  s.user = "al";
  s.service = "su";
  s.flags = kFlagInteractive;
  s.conf = "/etc/security/pam_sspr.conf";
  s.args = {"x=1"};
  std::string wire = EncodeStart(s);
  const char want[] =
      "\x02"  // version (2: the reset frames exist)
      "\x00\x02"
      "al"  // user
      "\x00\x02"
      "su"        // service
      "\x00\x00"  // rhost
      "\x00\x00"  // tty
      "\x00\x00"  // lang
      "\x02"      // flags
      "\x00\x1b"
      "/etc/security/pam_sspr.conf"  // conf
      "\x00\x01"                     // one argument
      "\x00\x03"
      "x=1";
  assert_int_equal(wire.size(), sizeof(want) - 1);
  assert_memory_equal(wire.data(), want, sizeof(want) - 1);
}

void every_prefix_of_a_start_is_refused(void** /*state*/) {
  std::string wire = EncodeStart(FullStart());
  assert_true(wire.size() > 100);
  for (size_t n = 0; n < wire.size(); ++n) {
    Start out;
    std::string err;
    if (DecodeStart(wire.substr(0, n), &out, &err)) {
      fail_msg("START prefix of %zu/%zu bytes was accepted", n, wire.size());
    }
    assert_false(err.empty());
  }
  // A short one with few fields, too.
  Start small;
  small.user = "u";
  wire = EncodeStart(small);
  for (size_t n = 0; n < wire.size(); ++n) {
    Start out;
    std::string err;
    assert_false(DecodeStart(wire.substr(0, n), &out, &err));
  }
}

void a_start_with_trailing_bytes_is_refused(void** /*state*/) {
  std::string wire = EncodeStart(FullStart());
  const std::string tails[] = {std::string(1, '\0'), "x",
                               std::string(100, 'y')};
  for (const auto& tail : tails) {
    Start out;
    std::string err;
    assert_false(DecodeStart(wire + tail, &out, &err));
    assert_false(err.empty());
  }
}

void a_start_of_another_version_is_refused(void** /*state*/) {
  const uint8_t bad[] = {0, static_cast<uint8_t>(kVersion + 1), 0xff};
  for (uint8_t v : bad) {
    Start in = FullStart();
    in.version = v;
    Start out;
    std::string err;
    assert_false(DecodeStart(EncodeStart(in), &out, &err));
    assert_false(err.empty());
  }
}

void a_start_without_a_user_is_refused(void** /*state*/) {
  Start in = FullStart();
  in.user = "";
  Start out;
  std::string err;
  assert_false(DecodeStart(EncodeStart(in), &out, &err));
  assert_false(err.empty());
}

void a_start_takes_at_most_the_argument_limit(void** /*state*/) {
  // Exactly kMaxArgs, crafted by hand: accepted.
  {
    Writer w = StartHead("alice");
    w.U16(static_cast<uint16_t>(kMaxArgs));
    for (size_t i = 0; i < kMaxArgs; ++i) w.Str("a");
    Start out;
    std::string err;
    assert_true(DecodeStart(w.data(), &out, &err));
    assert_int_equal(out.args.size(), kMaxArgs);
  }
  // One more: rejected.
  {
    Writer w = StartHead("alice");
    w.U16(static_cast<uint16_t>(kMaxArgs + 1));
    for (size_t i = 0; i < kMaxArgs + 1; ++i) w.Str("a");
    Start out;
    std::string err;
    assert_false(DecodeStart(w.data(), &out, &err));
    assert_false(err.empty());
  }
  // A huge count with no data behind it: rejected, nothing allocated.
  {
    Writer w = StartHead("alice");
    w.U16(0xffff);
    Start out;
    std::string err;
    assert_false(DecodeStart(w.data(), &out, &err));
    assert_false(err.empty());
  }
  // A count larger than the arguments present: rejected.
  {
    Writer w = StartHead("alice");
    w.U16(3);
    w.Str("a");
    w.Str("b");
    Start out;
    std::string err;
    assert_false(DecodeStart(w.data(), &out, &err));
  }
}

void the_start_encoder_never_exceeds_the_argument_limit(void** /*state*/) {
  // The encoder must not produce a START the decoder refuses.
  Start in = FullStart();
  in.args.push_back("one=too-many");
  Start out;
  std::string err;
  assert_true(DecodeStart(EncodeStart(in), &out, &err));
  assert_true(out.args.size() <= kMaxArgs);
}

void a_start_with_an_overlong_field_is_refused(void** /*state*/) {
  // user longer than kMaxField.
  {
    std::string wire(1, static_cast<char>(kVersion));
    wire += RawField(kMaxField + 1, 'u');
    Writer rest;
    rest.Str("sshd");
    rest.Str("");
    rest.Str("");
    rest.Str("");
    rest.U8(0);
    rest.Str("");
    rest.U16(0);
    wire += rest.data();
    Start out;
    std::string err;
    assert_false(DecodeStart(wire, &out, &err));
    assert_false(err.empty());
  }
  // conf longer than kMaxField.
  {
    Writer w;
    w.U8(kVersion);
    w.Str("alice");
    w.Str("sshd");
    w.Str("");
    w.Str("");
    w.Str("");
    w.U8(0);
    std::string wire = w.data() + RawField(kMaxField + 1, 'c');
    wire += std::string("\x00\x00", 2);
    Start out;
    std::string err;
    assert_false(DecodeStart(wire, &out, &err));
  }
  // One argument longer than kMaxField.
  {
    Writer w = StartHead("alice");
    w.U16(2);
    w.Str("ok=1");
    std::string wire = w.data() + RawField(kMaxField + 1, 'a');
    Start out;
    std::string err;
    assert_false(DecodeStart(wire, &out, &err));
    assert_false(err.empty());
  }
  // The maximum length u16 (65535) with all bytes present.
  {
    std::string wire(1, static_cast<char>(kVersion));
    wire += RawField(0xffff, 'u');
    Start out;
    std::string err;
    assert_false(DecodeStart(wire, &out, &err));
  }
}

// ---------------------------------------------------------------------------
// RESULT.

void every_result_round_trips(void** /*state*/) {
  const uint32_t ttls[] = {0, 1, 86400, 0xffffffffu};
  const std::string logs[] = {"", "registered mobile +1 425-***-**00",
                              std::string(kMaxField, 'l')};
  for (Outcome o : kAllOutcomes) {
    for (uint32_t ttl : ttls) {
      for (const auto& log : logs) {
        Result in;
        in.outcome = o;
        in.cache_ttl = ttl;
        in.log = log;
        Result out;
        std::string err;
        assert_true(DecodeResult(EncodeResult(in), &out, &err));
        assert_int_equal(static_cast<int>(out.outcome), static_cast<int>(o));
        assert_int_equal(out.cache_ttl, ttl);
        assert_true(out.log == log);
      }
    }
  }
}

void a_result_has_its_documented_wire_layout(void** /*state*/) {
  Result r;
  r.outcome = Outcome::kBlocked;
  r.cache_ttl = 0x01020304;
  r.log = "no";
  std::string wire = EncodeResult(r);
  const char want[] = "\x04\x01\x02\x03\x04\x00\x02no";
  assert_int_equal(wire.size(), sizeof(want) - 1);
  assert_memory_equal(wire.data(), want, sizeof(want) - 1);
}

void a_result_with_an_unknown_outcome_is_refused(void** /*state*/) {
  const uint8_t bad[] = {0, 9, 10, 0x80, 0xff};
  for (uint8_t o : bad) {
    Writer w;
    w.U8(o);
    w.U32(60);
    w.Str("x");
    Result out;
    std::string err;
    assert_false(DecodeResult(w.data(), &out, &err));
    assert_false(err.empty());
  }
}

void a_malformed_result_is_refused(void** /*state*/) {
  Result in;
  in.outcome = Outcome::kRegisteredNow;
  in.cache_ttl = 3600;
  in.log = "registered now";
  std::string wire = EncodeResult(in);
  for (size_t n = 0; n < wire.size(); ++n) {
    Result out;
    std::string err;
    assert_false(DecodeResult(wire.substr(0, n), &out, &err));
    assert_false(err.empty());
  }
  Result out;
  std::string err;
  assert_false(DecodeResult(wire + "!", &out, &err));
  // Log field longer than kMaxField.
  Writer w;
  w.U8(static_cast<uint8_t>(Outcome::kFailed));
  w.U32(0);
  assert_false(
      DecodeResult(w.data() + RawField(kMaxField + 1, 'l'), &out, &err));
}

void every_outcome_has_its_own_name(void** /*state*/) {
  for (Outcome a : kAllOutcomes) {
    assert_string_not_equal(OutcomeName(a), "unknown");
    for (Outcome b : kAllOutcomes)
      if (a != b) assert_string_not_equal(OutcomeName(a), OutcomeName(b));
  }
  assert_string_equal(OutcomeName(static_cast<Outcome>(0)), "unknown");
  assert_string_equal(OutcomeName(static_cast<Outcome>(9)), "unknown");
}

void a_set_password_request_round_trips_and_refuses_empty_fields(
    void** /*state*/) {
  SetPasswordRequest in{"alice", "passwd", "n3w pass"};
  std::string wire = EncodeSetPasswordRequest(in);
  SetPasswordRequest out;
  std::string err;
  assert_true(DecodeSetPasswordRequest(wire, &out, &err));
  assert_string_equal(out.user.c_str(), "alice");
  assert_string_equal(out.service.c_str(), "passwd");
  assert_string_equal(out.password.c_str(), "n3w pass");
  for (size_t n = 0; n < wire.size(); ++n)
    assert_false(DecodeSetPasswordRequest(wire.substr(0, n), &out, &err));
  assert_false(DecodeSetPasswordRequest(wire + "x", &out, &err));
  for (SetPasswordRequest bad :
       {SetPasswordRequest{"", "passwd", "p"}, SetPasswordRequest{"a", "", "p"},
        SetPasswordRequest{"a", "passwd", ""}}) {
    err.clear();
    assert_false(
        DecodeSetPasswordRequest(EncodeSetPasswordRequest(bad), &out, &err));
    assert_false(err.empty());
  }
}

void a_set_password_result_round_trips_and_refuses_unknown_status(
    void** /*state*/) {
  for (SetStatus st : {SetStatus::kDone, SetStatus::kRefused,
                       SetStatus::kFailed, SetStatus::kNotAllowed}) {
    SetPasswordResult in{st, "BAD PASSWORD: it is too short"};
    SetPasswordResult out;
    std::string err;
    assert_true(
        DecodeSetPasswordResult(EncodeSetPasswordResult(in), &out, &err));
    assert_int_equal(static_cast<int>(out.status), static_cast<int>(st));
    assert_string_equal(out.message.c_str(), in.message.c_str());
  }
  for (uint8_t bad : {0, 5, 0xff}) {
    Writer w;
    w.U8(bad);
    w.Str("");
    SetPasswordResult out;
    std::string err;
    assert_false(DecodeSetPasswordResult(w.data(), &out, &err));
    assert_false(err.empty());
  }
}

// ---------------------------------------------------------------------------
// HELLO.

void a_hello_round_trips(void** /*state*/) {
  std::string wire = EncodeHello();
  assert_int_equal(wire.size(), 1);
  assert_int_equal(static_cast<uint8_t>(wire[0]), kVersion);
  uint8_t v = 0;
  std::string err;
  assert_true(DecodeHello(wire, &v, &err));
  assert_int_equal(v, kVersion);
}

void a_hello_of_another_version_is_refused(void** /*state*/) {
  const uint8_t bad[] = {0, static_cast<uint8_t>(kVersion + 1), 0xff};
  for (uint8_t b : bad) {
    uint8_t v = kVersion;
    std::string err;
    assert_false(DecodeHello(std::string(1, static_cast<char>(b)), &v, &err));
    assert_false(err.empty());
  }
}

void a_malformed_hello_is_refused(void** /*state*/) {
  uint8_t v = 0;
  std::string err;
  assert_false(DecodeHello("", &v, &err));
  assert_false(err.empty());
  err.clear();
  assert_false(DecodeHello(EncodeHello() + "x", &v, &err));
  assert_false(err.empty());
}

}  // namespace
}  // namespace sspr::proto

int main() {
  using namespace sspr::proto;  // NOLINT(build/namespaces)
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          the_writer_lays_out_integers_big_endian_and_strings_with_a_length),
      cmocka_unit_test(the_writer_cuts_a_string_at_the_field_limit),
      cmocka_unit_test(the_reader_reads_what_the_writer_wrote_and_no_further),
      cmocka_unit_test(a_start_round_trips),
      cmocka_unit_test(a_start_with_edge_values_round_trips),
      cmocka_unit_test(a_start_has_its_documented_wire_layout),
      cmocka_unit_test(every_prefix_of_a_start_is_refused),
      cmocka_unit_test(a_start_with_trailing_bytes_is_refused),
      cmocka_unit_test(a_start_of_another_version_is_refused),
      cmocka_unit_test(a_start_without_a_user_is_refused),
      cmocka_unit_test(a_start_takes_at_most_the_argument_limit),
      cmocka_unit_test(the_start_encoder_never_exceeds_the_argument_limit),
      cmocka_unit_test(a_start_with_an_overlong_field_is_refused),
      cmocka_unit_test(every_result_round_trips),
      cmocka_unit_test(a_result_has_its_documented_wire_layout),
      cmocka_unit_test(a_result_with_an_unknown_outcome_is_refused),
      cmocka_unit_test(a_malformed_result_is_refused),
      cmocka_unit_test(every_outcome_has_its_own_name),
      cmocka_unit_test(
          a_set_password_request_round_trips_and_refuses_empty_fields),
      cmocka_unit_test(
          a_set_password_result_round_trips_and_refuses_unknown_status),
      cmocka_unit_test(a_hello_round_trips),
      cmocka_unit_test(a_hello_of_another_version_is_refused),
      cmocka_unit_test(a_malformed_hello_is_refused),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
