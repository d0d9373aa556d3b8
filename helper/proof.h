// What the update dialogue (helper/dialogue_prove.cc) and the reset
// dialogue (helper/reset_dialogue.cc) share when a user proves that they
// hold a registered method: which methods can be proved here, the channel
// a code goes by, how a method is shown and offered, and the check of one
// security answer. Neither dialogue keeps its own copy.
#ifndef SSPR_HELPER_PROOF_H_
#define SSPR_HELPER_PROOF_H_

#include <string>
#include <vector>

#include "helper/backends/backend.h"
#include "helper/delivery/sender.h"
#include "helper/store/record.h"

namespace sspr {

// A phone or an e-mail address: proved by a code sent to it.
bool ProvedByCode(const Method& m);
// E-mail for an address, a voice call for an office phone, else SMS.
Channel ProofChannel(const Method& m);
// The masked phone number or address; empty for security questions.
std::string ShownMethod(const Method& m);
// A menu line: "Authentication phone +44 •••• ••• 123", or the label alone.
std::string ProofLabel(const Method& m);
// The methods of `rec` that `backend` lets a user prove, in the record's
// order: code methods if it can send to registered ones, answers if it
// keeps them itself (no question service). `for_reset`: for the reset's
// proofs (Backend::CanProveForReset), else before an update.
std::vector<Method> ProvableMethods(const UserRecord& rec, Backend* backend,
                                    bool for_reset);
// A typed code, checked by `backend` into *st and *attempts_left; *typed
// and its digits are wiped. False, and nothing checked, when it has no
// digits or, with `strict`, anything but digits, spaces and dashes.
bool CheckTypedCode(Backend* backend, std::string* typed, bool strict,
                    CheckStatus* st, int* attempts_left, std::string* err);
// True if the typed answer matches `hash`; wipes `raw` either way.
bool AnswerMatches(std::string* raw, const std::string& hash);
// This host's name for the notices, "this host" if uname fails.
std::string HostName();

// A failed proof (a wrong code, a wrong round of security answers) is
// logged at once by the helper itself (authpriv, notice): the user, the
// dialogue ("reset" or "update"), the method type and the attempts left
// for it. Never the code, the answers or the destination.
//   pam_sspr(reset): failed proof: user=alice method=mobile attempts_left=2
std::string FailedProofLine(const std::string& user, const char* proof,
                            const std::string& method_type, int attempts_left);
void LogFailedProof(const std::string& user, const char* proof,
                    const std::string& method_type, int attempts_left);
// Tests: the lines go to `sink` instead of syslog (nullptr: syslog again).
void SetFailedProofSink(void (*sink)(const std::string& line));

}  // namespace sspr

#endif  // SSPR_HELPER_PROOF_H_
