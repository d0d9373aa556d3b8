// Security questions: the catalogue, the admin's own questions, and answers
// normalised and stored only as salted crypt(3) hashes.
#ifndef SSPR_HELPER_QUESTIONS_H_
#define SSPR_HELPER_QUESTIONS_H_

#include <string>
#include <vector>

namespace sspr {

constexpr size_t kMinAnswerChars = 3;
constexpr size_t kMaxAnswerChars = 40;
constexpr size_t kMaxAnswerInput = 400;  // bytes typed, before checks
constexpr size_t kMaxAdminQuestions = 20;
constexpr size_t kMaxAdminQuestionChars = 200;
constexpr size_t kMaxQuestionsFile = 64 * 1024;

// The built-in questions, in the current language (helper/i18n.h); the
// text shown is the text stored with the answer's hash.
std::vector<std::string> BuiltinQuestions();

// Reads the admin's questions: one per line, '#' comments and blank lines
// ignored; at most 20 questions of at most 200 characters, valid UTF-8, no
// control characters, no duplicates. With check_perms the file must be
// owned by root and not writable by group or others. Errors name file:line.
bool LoadAdminQuestions(const std::string& path, bool check_perms,
                        std::vector<std::string>* out, std::string* err);

// Folds case, applies Unicode NFC and collapses white space, so that
// "  Paris " and "paris" are the same answer. False (and *error for the
// user) when the result has fewer than 3 or more than 40 characters or the
// text is not valid UTF-8.
bool NormalizeAnswer(const std::string& raw, std::string* out,
                     std::string* error);

// A salted hash of a normalised answer: yescrypt ("$y$") where libcrypt has
// it, else SHA-512 crypt ("$6$").
bool HashAnswer(const std::string& normalized, std::string* hash,
                std::string* err);

// Whether `normalized` matches `hash`, compared in constant time.
bool VerifyAnswer(const std::string& normalized, const std::string& hash);

}  // namespace sspr

#endif  // SSPR_HELPER_QUESTIONS_H_
