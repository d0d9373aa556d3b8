// JSON Web Tokens the helper signs: the client assertion of private_key_jwt.
#include "helper/net/jwt.h"

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "helper/net/json_util.h"

namespace sspr {
namespace {

std::string Base64Url(const unsigned char* p, size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p,
                            static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& ch : out) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  return out;
}

std::string Base64Url(const std::string& s) {
  return Base64Url(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

}  // namespace

bool ClientAssertion(const std::string& pem, const std::string& client_id,
                     const std::string& kid, const std::string& aud,
                     int64_t now, std::string* jwt, std::string* err) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key =
      bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (key == nullptr || EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
    EVP_PKEY_free(key);
    *err = "okta_private_key_file does not hold an RSA private key in PEM";
    return false;
  }
  unsigned char rnd[16];
  RAND_bytes(rnd, sizeof(rnd));
  json_object* h = json_object_new_object();
  json_object_object_add(h, "alg", json_object_new_string("RS256"));
  json_object_object_add(h, "typ", json_object_new_string("JWT"));
  if (!kid.empty())
    json_object_object_add(h, "kid", json_object_new_string(kid.c_str()));
  json_object* c = json_object_new_object();
  json_object_object_add(c, "aud", json_object_new_string(aud.c_str()));
  json_object_object_add(c, "iss", json_object_new_string(client_id.c_str()));
  json_object_object_add(c, "sub", json_object_new_string(client_id.c_str()));
  json_object_object_add(c, "iat", json_object_new_int64(now));
  json_object_object_add(c, "exp", json_object_new_int64(now + 300));
  json_object_object_add(
      c, "jti", json_object_new_string(Base64Url(rnd, sizeof(rnd)).c_str()));
  std::string input = Base64Url(JsonString(h)) + "." + Base64Url(JsonString(c));
  json_object_put(h);
  json_object_put(c);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  size_t siglen = 0;
  std::string sig;
  bool ok = md &&
            EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(md, nullptr, &siglen,
                           reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()) == 1;
  if (ok) {
    sig.resize(siglen);
    ok = EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()),
                        &siglen,
                        reinterpret_cast<const unsigned char*>(input.data()),
                        input.size()) == 1;
    sig.resize(siglen);
  }
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(key);
  if (!ok) {
    *err = "signing the client assertion failed";
    return false;
  }
  *jwt = input + "." + Base64Url(sig);
  return true;
}

}  // namespace sspr
