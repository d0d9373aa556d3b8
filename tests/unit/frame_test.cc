// This file is long because it is the codec's table of well-formed and hostile
// frames.
// Unit tests for protocol/frame.h: the frame codec, the incremental decoder
// and ReadFrame/WriteFrame over real descriptors.
#include "common/time.h"
#include "common/wipe.h"
#include "protocol/frame.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

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

const Type kAllTypes[] = {
    Type::kHello,
    Type::kStart,
    Type::kPromptEchoOn,
    Type::kPromptEchoOff,
    Type::kInfo,
    Type::kError,
    Type::kAnswer,
    Type::kConvFailed,
    Type::kResult,
    Type::kSetPassword,
    Type::kSetPasswordResult,
};

std::string Encode(Type type, const std::string& payload) {
  std::string out, err;
  assert_true(EncodeFrame(type, payload, &out, &err));
  return out;
}

// The 4 length bytes (big-endian) followed by one type byte.
std::string Header(uint32_t len, uint8_t type) {
  std::string h;
  h.push_back(static_cast<char>((len >> 24) & 0xff));
  h.push_back(static_cast<char>((len >> 16) & 0xff));
  h.push_back(static_cast<char>((len >> 8) & 0xff));
  h.push_back(static_cast<char>(len & 0xff));
  h.push_back(static_cast<char>(type));
  return h;
}

// Deterministic payload of n bytes covering all byte values.
std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
  return s;
}

void SleepMs(int ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// Runs fn in a child process, so a call that hangs cannot hang the suite.
// Returns the child's exit code, -1 when it was still running after
// limit_ms (it is then killed), or 128 + signal when a signal ended it.
int RunBounded(const std::function<int()>& fn, int limit_ms) {
  pid_t pid = fork();
  if (pid < 0) return -2;
  if (pid == 0) {
    alarm(static_cast<unsigned>(limit_ms / 1000 + 5));  // belt and braces
    _exit(fn());
  }
  int64_t end = NowMs() + limit_ms;
  int status = 0;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return -2;
    if (NowMs() >= end) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return -1;
    }
    SleepMs(5);
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -3;
}

// ---------------------------------------------------------------------------
// Types and names.

void every_frame_type_is_known_and_named(void** /*state*/) {
  for (Type t : kAllTypes) {
    assert_true(IsKnownType(static_cast<uint8_t>(t)));
    assert_string_not_equal(TypeName(t), "UNKNOWN");
  }
  assert_false(IsKnownType(0));
  assert_false(IsKnownType(12));
  assert_false(IsKnownType(255));
  assert_string_equal(TypeName(Type::kHello), "HELLO");
  assert_string_equal(TypeName(Type::kConvFailed), "CONV_FAILED");
  assert_string_equal(TypeName(static_cast<Type>(42)), "UNKNOWN");
  // Names are distinct.
  for (Type a : kAllTypes)
    for (Type b : kAllTypes)
      if (a != b) assert_string_not_equal(TypeName(a), TypeName(b));
}

// ---------------------------------------------------------------------------
// EncodeFrame.

void a_frame_is_its_length_its_type_and_its_payload(void** /*state*/) {
  std::string out = Encode(Type::kInfo, "abc");
  assert_int_equal(out.size(), 8);
  assert_memory_equal(out.data(),
                      "\x00\x00\x00\x04\x05"
                      "abc",
                      8);

  // Empty payload: length 1 (the type byte alone).
  out = Encode(Type::kConvFailed, "");
  assert_int_equal(out.size(), 5);
  assert_memory_equal(out.data(), "\x00\x00\x00\x01\x08", 5);

  // Big-endian length with all four bytes in use below the limit.
  out = Encode(Type::kStart, std::string(0x1234, 'x'));
  assert_int_equal(out.size(), kHeaderSize + 1 + 0x1234);
  assert_memory_equal(out.data(), "\x00\x00\x12\x35\x02", 5);
}

