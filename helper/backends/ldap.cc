// This file is long because it is one class for one protocol session (connect
// with failover and deadlines, bind, search, modify, password modify); the
// value checks are in helper/net/ldap_values.cc, the password request and
// its answer's meaning in helper/net/ldap_password.cc.
// backend = ldap: an LDAP directory (OpenLDAP, FreeIPA/389 DS, Active
// Directory) through libldap, in the helper only, after the drop.
//   status:   one bind + one search on one connection (the first URI of
//             ldap_uri that answers; StartTLS or ldaps, verified against
//             cafile); the person's mapped attributes, each value checked
//             like typed input (helper/net/ldap_values.h)
//   register: the helper sends and checks the code (as with graph), then
//             one modify of the person's entry: the method's attribute
//             (and, with ldap_attr_verified, its marker), nothing else;
//             security questions: their hashes in ldap_attr_questions
//   reset:    RFC 3062 Password Modify of the entry the lookup found, as
//             the service account (helper/net/ldap_password.h);
//             sspr-admin reset (LdapForgetUser): pam_sspr's own attributes out
#include <errno.h>
#include <ldap.h>
#include <sasl/sasl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>

#include "config/ldap_keys.h"
#include "helper/backends/helper_codes.h"
#include "helper/backends/remote.h"
#include "helper/net/http.h"
#include "helper/net/krb5_login.h"
#include "helper/net/ldap_password.h"
#include "helper/net/ldap_values.h"
#include "common/time.h"
#include "common/wipe.h"
#include "protocol/frame.h"

