// How sspr-admin shows things: times, names from the store (never raw
// control characters on a terminal), methods with masked values, JSON.
#ifndef SSPR_TOOLS_ADMIN_OUTPUT_H_
#define SSPR_TOOLS_ADMIN_OUTPUT_H_

#include <json-c/json.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "helper/store/record.h"

namespace sspr {

// "2026-11-25 02:56:45 UTC"; "-" for 0.
std::string UtcTime(int64_t t);

// `s` with control characters (C0, DEL, C1) and invalid UTF-8 as \xNN.
std::string Printable(const std::string& s);

// A method's value as it may be shown: phone numbers masked with
// MaskPhone, e-mail addresses with MaskEmail ("a•••@example.com"),
// questions as a count;
// anything else is not shown at all.
std::string MaskedValue(const Method& m);

// "registered", "incomplete" (some methods, fewer than required) or
// "unregistered".
const char* RegistrationState(size_t methods, int required);

// A JSON object built with json-c, printed on one line plus "\n".
std::string JsonLine(json_object* o);
json_object* JsonString(const std::string& s);

}  // namespace sspr

#endif  // SSPR_TOOLS_ADMIN_OUTPUT_H_