void encoding_appends_to_what_is_there(void** /*state*/) {
  std::string out = "prefix", err;
  assert_true(EncodeFrame(Type::kAnswer, "x", &out, &err));
  assert_int_equal(out.size(), 6 + 6);
  assert_memory_equal(out.data(), "prefix\x00\x00\x00\x02\x07x", 12);
}

void encoding_refuses_a_frame_over_the_limit(void** /*state*/) {
  std::string out, err;
  // Largest allowed: type + payload == kMaxFrameLength.
  assert_true(EncodeFrame(Type::kInfo, std::string(kMaxFrameLength - 1, 'a'),
                          &out, &err));
  assert_int_equal(out.size(), kHeaderSize + kMaxFrameLength);
  assert_memory_equal(out.data(), "\x00\x01\x00\x00\x05", 5);

  out = "keep";
  err.clear();
  assert_false(
      EncodeFrame(Type::kInfo, std::string(kMaxFrameLength, 'a'), &out, &err));
  assert_string_equal(out.c_str(), "keep");  // nothing appended
  assert_false(err.empty());

  err.clear();
  assert_false(EncodeFrame(Type::kInfo, std::string(kMaxFrameLength * 4, 'a'),
                           &out, &err));
  assert_false(err.empty());
  assert_string_equal(out.c_str(), "keep");
}

// ---------------------------------------------------------------------------
// Decoder.

void every_type_and_payload_round_trips(void** /*state*/) {
  const std::vector<std::string> payloads = {"",
                                             "x",
                                             "hello, world",
                                             std::string("\0\xff\x01\x80", 4),
                                             "caf\xc3\xa9 \xe2\x82\xac",
                                             Pattern(1000),
                                             Pattern(kMaxFrameLength - 1)};
  for (Type t : kAllTypes) {
    for (const auto& p : payloads) {
      Decoder dec;
      std::string wire = Encode(t, p);
      dec.Feed(wire.data(), wire.size());
      Frame f;
      std::string err;
      assert_int_equal(dec.Next(&f, &err), Decoder::Status::kFrame);
      assert_int_equal(static_cast<int>(f.type), static_cast<int>(t));
      assert_int_equal(f.payload.size(), p.size());
      assert_true(f.payload == p);
      assert_int_equal(dec.buffered(), 0);
      assert_int_equal(dec.Next(&f, &err), Decoder::Status::kNeedMore);
    }
  }
}

void frames_fed_byte_by_byte_decode_whole(void** /*state*/) {
  std::vector<Frame> want;
  std::string wire;
  for (Type t : kAllTypes) {
    Frame f;
    f.type = t;
    f.payload = std::string(TypeName(t)) + std::string(1, '\0') + Pattern(37);
    wire += Encode(f.type, f.payload);
    want.push_back(f);
  }
  wire += Encode(Type::kConvFailed, "");  // an empty one at the end
  Frame last;
  last.type = Type::kConvFailed;
  want.push_back(last);

  Decoder dec;
  std::vector<Frame> got;
  size_t frames_completed_at_byte = 0;
  for (size_t i = 0; i < wire.size(); ++i) {
    dec.Feed(&wire[i], 1);
    Frame f;
    std::string err;
    Decoder::Status st = dec.Next(&f, &err);
    assert_int_not_equal(st, Decoder::Status::kError);
    if (st == Decoder::Status::kFrame) {
      got.push_back(f);
      ++frames_completed_at_byte;
      // A frame completes exactly at the end of its bytes: nothing buffered.
      assert_int_equal(dec.buffered(), 0);
      assert_int_equal(dec.Next(&f, &err), Decoder::Status::kNeedMore);
    }
  }
  assert_int_equal(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    assert_int_equal(static_cast<int>(got[i].type),
                     static_cast<int>(want[i].type));
    assert_true(got[i].payload == want[i].payload);
  }
}