namespace sspr {
namespace {

constexpr int kMaxValuesPerAttr = 20;
constexpr char kAuxClass[] = "ssprPerson";
constexpr char kQuestionAttr[] = "ssprQuestionHash";  // kAuxClass's

bool SameText(const std::string& a, const std::string& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

timeval Tv(int64_t ms) {
  ms = std::max<int64_t>(ms, 1);
  return timeval{static_cast<time_t>(ms / 1000),
                 static_cast<suseconds_t>((ms % 1000) * 1000)};
}

class LdapBackend : public HelperCodesBackend {
 public:
  LdapBackend(const Config& c, const std::string& password, BackendDeps deps)
      : HelperCodesBackend(c, std::move(deps.sender), deps.clock),
        c_(c),
        password_(password),
        deadline_ms_(deps.deadline_ms) {}
  ~LdapBackend() override {
    Close();
    Wipe(&password_);
  }

  bool Init(std::string* err) {
    if (!codes_.Init(err)) {
      *err = "backend ldap: " + *err;
      return false;
    }
    return true;
  }

  bool Lookup(const std::string& user, UserRecord* rec,
              std::string* err) override {
    BeginOperation();
    rec->user = user;
    rec->methods.clear();
    unknown_ = false;
    if (!Connect(err)) return false;
    std::vector<std::string> names;
    for (const auto& m : c_.methods) {
      std::string a = LdapAttr(c_, m);
      if (!a.empty()) names.push_back(a);
    }
    if (!c_.ldap_attr_verified.empty()) names.push_back(c_.ldap_attr_verified);
    if (!c_.ldap_attr_verified.empty() || !c_.ldap_attr_questions.empty())
      names.push_back("objectClass");
    LDAPMessage* res = nullptr;
    LDAPMessage* e = SearchUser(user, names, &res, err);
    if (e == nullptr) return false;
    ReadEntry(e, rec);
    ldap_msgfree(res);
    return true;
  }

  bool Save(const std::string& user, const Method& m,
            std::string* err) override {
    (void)user;
    refused_ = false;
    std::string attr = LdapAttr(c_, m.type);
    if (attr.empty()) {
      *err = "ldap: cannot store '" + m.type + "' in the directory";
      return false;
    }
    // Questions are proved by their answers (as with local); anything
    // else by the code the helper sent to it.
    const bool questions = m.Kind() == MethodKind::kQuestions;
    std::vector<std::string> v_value = {m.value};
    if (questions && !QuestionValues(m, &v_value, err)) return false;
    if (!questions && !codes_.TakeVerified(m, err)) {
      *err = "ldap: " + *err;
      return false;
    }
    if (dn_.empty()) {
      *err = "ldap: no entry read for the user before the save";
      return false;
    }
    BeginOperation();
    if (!Connect(err)) return false;
    // One modify: the method's attribute, and its marker (the old marker
    // of this method out, the new one in), so nothing is half-written.
    std::string value = m.value;
    std::string marker;
    std::vector<std::string> old = old_markers_[m.type];
    std::vector<LDAPMod> mods;
    std::vector<std::vector<char*>> vals;
    vals.reserve(4);
    auto add = [&](int op, std::string* a, std::vector<std::string>* v) {
      vals.emplace_back();
      for (auto& s : *v) vals.back().push_back(s.data());
      vals.back().push_back(nullptr);
      LDAPMod mod{};
      mod.mod_op = op;
      mod.mod_type = a->data();
      mod.mod_values = vals.back().data();
      mods.push_back(mod);
    };
    std::string a_verified = c_.ldap_attr_verified, a_oc = "objectClass";
    std::vector<std::string> v_marker, v_oc = {kAuxClass};
    // The auxiliary class allows the schema's own attributes: the marker,
    // and questions kept in ssprQuestionHash.
    const bool need_class =
        !a_verified.empty() || (questions && SameText(attr, kQuestionAttr));
    if (need_class && !has_aux_class_) add(LDAP_MOD_ADD, &a_oc, &v_oc);
    add(LDAP_MOD_REPLACE, &attr, &v_value);
    if (!a_verified.empty()) {
      VerifiedMarker vm;
      vm.method = m.type;
      vm.at =
          m.verified_at ? m.verified_at : static_cast<int64_t>(time(nullptr));
      vm.value = value;  // for questions: their count
      v_marker = {FormatVerifiedMarker(vm)};
      if (!old.empty()) add(LDAP_MOD_DELETE, &a_verified, &old);
      add(LDAP_MOD_ADD, &a_verified, &v_marker);
    }
    const int64_t wait_ms = RequestMs();
    if (!SetApiTimeout(wait_ms)) {
      *err = "ldap: " + uri_ + ": cannot set the modify's timeout";
      return false;
    }
    std::vector<LDAPMod*> ptrs;
    ptrs.reserve(mods.size() + 1);
    for (auto& x : mods) ptrs.push_back(&x);
    ptrs.push_back(nullptr);
    int rc = ldap_modify_ext_s(ld_, dn_.c_str(), ptrs.data(), nullptr, nullptr);
    // The directory's own rule about this value (a uniqueness overlay or
    // plugin on mail or telephoneNumber, slapo-constraint, a syntax): what
    // the user typed, so the dialogue asks again and ends FAILED, never
    // UNAVAILABLE (which failmode=safe would turn into a way in).
    refused_ = rc == LDAP_CONSTRAINT_VIOLATION || rc == LDAP_INVALID_SYNTAX;
    if (refused_) {
      *err = "ldap: " + uri_ + ": the directory refused the value of " + attr +
             " of " + dn_ + ": " + ldap_err2string(rc);
      return false;
    }
    if (rc == LDAP_INSUFFICIENT_ACCESS) {
      *err = "ldap: " + uri_ + ": no right to write " + attr +
             (a_verified.empty() ? "" : " and " + a_verified) + " of " + dn_ +
             " (insufficientAccessRights): grant the service account write "
             "access to them";
      return false;
    }
    if (rc != LDAP_SUCCESS) {
      *err = Failure("modify of " + attr + " of " + dn_, rc, wait_ms);
      Close();
      return false;
    }
    old_markers_[m.type] = v_marker;
    has_aux_class_ = has_aux_class_ || need_class;
    return true;
  }

  // sspr-admin reset (LdapForgetUser): one search, then one modify that
  // empties what pam_sspr owns (the verified markers, the question hashes)
  // and, with `values`, the mapped phone and address attributes. Without
  // ldap_attr_verified those values alone make a registration, so without
  // `values` nothing is changed and rep->needs_values names them.
  bool Forget(const std::string& user, bool values, LdapForgetReport* rep,
              std::string* err) {
    *rep = LdapForgetReport();
    unknown_ = false;
    BeginOperation();
    if (!Connect(err)) return false;
    std::vector<std::string> owned, held;  // attribute names, no duplicates
    auto add = [](std::vector<std::string>* to, const std::string& a) {
      if (a.empty()) return;
      for (const auto& x : *to)
        if (SameText(x, a)) return;
      to->push_back(a);
    };
    add(&owned, c_.ldap_attr_verified);
    add(&owned, c_.ldap_attr_questions);
    for (const auto& m : c_.methods)
      if (m != "questions") add(&held, LdapAttr(c_, m));
    std::vector<std::string> names = owned;
    names.insert(names.end(), held.begin(), held.end());
    LDAPMessage* res = nullptr;
    LDAPMessage* e = SearchUser(user, names, &res, err);
    if (e == nullptr) {
      if (!unknown_) return false;
      unknown_ = false;
      return true;  // rep->found stays false: nothing in the directory
    }
    rep->found = true;
    rep->dn = dn_;
    std::vector<std::string> drop;
    for (const auto& a : names) {
      int n = CountValues(e, a);
      if (n == 0) continue;
      bool mine = std::find(owned.begin(), owned.end(), a) != owned.end();
      if (mine || values) {
        drop.push_back(a);
        rep->removed.push_back({a, n});
      } else {
        rep->kept.push_back({a, n});
      }
    }
    ldap_msgfree(res);
    if (!values && c_.ldap_attr_verified.empty() && !rep->kept.empty()) {
      rep->needs_values = true;  // nothing changed
      rep->removed.clear();
      return true;
    }
    if (drop.empty()) return true;
    // Replace with no values: the attribute goes, and one that went in
    // the meantime is no error. One modify: all or nothing.
    std::vector<LDAPMod> mods(drop.size());
    std::vector<LDAPMod*> ptrs;
    char* none[] = {nullptr};
    for (size_t i = 0; i < drop.size(); ++i) {
      mods[i].mod_op = LDAP_MOD_REPLACE;
      mods[i].mod_type = drop[i].data();
      mods[i].mod_values = none;
      ptrs.push_back(&mods[i]);
    }
    ptrs.push_back(nullptr);
    std::string list;
    for (const auto& a : drop) list += (list.empty() ? "" : ", ") + a;
    const int64_t wait_ms = RequestMs();
    if (!SetApiTimeout(wait_ms)) {
      *err = "ldap: " + uri_ + ": cannot set the modify's timeout";
      return false;
    }
    int rc = ldap_modify_ext_s(ld_, dn_.c_str(), ptrs.data(), nullptr, nullptr);
    if (rc == LDAP_INSUFFICIENT_ACCESS) {
      *err = "ldap: " + uri_ + ": no right to delete " + list + " of " + dn_ +
             " (insufficientAccessRights): nothing changed; grant the "
             "service account write access to them";
      rep->removed.clear();
      return false;
    }
    if (rc != LDAP_SUCCESS) {
      *err = Failure("modify of " + dn_, rc, wait_ms) + "; nothing changed";
      rep->removed.clear();
      Close();
      return false;
    }
    return true;
  }

  bool UserUnknown() const override { return unknown_; }
  bool ValueRefused() const override { return refused_; }

  void EndSession() override { Close(); }

  // Active Directory has no RFC 3062 operation (it wants unicodePwd over
  // LDAPS, which is not implemented), and an anonymous bind may set no
  // password: with either nothing is offered.
  bool CanSetPassword() const override {
    return c_.ldap_schema != "ad" &&
           (!c_.ldap_bind_dn.empty() || !c_.ldap_sasl_mech.empty());
  }
  PasswordStatus SetPassword(const std::string& user,
                             const std::string& password, std::string* reason,
                             std::string* err) override;

 private:
  int PasswordModify(const std::string& password, int64_t wait_ms,
                     std::string* diagnostic, int* ppolicy_error,
                     std::string* err);
  void DropIfClosed();

  void BeginOperation() {
    int64_t now = NowMs();
    op_end_ms_ = now + OperationBudgetMs(c_);
    if (deadline_ms_ > 0) op_end_ms_ = std::min(op_end_ms_, deadline_ms_);
  }
  int64_t LeftMs() const { return op_end_ms_ - NowMs(); }
  int64_t RequestMs() const {
    return std::min<int64_t>(int64_t{c_.request_timeout} * 1000, LeftMs());
  }

  int Scope() const {
    if (c_.ldap_scope == "base") return LDAP_SCOPE_BASE;
    if (c_.ldap_scope == "one") return LDAP_SCOPE_ONELEVEL;
    return LDAP_SCOPE_SUBTREE;
  }

  // One search for the user's entry asking for `names` only (size limit 2,
  // time limit): the entry (its DN in dn_, *res to free), or nullptr with
  // *err (no entry: unknown_ set; two: an error).
  LDAPMessage* SearchUser(const std::string& user,
                          std::vector<std::string> names, LDAPMessage** res,
                          std::string* err) {
    std::vector<char*> attrs;
    attrs.reserve(names.size() + 1);
    for (auto& n : names) attrs.push_back(n.data());
    attrs.push_back(nullptr);
    std::string filter = LdapUserFilterFor(LdapUserFilter(c_), user);
    const int64_t wait_ms = RequestMs();
    timeval tv = Tv(wait_ms);
    if (!SetApiTimeout(wait_ms)) {
      *err = "ldap: " + uri_ + ": cannot set the search's timeout";
      return nullptr;
    }
    *res = nullptr;
    int rc =
        ldap_search_ext_s(ld_, c_.ldap_base.c_str(), Scope(), filter.c_str(),
                          attrs.data(), 0, nullptr, nullptr, &tv, 2, res);
    int n = *res ? ldap_count_entries(ld_, *res) : 0;
    if (rc == LDAP_SIZELIMIT_EXCEEDED || n > 1) {
      ldap_msgfree(*res);
      *err = "ldap: " + uri_ +
             ": the filter finds more than one entry for "
             "the user under " +
             c_.ldap_base;
      return nullptr;
    }
    if (rc != LDAP_SUCCESS) {
      ldap_msgfree(*res);
      *err = Failure("search under " + c_.ldap_base, rc, wait_ms);
      Close();
      return nullptr;
    }
    LDAPMessage* e = ldap_first_entry(ld_, *res);
    if (e == nullptr) {
      ldap_msgfree(*res);
      unknown_ = true;
      *err = "ldap: no entry under " + c_.ldap_base + " matches the user";
      return nullptr;
    }
    char* dn = ldap_get_dn(ld_, e);
    dn_ = dn ? dn : "";
    ldap_memfree(dn);
    return e;
  }

  int CountValues(LDAPMessage* e, const std::string& attr) {
    berval** v = ldap_get_values_len(ld_, e, attr.c_str());
    if (!v) return 0;
    int n = ldap_count_values_len(v);
    ldap_value_free_len(v);
    return n;
  }

  // A questions method as ldap_attr_questions' values: one
  // {"question","hash"} per answer (AnswerToJson, the local record's own
  // form), each readable again by LdapQuestionValue.
  static bool QuestionValues(const Method& m, std::vector<std::string>* out,
                             std::string* err) {
    if (!CheckMethod(m, err)) {
      *err = "ldap: " + *err;
      return false;
    }
    out->clear();
    for (const auto& qa : m.answers) {
      QuestionAnswer back;
      std::string why;
      out->push_back(AnswerToJson(qa));
      if (!LdapQuestionValue(out->back(), &back, &why)) {
        *err = "ldap: a security question cannot be stored: " + why;
        return false;
      }
    }
    return true;
  }

  // ldap_attr_questions' values: each checked (a malformed one is logged
  // and skipped); 3 to 5 good ones make the questions method.
  void ReadQuestions(LDAPMessage* e, const std::string& attr,
                     const std::vector<VerifiedMarker>& markers,
                     UserRecord* rec) {
    Method m;
    m.type = MethodName(MethodKind::kQuestions);
    for (const auto& raw : Values(e, attr, kMaxLdapQuestionValue)) {
      QuestionAnswer qa;
      std::string why;
      if (!LdapQuestionValue(raw, &qa, &why)) {
        Warn(attr, why);
        continue;
      }
      if (std::any_of(m.answers.begin(), m.answers.end(),
                      [&](const QuestionAnswer& x) {
                        return x.question == qa.question;
                      })) {
        Warn(attr, "the same question twice; one ignored");
        continue;
      }
      if (m.answers.size() == 5) {
        Warn(attr, "more than 5 questions; the rest ignored");
        break;
      }
      m.answers.push_back(qa);
    }
    if (m.answers.empty()) return;
    if (m.answers.size() < 3) {
      Warn(attr, "fewer than 3 valid questions: they do not count");
      return;
    }
    m.value = std::to_string(m.answers.size());
    // Only pam_sspr writes hashes, so they count without a marker; the
    // marker (with ldap_attr_verified) gives their time.
    for (const auto& vm : markers)
      if (vm.method == m.type) m.verified_at = vm.at;
    rec->methods.push_back(m);
  }

  static int OnConnect(LDAP*, Sockbuf* sb, LDAPURLDesc*, sockaddr*,
                       ldap_conncb* ctx) {
    auto* self = static_cast<LdapBackend*>(ctx->lc_arg);
    int fd = -1;
    if (ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) == 1 && fd >= 0)
      self->sock_fd_ = fd;  // for ConnectOne's watchdog
    return 0;
  }
  static void OnClose(LDAP*, Sockbuf*, ldap_conncb*) {}

  bool SetApiTimeout(int64_t ms) {
    timeval tv = Tv(ms);
    return ldap_set_option(ld_, LDAP_OPT_TIMEOUT, &tv) == LDAP_OPT_SUCCESS;
  }

  void Close() {
    if (ld_) ldap_unbind_ext_s(ld_, nullptr, nullptr);
    ld_ = nullptr;
  }

  std::string Diagnostic() {
    char* msg = nullptr;
    std::string out;
    if (ld_ &&
        ldap_get_option(ld_, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg) ==
            LDAP_OPT_SUCCESS &&
        msg) {
      out = msg;
      ldap_memfree(msg);
    }
    if (out.size() > 160) out = out.substr(0, 160) + "...";
    for (char& ch : out)
      if (static_cast<unsigned char>(ch) < ' ' || ch == 0x7f) ch = ' ';
    return out;
  }

  // `waited_ms`: the timeout the call had (for LDAP_TIMEOUT).
  std::string Failure(const std::string& what, int rc, int64_t waited_ms) {
    std::string d = Diagnostic();
    std::string t = "ldap: " + uri_ + ": " + what + ": ";
    if (rc == LDAP_TIMEOUT)
      t += "no answer within " +
           std::to_string(std::max<int64_t>(1, (waited_ms + 500) / 1000)) +
           " s";
    else t += ldap_err2string(rc);
    if (!d.empty()) t += " (" + d + ")";
    return t;
  }

  // One connection for the whole session: the first URI that connects,
  // (StartTLS), binds. A URI that cannot be reached or answers nothing
  // costs at most ldap_connect_timeout; a refused bind ends the search.
  bool Connect(std::string* err) {
    if (ld_) return true;
    std::string tried;
    for (const auto& uri : c_.ldap_uri) {
      if (LeftMs() <= 0) break;
      uri_ = uri;
      bool next = false;
      if (ConnectOne(uri, &next, err)) return true;
      Close();
      if (!next) return false;
      tried += (tried.empty() ? "" : "; ") + *err;
    }
    *err = tried.empty() ? "ldap: no time left to connect" : tried;
    return false;
  }

  // ConnectSteps under a watchdog: libldap bounds the TCP connect
  // (NETWORK_TIMEOUT) and waits for answers with TIMEOUT, but an ldaps://
  // handshake with a server that accepts and stalls reads blocking. Past
  // ldap_connect_timeout the watchdog shuts the socket down, which ends any
  // read or write on it; ld_ (and so the fd) lives until after the join.
  bool ConnectOne(const std::string& uri, bool* next, std::string* err) {
    // GSSAPI: the tickets first (the KDC has a deadline of its own,
    // ldap_connect_timeout), so that the bind needs no KDC.
    if (c_.ldap_sasl_mech == "GSSAPI" && !GssapiTickets(uri, next, err))
      return false;
    const int64_t connect_ms =
        std::min<int64_t>(int64_t{c_.ldap_connect_timeout} * 1000, LeftMs());
    sock_fd_ = -1;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false, fired = false;
    std::thread dog([&] {
      std::unique_lock<std::mutex> lock(mu);
      if (!cv.wait_for(lock, std::chrono::milliseconds(connect_ms),
                       [&] { return done; })) {
        fired = true;
        int fd = sock_fd_.load();
        if (fd >= 0) shutdown(fd, SHUT_RDWR);
      }
    });
    bool ok = ConnectSteps(uri, connect_ms, next, err);
    {
      std::lock_guard<std::mutex> lock(mu);
      done = true;
    }
    cv.notify_one();
    dog.join();
    if (fired) {  // even if the last step just made it: the socket is gone
      *next = true;
      *err = "ldap: " + uri + ": no answer within " +
             std::to_string(std::max<int64_t>(1, (connect_ms + 500) / 1000)) +
             " s (connect, TLS or bind)";
    }
    return ok && !fired;
  }

  // The URI's host as written (no reverse DNS: the service principal is
  // ldap/<host>, and libldap is told not to canonicalize it either).
  bool GssapiTickets(const std::string& uri, bool* next, std::string* err) {
    LDAPURLDesc* u = nullptr;
    if (ldap_url_parse(uri.c_str(), &u) != LDAP_URL_SUCCESS || !u) {
      *next = true;
      *err = "ldap: " + uri + ": not a usable URI";
      return false;
    }
    std::string host = u->lud_host ? u->lud_host : "";
    ldap_free_urldesc(u);
    const int64_t ms =
        std::min<int64_t>(int64_t{c_.ldap_connect_timeout} * 1000, LeftMs());
    if (!Krb5TicketsFor(host, ms, next, err)) {
      *err = "ldap: " + uri + ": " + *err;
      return false;
    }
    return true;
  }

  // libsasl2 asks GSSAPI's optional questions (an authorization id): the
  // defaults, i.e. none: the identity is the ticket's.
  static int SaslDefaults(LDAP*, unsigned, void*, void* in) {
    for (auto* i = static_cast<sasl_interact_t*>(in); i->id != SASL_CB_LIST_END;
         ++i) {
      i->result = i->defresult ? i->defresult : "";
      i->len = i->defresult ? static_cast<unsigned>(strlen(i->defresult)) : 0;
    }
    return LDAP_SUCCESS;
  }

  int Bind(bool plain, bool external) {
    if (c_.ldap_sasl_mech == "GSSAPI") {
      // Over TLS no SASL security layer on top (Active Directory refuses
      // one inside TLS); over loopback plain LDAP, GSSAPI's own.
      bool tls = !plain || c_.ldap_starttls;
      if (tls && ldap_set_option(ld_, LDAP_OPT_X_SASL_SECPROPS, "maxssf=0") !=
                     LDAP_OPT_SUCCESS)
        return LDAP_LOCAL_ERROR;
      return ldap_sasl_interactive_bind_s(ld_, nullptr, "GSSAPI", nullptr,
                                          nullptr, LDAP_SASL_QUIET,
                                          &LdapBackend::SaslDefaults, nullptr);
    }
    berval cred{};
    // Empty credentials, present: EXTERNAL's empty initial response (a
    // null bv_val would leave them out and the server would ask again).
    static char kEmpty[] = "";
    cred.bv_val = c_.ldap_bind_dn.empty() ? kEmpty : password_.data();
    cred.bv_len = c_.ldap_bind_dn.empty() ? 0 : password_.size();
    // EXTERNAL: the client certificate names the account (the server
    // maps its subject to a DN); no credentials travel.
    return ldap_sasl_bind_s(ld_, external ? nullptr : c_.ldap_bind_dn.c_str(),
                            external ? "EXTERNAL" : LDAP_SASL_SIMPLE, &cred,
                            nullptr, nullptr, nullptr);
  }

  std::string BindName(bool external) {
    if (c_.ldap_sasl_mech == "GSSAPI")
      return "SASL GSSAPI (" + Krb5Principal() + ")";
    if (external) return "SASL EXTERNAL (client certificate)";
    return c_.ldap_bind_dn.empty() ? "anonymous" : c_.ldap_bind_dn;
  }

  bool ConnectSteps(const std::string& uri, int64_t connect_ms, bool* next,
                    std::string* err) {
    *next = true;
    if (ldap_initialize(&ld_, uri.c_str()) != LDAP_SUCCESS || !ld_) {
      *err = "ldap: " + uri + ": not a usable URI";
      return false;
    }
    int v3 = LDAP_VERSION3, hard = LDAP_OPT_X_TLS_HARD, zero = 0;
    // Reaching the server, StartTLS and the bind all fit in
    // ldap_connect_timeout: a server that accepts and stalls costs no more
    // than a dead one before the next URI is tried.
    timeval net = Tv(connect_ms);
    timeval api = Tv(connect_ms);
    conncb_.lc_add = &LdapBackend::OnConnect;
    conncb_.lc_del = &LdapBackend::OnClose;
    conncb_.lc_arg = this;
    bool ok =
        ldap_set_option(ld_, LDAP_OPT_CONNECT_CB, &conncb_) == 0 &&
        ldap_set_option(ld_, LDAP_OPT_PROTOCOL_VERSION, &v3) == 0 &&
        ldap_set_option(ld_, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) == 0 &&
        ldap_set_option(ld_, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON) == 0 &&
        ldap_set_option(ld_, LDAP_OPT_NETWORK_TIMEOUT, &net) == 0 &&
        ldap_set_option(ld_, LDAP_OPT_TIMEOUT, &api) == 0 &&
        ldap_set_option(ld_, LDAP_OPT_X_TLS_REQUIRE_CERT, &hard) == 0 &&
        (c_.ldap_tls_cert.empty() ||
         (ldap_set_option(ld_, LDAP_OPT_X_TLS_CERTFILE,
                          c_.ldap_tls_cert.c_str()) == 0 &&
          ldap_set_option(ld_, LDAP_OPT_X_TLS_KEYFILE,
                          c_.ldap_tls_key.c_str()) == 0)) &&
        (c_.cafile.empty() || ldap_set_option(ld_, LDAP_OPT_X_TLS_CACERTFILE,
                                              c_.cafile.c_str()) == 0) &&
        ldap_set_option(ld_, LDAP_OPT_X_TLS_NEWCTX, &zero) == 0;
    if (!ok) {
      *err = "ldap: " + uri + ": cannot set the connection's options";
      return false;
    }
    bool plain = uri.rfind("ldap://", 0) == 0;
    if (plain && c_.ldap_starttls) {
      int rc = ldap_start_tls_s(ld_, nullptr, nullptr);
      if (rc == LDAP_SERVER_DOWN) {
        *err =
            "ldap: cannot connect to " + uri + " (" + ldap_err2string(rc) + ")";
        return false;
      }
      if (rc != LDAP_SUCCESS) {
        *err = rc == LDAP_CONNECT_ERROR
                   ? "ldap: " + uri +
                         ": StartTLS: TLS certificate not accepted or TLS "
                         "failed" +
                         (Diagnostic().empty() ? "" : " (" + Diagnostic() + ")")
                   : Failure("StartTLS", rc, connect_ms);
        return false;
      }
    }
    if (plain && !c_.ldap_starttls && !LdapLoopback(uri)) {
      *next = false;
      *err = "ldap: " + uri + ": plain LDAP only to this host";
      return false;
    }
    const bool external = c_.ldap_sasl_mech == "EXTERNAL";
    if (external && plain && !c_.ldap_starttls) {
      *next = false;
      *err = "ldap: " + uri + ": SASL EXTERNAL needs TLS";
      return false;
    }
    int rc = Bind(plain, external);
    // A refusal of these credentials is final: every replica would say the
    // same (AD answers strongAuthRequired to a simple bind in clear).
    if (rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INAPPROPRIATE_AUTH ||
        rc == LDAP_CONFIDENTIALITY_REQUIRED ||
        rc == LDAP_STRONG_AUTH_REQUIRED) {
      *next = false;
      *err = "ldap: " + uri + ": bind as " + BindName(external) +
             " refused: " + ldap_err2string(rc);
      return false;
    }
    if (rc != LDAP_SUCCESS) {
      std::string d = Diagnostic();
      *err = rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR
                 ? "ldap: cannot connect to " + uri + " (" +
                       ldap_err2string(rc) + (d.empty() ? "" : ": " + d) + ")"
                 : Failure("bind", rc, connect_ms);
      if (!plain && rc == LDAP_SERVER_DOWN && TcpReachable(uri))
        *err = "ldap: " + uri + ": TLS certificate not accepted or TLS failed" +
               (Diagnostic().empty() ? "" : " (" + Diagnostic() + ")");
      return false;
    }
    return true;
  }

  // After a failed ldaps:// connection: whether TCP alone gets through, so
  // that the log can say the TLS handshake failed (libldap says only
  // "Can't contact LDAP server" for both).
  bool TcpReachable(const std::string& uri) {
    LDAPURLDesc* u = nullptr;
    if (ldap_url_parse(uri.c_str(), &u) != LDAP_URL_SUCCESS || !u) return false;
    std::string host = u->lud_host ? u->lud_host : "";
    std::string port = std::to_string(u->lud_port ? u->lud_port : 636);
    ldap_free_urldesc(u);
    addrinfo hints{}, *ai = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &ai) != 0) return false;
    bool ok = false;
    int ms = static_cast<int>(
        std::min<int64_t>(int64_t{c_.ldap_connect_timeout} * 1000,
                          std::max<int64_t>(LeftMs(), 1)));
    int fd =
        socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
      if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        ok = true;
      } else if (errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        int e = 0;
        socklen_t n = sizeof e;
        ok = poll(&p, 1, ms) == 1 &&
             getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &n) == 0 && e == 0;
      }
      close(fd);
    }
    freeaddrinfo(ai);
    return ok;
  }

  // The entry's values, checked: a malformed one is logged (never its
  // value) and skipped; with ldap_attr_verified only proved values count.
  void ReadEntry(LDAPMessage* e, UserRecord* rec) {
    std::vector<VerifiedMarker> markers;
    old_markers_.clear();
    has_aux_class_ = false;
    if (!c_.ldap_attr_verified.empty()) {
      for (const auto& raw : Values(e, c_.ldap_attr_verified)) {
        VerifiedMarker vm;
        std::string why;
        if (ParseVerifiedMarker(raw, &vm, &why)) {
          markers.push_back(vm);
          old_markers_[vm.method].push_back(raw);
        } else {
          Warn(c_.ldap_attr_verified, why);
        }
      }
    }
    for (const auto& oc : Values(e, "objectClass"))  // asked for when needed
      if (SameText(oc, kAuxClass)) has_aux_class_ = true;
    for (const auto& type : c_.methods) {
      std::string attr = LdapAttr(c_, type);
      if (attr.empty()) continue;
      if (MethodKindOf(type) == MethodKind::kQuestions) {
        ReadQuestions(e, attr, markers, rec);
        continue;
      }
      for (const auto& raw : Values(e, attr)) {
        std::string value, why;
        bool good = type == "email"
                        ? LdapEmailValue(raw, &value, &why)
                        : LdapPhoneValue(raw, type == "mobile", &value, &why);
        if (!good) {
          Warn(attr, why);
          continue;
        }
        Method m;
        m.type = type;
        m.value = value;
        if (!c_.ldap_attr_verified.empty()) {
          auto it = std::find_if(
              markers.begin(), markers.end(), [&](const VerifiedMarker& vm) {
                return vm.method == type && vm.value == value;
              });
          if (it == markers.end()) continue;  // not proved (imported)
          m.verified_at = it->at;
        }
        rec->methods.push_back(m);
        break;  // one value per method
      }
    }
  }

  std::vector<std::string> Values(LDAPMessage* e, const std::string& attr,
                                  size_t max_len = kMaxLdapValue) {
    std::vector<std::string> out;
    berval** v = ldap_get_values_len(ld_, e, attr.c_str());
    if (!v) return out;
    int n = ldap_count_values_len(v);
    if (n > kMaxValuesPerAttr)
      Warn(attr, "more than 20 values; the rest ignored");
    for (int i = 0; i < n && i < kMaxValuesPerAttr; ++i) {
      if (v[i]->bv_len > max_len) {
        Warn(attr, "value longer than " + std::to_string(max_len) + " bytes");
        continue;
      }
      out.emplace_back(v[i]->bv_val, v[i]->bv_len);
    }
    ldap_value_free_len(v);
    return out;
  }

  // A directory value that does not count: one authpriv line, with the
  // attribute and the entry, never the value.
  void Warn(const std::string& attr, const std::string& why) {
    syslog(LOG_AUTHPRIV | LOG_WARNING, "pam_sspr(ldap): %s of %s ignored: %s",
           attr.c_str(), dn_.c_str(), why.c_str());
  }

  const Config& c_;
  std::string password_;
  int64_t deadline_ms_;
  int64_t op_end_ms_ = 0;
  LDAP* ld_ = nullptr;
  ldap_conncb conncb_{};          // must outlive ld_
  std::atomic<int> sock_fd_{-1};  // ld_'s socket while connecting
  std::string uri_;               // the URI of ld_, for messages
  std::string dn_;                // the user's entry, from Lookup
  std::map<std::string, std::vector<std::string>> old_markers_;
  bool has_aux_class_ = false;
  bool unknown_ = false;
  bool refused_ = false;  // the last Save: the directory refused the value
};

