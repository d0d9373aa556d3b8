// Fuzzes the module's text path: a PROMPT/INFO/ERROR frame from a hostile
// helper to the messages the PAM conversation is given (relay_text.h, the
// code relay.cc runs for every text frame).
//
// Input: data[0] % 4 picks the frame type (PROMPT_ECHO_ON, PROMPT_ECHO_OFF,
// INFO, ERROR), the rest is its payload (at most one frame's worth). It is
// framed, read back through a Decoder as the module reads it, turned into
// conversation messages and handed to a conversation function as
// struct pam_message, which checks what an application would get.
//
// Oracles:
//  - at least one and at most kMaxMessagesPerText messages;
//  - each at most PAM_MAX_MSG_SIZE - 1 bytes as a C string (no NUL inside),
//    valid UTF-8, with no control character but '\n' (no tab, DEL, C1)
//    (common/text.h's checks; its decoder is held to an independent one by
//    fuzz_phone and tests/unit/common_text_test.cc);
//  - all but the last are info (error for ERROR), the last has the frame's
//    style;
//  - nothing but line ends is lost unless the text was cut, and then only
//    its end; cleaning is idempotent and leaves clean text as it is.
#include <security/pam_appl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#include "common/text.h"
#include "pam_module/relay_text.h"
#include "protocol/frame.h"

namespace {

using sspr::ConvMessage;
using sspr::proto::Type;

[[noreturn]] void Fail(const char* what) {
  fprintf(stderr, "fuzz_relay: %s\n", what);
  abort();
}

std::string WithoutLineEnds(const std::string& s) {
  std::string out;
  for (char ch : s)
    if (ch != '\n') out.push_back(ch);
  return out;
}

struct Expect {
  int style;
  size_t count;
};

// What an application's conversation function sees, one call per message
// as relay.cc makes them.
int Conv(int n, const struct pam_message** msg, struct pam_response** resp,
         void* data) {
  auto* e = static_cast<Expect*>(data);
  if (n != 1) Fail("more than one message per call");
  const char* text = msg[0]->msg;
  const size_t len = strlen(text);
  if (len >= PAM_MAX_MSG_SIZE) Fail("message longer than PAM_MAX_MSG_SIZE");
  const std::string s(text, len);
  if (!sspr::IsValidUtf8(s)) Fail("message is not valid UTF-8");
  if (sspr::HasControl(s, "\n")) Fail("message holds a control character");
  if (--e->count == 0
          ? msg[0]->msg_style != e->style
          : msg[0]->msg_style !=
                (e->style == PAM_ERROR_MSG ? PAM_ERROR_MSG : PAM_TEXT_INFO))
    Fail("wrong message style");
  *resp = nullptr;
  return PAM_SUCCESS;
}

int StyleOf(Type t) {
  switch (t) {
    case Type::kPromptEchoOn:
      return PAM_PROMPT_ECHO_ON;
    case Type::kPromptEchoOff:
      return PAM_PROMPT_ECHO_OFF;
    case Type::kError:
      return PAM_ERROR_MSG;
    default:
      return PAM_TEXT_INFO;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const Type kTypes[] = {Type::kPromptEchoOn, Type::kPromptEchoOff,
                                Type::kInfo, Type::kError};
  const Type type = kTypes[data[0] % 4];
  std::string payload(reinterpret_cast<const char*>(data + 1), size - 1);
  if (payload.size() >= sspr::proto::kMaxFrameLength)
    payload.resize(sspr::proto::kMaxFrameLength - 1);

  // The frame as the module reads it.
  std::string wire, err;
  if (!sspr::proto::EncodeFrame(type, payload, &wire, &err))
    Fail("a frame-sized payload does not encode");
  sspr::proto::Decoder dec;
  dec.Feed(wire.data(), wire.size());
  sspr::proto::Frame f;
  if (dec.Next(&f, &err) != sspr::proto::Decoder::Status::kFrame ||
      f.type != type || f.payload != payload)
    Fail("the frame does not decode to what was sent");

  const int style = StyleOf(f.type);
  sspr::TextReport report;
  std::vector<ConvMessage> msgs =
      sspr::TextToMessages(style, f.payload, &report);
  if (msgs.empty() || msgs.size() > sspr::kMaxMessagesPerText)
    Fail("number of messages out of bounds");

  Expect expect = {style, msgs.size()};
  for (const ConvMessage& m : msgs) {
    if (m.text.size() > sspr::kMaxMessageBytes)
      Fail("message longer than kMaxMessageBytes");
    if (strlen(m.text.c_str()) != m.text.size()) Fail("message holds a NUL");
    struct pam_message pm = {m.style, m.text.c_str()};
    const struct pam_message* pmp = &pm;
    struct pam_response* resp = nullptr;
    Conv(1, &pmp, &resp, &expect);
  }

  // Nothing lost but line ends (and the end of a cut text).
  size_t replaced = 0;
  const std::string clean = sspr::CleanText(f.payload, &replaced);
  if (replaced != report.replaced) Fail("replacements counted differently");
  if (clean.size() > 3 * f.payload.size()) Fail("cleaning grew too much");
  size_t again = 0;
  if (sspr::CleanText(clean, &again) != clean || again != 0)
    Fail("cleaning is not idempotent");
  if (sspr::IsValidUtf8(f.payload) && !sspr::HasControl(f.payload, "\n") &&
      f.payload.find('\t') == std::string::npos &&
      (clean != f.payload || replaced != 0))
    Fail("clean text was changed");
  std::string shown;
  for (const ConvMessage& m : msgs) shown += m.text;
  const std::string all = WithoutLineEnds(clean);
  shown = WithoutLineEnds(shown);
  if (report.cut ? all.compare(0, shown.size(), shown) != 0 : shown != all)
    Fail("text lost or changed by the split");
  return 0;
}
