// json-c with a depth limit and typed field access for the services'
// answers: every field is checked for its type before use.
#ifndef SSPR_HELPER_NET_JSON_UTIL_H_
#define SSPR_HELPER_NET_JSON_UTIL_H_

#include <json-c/json.h>

#include <cstdint>
#include <string>

namespace sspr {

constexpr int kMaxJsonDepth = 16;

// Owns one reference to a json_object.
class Json {
 public:
  Json() = default;
  explicit Json(json_object* o) : o_(o) {}
  ~Json() { json_object_put(o_); }
  Json(const Json&) = delete;
  Json& operator=(const Json&) = delete;
  Json(Json&& other) noexcept : o_(other.o_) { other.o_ = nullptr; }
  Json& operator=(Json&& other) noexcept {
    if (this != &other) {
      json_object_put(o_);
      o_ = other.o_;
      other.o_ = nullptr;
    }
    return *this;
  }
  json_object* get() const { return o_; }

 private:
  json_object* o_ = nullptr;
};

// Parses a whole document (trailing garbage is an error).
bool ParseJson(const std::string& text, Json* out, std::string* err);

// A whole document that must be an array of at most `max` elements, each
// called `what` in errors ("answer is not an array of factors").
bool ParseJsonArray(const std::string& text, size_t max, const char* what,
                    Json* out, size_t* n, std::string* err);

// Typed members of an object. Absent -> false. Present with another type
// -> false and *err set ("'phoneType' is not a string"); *err is left
// alone when the member is just absent, so callers can tell the two apart.
bool GetObject(json_object* o, const char* key, json_object** out,
               std::string* err);
bool GetArray(json_object* o, const char* key, json_object** out,
              std::string* err);
bool GetString(json_object* o, const char* key, std::string* out,
               std::string* err);
bool GetBool(json_object* o, const char* key, bool* out, std::string* err);
bool GetInt(json_object* o, const char* key, int64_t* out, std::string* err);

// {"k":"v",...} building with escaping done by json-c. Not for secrets:
// json-c keeps copies (the string object, the printbuf) it frees unwiped.
std::string JsonString(json_object* o);

// The JSON string literal of `s`, quotes included: '"' and '\\' escaped,
// control characters as \u00XX, everything else (UTF-8) as it is.
size_t JsonLiteralSize(const std::string& s);
void AppendJsonLiteral(const std::string& s, std::string* out);
// prefix + the literal of `secret` + suffix, built by hand in one buffer
// reserved up front: no reallocation leaves a copy of the secret in freed
// memory, and json-c never holds one. The caller wipes the result.
std::string JsonWithSecret(const std::string& prefix, const std::string& secret,
                           const std::string& suffix);

}  // namespace sspr

#endif  // SSPR_HELPER_NET_JSON_UTIL_H_
