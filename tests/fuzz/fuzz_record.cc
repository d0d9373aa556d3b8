// Fuzzes the local backend's JSON user record parser.
//
// RecordFromJson on the input; when it accepts, RecordToJson must give a
// text that parses again to an equal record and serialises to the same
// text (what the store writes, it can read back).
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <string>

#include "helper/user_store.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  fprintf(stderr, "fuzz_record: %s%s%s\n", what, detail.empty() ? "" : ": ",
          detail.c_str());
  abort();
}

bool Equal(const sspr::UserRecord& a, const sspr::UserRecord& b) {
  if (a.user != b.user || a.created_at != b.created_at ||
      a.updated_at != b.updated_at || a.methods.size() != b.methods.size())
    return false;
  for (size_t i = 0; i < a.methods.size(); ++i) {
    const sspr::Method& x = a.methods[i];
    const sspr::Method& y = b.methods[i];
    if (x.type != y.type || x.value != y.value ||
        x.verified_at != y.verified_at)
      return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  sspr::UserRecord rec;
  std::string err;
  if (!sspr::RecordFromJson(text, &rec, &err)) {
    if (err.empty()) Fail("RecordFromJson failed without a message", "");
    return 0;
  }
  const std::string json = sspr::RecordToJson(rec);
  if (json.size() > sspr::kMaxRecordSize)
    Fail("a parsed record serialises past kMaxRecordSize", "");
  sspr::UserRecord again;
  if (!sspr::RecordFromJson(json, &again, &err))
    Fail("the serialised record does not parse", err);
  if (!Equal(rec, again)) Fail("the record changed in a round trip", json);
  if (sspr::RecordToJson(again) != json)
    Fail("serialising is not stable", json);
  return 0;
}