void frames_split_at_any_chunk_size_decode_whole(void** /*state*/) {
  std::string wire = Encode(Type::kInfo, Pattern(300)) +
                     Encode(Type::kAnswer, "123456") +
                     Encode(Type::kResult, Pattern(5));
  for (size_t chunk = 1; chunk <= wire.size(); ++chunk) {
    Decoder dec;
    std::vector<Frame> got;
    for (size_t off = 0; off < wire.size(); off += chunk) {
      size_t n = std::min(chunk, wire.size() - off);
      dec.Feed(wire.data() + off, n);
      for (;;) {
        Frame f;
        std::string err;
        Decoder::Status st = dec.Next(&f, &err);
        assert_int_not_equal(st, Decoder::Status::kError);
        if (st != Decoder::Status::kFrame) break;
        got.push_back(f);
      }
    }
    assert_int_equal(got.size(), 3);
    assert_true(got[0].type == Type::kInfo && got[0].payload == Pattern(300));
    assert_true(got[1].type == Type::kAnswer && got[1].payload == "123456");
    assert_true(got[2].type == Type::kResult && got[2].payload == Pattern(5));
    assert_int_equal(dec.buffered(), 0);
  }
}

void several_frames_in_one_buffer_decode_in_order(void** /*state*/) {
  std::string wire;
  for (Type t : kAllTypes) wire += Encode(t, TypeName(t));
  Decoder dec;
  dec.Feed(wire.data(), wire.size());
  for (Type t : kAllTypes) {
    Frame f;
    std::string err;
    assert_int_equal(dec.Next(&f, &err), Decoder::Status::kFrame);
    assert_true(f.type == t);
    assert_string_equal(f.payload.c_str(), TypeName(t));
  }
  Frame f;
  std::string err;
  assert_int_equal(dec.Next(&f, &err), Decoder::Status::kNeedMore);
  assert_int_equal(dec.buffered(), 0);
}

void a_truncated_header_waits_for_more(void** /*state*/) {
  std::string wire = Encode(Type::kInfo, "payload");
  for (size_t n = 0; n < kHeaderSize + 1; ++n) {
    Decoder dec;
    dec.Feed(wire.data(), n);
    Frame f;
    std::string err;
    assert_int_equal(dec.Next(&f, &err), Decoder::Status::kNeedMore);
    assert_int_equal(dec.buffered(), n);
  }
}

void a_truncated_payload_waits_for_more(void** /*state*/) {
  std::string wire = Encode(Type::kPromptEchoOff, "Code: ");
  for (size_t n = kHeaderSize + 1; n < wire.size(); ++n) {
    Decoder dec;
    dec.Feed(wire.data(), n);
    Frame f;
    std::string err;
    assert_int_equal(dec.Next(&f, &err), Decoder::Status::kNeedMore);
    // The rest arrives: the frame completes.
    dec.Feed(wire.data() + n, wire.size() - n);
    assert_int_equal(dec.Next(&f, &err), Decoder::Status::kFrame);
    assert_true(f.type == Type::kPromptEchoOff);
    assert_string_equal(f.payload.c_str(), "Code: ");
  }
}

void a_zero_length_is_an_error(void** /*state*/) {
  Decoder dec;
  dec.Feed("\0\0\0\0", 4);
  Frame f;
  std::string err;
  assert_int_equal(dec.Next(&f, &err), Decoder::Status::kError);
  assert_false(err.empty());

  // Also when a valid frame precedes it.
  Decoder dec2;
  std::string wire = Encode(Type::kInfo, "ok") + std::string(5, '\0');
  dec2.Feed(wire.data(), wire.size());
  err.clear();
  assert_int_equal(dec2.Next(&f, &err), Decoder::Status::kFrame);
  assert_int_equal(dec2.Next(&f, &err), Decoder::Status::kError);
  assert_false(err.empty());
}

void an_oversize_length_is_refused_from_the_header_alone(void** /*state*/) {
  const uint32_t bad[] = {kMaxFrameLength + 1, kMaxFrameLength * 2, 0x7fffffffu,
                          0xffffffffu};
  for (uint32_t len : bad) {
    // Only the 5 header bytes: no payload has arrived yet.
    Decoder dec;
    std::string h = Header(len, static_cast<uint8_t>(Type::kInfo));
    dec.Feed(h.data(), h.size());
    Frame f;
    std::string err;
    assert_int_equal(dec.Next(&f, &err), Decoder::Status::kError);
    assert_false(err.empty());
    assert_int_equal(dec.buffered(), 5);

    // Even the 4 length bytes alone are enough.
    Decoder dec4;
    dec4.Feed(h.data(), 4);
    err.clear();
    assert_int_equal(dec4.Next(&f, &err), Decoder::Status::kError);
    assert_false(err.empty());
  }
}

