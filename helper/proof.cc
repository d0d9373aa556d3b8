#include "helper/proof.h"

#include <sys/utsname.h>

#include "common/wipe.h"
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

std::vector<Method> ProvableMethods(const UserRecord& rec, Backend* backend) {
  std::vector<Method> out;
  for (const Method& m : rec.methods) {
    if (ProvedByCode(m) && backend->CanProveRegistered()) out.push_back(m);
    if (m.Kind() == MethodKind::kQuestions && !m.answers.empty() &&
        backend->questions() == nullptr)
      out.push_back(m);
  }
  return out;
}

bool AnswerMatches(std::string* raw, const std::string& hash) {
  std::string norm, error;
  bool ok = NormalizeAnswer(*raw, &norm, &error) && VerifyAnswer(norm, hash);
  Wipe(raw);
  Wipe(&norm);
  return ok;
}

std::string HostName() {
  struct utsname u;
  if (uname(&u) != 0) return "this host";
  return u.nodename;
}

}  // namespace sspr