// The reset: one Password Modify of dn_ (found by Lookup, never built from
// the typed name) with the service account's bind, no oldPasswd, the
// password policy request control, on the session's connection (opened
// again if the server closed it meanwhile), within the operation's budget.
PasswordStatus LdapBackend::SetPassword(const std::string& user,
                                        const std::string& password,
                                        std::string* reason, std::string* err) {
  (void)user;
  if (dn_.empty()) {
    *err = "ldap: no entry read for the user before the password was set";
    return PasswordStatus::kError;
  }
  BeginOperation();
  DropIfClosed();
  if (!Connect(err)) return PasswordStatus::kError;
  std::string said;
  int pp = -1;
  const int64_t wait_ms = RequestMs();
  int rc = PasswordModify(password, wait_ms, &said, &pp, err);
  if (rc < 0) return PasswordStatus::kError;  // *err set, connection closed
  const std::string pp_text =
      pp >= 0 ? ldap_passwordpolicy_err2txt(
                    static_cast<LDAPPasswordPolicyError>(pp))
              : "";
  // For the log: the server's words without the password.
  const std::string shown = PasswordRefusalReason("", said, password);
  const std::string what = "ldap: " + uri_ + ": password of " + dn_ + ": ";
  switch (ClassifyPasswordModify(rc, pp)) {
    case PasswordModifyResult::kSet:
      return PasswordStatus::kSet;
    case PasswordModifyResult::kRefused:
      *reason = PasswordRefusalReason(pp_text, said, password);
      *err = what + "refused by the password policy";
      return PasswordStatus::kRefused;
    case PasswordModifyResult::kNotAllowed:
      *reason = PasswordRefusalReason(pp_text, said, password);
      *err = what + "the password policy allows no change";
      return PasswordStatus::kNotAllowed;
    case PasswordModifyResult::kNoRight:
      *err = what +
             "no right to set it (insufficientAccessRights): grant the "
             "service account write (=w) on userPassword";
      return PasswordStatus::kError;
    case PasswordModifyResult::kReplica:
      *err = what +
             "the server sent a referral (a read-only replica?): point "
             "ldap_uri at servers that take writes";
      return PasswordStatus::kError;
    case PasswordModifyResult::kError:
      break;
  }
  *err = what + ldap_err2string(rc) + (shown.empty() ? "" : " (" + shown + ")");
  return PasswordStatus::kError;
}