void the_largest_length_is_accepted(void** /*state*/) {
  Decoder dec;
  std::string h = Header(kMaxFrameLength, static_cast<uint8_t>(Type::kInfo));
  dec.Feed(h.data(), h.size());
  Frame f;
  std::string err;
  assert_int_equal(dec.Next(&f, &err), Decoder::Status::kNeedMore);
  std::string body = Pattern(kMaxFrameLength - 1);
  dec.Feed(body.data(), body.size() - 1);
  assert_int_equal(dec.Next(&f, &err), Decoder::Status::kNeedMore);
  dec.Feed(body.data() + body.size() - 1, 1);
  assert_int_equal(dec.Next(&f, &err), Decoder::Status::kFrame);
  assert_true(f.payload == body);
}

void an_unknown_type_is_refused(void** /*state*/) {
  const uint8_t bad[] = {0, 12, 13, 0x7f, 0x80, 0xff};
  for (uint8_t t : bad) {
    // Whole frame.
    Decoder dec;
    std::string wire = Header(3, t) + "ab";
    dec.Feed(wire.data(), wire.size());
    Frame f;
    std::string err;
    assert_int_equal(dec.Next(&f, &err), Decoder::Status::kError);
    assert_false(err.empty());

    // Rejected as soon as the type byte is there, before the payload.
    Decoder dec2;
    std::string h = Header(1000, t);
    dec2.Feed(h.data(), h.size());
    err.clear();
    assert_int_equal(dec2.Next(&f, &err), Decoder::Status::kError);
    assert_false(err.empty());
  }
}

void wipe_empties_a_string(void** /*state*/) {
  std::string s = "123456";
  Wipe(&s);
  assert_true(s.empty());
  std::string e;
  Wipe(&e);
  assert_true(e.empty());
}

void now_ms_moves_forward_with_the_time_slept(void** /*state*/) {
  int64_t a = NowMs();
  SleepMs(20);
  int64_t b = NowMs();
  assert_true(a >= 0);
  assert_true(b - a >= 19);
  assert_true(b - a < 5000);
}

// ---------------------------------------------------------------------------
// ReadFrame / WriteFrame over a socketpair.

struct Pair {
  int fd[2] = {-1, -1};
  pid_t child = -1;
};

int PairSetup(void** state) {
  auto* p = new Pair;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p->fd) != 0) {
    delete p;
    return -1;
  }
  *state = p;
  return 0;
}

