#include "common/net_match.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

namespace sspr {
namespace {

constexpr size_t kMaxText = INET6_ADDRSTRLEN + 4;  // address + "/128"

bool Pton(const std::string& s, int* family, unsigned char addr[16]) {
  unsigned char buf[16] = {};
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    *family = AF_INET;
  } else if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
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

bool ParseNetwork(const std::string& s, Network* out, std::string* err) {
  auto bad = [&](const std::string& why) {
    *err = "'" + s + "' is not a network: " + why;
    return false;
  };
  if (s.empty() || s.size() > kMaxText || s.find('\0') != std::string::npos)
    return bad("want an address or address/prefix");
  size_t slash = s.find('/');
  std::string host = s.substr(0, slash);
  Network n;
  if (!Pton(host, &n.family, n.addr))
    return bad("want an IPv4 or IPv6 address (no host names)");
  int max = n.family == AF_INET ? 32 : 128;
  n.prefix = max;
  if (slash != std::string::npos) {
    std::string p = s.substr(slash + 1);
    if (p.empty() || p.size() > 3 ||
        p.find_first_not_of("0123456789") != std::string::npos)
      return bad("the prefix length must be a number from 0 to " +
                 std::to_string(max));
    n.prefix = std::stoi(p);
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

bool ParseAddress(const std::string& s, int* family, unsigned char addr[16]) {
  if (s.empty() || s.size() > kMaxText || s.find('\0') != std::string::npos)
    return false;
  size_t zone = s.find('%');
  if (zone == std::string::npos) return Pton(s, family, addr);
  // Only IPv6 has zones; "10.0.0.1%x" stays invalid.
  if (!Pton(s.substr(0, zone), family, addr)) return false;
  return *family == AF_INET6 && zone + 1 < s.size();
}

bool AddressInNetwork(const std::string& host, const Network& net) {
  return FindNetwork(host, {net}) == 0;
}

int FindNetwork(const std::string& host, const std::vector<Network>& nets) {
  int family = 0;
  unsigned char addr[16];
  if (!ParseAddress(host, &family, addr)) return -1;
  bool mapped = family == AF_INET6 &&
                memcmp(addr, kMappedPrefix, sizeof(kMappedPrefix)) == 0;
  for (size_t i = 0; i < nets.size(); ++i) {
    const Network& n = nets[i];
    bool in = false;
    if (n.family == family) in = SamePrefix(addr, n.addr, n.prefix);
    else if (mapped && n.family == AF_INET)
      in = SamePrefix(addr + 12, n.addr, n.prefix);
    if (in) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace sspr
