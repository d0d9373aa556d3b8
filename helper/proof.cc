#include "helper/proof.h"

#include <sys/utsname.h>
#include <syslog.h>

#include <algorithm>

#include "common/wipe.h"
#include "helper/code.h"
#include "helper/email_address.h"
#include "helper/phone_number.h"
#include "helper/questions.h"
#include "helper/texts.h"

namespace sspr {

bool ProvedByCode(const Method& m) {
  return IsPhone(m.Kind()) || m.Kind() == MethodKind::kEmail;
}

Channel ProofChannel(const Method& m) {
  if (m.Kind() == MethodKind::kEmail) return Channel::kEmail;
  return m.Kind() == MethodKind::kOffice ? Channel::kVoice : Channel::kSms;
}

std::string ShownMethod(const Method& m) {
  if (m.Kind() == MethodKind::kEmail) return MaskEmail(m.value);
  if (m.Kind() == MethodKind::kQuestions) return "";
  return MaskPhone(m.value);
}

std::string ProofLabel(const Method& m) {
  return m.Kind() == MethodKind::kQuestions
             ? MethodLabel(m.type)
             : MethodLabel(m.type) + " " + ShownMethod(m);
}

std::vector<Method> ProvableMethods(const UserRecord& rec, Backend* backend,
                                    bool for_reset) {
  const bool codes =
      for_reset ? backend->CanProveForReset() : backend->CanProveRegistered();
  std::vector<Method> out;
  for (const Method& m : rec.methods) {
    if (ProvedByCode(m) && codes) out.push_back(m);
    if (m.Kind() == MethodKind::kQuestions && !m.answers.empty() &&
        backend->questions() == nullptr)
      out.push_back(m);
  }
  return out;
}

bool CheckTypedCode(Backend* backend, std::string* typed, bool strict,
                    CheckStatus* st, int* attempts_left, std::string* err) {
  std::string digits = DigitsOnly(*typed);
  bool only_code = std::all_of(typed->begin(), typed->end(), [](char ch) {
    return (ch >= '0' && ch <= '9') || ch == ' ' || ch == '-';
  });
  Wipe(typed);
  if (digits.empty() || (strict && !only_code)) {
    Wipe(&digits);
    return false;
  }
  *st = backend->CheckCode(digits, attempts_left, err);
  Wipe(&digits);
  return true;
}

bool AnswerMatches(std::string* raw, const std::string& hash) {
  std::string norm, error;
  bool ok = NormalizeAnswer(*raw, &norm, &error) && VerifyAnswer(norm, hash);
  Wipe(raw);
  Wipe(&norm);
  return ok;
}

namespace {
void (*g_proof_sink)(const std::string&) = nullptr;
}  // namespace

std::string FailedProofLine(const std::string& user, const char* proof,
                            const std::string& method_type, int attempts_left) {
  return std::string("pam_sspr(") + proof + "): failed proof: user=" + user +
         " method=" + method_type + " attempts_left=" +
         std::to_string(attempts_left < 0 ? 0 : attempts_left);
}

void LogFailedProof(const std::string& user, const char* proof,
                    const std::string& method_type, int attempts_left) {
  const std::string line =
      FailedProofLine(user, proof, method_type, attempts_left);
  if (g_proof_sink) g_proof_sink(line);
  else syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", line.c_str());
}

void SetFailedProofSink(void (*sink)(const std::string& line)) {
  g_proof_sink = sink;
}

std::string HostName() {
  struct utsname u;
  if (uname(&u) != 0) return "this host";
  return u.nodename;
}

}  // namespace sspr
