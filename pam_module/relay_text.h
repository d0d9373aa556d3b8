// The helper's texts (PROMPT/INFO/ERROR payloads) as the messages the
// module gives the PAM conversation. The helper is not trusted: whatever it
// sends, the result is a bounded number of messages, each valid UTF-8 of
// at most PAM_MAX_MSG_SIZE - 1 bytes, with no control character but '\n'.
// Pure functions (no PAM handle), shared by relay.cc, its unit test and
// the fuzzer.
#ifndef SSPR_PAM_MODULE_RELAY_TEXT_H_
#define SSPR_PAM_MODULE_RELAY_TEXT_H_

#include <security/pam_appl.h>

#include <cstddef>
#include <string>
#include <vector>

namespace sspr {

// Bytes of one message, without its terminating NUL.
constexpr size_t kMaxMessageBytes = PAM_MAX_MSG_SIZE - 1;
// Messages one text may become; the rest of a longer text is dropped. The
// longest text a correct helper sends (a QR code, 37 lines of at most 220
// bytes, with a few sentences) takes about 20.
constexpr size_t kMaxMessagesPerText = 64;
// Conversation messages in one dialogue; past it the module ends the
// dialogue as a protocol error. A registration with every method and 20
// security questions, each asked the most times, stays far below.
constexpr size_t kMaxMessagesPerDialogue = 4096;

// U+FFFD REPLACEMENT CHARACTER.
extern const char kReplacementChar[];

// Returns `raw` as valid UTF-8 with no control character but '\n': each
// invalid sequence (each maximal ill-formed subpart, as Unicode's chapter 3
// recommends: a truncated sequence is one, a stray byte is one) and each
// C0 control (but '\n' and tab), DEL and C1 control (U+0080-U+009F: U+009B
// is a terminal's CSI) becomes U+FFFD; a tab becomes one space. Adds the
// number of replacements to *replaced when given. At most 3 * raw.size()
// bytes.
std::string CleanText(const std::string& raw, size_t* replaced = nullptr);

// Splits `text` into pieces of at most kMaxMessageBytes: at the last line
// end that fits (that '\n' is dropped: each piece is a line of its own),
// else at the last UTF-8 character boundary that fits, else (no boundary
// in the last 4 bytes: not UTF-8) at the byte limit. Each cut moves on by
// at least one byte, so this ends for any input. At most
// kMaxMessagesPerText pieces; *cut (when given) is set when text was
// dropped. No piece is empty, except the one piece of an empty text.
std::vector<std::string> SplitText(const std::string& text,
                                   bool* cut = nullptr);

struct ConvMessage {
  int style;  // PAM_TEXT_INFO, PAM_ERROR_MSG, PAM_PROMPT_ECHO_ON/OFF
  std::string text;
};

struct TextReport {
  size_t replaced = 0;  // characters CleanText replaced
  bool cut = false;     // SplitText dropped the end
};

// One helper text of the given style as conversation messages (at least
// one, at most kMaxMessagesPerText): CleanText, then SplitText. All but the
// last are PAM_ERROR_MSG for an error and PAM_TEXT_INFO otherwise; the last
// has `style` (a prompt keeps its last piece).
std::vector<ConvMessage> TextToMessages(int style, const std::string& payload,
                                        TextReport* report = nullptr);

}  // namespace sspr

#endif  // SSPR_PAM_MODULE_RELAY_TEXT_H_
