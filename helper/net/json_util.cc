#include "helper/net/json_util.h"

#include <ctype.h>

namespace sspr {
namespace {

bool Member(json_object* o, const char* key, json_type want, const char* name,
            json_object** out, std::string* err) {
  json_object* v = nullptr;
  if (o == nullptr || !json_object_is_type(o, json_type_object) ||
      !json_object_object_get_ex(o, key, &v) || v == nullptr)
    return false;
  if (!json_object_is_type(v, want)) {
    *err = std::string("'") + key + "' is not " + name;
    return false;
  }
  *out = v;
  return true;
}

}  // namespace

bool ParseJson(const std::string& text, Json* out, std::string* err) {
  json_tokener* tok = json_tokener_new_ex(kMaxJsonDepth);
  if (tok == nullptr) {
    *err = "out of memory";
    return false;
  }
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
  json_object* o =
      json_tokener_parse_ex(tok, text.c_str(), static_cast<int>(text.size()));
  json_tokener_error e = json_tokener_get_error(tok);
  size_t used = json_tokener_get_parse_end(tok);
  json_tokener_free(tok);
  if (o == nullptr || e != json_tokener_success) {
    json_object_put(o);
    *err =
        std::string("malformed JSON: ") +
        (e == json_tokener_continue ? "truncated" : json_tokener_error_desc(e));
    return false;
  }
  while (used < text.size() && isspace(static_cast<unsigned char>(text[used])))
    ++used;
  if (used != text.size()) {
    json_object_put(o);
    *err = "malformed JSON: data after the document";
    return false;
  }
  *out = Json(o);
  return true;
}

bool ParseJsonArray(const std::string& text, size_t max, const char* what,
                    Json* out, size_t* n, std::string* err) {
  if (!ParseJson(text, out, err)) return false;
  if (!json_object_is_type(out->get(), json_type_array)) {
    *err = std::string("answer is not an array of ") + what;
    return false;
  }
  *n = json_object_array_length(out->get());
  if (*n > max) {
    *err = "more than " + std::to_string(max) + " " + what;
    return false;
  }
  return true;
}

bool GetObject(json_object* o, const char* key, json_object** out,
               std::string* err) {
  return Member(o, key, json_type_object, "an object", out, err);
}

bool GetArray(json_object* o, const char* key, json_object** out,
              std::string* err) {
  return Member(o, key, json_type_array, "an array", out, err);
}

bool GetString(json_object* o, const char* key, std::string* out,
               std::string* err) {
  json_object* v = nullptr;
  if (!Member(o, key, json_type_string, "a string", &v, err)) return false;
  *out = std::string(json_object_get_string(v),
                     static_cast<size_t>(json_object_get_string_len(v)));
  return true;
}

bool GetBool(json_object* o, const char* key, bool* out, std::string* err) {
  json_object* v = nullptr;
  if (!Member(o, key, json_type_boolean, "true or false", &v, err))
    return false;
  *out = json_object_get_boolean(v);
  return true;
}

bool GetInt(json_object* o, const char* key, int64_t* out, std::string* err) {
  json_object* v = nullptr;
  if (!Member(o, key, json_type_int, "a whole number", &v, err)) return false;
  *out = json_object_get_int64(v);
  return true;
}

std::string JsonString(json_object* o) {
  return json_object_to_json_string_ext(
      o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

size_t JsonLiteralSize(const std::string& s) {
  size_t n = 2;
  for (unsigned char ch : s)
    n += ch == '"' || ch == '\\' ? 2 : ch < 0x20 ? 6 : 1;
  return n;
}

void AppendJsonLiteral(const std::string& s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(ch));
    } else if (ch < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[ch >> 4]);
      out->push_back(kHex[ch & 15]);
    } else {
      out->push_back(static_cast<char>(ch));
    }
  }
  out->push_back('"');
}

std::string JsonWithSecret(const std::string& prefix, const std::string& secret,
                           const std::string& suffix) {
  std::string out;
  out.reserve(prefix.size() + JsonLiteralSize(secret) + suffix.size());
  out.append(prefix);
  AppendJsonLiteral(secret, &out);
  out.append(suffix);
  return out;  // moved (NRVO): the one buffer
}

}  // namespace sspr