// Sends the operation and waits for its answer. The LDAP result code, or
// -1 with *err when there is none (not sent, no answer within wait_ms,
// the connection lost); the connection is then closed. The request value
// holding the password is wiped here; what libldap made of it is wiped
// when libldap frees it (WipeLdapMemoryOnFree).
int LdapBackend::PasswordModify(const std::string& password, int64_t wait_ms,
                                std::string* diagnostic, int* ppolicy_error,
                                std::string* err) {
  std::string value;
  if (!PasswdModifyRequestValue(dn_, password, &value)) {
    Wipe(&value);
    *err = "ldap: the entry's DN is longer than " + std::to_string(kMaxLdapDn) +
           " bytes";
    return -1;
  }
  berval data{static_cast<ber_len_t>(value.size()), value.data()};
  LDAPControl* pp = nullptr;
  if (ldap_create_passwordpolicy_control(ld_, &pp) != LDAP_SUCCESS)
    pp = nullptr;  // the refusal then comes with the server's text only
  LDAPControl* server_controls[] = {pp, nullptr};
  int msgid = -1;
  int rc =
      ldap_extended_operation(ld_, LDAP_EXOP_MODIFY_PASSWD, &data,
                              pp ? server_controls : nullptr, nullptr, &msgid);
  Wipe(&value);
  if (pp) ldap_control_free(pp);
  LDAPMessage* res = nullptr;
  if (rc == LDAP_SUCCESS) {
    timeval tv = Tv(wait_ms);
    int got = ldap_result(ld_, msgid, LDAP_MSG_ALL, &tv, &res);
    if (got == 0) rc = LDAP_TIMEOUT;
    else if (got < 0 && ldap_get_option(ld_, LDAP_OPT_RESULT_CODE, &rc) !=
                            LDAP_OPT_SUCCESS)
      rc = LDAP_OTHER;
    else if (got > 0 && got != LDAP_RES_EXTENDED) rc = LDAP_DECODING_ERROR;
  }
  if (rc != LDAP_SUCCESS || !res) {
    ldap_msgfree(res);
    *err = "ldap: " + uri_ + ": password of " + dn_ + ": ";
    *err +=
        rc == LDAP_TIMEOUT
            ? "no answer within " +
                  std::to_string(std::max<int64_t>(1, (wait_ms + 500) / 1000)) +
                  " s (the directory may still apply it)"
            : std::string(ldap_err2string(rc));
    Close();
    return -1;
  }
  int code = LDAP_OTHER;
  char* diag = nullptr;
  LDAPControl** controls = nullptr;
  rc =
      ldap_parse_result(ld_, res, &code, nullptr, &diag, nullptr, &controls, 1);
  if (rc != LDAP_SUCCESS) {
    ldap_memfree(diag);
    ldap_controls_free(controls);
    *err = "ldap: " + uri_ + ": password of " + dn_ +
           ": unreadable answer: " + ldap_err2string(rc);
    Close();
    return -1;
  }
  *diagnostic = diag ? diag : "";
  ldap_memfree(diag);
  *ppolicy_error = -1;
  LDAPControl* c = controls
                       ? ldap_control_find(LDAP_CONTROL_PASSWORDPOLICYRESPONSE,
                                           controls, nullptr)
                       : nullptr;
  LDAPPasswordPolicyError e = PP_noError;
  ber_int_t expire = -1, grace = -1;
  if (c &&
      ldap_parse_passwordpolicy_control(ld_, c, &expire, &grace, &e) ==
          LDAP_SUCCESS &&
      e >= PP_passwordExpired && e <= PP_passwordTooLong)
    *ppolicy_error = e;
  ldap_controls_free(controls);
  return code;
}

