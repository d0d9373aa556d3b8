// The record file format: one JSON object per user (see record.h).
#include <json-c/json.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "helper/store/record.h"

namespace sspr {
namespace {

constexpr int kRecordVersion = 1;
constexpr size_t kMaxMethods = 16;
constexpr size_t kMaxString = kMaxRecordString;
constexpr int kMaxJsonDepth = 8;
constexpr size_t kMaxQuestionBytes = 1024;  // 200 characters of UTF-8
constexpr size_t kMinAnswers = 3, kMaxAnswers = 5;
constexpr int64_t kMaxTime = 253402300799;  // 9999-12-31T23:59:59Z

struct JsonDeleter {
  void operator()(json_object* o) const { json_object_put(o); }
};
using JsonPtr = std::unique_ptr<json_object, JsonDeleter>;

// Strict parse of one complete JSON value, depth-limited.
JsonPtr ParseJson(const std::string& text, std::string* err) {
  if (text.find('\0') != std::string::npos) {
    *err = "NUL byte in JSON text";
    return nullptr;
  }
  json_tokener* tok = json_tokener_new_ex(kMaxJsonDepth);
  if (tok == nullptr) {
    *err = "out of memory";
    return nullptr;
  }
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
  // Length includes the terminating NUL: the text ends here.
  JsonPtr obj(json_tokener_parse_ex(tok, text.c_str(),
                                    static_cast<int>(text.size() + 1)));
  json_tokener_error jerr = json_tokener_get_error(tok);
  size_t end = json_tokener_get_parse_end(tok);
  json_tokener_free(tok);
  if (!obj || jerr != json_tokener_success) {
    *err = std::string("invalid JSON: ") + json_tokener_error_desc(jerr);
    return nullptr;
  }
  if (end < text.size()) {
    *err = "invalid JSON: trailing data";
    return nullptr;
  }
  return obj;
}

bool GetString(json_object* parent, const char* key, std::string* out,
               std::string* err, size_t max = kMaxString) {
  json_object* v = nullptr;
  if (!json_object_object_get_ex(parent, key, &v) ||
      !json_object_is_type(v, json_type_string)) {
    *err = std::string("'") + key + "' must be a string";
    return false;
  }
  int len = json_object_get_string_len(v);
  const char* s = json_object_get_string(v);
  if (len <= 0 || static_cast<size_t>(len) > max) {
    *err = std::string("'") + key + "' must have 1 to " + std::to_string(max) +
           " bytes";
    return false;
  }
  for (int i = 0; i < len; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      *err = std::string("'") + key + "' contains a control character";
      return false;
    }
  }
  out->assign(s, static_cast<size_t>(len));
  return true;
}

bool GetTime(json_object* parent, const char* key, int64_t* out,
             std::string* err) {
  json_object* v = nullptr;
  if (!json_object_object_get_ex(parent, key, &v) ||
      !json_object_is_type(v, json_type_int)) {
    *err = std::string("'") + key + "' must be an integer";
    return false;
  }
  int64_t t = json_object_get_int64(v);
  if (t < 0 || t > kMaxTime) {
    *err = std::string("'") + key + "' is out of range";
    return false;
  }
  *out = t;
  return true;
}

// Every key of `obj` must be one of `allowed` (nullptr-terminated).
bool OnlyKeys(json_object* obj, const char* const* allowed, const char* what,
              std::string* err) {
  json_object_object_foreach(obj, key, val) {
    (void)val;
    bool known = false;
    for (const char* const* a = allowed; *a != nullptr; ++a) {
      if (strcmp(key, *a) == 0) known = true;
    }
    if (!known) {
      *err = std::string("unknown key in ") + what;
      return false;
    }
  }
  return true;
}

bool ValidType(const std::string& t) {
  if (t.empty() || t.size() > 32) return false;
  return std::all_of(t.begin(), t.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

bool ValidE164(const std::string& v) {
  if (v.size() < 3 || v.size() > 16 || v[0] != '+' || v[1] == '0') return false;
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') return false;
  }
  return true;
}

bool ParseAnswer(json_object* a, QuestionAnswer* qa, std::string* err) {
  static const char* const kKeys[] = {"question", "hash", nullptr};
  if (!json_object_is_type(a, json_type_object) ||
      !OnlyKeys(a, kKeys, "answer", err) ||
      !GetString(a, "question", &qa->question, err, kMaxQuestionBytes) ||
      !GetString(a, "hash", &qa->hash, err) || qa->hash[0] != '$') {
    if (err->empty()) *err = "malformed answer";
    return false;
  }
  return true;
}

json_object* AnswerObject(const QuestionAnswer& qa) {
  json_object* a = json_object_new_object();
  json_object_object_add(
      a, "question",
      json_object_new_string_len(qa.question.data(),
                                 static_cast<int>(qa.question.size())));
  json_object_object_add(a, "hash",
                         json_object_new_string_len(
                             qa.hash.data(), static_cast<int>(qa.hash.size())));
  return a;
}

std::string PlainJson(json_object* o) {
  return json_object_to_json_string_ext(
      o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

bool ParseAnswers(json_object* o, Method* m, std::string* err) {
  json_object* arr = nullptr;
  if (!json_object_object_get_ex(o, "answers", &arr) ||
      !json_object_is_type(arr, json_type_array)) {
    *err = "'answers' must be an array";
    return false;
  }
  size_t n = json_object_array_length(arr);
  if (n < kMinAnswers || n > kMaxAnswers) {
    *err = "'answers' must hold 3 to 5 entries";
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    QuestionAnswer qa;
    if (!ParseAnswer(json_object_array_get_idx(arr, i), &qa, err)) return false;
    m->answers.push_back(qa);
  }
  return true;
}

bool ParseMethod(json_object* o, Method* m, std::string* err) {
  static const char* const kKeys[] = {"type", "value", "verified_at", "answers",
                                      nullptr};
  if (!json_object_is_type(o, json_type_object)) {
    *err = "a method must be an object";
    return false;
  }
  if (!OnlyKeys(o, kKeys, "method", err) ||
      !GetString(o, "type", &m->type, err) ||
      !GetString(o, "value", &m->value, err) ||
      !GetTime(o, "verified_at", &m->verified_at, err)) {
    return false;
  }
  if (!ValidType(m->type)) {
    *err = "invalid method type";
    return false;
  }
  if (IsPhone(m->Kind()) && !ValidE164(m->value)) {
    *err = "method '" + m->type + "' has no valid E.164 number";
    return false;
  }
  json_object* unused = nullptr;
  bool has_answers = json_object_object_get_ex(o, "answers", &unused);
  if (m->Kind() == MethodKind::kQuestions) return ParseAnswers(o, m, err);
  if (has_answers) {
    *err = "'answers' belongs to the questions method only";
    return false;
  }
  return true;
}

}  // namespace

const char* MethodName(MethodKind k) {
  switch (k) {
    case MethodKind::kMobile:
      return "mobile";
    case MethodKind::kOffice:
      return "office";
    case MethodKind::kEmail:
      return "email";
    case MethodKind::kQuestions:
      return "questions";
    case MethodKind::kOther:
      break;
  }
  return "";
}

MethodKind MethodKindOf(const std::string& name) {
  for (MethodKind k : {MethodKind::kMobile, MethodKind::kOffice,
                       MethodKind::kEmail, MethodKind::kQuestions}) {
    if (name == MethodName(k)) return k;
  }
  return MethodKind::kOther;
}

bool CheckMethod(const Method& m, std::string* err) {
  if (!ValidType(m.type)) {
    *err = "invalid method type";
    return false;
  }
  if (m.value.empty() || m.value.size() > kMaxString ||
      (IsPhone(m.Kind()) && !ValidE164(m.value))) {
    *err = "invalid value for method '" + m.type + "'";
    return false;
  }
  bool questions = m.Kind() == MethodKind::kQuestions;
  if (questions != !m.answers.empty() ||
      (questions &&
       (m.answers.size() < kMinAnswers || m.answers.size() > kMaxAnswers))) {
    *err = "questions need 3 to 5 answers, other methods none";
    return false;
  }
  return true;
}

std::string RecordToJson(const UserRecord& r) {
  JsonPtr root(json_object_new_object());
  json_object_object_add(root.get(), "version",
                         json_object_new_int(kRecordVersion));
  json_object_object_add(root.get(), "user",
                         json_object_new_string_len(
                             r.user.data(), static_cast<int>(r.user.size())));
  json_object_object_add(root.get(), "created_at",
                         json_object_new_int64(r.created_at));
  json_object_object_add(root.get(), "updated_at",
                         json_object_new_int64(r.updated_at));
  json_object* methods = json_object_new_array();
  for (const Method& m : r.methods) {
    json_object* o = json_object_new_object();
    json_object_object_add(o, "type",
                           json_object_new_string_len(
                               m.type.data(), static_cast<int>(m.type.size())));
    json_object_object_add(
        o, "value",
        json_object_new_string_len(m.value.data(),
                                   static_cast<int>(m.value.size())));
    json_object_object_add(o, "verified_at",
                           json_object_new_int64(m.verified_at));
    if (!m.answers.empty()) {
      json_object* answers = json_object_new_array();
      for (const QuestionAnswer& qa : m.answers)
        json_object_array_add(answers, AnswerObject(qa));
      json_object_object_add(o, "answers", answers);
    }
    json_object_array_add(methods, o);
  }
  json_object_object_add(root.get(), "methods", methods);
  return PlainJson(root.get()) + "\n";
}

std::string AnswerToJson(const QuestionAnswer& qa) {
  JsonPtr a(AnswerObject(qa));
  return PlainJson(a.get());
}

bool AnswerFromJson(const std::string& text, QuestionAnswer* qa,
                    std::string* err) {
  JsonPtr a = ParseJson(text, err);
  if (!a) return false;
  QuestionAnswer out;
  if (!ParseAnswer(a.get(), &out, err)) return false;
  *qa = std::move(out);
  return true;
}

bool RecordFromJson(const std::string& text, UserRecord* r, std::string* err) {
  static const char* const kKeys[] = {"version",    "user",    "created_at",
                                      "updated_at", "methods", nullptr};
  if (text.size() > kMaxRecordSize) {
    *err = "record is larger than " + std::to_string(kMaxRecordSize) + " bytes";
    return false;
  }
  JsonPtr root = ParseJson(text, err);
  if (!root) return false;
  if (!json_object_is_type(root.get(), json_type_object)) {
    *err = "record must be a JSON object";
    return false;
  }
  json_object* v = nullptr;
  if (!json_object_object_get_ex(root.get(), "version", &v) ||
      !json_object_is_type(v, json_type_int)) {
    *err = "'version' must be an integer";
    return false;
  }
  if (json_object_get_int64(v) != kRecordVersion) {
    *err = "unsupported record version " +
           std::to_string(json_object_get_int64(v));
    return false;
  }
  UserRecord rec;
  if (!OnlyKeys(root.get(), kKeys, "record", err) ||
      !GetString(root.get(), "user", &rec.user, err) ||
      !GetTime(root.get(), "created_at", &rec.created_at, err) ||
      !GetTime(root.get(), "updated_at", &rec.updated_at, err)) {
    return false;
  }
  json_object* arr = nullptr;
  if (!json_object_object_get_ex(root.get(), "methods", &arr) ||
      !json_object_is_type(arr, json_type_array)) {
    *err = "'methods' must be an array";
    return false;
  }
  size_t n = json_object_array_length(arr);
  if (n > kMaxMethods) {
    *err = "more than " + std::to_string(kMaxMethods) + " methods";
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    Method m;
    if (!ParseMethod(json_object_array_get_idx(arr, i), &m, err)) return false;
    for (const Method& seen : rec.methods) {
      if (seen.type == m.type) {
        *err = "method '" + m.type + "' appears twice";
        return false;
      }
    }
    rec.methods.push_back(std::move(m));
  }
  *r = std::move(rec);
  return true;
}

}  // namespace sspr
