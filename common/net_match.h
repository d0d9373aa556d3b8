// IPv4/IPv6 networks in CIDR form and whether an address is in one.
// Pure: no I/O, no name resolution (only inet_pton).
#ifndef SSPR_COMMON_NET_MATCH_H_
#define SSPR_COMMON_NET_MATCH_H_

#include <string>
#include <string_view>
#include <vector>

namespace sspr {

struct Network {
  int family = 0;               // AF_INET or AF_INET6
  unsigned char addr[16] = {};  // network byte order; 4 bytes used for v4
  int prefix = 0;               // 0-32 (v4) or 0-128 (v6)
};

// Parses "10.0.0.0/8", "192.168.1.5" (= /32), "fd00::/8" or "::1" (= /128).
// Refused, with *err saying why: anything inet_pton does not take (host
// names, "10/8", zone ids "fe80::1%eth0", brackets), a prefix that is not
// 0-32 / 0-128 in decimal, and host bits set below the prefix
// ("10.1.2.3/8": a typo for 10.0.0.0/8 or for 10.1.2.3?).
bool ParseNetwork(std::string_view s, Network* out, std::string* err);

// Parses an address as PAM_RHOST may hold it: an IPv4 or IPv6 literal; an
// IPv6 zone ("fe80::1%eth0") is ignored. False for anything else, a host
// name included: no name is ever resolved.
bool ParseAddress(std::string_view s, int* family, unsigned char addr[16]);

// True when `host` is an address inside `net`. An IPv4-mapped IPv6
// address (::ffff:10.1.2.3) also matches IPv4 networks. A host name, an
// empty string or anything else that is not an address matches nothing.
bool AddressInNetwork(std::string_view host, const Network& net);

// The first of `nets` that contains `host`, or -1.
int FindNetwork(std::string_view host, const std::vector<Network>& nets);

}  // namespace sspr

#endif  // SSPR_COMMON_NET_MATCH_H_
