// Fuzzes the frame decoder and the HELLO / START / RESULT payload codecs.
//
// Input: data[0] % 16 = n, then n chunk-size bytes, then the byte stream.
// The stream is fed to a Decoder in chunks of those sizes (cycled; n == 0
// feeds it whole), every frame is taken out after every Feed, and:
//  - chunking must not matter: a one-shot decode of the whole stream gives
//    the same frames, the same final status and the same error;
//  - every frame re-encodes to exactly the bytes it was decoded from;
//  - a START / RESULT / HELLO payload that decodes re-encodes to the same
//    payload, and that encoding decodes to an equal message (the raw
//    stream is also tried as each payload, framed or not).
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "protocol/frame.h"
#include "protocol/messages.h"

namespace {

using sspr::proto::Decoder;
using sspr::proto::Frame;
using sspr::proto::Type;

[[noreturn]] void Fail(const char* what) {
  fprintf(stderr, "fuzz_frame: %s\n", what);
  abort();
}

struct Run {
  std::vector<Frame> frames;
  Decoder::Status last = Decoder::Status::kNeedMore;
  std::string err;
};

// Takes every whole frame out of the decoder; false once it reports an error.
bool Drain(Decoder* dec, Run* run) {
  for (;;) {
    Frame f;
    std::string err;
    Decoder::Status st = dec->Next(&f, &err);
    run->last = st;
    if (st == Decoder::Status::kNeedMore) return true;
    if (st == Decoder::Status::kError) {
      if (err.empty()) Fail("decoder error without a message");
      run->err = err;
      return false;
    }
    if (!sspr::proto::IsKnownType(static_cast<uint8_t>(f.type)))
      Fail("decoder returned an unknown type");
    if (f.payload.size() + 1 > sspr::proto::kMaxFrameLength)
      Fail("decoder returned an oversized frame");
    run->frames.push_back(std::move(f));
  }
}

void CheckStart(const std::string& payload) {
  sspr::proto::Start s;
  std::string err;
  if (!sspr::proto::DecodeStart(payload, &s, &err)) {
    if (err.empty()) Fail("DecodeStart failed without a message");
    return;
  }
  if (s.user.empty() || s.version != sspr::proto::kVersion ||
      s.args.size() > sspr::proto::kMaxArgs)
    Fail("DecodeStart accepted an invalid START");
  std::string again = sspr::proto::EncodeStart(s);
  if (again != payload) Fail("START does not re-encode to the same bytes");
  sspr::proto::Start t;
  if (!sspr::proto::DecodeStart(again, &t, &err))
    Fail("re-encoded START does not decode");
  if (t.version != s.version || t.user != s.user || t.service != s.service ||
      t.rhost != s.rhost || t.tty != s.tty || t.lang != s.lang ||
      t.flags != s.flags || t.conf != s.conf || t.args != s.args)
    Fail("START round trip changed a field");
}

void CheckResult(const std::string& payload) {
  sspr::proto::Result r;
  std::string err;
  if (!sspr::proto::DecodeResult(payload, &r, &err)) {
    if (err.empty()) Fail("DecodeResult failed without a message");
    return;
  }
  // The name table must know every outcome the decoder accepts.
  if (std::string(sspr::proto::OutcomeName(r.outcome)) == "unknown")
    Fail("DecodeResult accepted an unknown outcome");
  std::string again = sspr::proto::EncodeResult(r);
  if (again != payload) Fail("RESULT does not re-encode to the same bytes");
  sspr::proto::Result t;
  if (!sspr::proto::DecodeResult(again, &t, &err))
    Fail("re-encoded RESULT does not decode");
  if (t.outcome != r.outcome || t.cache_ttl != r.cache_ttl || t.log != r.log)
    Fail("RESULT round trip changed a field");
}

void CheckHello(const std::string& payload) {
  uint8_t version = 0;
  std::string err;
  if (!sspr::proto::DecodeHello(payload, &version, &err)) {
    if (err.empty()) Fail("DecodeHello failed without a message");
    return;
  }
  if (sspr::proto::EncodeHello() != payload)
    Fail("HELLO does not re-encode to the same bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t nsizes = data[0] % 16;
  if (1 + nsizes > size) return 0;
  const uint8_t* sizes = data + 1;
  const char* stream = reinterpret_cast<const char*>(data + 1 + nsizes);
  const size_t len = size - 1 - nsizes;

  // Chunked.
  Run chunked;
  {
    Decoder dec;
    size_t off = 0, k = 0;
    bool ok = true;
    while (ok && off < len) {
      size_t n = nsizes == 0 ? len : size_t{sizes[k++ % nsizes]} + 1;
      if (n > len - off) n = len - off;
      dec.Feed(stream + off, n);
      off += n;
      ok = Drain(&dec, &chunked);
    }
    if (ok && len == 0) Drain(&dec, &chunked);
  }

  // One shot.
  Run whole;
  {
    Decoder dec;
    dec.Feed(stream, len);
    Drain(&dec, &whole);
  }

  if (chunked.last != whole.last) Fail("chunking changed the final status");
  if (chunked.err != whole.err) Fail("chunking changed the error");
  if (chunked.frames.size() != whole.frames.size())
    Fail("chunking changed the number of frames");

  std::string reencoded;
  for (size_t i = 0; i < whole.frames.size(); ++i) {
    const Frame& f = whole.frames[i];
    if (f.type != chunked.frames[i].type ||
        f.payload != chunked.frames[i].payload)
      Fail("chunking changed a frame");
    std::string err;
    if (!sspr::proto::EncodeFrame(f.type, f.payload, &reencoded, &err))
      Fail("a decoded frame does not encode");
    switch (f.type) {
      case Type::kStart:
        CheckStart(f.payload);
        break;
      case Type::kResult:
        CheckResult(f.payload);
        break;
      case Type::kHello:
        CheckHello(f.payload);
        break;
      default:
        break;
    }
  }
  if (reencoded.size() > len ||
      reencoded.compare(0, std::string::npos, stream, reencoded.size()) != 0)
    Fail("frames do not re-encode to the bytes they came from");

  // The payload codecs also see the raw stream, framed or not.
  const std::string raw(stream, len);
  CheckStart(raw);
  CheckResult(raw);
  CheckHello(raw);
  return 0;
}
