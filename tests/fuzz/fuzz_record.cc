// Fuzzes the parsers of the helper's state files: the local backend's JSON
// user record and the per-user policy state.
//
// RecordFromJson on the input; when it accepts, RecordToJson must give a
// text that parses again to an equal record and serialises to the same
// text (what the store writes, it can read back). The same holds for
// PolicyFromText / PolicyToText on the same input.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <string>

#include "helper/store/policy_state.h"
#include "helper/store/record.h"

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
        x.verified_at != y.verified_at || x.answers.size() != y.answers.size())
      return false;
    for (size_t k = 0; k < x.answers.size(); ++k)
      if (x.answers[k].question != y.answers[k].question ||
          x.answers[k].hash != y.answers[k].hash)
        return false;
  }
  return true;
}

void CheckPolicy(const std::string& text) {
  sspr::PolicyState s;
  std::string err;
  if (!sspr::PolicyFromText(text, &s, &err)) {
    if (err.empty()) Fail("PolicyFromText failed without a message", "");
    return;
  }
  const std::string out = sspr::PolicyToText(s);
  sspr::PolicyState again;
  if (!sspr::PolicyFromText(out, &again, &err))
    Fail("the serialised policy state does not parse", err);
  if (again.snoozes != s.snoozes || again.last_snooze != s.last_snooze ||
      again.confirmed_at != s.confirmed_at)
    Fail("the policy state changed in a round trip", out);
  if (sspr::PolicyToText(again) != out)
    Fail("serialising the policy state is not stable", out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  CheckPolicy(text);
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
