// The record model: a user's registered methods, as every backend returns
// them and the local store keeps them, and their JSON file format.
#ifndef SSPR_HELPER_STORE_RECORD_H_
#define SSPR_HELPER_STORE_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sspr {

// The kinds of method the helper knows. A record may hold another type
// (a name of [a-z_]); it is kept as it is and counts as kOther.
enum class MethodKind { kOther, kMobile, kOffice, kEmail, kQuestions };

// "mobile" | "office" | "email" | "questions": the name in records, the
// config's `methods` and the texts. "" for kOther.
const char* MethodName(MethodKind k);
// The kind a name stands for; kOther for any other name.
MethodKind MethodKindOf(const std::string& name);
inline bool IsPhone(MethodKind k) {
  return k == MethodKind::kMobile || k == MethodKind::kOffice;
}

// One security question and the crypt(3) hash of its normalised answer.
struct QuestionAnswer {
  std::string question;
  std::string hash;
};

struct Method {
  std::string type;   // the record's name: MethodName(kind) or another
  std::string value;  // E.164 number, e-mail address, or the question count
  int64_t verified_at = 0;                   // unix seconds
  std::vector<QuestionAnswer> answers = {};  // kQuestions only
  MethodKind Kind() const { return MethodKindOf(type); }
};

struct UserRecord {
  std::string user;
  std::vector<Method> methods;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

constexpr size_t kMaxRecordSize = 64 * 1024;
constexpr size_t kMaxRecordString = 256;  // user name, type, value, hash

// JSON (de)serialisation, exposed for tests and fuzzing.
std::string RecordToJson(const UserRecord& r);
bool RecordFromJson(const std::string& text, UserRecord* r, std::string* err);
// One entry of a questions method's "answers", alone: the same JSON object
// ({"question":...,"hash":...}) with the same checks. backend = ldap keeps
// one such value per question in ldap_attr_questions.
std::string AnswerToJson(const QuestionAnswer& qa);
bool AnswerFromJson(const std::string& text, QuestionAnswer* qa,
                    std::string* err);
// True when `m` is a method a record can hold (a valid type, a value, an
// E.164 number for a phone, 3 to 5 answers for questions and none else).
bool CheckMethod(const Method& m, std::string* err);

}  // namespace sspr

#endif  // SSPR_HELPER_STORE_RECORD_H_
