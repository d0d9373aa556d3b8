#include "common/net_match.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include <string>
#include <string_view>

namespace sspr {
namespace {

constexpr size_t kMaxText = INET6_ADDRSTRLEN + 4;  // address + "/128"

// s is at most kMaxText bytes (the callers check).
bool Pton(std::string_view s, int* family, unsigned char addr[16]) {
  char text[kMaxText + 1];
  if (s.size() > kMaxText) return false;
  s.copy(text, s.size());
  text[s.size()] = '\0';
  unsigned char buf[16] = {};
  if (inet_pton(AF_INET, text, buf) == 1) {
    *family = AF_INET;
  } else if (inet_pton(AF_INET6, text, buf) == 1) {
    *family = AF_INET6;
  } else {
    return false;
  }
  memcpy(addr, buf, sizeof(buf));
  return true;
}

// True when the first `prefix` bits of a and b are equal.
bool SamePrefix(const unsigned char* a, const unsigned char* b, int prefix) {
  int bytes = prefix / 8, bits = prefix % 8;
  if (memcmp(a, b, bytes) != 0) return false;
  if (bits == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xFF << (8 - bits));
  return (a[bytes] & mask) == (b[bytes] & mask);
}

bool HostBitsZero(const Network& n) {
  int len = n.family == AF_INET ? 4 : 16;
  for (int bit = n.prefix; bit < len * 8; ++bit) {
    if (n.addr[bit / 8] & (0x80 >> (bit % 8))) return false;
  }
  return true;
}

const unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0,    0,
                                         0, 0, 0, 0, 0xFF, 0xFF};

}  // namespace

bool ParseNetwork(std::string_view s, Network* out, std::string* err) {
  auto bad = [&](const std::string& why) {
    *err = "'" + std::string(s) + "' is not a network: " + why;
    return false;
  };
  if (s.empty() || s.size() > kMaxText ||
      s.find('\0') != std::string_view::npos)
    return bad("want an address or address/prefix");
  size_t slash = s.find('/');
  std::string_view host = s.substr(0, slash);
  Network n;
  if (!Pton(host, &n.family, n.addr))
    return bad("want an IPv4 or IPv6 address (no host names)");
  int max = n.family == AF_INET ? 32 : 128;
  n.prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view p = s.substr(slash + 1);
    if (p.empty() || p.size() > 3 ||
        p.find_first_not_of("0123456789") != std::string_view::npos)
      return bad("the prefix length must be a number from 0 to " +
                 std::to_string(max));
    n.prefix = 0;
    for (char ch : p) n.prefix = n.prefix * 10 + (ch - '0');
    if (n.prefix > max)
      return bad("the prefix length must be a number from 0 to " +
                 std::to_string(max));
  }
  if (!HostBitsZero(n))
    return bad("bits are set after the first " + std::to_string(n.prefix) +
               " (write the network address)");
  *out = n;
  return true;
}

bool ParseAddress(std::string_view s, int* family, unsigned char addr[16]) {
  if (s.empty() || s.size() > kMaxText ||
      s.find('\0') != std::string_view::npos)
    return false;
  size_t zone = s.find('%');
  if (zone == std::string_view::npos) return Pton(s, family, addr);
  // Only IPv6 has zones; "10.0.0.1%x" stays invalid.
  if (!Pton(s.substr(0, zone), family, addr)) return false;
  return *family == AF_INET6 && zone + 1 < s.size();
}

namespace {

bool Contains(const Network& n, int family, const unsigned char addr[16]) {
  const bool mapped = family == AF_INET6 &&
                      memcmp(addr, kMappedPrefix, sizeof(kMappedPrefix)) == 0;
  if (n.family == family) return SamePrefix(addr, n.addr, n.prefix);
  return mapped && n.family == AF_INET &&
         SamePrefix(addr + 12, n.addr, n.prefix);
}

}  // namespace

bool AddressInNetwork(std::string_view host, const Network& net) {
  int family = 0;
  unsigned char addr[16];
  return ParseAddress(host, &family, addr) && Contains(net, family, addr);
}

int FindNetwork(std::string_view host, const std::vector<Network>& nets) {
  int family = 0;
  unsigned char addr[16];
  if (!ParseAddress(host, &family, addr)) return -1;
  for (size_t i = 0; i < nets.size(); ++i)
    if (Contains(nets[i], family, addr)) return static_cast<int>(i);
  return -1;
}

}  // namespace sspr
