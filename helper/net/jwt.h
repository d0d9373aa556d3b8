// JSON Web Tokens the helper signs (Okta's private_key_jwt client auth).
#ifndef SSPR_HELPER_NET_JWT_H_
#define SSPR_HELPER_NET_JWT_H_

#include <cstdint>
#include <string>

namespace sspr {

// The client assertion of private_key_jwt (RFC 7523), signed RS256 with the
// RSA key in `pem`: iss = sub = client_id, aud = `aud` (the token
// endpoint), kid in the header when not empty, valid 5 minutes from `now`,
// a random jti. False with *err when the key is not an RSA private key in
// PEM or signing fails.
bool ClientAssertion(const std::string& pem, const std::string& client_id,
                     const std::string& kid, const std::string& aud,
                     int64_t now, std::string* jwt, std::string* err);

}  // namespace sspr

#endif  // SSPR_HELPER_NET_JWT_H_