// A connection the server closed while the person answered (its idle
// timeout, a restart) is dropped, so that Connect opens a new one: no
// request is outstanding, so anything readable (end of file, a notice of
// disconnection) or an error means it is gone.
void LdapBackend::DropIfClosed() {
  if (!ld_) return;
  int fd = -1;
  if (ldap_get_option(ld_, LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS || fd < 0) {
    Close();
    return;
  }
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, 0) != 0) Close();
}

}  // namespace

std::unique_ptr<Backend> MakeLdapBackend(const Config& c, const Secrets& s,
                                         BackendDeps deps, std::string* err) {
  std::string v;
  if (!ValidateLdap(c, &v)) {
    *err = v;
    return nullptr;
  }
  if (!c.ldap_bind_dn.empty() && s.Get("ldap_bind_password").empty()) {
    *err = "backend ldap needs 'ldap_bind_password' in " + c.secrets_file +
           " for ldap_bind_dn";
    return nullptr;
  }
  // Only our options: no ldap.conf, ldaprc or LDAP* variables.
  setenv("LDAPNOINIT", "1", 1);
  // Before libldap's first allocation: a reset's password is wiped in
  // every buffer libldap frees.
  static const bool wiping = WipeLdapMemoryOnFree();
  if (!wiping)
    syslog(LOG_AUTHPRIV | LOG_WARNING,
           "pam_sspr(ldap): libldap's freed memory is not wiped (its "
           "allocator was set already)");
  auto b = std::make_unique<LdapBackend>(c, s.Get("ldap_bind_password"),
                                         std::move(deps));
  if (!b->Init(err)) return nullptr;
  return b;
}

bool LdapForgetUser(const Config& c, const Secrets& s, const std::string& user,
                    bool values, LdapForgetReport* rep, std::string* err) {
  std::string v;
  if (!ValidateLdap(c, &v)) {
    *err = v;
    return false;
  }
  setenv("LDAPNOINIT", "1", 1);
  SystemClock clock;
  BackendDeps deps{nullptr, &clock, nullptr,
                   NowMs() + int64_t{c.helper_timeout} * 1000};
  LdapBackend b(c, s.Get("ldap_bind_password"), std::move(deps));
  return b.Forget(user, values, rep, err);
}

}  // namespace sspr