int PairTeardown(void** state) {
  auto* p = static_cast<Pair*>(*state);
  for (int& fd : p->fd) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  if (p->child > 0) {
    kill(p->child, SIGKILL);
    while (waitpid(p->child, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  delete p;
  return 0;
}

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

void every_type_round_trips_over_a_socket(void** state) {
  auto* p = static_cast<Pair*>(*state);
  Decoder dec0, dec1;
  for (Type t : kAllTypes) {
    std::string payload = std::string("to ") + TypeName(t) + Pattern(100);
    std::string err;
    assert_int_equal(WriteFrame(p->fd[0], t, payload, NowMs() + 2000, &err),
                     IoStatus::kOk);
    Frame f;
    assert_int_equal(ReadFrame(p->fd[1], &dec1, &f, NowMs() + 2000, &err),
                     IoStatus::kOk);
    assert_true(f.type == t);
    assert_true(f.payload == payload);

    // And the other direction.
    assert_int_equal(WriteFrame(p->fd[1], t, "back", NowMs() + 2000, &err),
                     IoStatus::kOk);
    assert_int_equal(ReadFrame(p->fd[0], &dec0, &f, NowMs() + 2000, &err),
                     IoStatus::kOk);
    assert_true(f.type == t);
    assert_string_equal(f.payload.c_str(), "back");
  }
}

void queued_frames_arrive_in_order_over_a_socket(void** state) {
  auto* p = static_cast<Pair*>(*state);
  std::string err;
  for (int i = 0; i < 20; ++i) {
    assert_int_equal(WriteFrame(p->fd[0], Type::kInfo,
                                "line " + std::to_string(i), -1, &err),
                     IoStatus::kOk);
  }
  assert_int_equal(WriteFrame(p->fd[0], Type::kResult, "", -1, &err),
                   IoStatus::kOk);
  // One read(2) may pull in many frames; each ReadFrame returns one.
  Decoder dec;
  for (int i = 0; i < 20; ++i) {
    Frame f;
    assert_int_equal(ReadFrame(p->fd[1], &dec, &f, NowMs() + 2000, &err),
                     IoStatus::kOk);
    assert_true(f.type == Type::kInfo);
    assert_string_equal(f.payload.c_str(),
                        ("line " + std::to_string(i)).c_str());
  }
  Frame f;
  assert_int_equal(ReadFrame(p->fd[1], &dec, &f, NowMs() + 2000, &err),
                   IoStatus::kOk);
  assert_true(f.type == Type::kResult);
  assert_true(f.payload.empty());
}

void a_peer_that_closes_between_frames_is_a_clean_eof(void** state) {
  auto* p = static_cast<Pair*>(*state);
  CloseFd(&p->fd[0]);
  Decoder dec;
  Frame f;
  std::string err;
  assert_int_equal(ReadFrame(p->fd[1], &dec, &f, NowMs() + 2000, &err),
                   IoStatus::kEof);
  assert_false(err.empty());
}

void a_peer_that_closes_mid_frame_is_an_error(void** state) {
  auto* p = static_cast<Pair*>(*state);
  std::string wire = Encode(Type::kInfo, "this frame is cut short");
  // Cut inside the header and inside the payload.
  const size_t cuts[] = {1, 4, 5, 10};
  for (size_t cut : cuts) {
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    assert_int_equal(write(sv[0], wire.data(), cut), static_cast<ssize_t>(cut));
    close(sv[0]);
    Decoder dec;
    Frame f;
    std::string err;
    IoStatus st = ReadFrame(sv[1], &dec, &f, NowMs() + 2000, &err);
    close(sv[1]);
    assert_int_equal(st, IoStatus::kEof);
    assert_false(err.empty());
    assert_non_null(strstr(err.c_str(), "inside a frame"));
  }
  (void)p;
}

void a_whole_frame_is_read_before_the_eof(void** state) {
  auto* p = static_cast<Pair*>(*state);
  std::string err;
  assert_int_equal(WriteFrame(p->fd[0], Type::kInfo, "bye", -1, &err),
                   IoStatus::kOk);
  CloseFd(&p->fd[0]);
  Decoder dec;
  Frame f;
  assert_int_equal(ReadFrame(p->fd[1], &dec, &f, NowMs() + 2000, &err),
                   IoStatus::kOk);
  assert_string_equal(f.payload.c_str(), "bye");
  err.clear();
  assert_int_equal(ReadFrame(p->fd[1], &dec, &f, NowMs() + 2000, &err),
                   IoStatus::kEof);
  assert_false(err.empty());
  assert_null(strstr(err.c_str(), "inside a frame"));
}

void a_silent_peer_ends_the_read_at_its_deadline(void** state) {
  auto* p = static_cast<Pair*>(*state);
  int fd = p->fd[1];
  // The child runs ReadFrame; the parent bounds it in case it never returns.
  int rc = RunBounded(
      [fd]() {
        Decoder dec;
        Frame f;
        std::string err;
        int64_t start = NowMs();
        IoStatus st = ReadFrame(fd, &dec, &f, start + 100, &err);
        int64_t took = NowMs() - start;
        if (st != IoStatus::kTimeout) return 10;
        if (err.empty()) return 11;
        if (took < 95) return 12;    // returned too early
        if (took > 1500) return 13;  // returned far too late
        return 0;
      },
      5000);
  assert_int_equal(rc, 0);
}

void a_peer_silent_mid_frame_ends_the_read_at_its_deadline(void** state) {
  auto* p = static_cast<Pair*>(*state);
  std::string wire = Encode(Type::kInfo, "half");
  assert_int_equal(write(p->fd[0], wire.data(), 6), 6);
  int fd = p->fd[1];
  int rc = RunBounded(
      [fd]() {
        Decoder dec;
        Frame f;
        std::string err;
        IoStatus st = ReadFrame(fd, &dec, &f, NowMs() + 100, &err);
        if (st != IoStatus::kTimeout) return 10;
        if (dec.buffered() != 6) return 11;
        return 0;
      },
      5000);
  assert_int_equal(rc, 0);
}

void an_expired_deadline_returns_at_once(void** state) {
  auto* p = static_cast<Pair*>(*state);
  Decoder dec;
  Frame f;
  std::string err;
  int64_t start = NowMs();
  assert_int_equal(ReadFrame(p->fd[1], &dec, &f, start - 1, &err),
                   IoStatus::kTimeout);
  assert_true(NowMs() - start < 1000);
  // A deadline of 0 is in the past too (not "forever").
  assert_int_equal(ReadFrame(p->fd[1], &dec, &f, 0, &err), IoStatus::kTimeout);
}

void a_negative_deadline_waits_for_the_frame(void** state) {
  auto* p = static_cast<Pair*>(*state);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(p->fd[1]);
    SleepMs(150);
    std::string err;
    _exit(WriteFrame(p->fd[0], Type::kInfo, "late", -1, &err) == IoStatus::kOk
              ? 0
              : 1);
  }
  p->child = pid;
  CloseFd(&p->fd[0]);
  Decoder dec;
  Frame f;
  std::string err;
  int64_t start = NowMs();
  assert_int_equal(ReadFrame(p->fd[1], &dec, &f, -1, &err), IoStatus::kOk);
  assert_true(NowMs() - start >= 100);
  assert_string_equal(f.payload.c_str(), "late");
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  p->child = -1;
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

void the_largest_frame_arrives_whole_from_a_child(void** state) {
  auto* p = static_cast<Pair*>(*state);
  const std::string payload = Pattern(kMaxFrameLength - 1);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(p->fd[1]);
    std::string err;
    IoStatus st =
        WriteFrame(p->fd[0], Type::kInfo, payload, NowMs() + 10000, &err);
    close(p->fd[0]);
    _exit(st == IoStatus::kOk ? 0 : 1);
  }
  p->child = pid;
  CloseFd(&p->fd[0]);
  Decoder dec;
  Frame f;
  std::string err;
  assert_int_equal(ReadFrame(p->fd[1], &dec, &f, NowMs() + 10000, &err),
                   IoStatus::kOk);
  assert_true(f.type == Type::kInfo);
  assert_int_equal(f.payload.size(), kMaxFrameLength - 1);
  assert_true(f.payload == payload);
  // The child has exited and closed its end: a clean EOF follows.
  assert_int_equal(ReadFrame(p->fd[1], &dec, &f, NowMs() + 10000, &err),
                   IoStatus::kEof);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  p->child = -1;
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

void an_oversize_frame_from_the_peer_is_refused_without_waiting(void** state) {
  auto* p = static_cast<Pair*>(*state);
  // A peer announcing a huge frame is rejected without waiting for it.
  std::string h = Header(0x7fffffffu, static_cast<uint8_t>(Type::kInfo));
  assert_int_equal(write(p->fd[0], h.data(), h.size()),
                   static_cast<ssize_t>(h.size()));
  Decoder dec;
  Frame f;
  std::string err;
  int64_t start = NowMs();
  assert_int_equal(ReadFrame(p->fd[1], &dec, &f, NowMs() + 3000, &err),
                   IoStatus::kError);
  assert_true(NowMs() - start < 1000);
  assert_false(err.empty());
}

void an_unknown_type_from_the_peer_is_refused(void** state) {
  auto* p = static_cast<Pair*>(*state);
  std::string wire = Header(2, 77) + "z";
  assert_int_equal(write(p->fd[0], wire.data(), wire.size()),
                   static_cast<ssize_t>(wire.size()));
  Decoder dec;
  Frame f;
  std::string err;
  assert_int_equal(ReadFrame(p->fd[1], &dec, &f, NowMs() + 2000, &err),
                   IoStatus::kError);
  assert_false(err.empty());
}

void an_oversize_write_sends_nothing(void** state) {
  auto* p = static_cast<Pair*>(*state);
  std::string err;
  assert_int_equal(WriteFrame(p->fd[0], Type::kInfo,
                              std::string(kMaxFrameLength, 'x'), -1, &err),
                   IoStatus::kError);
  assert_false(err.empty());
  char c;
  assert_int_equal(recv(p->fd[1], &c, 1, MSG_DONTWAIT), -1);
  assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
}

void a_write_to_a_closed_peer_fails_without_sigpipe(void** state) {
  auto* p = static_cast<Pair*>(*state);
  CloseFd(&p->fd[1]);
  int fd = p->fd[0];
  // In a child: a SIGPIPE would kill it instead of failing the whole suite.
  int rc = RunBounded(
      [fd]() {
        signal(SIGPIPE, SIG_DFL);
        std::string err;
        IoStatus st = WriteFrame(fd, Type::kAnswer, "x", NowMs() + 1000, &err);
        if (st != IoStatus::kError) return 10;
        if (err.empty()) return 11;
        return 0;
      },
      5000);
  assert_int_equal(rc, 0);
}

void a_write_over_a_pipe_is_refused(void** /*state*/) {
  // Frames travel over the socketpair only: a pipe is refused, cleanly.
  int pfd[2];
  assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
  std::string err;
  IoStatus w =
      WriteFrame(pfd[1], Type::kError, "over a pipe", NowMs() + 2000, &err);
  close(pfd[0]);
  close(pfd[1]);
  assert_int_equal(w, IoStatus::kError);
  assert_false(err.empty());
}

// "EPIPE and friends are kError" holds for a pipe too: no SIGPIPE death.
void a_write_to_a_pipe_without_reader_fails_without_sigpipe(void** /*state*/) {
  int pfd[2];
  assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
  close(pfd[0]);
  int fd = pfd[1];
  int rc = RunBounded(
      [fd]() {
        signal(SIGPIPE, SIG_DFL);  // as a process that never touched it
        std::string err;
        IoStatus st = WriteFrame(fd, Type::kAnswer, "x", NowMs() + 1000, &err);
        if (st != IoStatus::kError) return 10;
        if (err.empty()) return 11;
        return 0;
      },
      5000);
  close(pfd[1]);
  if (rc == 128 + SIGPIPE)
    fail_msg("WriteFrame on a pipe without reader raised SIGPIPE");
  assert_int_equal(rc, 0);
}

void a_read_of_a_closed_descriptor_fails(void** /*state*/) {
  int pfd[2];
  assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
  close(pfd[0]);
  close(pfd[1]);
  Decoder dec;
  Frame f;
  std::string err;
  int64_t start = NowMs();
  assert_int_equal(ReadFrame(pfd[0], &dec, &f, NowMs() + 2000, &err),
                   IoStatus::kError);
  assert_false(err.empty());
  assert_true(NowMs() - start < 1000);
}

// A peer that never reads must not make WriteFrame overrun its deadline,
// even on a blocking descriptor (the socketpair default).
void a_peer_that_never_reads_cannot_stretch_a_write_past_its_deadline(
    void** state) {
  auto* p = static_cast<Pair*>(*state);
  int snd = 4096;
  assert_int_equal(
      setsockopt(p->fd[0], SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd)), 0);
  int fd = p->fd[0];
  int rc = RunBounded(
      [fd]() {
        std::string err;
        int64_t start = NowMs();
        IoStatus st =
            WriteFrame(fd, Type::kInfo, std::string(kMaxFrameLength - 1, 'q'),
                       start + 100, &err);
        int64_t took = NowMs() - start;
        if (st != IoStatus::kTimeout) return 10;
        if (took > 1500) return 13;
        return 0;
      },
      3000);
  if (rc == -1)
    fail_msg("WriteFrame still blocked 3 s after a 100 ms deadline");
  assert_int_equal(rc, 0);
}

}  // namespace
}  // namespace sspr::proto

