// ldap_sasl_mech = GSSAPI: see krb5_login.h. MIT krb5's MEMORY keytab and
// credential cache are process-wide (by name), which is what lets the root
// phase hand the keys to the GSSAPI mechanism that libsasl2 runs later.
#include "helper/net/krb5_login.h"

#include <krb5/krb5.h>
#include <ldap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "common/file.h"
#include "config/config.h"

namespace sspr {
namespace {

constexpr char kKeytabName[] = "MEMORY:sspr-helper-keys";
constexpr char kCacheName[] = "MEMORY:sspr-helper";
constexpr size_t kMaxKeytabSize = 1024 * 1024;
constexpr size_t kMaxKrb5ConfSize = 256 * 1024;

// Lives as long as the process: a KDC request left behind past its
// deadline still uses the context, so nothing here is ever freed.
struct Krb5State {
  krb5_context ctx = nullptr;
  krb5_keytab keys = nullptr;  // MEMORY: only the chosen principal's keys
  krb5_ccache cache = nullptr;
  krb5_principal client = nullptr;
  std::string principal;
  std::string realm;
  bool have_tgt = false;  // written by a request, read after it ended
  bool stuck = false;     // a request was left behind: ctx is its own
  Krb5State() = default;
  Krb5State(const Krb5State&) = delete;
  Krb5State& operator=(const Krb5State&) = delete;
  // Only a state that failed half made is destroyed (the ready one is
  // kept in g_state for the process's life).
  ~Krb5State() {
    if (!ctx) return;
    if (client) krb5_free_principal(ctx, client);
    if (cache) krb5_cc_close(ctx, cache);
    if (keys) krb5_kt_close(ctx, keys);
    krb5_free_context(ctx);
  }
};
Krb5State* g_state = nullptr;

std::string Clean(std::string s) {
  if (s.size() > 200) s = s.substr(0, 200) + "...";
  for (char& ch : s)
    if (static_cast<unsigned char>(ch) < ' ' || ch == 0x7f) ch = ' ';
  return s;
}

std::string Krb5Error(krb5_context ctx, krb5_error_code rc) {
  const char* m = krb5_get_error_message(ctx, rc);
  std::string out = Clean(m ? m : "error " + std::to_string(rc));
  krb5_free_error_message(ctx, m);
  return out;
}

// The root-only file's rules and size, checked (opened, not read) before
// libkrb5 reads it.
bool CheckFile(const std::string& key, const std::string& path, size_t max,
               std::string* err) {
  size_t size = 0;
  const int fd =
      OpenSmallFile(path.c_str(), FileRule::kRootNotWritable, max, &size, err);
  if (fd < 0) {
    *err = key + " " + *err;
    return false;
  }
  close(fd);
  return true;
}

// Copies the keys of `want` (or, when it is null, of the first entry's
// principal) from `file` into `mem`; returns how many, *chosen set.
int CopyKeys(krb5_context ctx, krb5_keytab file, krb5_keytab mem,
             krb5_principal want, krb5_principal* chosen, krb5_error_code* rc) {
  krb5_kt_cursor cur;
  *rc = krb5_kt_start_seq_get(ctx, file, &cur);
  if (*rc) return 0;
  int n = 0;
  krb5_keytab_entry e;
  while (krb5_kt_next_entry(ctx, file, &e, &cur) == 0) {
    if (!want && !*chosen) *rc = krb5_copy_principal(ctx, e.principal, chosen);
    krb5_principal match = want ? want : *chosen;
    if (*rc == 0 && match && krb5_principal_compare(ctx, match, e.principal)) {
      *rc = krb5_kt_add_entry(ctx, mem, &e);
      if (*rc == 0) ++n;
    }
    krb5_free_keytab_entry_contents(ctx, &e);
    if (*rc) break;
  }
  krb5_kt_end_seq_get(ctx, file, &cur);
  return n;
}

bool SaslHasGssapi() {
  char** mechs = nullptr;  // libsasl2's own list: not freed
  // Loads libsasl2's plugins now, as root, from the system's folder.
  if (ldap_get_option(nullptr, LDAP_OPT_X_SASL_MECHLIST, &mechs) !=
          LDAP_OPT_SUCCESS ||
      !mechs)
    return false;
  for (char** m = mechs; *m; ++m)
    if (strcmp(*m, "GSSAPI") == 0) return true;
  return false;
}

// One request to the KDC (a thread of its own): the initial ticket once,
// then the service ticket for ldap/<host>. *what: which of them failed.
krb5_error_code Exchange(Krb5State* s, const std::string& host,
                         std::string* what) {
  krb5_error_code rc = 0;
  if (!s->have_tgt) {
    *what = "initial ticket for " + s->principal;
    krb5_get_init_creds_opt* opt = nullptr;
    rc = krb5_get_init_creds_opt_alloc(s->ctx, &opt);
    if (rc) return rc;
    rc = krb5_get_init_creds_opt_set_out_ccache(s->ctx, opt, s->cache);
    krb5_creds creds;
    memset(&creds, 0, sizeof creds);
    if (rc == 0)
      rc = krb5_get_init_creds_keytab(s->ctx, &creds, s->client, s->keys, 0,
                                      nullptr, opt);
    krb5_get_init_creds_opt_free(s->ctx, opt);
    if (rc) return rc;
    krb5_free_cred_contents(s->ctx, &creds);
    s->have_tgt = true;
  }
  *what = "service ticket for ldap/" + host;
  krb5_principal server = nullptr;
  rc = krb5_sname_to_principal(s->ctx, host.c_str(), "ldap", KRB5_NT_SRV_HST,
                               &server);
  if (rc) return rc;
  krb5_creds in;
  memset(&in, 0, sizeof in);
  in.client = s->client;
  in.server = server;
  krb5_creds* out = nullptr;
  rc = krb5_get_credentials(s->ctx, 0, s->cache, &in, &out);
  krb5_free_principal(s->ctx, server);
  if (out) krb5_free_creds(s->ctx, out);
  return rc;
}

}  // namespace

bool PrepareKrb5Login(const Config& c, std::string* err) {
  if (c.backend != BackendKind::kLdap || c.ldap_sasl_mech != "GSSAPI")
    return true;
  if (g_state) return true;
  // libkrb5 and libsasl2 read these; the helper's environment is empty.
  setenv("LDAPNOINIT", "1", 1);
  setenv("KRB5_CONFIG", c.ldap_krb5_conf.c_str(), 1);
  setenv("KRB5CCNAME", kCacheName, 1);
  setenv("KRB5_CLIENT_KTNAME", kKeytabName, 1);
  if (!CheckFile("ldap_krb5_conf", c.ldap_krb5_conf, kMaxKrb5ConfSize, err) ||
      !CheckFile("ldap_keytab", c.ldap_keytab, kMaxKeytabSize, err))
    return false;
  if (!SaslHasGssapi()) {
    *err =
        "ldap_sasl_mech = GSSAPI: libsasl2 has no GSSAPI mechanism (Debian: "
        "libsasl2-modules-gssapi-mit; RHEL: cyrus-sasl-gssapi)";
    return false;
  }
  auto s = std::make_unique<Krb5State>();
  krb5_error_code rc = krb5_init_context(&s->ctx);
  if (rc) {
    *err = "ldap_krb5_conf " + c.ldap_krb5_conf +
           ": libkrb5 cannot start (error " + std::to_string(rc) + ")";
    return false;
  }
  krb5_keytab file = nullptr;
  krb5_principal want = nullptr;
  std::string keytab = "FILE:" + c.ldap_keytab;
  rc = krb5_kt_resolve(s->ctx, keytab.c_str(), &file);
  if (rc == 0) rc = krb5_kt_resolve(s->ctx, kKeytabName, &s->keys);
  if (rc == 0 && !c.ldap_krb5_principal.empty())
    rc = krb5_parse_name(s->ctx, c.ldap_krb5_principal.c_str(), &want);
  int n = 0;
  if (rc == 0) n = CopyKeys(s->ctx, file, s->keys, want, &s->client, &rc);
  if (want && rc == 0) rc = krb5_copy_principal(s->ctx, want, &s->client);
  if (file) krb5_kt_close(s->ctx, file);
  if (want) krb5_free_principal(s->ctx, want);
  if (rc) {
    *err = "ldap_keytab " + c.ldap_keytab + ": " + Krb5Error(s->ctx, rc);
    return false;
  }
  if (n == 0) {
    *err = "ldap_keytab " + c.ldap_keytab + ": no key" +
           (c.ldap_krb5_principal.empty()
                ? std::string(" at all")
                : " for " + Clean(c.ldap_krb5_principal));
    return false;
  }
  char* name = nullptr;
  rc = krb5_unparse_name(s->ctx, s->client, &name);
  if (rc == 0) {
    s->principal = Clean(name);
    krb5_free_unparsed_name(s->ctx, name);
    const krb5_data* r = krb5_princ_realm(s->ctx, s->client);
    s->realm = Clean(std::string(r->data, r->length));
    rc = krb5_cc_resolve(s->ctx, kCacheName, &s->cache);
  }
  if (rc) {
    *err = "ldap_sasl_mech = GSSAPI: " + Krb5Error(s->ctx, rc);
    return false;
  }
  g_state = s.release();
  return true;
}

bool Krb5TicketsFor(const std::string& host, int64_t budget_ms, bool* next,
                    std::string* err) {
  *next = false;
  Krb5State* s = g_state;
  if (!s) {
    *err = "krb5: the keytab was not read before the privilege drop";
    return false;
  }
  if (s->stuck) {
    *err = "krb5: an earlier request to the KDC of " + s->realm +
           " is still unanswered";
    return false;
  }
  struct Job {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    krb5_error_code rc = 0;
    std::string what, message;
  };
  auto job = std::make_shared<Job>();
  const std::string asked = s->have_tgt
                                ? "service ticket for ldap/" + Clean(host)
                                : "initial ticket for " + s->principal;
  // libkrb5 waits for a silent KDC on its own fixed schedule (about 17 s
  // per server in MIT krb5 1.20, not configurable), so the request runs in
  // a thread and is given up at the deadline.
  std::thread([job, s, host] {
    std::string what;
    krb5_error_code rc = Exchange(s, host, &what);
    std::string message = rc ? Krb5Error(s->ctx, rc) : "";
    std::lock_guard<std::mutex> lock(job->mu);
    job->rc = rc;
    job->what = what;
    job->message = message;
    job->done = true;
    job->cv.notify_one();
  }).detach();
  std::unique_lock<std::mutex> lock(job->mu);
  if (!job->cv.wait_for(
          lock, std::chrono::milliseconds(std::max<int64_t>(budget_ms, 1)),
          [&] { return job->done; })) {
    s->stuck = true;
    *err = "krb5: no answer from the KDC of " + s->realm + " within " +
           std::to_string(std::max<int64_t>(1, (budget_ms + 500) / 1000)) +
           " s (" + asked + ")";
    return false;
  }
  if (job->rc == 0) return true;
  // A server name unknown to the KDC may be another URI's problem only;
  // the keytab, the realm and the KDC are the same for every URI.
  *next = s->have_tgt && job->rc != KRB5_KDC_UNREACH;
  *err = "krb5: " + Clean(job->what) + ": " + job->message;
  return false;
}

const std::string& Krb5Principal() {
  static const std::string kNone;
  return g_state ? g_state->principal : kNone;
}

}  // namespace sspr
