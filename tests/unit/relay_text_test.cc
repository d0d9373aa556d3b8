// Tests for pam_module/relay_text.h: whatever the helper sends, the module
// gives the conversation a bounded number of messages, each valid UTF-8 of
// at most PAM_MAX_MSG_SIZE - 1 bytes without control characters but '\n'.
#include "pam_module/relay_text.h"

#include <string>
#include <vector>

#include "common/text.h"
#include "helper/qr_text.h"

// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {  // cmocka 1.1 has no C++ guards of its own
#include <cmocka.h>
}
// clang-format on

namespace {

using sspr::CleanText;
using sspr::ConvMessage;
using sspr::kMaxMessageBytes;
using sspr::kMaxMessagesPerText;
using sspr::SplitText;
using sspr::TextReport;
using sspr::TextToMessages;

const std::string kFffd = "\xEF\xBF\xBD";

std::string Fffd(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += kFffd;
  return s;
}

// The oracle every split must meet.
void AssertSafe(const std::vector<std::string>& pieces) {
  assert_true(!pieces.empty());
  assert_true(pieces.size() <= kMaxMessagesPerText);
  for (const std::string& p : pieces) {
    assert_true(p.size() <= kMaxMessageBytes);
    assert_true(sspr::IsValidUtf8(p));
    assert_false(sspr::HasControl(p, "\n"));
    assert_int_equal(p.find('\0'), std::string::npos);
  }
}

std::vector<std::string> Texts(const std::vector<ConvMessage>& msgs) {
  std::vector<std::string> out;
  for (const ConvMessage& m : msgs) out.push_back(m.text);
  return out;
}

std::string Join(const std::vector<std::string>& pieces) {
  std::string all;
  for (const std::string& p : pieces) all += p;
  return all;
}

void a_letter_then_600_continuation_bytes_ends_in_two_pieces(void**) {
  // The finding: the old split backed up to the letter and never moved on.
  const std::string raw = "A" + std::string(600, '\x80');
  bool cut = false;
  std::vector<std::string> pieces = SplitText(raw, &cut);
  assert_int_equal(pieces.size(), 2);  // cut at the byte limit
  assert_int_equal(pieces[0].size(), kMaxMessageBytes);
  assert_true(Join(pieces) == raw);
  assert_false(cut);
  // Through the whole path: 600 replacement characters, 1801 bytes.
  TextReport report;
  std::vector<ConvMessage> msgs = TextToMessages(PAM_ERROR_MSG, raw, &report);
  AssertSafe(Texts(msgs));
  assert_int_equal(report.replaced, 600);
  assert_true(Join(Texts(msgs)) == "A" + Fffd(600));
}

void a_60_kib_run_of_continuation_bytes_is_cut_after_the_most_messages(void**) {
  const std::string raw(60 * 1024, '\x80');
  bool cut = false;
  std::vector<std::string> pieces = SplitText(raw, &cut);
  assert_int_equal(pieces.size(), kMaxMessagesPerText);
  assert_true(cut);
  TextReport report;
  std::vector<ConvMessage> msgs = TextToMessages(PAM_TEXT_INFO, raw, &report);
  assert_int_equal(msgs.size(), kMaxMessagesPerText);
  AssertSafe(Texts(msgs));
  assert_true(report.cut);
}

void each_ill_formed_subpart_becomes_one_replacement(void**) {
  struct {
    std::string in, want;
    size_t replaced;
  } cases[] = {
      // clang-format off
      {"a\x80" "b", "a" + kFffd + "b", 1},
      {"\xE2\x82" "x", kFffd + "x", 1},          // truncated, then a letter
      {"\xF0\x9F\x98", kFffd, 1},                // truncated at the end
      {"\xC0\xAF", Fffd(2), 2},                  // overlong
      {"\xE0\x80\xAF", Fffd(3), 3},              // overlong
      {"\xED\xA0\x80", Fffd(3), 3},              // a surrogate
      {"\xF4\x90\x80\x80", Fffd(4), 4},          // past U+10FFFF
      {"\xF5\xBF", Fffd(2), 2},
      {"\xFF", kFffd, 1},
      {"\xE2\x82\xAC\xE2", "\xE2\x82\xAC" + kFffd, 1},
      // clang-format on
  };
  for (const auto& c : cases) {
    size_t replaced = 0;
    std::string got = CleanText(c.in, &replaced);
    assert_string_equal(got.c_str(), c.want.c_str());
    assert_int_equal(replaced, c.replaced);
  }
}

void control_characters_are_replaced_and_line_ends_kept(void**) {
  static const char kRaw[] = "a\x1b[2Jb\r\n\a\x7f\xc2\x9b\xc2\xa0\tc\0d";
  size_t replaced = 0;
  std::string got = CleanText(std::string(kRaw, sizeof kRaw - 1), &replaced);
  std::string want = "a" + kFffd + "[2Jb" + kFffd + "\n" + Fffd(3) +
                     "\xc2\xa0 c" + kFffd + "d";
  assert_string_equal(got.c_str(), want.c_str());
  assert_int_equal(replaced, 6);
}

void valid_text_passes_unchanged(void**) {
  const std::string text =
      "Gr\xc3\xbc\xc3\x9f"
      "e \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\n"
      "Enter the code: ";
  size_t replaced = 0;
  assert_true(CleanText(text, &replaced) == text);
  assert_int_equal(replaced, 0);
  std::vector<ConvMessage> msgs = TextToMessages(PAM_PROMPT_ECHO_ON, text);
  assert_int_equal(msgs.size(), 1);
  assert_true(msgs[0].text == text);
}

void split_cuts_at_line_ends_and_drops_them(void**) {
  const std::string line(300, 'x');
  std::vector<std::string> pieces = SplitText(line + "\n" + line + "\n" + line);
  assert_int_equal(pieces.size(), 3);
  for (const std::string& p : pieces) assert_true(p == line);
}

void split_never_cuts_inside_a_character(void**) {
  std::string text;
  for (int i = 0; i < 700; ++i) text += "\xe2\x82\xac";  // 2100 bytes
  std::vector<std::string> pieces = SplitText(text);
  AssertSafe(pieces);
  assert_int_equal(pieces[0].size(), 510);
  assert_true(Join(pieces) == text);
}

void a_511_byte_text_and_a_line_end_fit_one_message(void**) {
  // The old split sent this as one 512-byte message.
  const std::string text = std::string(kMaxMessageBytes, 'x') + "\n";
  std::vector<std::string> pieces = SplitText(text);
  assert_int_equal(pieces.size(), 1);
  assert_int_equal(pieces[0].size(), kMaxMessageBytes);
}

void lines_of_line_ends_stay_bounded(void**) {
  bool cut = false;
  std::vector<std::string> pieces = SplitText(std::string(65535, '\n'), &cut);
  AssertSafe(pieces);
  assert_true(cut);
  std::string pairs;
  for (int i = 0; i < 30000; ++i) pairs += "x\n";
  pieces = SplitText(pairs + std::string(1000, 'y'));
  AssertSafe(pieces);
}

void a_prompt_keeps_its_last_piece(void**) {
  const std::string text = std::string(400, 'i') + "\n" +
                           std::string(400, 'j') + "\n" +
                           std::string(400, 'k') + "\nCode: ";
  std::vector<ConvMessage> msgs = TextToMessages(PAM_PROMPT_ECHO_OFF, text);
  assert_int_equal(msgs.size(), 3);
  assert_true(msgs[0].text == std::string(400, 'i'));
  assert_int_equal(msgs[0].style, PAM_TEXT_INFO);
  assert_true(msgs[1].text == std::string(400, 'j'));
  assert_int_equal(msgs[1].style, PAM_TEXT_INFO);
  assert_true(msgs[2].text == std::string(400, 'k') + "\nCode: ");
  assert_int_equal(msgs[2].style, PAM_PROMPT_ECHO_OFF);
  msgs = TextToMessages(PAM_ERROR_MSG, text);
  for (const ConvMessage& m : msgs) assert_int_equal(m.style, PAM_ERROR_MSG);
}

void an_empty_text_is_one_empty_message(void**) {
  std::vector<ConvMessage> msgs = TextToMessages(PAM_PROMPT_ECHO_ON, "");
  assert_int_equal(msgs.size(), 1);
  assert_true(msgs[0].text.empty());
}

void the_largest_qr_code_is_never_cut(void**) {
  std::string qr, err;
  assert_true(sspr::QrText(std::string(sspr::kQrMaxData, 'Q'), &qr, &err));
  const std::string text =
      "Scan this code with your phone:\n" + qr + "Then type the code.\n";
  TextReport report;
  std::vector<ConvMessage> msgs =
      TextToMessages(PAM_PROMPT_ECHO_ON, text + "Code: ", &report);
  AssertSafe(Texts(msgs));
  assert_false(report.cut);
  assert_int_equal(report.replaced, 0);
  assert_true(msgs.size() <= kMaxMessagesPerText / 2);
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_letter_then_600_continuation_bytes_ends_in_two_pieces),
      cmocka_unit_test(
          a_60_kib_run_of_continuation_bytes_is_cut_after_the_most_messages),
      cmocka_unit_test(each_ill_formed_subpart_becomes_one_replacement),
      cmocka_unit_test(control_characters_are_replaced_and_line_ends_kept),
      cmocka_unit_test(valid_text_passes_unchanged),
      cmocka_unit_test(split_cuts_at_line_ends_and_drops_them),
      cmocka_unit_test(split_never_cuts_inside_a_character),
      cmocka_unit_test(a_511_byte_text_and_a_line_end_fit_one_message),
      cmocka_unit_test(lines_of_line_ends_stay_bounded),
      cmocka_unit_test(a_prompt_keeps_its_last_piece),
      cmocka_unit_test(an_empty_text_is_one_empty_message),
      cmocka_unit_test(the_largest_qr_code_is_never_cut),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