int main() {
  using namespace sspr::proto;  // NOLINT(build/namespaces)
  signal(SIGPIPE, SIG_IGN);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_frame_type_is_known_and_named),
      cmocka_unit_test(a_frame_is_its_length_its_type_and_its_payload),
      cmocka_unit_test(encoding_appends_to_what_is_there),
      cmocka_unit_test(encoding_refuses_a_frame_over_the_limit),
      cmocka_unit_test(every_type_and_payload_round_trips),
      cmocka_unit_test(frames_fed_byte_by_byte_decode_whole),
      cmocka_unit_test(frames_split_at_any_chunk_size_decode_whole),
      cmocka_unit_test(several_frames_in_one_buffer_decode_in_order),
      cmocka_unit_test(a_truncated_header_waits_for_more),
      cmocka_unit_test(a_truncated_payload_waits_for_more),
      cmocka_unit_test(a_zero_length_is_an_error),
      cmocka_unit_test(an_oversize_length_is_refused_from_the_header_alone),
      cmocka_unit_test(the_largest_length_is_accepted),
      cmocka_unit_test(an_unknown_type_is_refused),
      cmocka_unit_test(wipe_empties_a_string),
      cmocka_unit_test(now_ms_moves_forward_with_the_time_slept),
      cmocka_unit_test_setup_teardown(every_type_round_trips_over_a_socket,
                                      PairSetup, PairTeardown),
      cmocka_unit_test_setup_teardown(
          queued_frames_arrive_in_order_over_a_socket, PairSetup, PairTeardown),
      cmocka_unit_test_setup_teardown(
          a_peer_that_closes_between_frames_is_a_clean_eof, PairSetup,
          PairTeardown),
      cmocka_unit_test_setup_teardown(a_peer_that_closes_mid_frame_is_an_error,
                                      PairSetup, PairTeardown),
      cmocka_unit_test_setup_teardown(a_whole_frame_is_read_before_the_eof,
                                      PairSetup, PairTeardown),
      cmocka_unit_test_setup_teardown(
          a_silent_peer_ends_the_read_at_its_deadline, PairSetup, PairTeardown),
      cmocka_unit_test_setup_teardown(
          a_peer_silent_mid_frame_ends_the_read_at_its_deadline, PairSetup,
          PairTeardown),
      cmocka_unit_test_setup_teardown(an_expired_deadline_returns_at_once,
                                      PairSetup, PairTeardown),
      cmocka_unit_test_setup_teardown(a_negative_deadline_waits_for_the_frame,
                                      PairSetup, PairTeardown),
      cmocka_unit_test_setup_teardown(
          the_largest_frame_arrives_whole_from_a_child, PairSetup,
          PairTeardown),
      cmocka_unit_test_setup_teardown(
          an_oversize_frame_from_the_peer_is_refused_without_waiting, PairSetup,
          PairTeardown),
      cmocka_unit_test_setup_teardown(an_unknown_type_from_the_peer_is_refused,
                                      PairSetup, PairTeardown),
      cmocka_unit_test_setup_teardown(an_oversize_write_sends_nothing,
                                      PairSetup, PairTeardown),
      cmocka_unit_test_setup_teardown(
          a_write_to_a_closed_peer_fails_without_sigpipe, PairSetup,
          PairTeardown),
      cmocka_unit_test(a_write_over_a_pipe_is_refused),
      cmocka_unit_test(a_write_to_a_pipe_without_reader_fails_without_sigpipe),
      cmocka_unit_test(a_read_of_a_closed_descriptor_fails),
      cmocka_unit_test_setup_teardown(
          a_peer_that_never_reads_cannot_stretch_a_write_past_its_deadline,
          PairSetup, PairTeardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
