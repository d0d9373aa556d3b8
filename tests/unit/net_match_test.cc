// Tests for common/net_match.h: CIDR parsing and address matching.
#include "common/net_match.h"

#include <string.h>
#include <sys/socket.h>

#include <string>
#include <vector>

// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {  // cmocka 1.1 has no C++ guards of its own
#include <cmocka.h>
}
// clang-format on

namespace {

using sspr::AddressInNetwork;
using sspr::FindNetwork;
using sspr::Network;
using sspr::ParseAddress;
using sspr::ParseNetwork;

Network Net(const char* s) {
  Network n;
  std::string err;
  if (!ParseNetwork(s, &n, &err)) fail_msg("'%s' refused: %s", s, err.c_str());
  return n;
}

bool In(const char* host, const char* net) {
  return AddressInNetwork(host, Net(net));
}

void networks_in_cidr_form_parse(void** /*state*/) {
  struct {
    const char* s;
    int family, prefix;
  } cases[] = {
      {"10.0.0.0/8", AF_INET, 8},      {"192.168.1.5", AF_INET, 32},
      {"192.168.1.5/32", AF_INET, 32}, {"0.0.0.0/0", AF_INET, 0},
      {"172.16.0.0/12", AF_INET, 12},  {"fd00::/8", AF_INET6, 8},
      {"::1", AF_INET6, 128},          {"::/0", AF_INET6, 0},
      {"2001:db8::/32", AF_INET6, 32}, {"2001:DB8::1/128", AF_INET6, 128},
      {"fe80::/10", AF_INET6, 10},     {"::ffff:10.0.0.0/104", AF_INET6, 104},
      {"10.0.0.0/08", AF_INET, 8},
  };
  for (const auto& c : cases) {
    Network n = Net(c.s);
    assert_int_equal(n.family, c.family);
    assert_int_equal(n.prefix, c.prefix);
  }
  Network n = Net("192.168.1.5");
  assert_memory_equal(n.addr, "\xc0\xa8\x01\x05", 4);
}

void malformed_networks_are_refused(void** /*state*/) {
  const char* bad[] = {
      "",
      "/8",
      "10.0.0.0/",
      "10.0.0.0/33",
      "::/129",
      "10.0.0.0/-1",
      "10.0.0.0/+8",
      "10.0.0.0/8/8",
      "10.0.0.0/ 8",
      "10.0.0.0/0x8",
      "10.0.0.0/1000",
      "10/8",
      "10.0.0",
      "256.0.0.0",
      "010.0.0.1",
      "host.example.com",
      "localhost",
      "fe80::1%eth0",
      "[::1]",
      "[::1]/128",
      "10.1.2.3/8",
      "fd00::1/8",
      "10.0.0.1/31",
      " 10.0.0.0/8",
      "10.0.0.0/8 ",
      "1.2.3.4.5",
      ":::",
      "*",
      "10.0.0.0\n",
      "\xc3\xa9",
  };
  for (const char* s : bad) {
    Network n;
    std::string err;
    if (ParseNetwork(s, &n, &err)) fail_msg("'%s' accepted", s);
    // The error names the entry.
    if (err.find(std::string("'") + s + "'") == std::string::npos)
      fail_msg("error for '%s' does not name it: %s", s, err.c_str());
  }
  std::string err;
  Network n;
  assert_false(ParseNetwork(std::string(200, '1'), &n, &err));
  assert_false(ParseNetwork(std::string("10.0.0.0\0/8", 11), &n, &err));
  // Host bits: the message says what to write instead.
  assert_false(ParseNetwork("10.1.2.3/8", &n, &err));
  assert_non_null(strstr(err.c_str(), "network address"));
}

void ipv4_addresses_match_their_networks(void** /*state*/) {
  assert_true(In("10.1.2.3", "10.0.0.0/8"));
  assert_true(In("10.0.0.0", "10.0.0.0/8"));
  assert_true(In("10.255.255.255", "10.0.0.0/8"));
  assert_false(In("11.0.0.0", "10.0.0.0/8"));
  assert_false(In("9.255.255.255", "10.0.0.0/8"));
  assert_true(In("192.168.1.5", "192.168.1.5"));
  assert_false(In("192.168.1.6", "192.168.1.5"));
  assert_true(In("172.31.255.1", "172.16.0.0/12"));
  assert_false(In("172.32.0.1", "172.16.0.0/12"));
  assert_true(In("8.8.8.8", "0.0.0.0/0"));
  assert_true(In("192.168.1.129", "192.168.1.128/25"));
  assert_false(In("192.168.1.127", "192.168.1.128/25"));
}

void ipv6_addresses_match_their_networks(void** /*state*/) {
  assert_true(In("fd12:3456::1", "fd00::/8"));
  assert_false(In("fc00::1", "fd00::/8"));
  assert_true(In("::1", "::1"));
  assert_false(In("::2", "::1"));
  assert_true(In("2001:db8:0:1::5", "2001:db8::/32"));
  assert_true(In("2001:DB8::5", "2001:db8::/32"));
  assert_false(In("2001:db9::5", "2001:db8::/32"));
  assert_true(In("fe80::1%eth0", "fe80::/10"));  // zone ignored
  assert_true(In("febf::1", "fe80::/10"));
  assert_false(In("fec0::1", "fe80::/10"));
  assert_true(In("2a00::1", "::/0"));
}

void ipv4_and_ipv6_do_not_match_each_other(void** /*state*/) {
  assert_false(In("10.0.0.1", "::/0"));
  assert_false(In("::1", "0.0.0.0/0"));
  assert_false(In("::a00:1", "10.0.0.0/8"));  // IPv4-compatible: not mapped
  // IPv4-mapped IPv6 (a dual-stack socket) matches IPv4 networks.
  assert_true(In("::ffff:10.1.2.3", "10.0.0.0/8"));
  assert_false(In("::ffff:11.1.2.3", "10.0.0.0/8"));
  assert_true(In("::ffff:10.1.2.3", "::ffff:0:0/96"));
}

void host_names_and_junk_match_nothing(void** /*state*/) {
  const char* hosts[] = {
      "",          "host.example.com", "localhost", "10.0.0.1%x", "[::1]",
      "10.0.0.1 ", "10.0.0.1:22",      "fe80::1%",  "10.1"};
  for (const char* h : hosts) {
    if (In(h, "0.0.0.0/0") || In(h, "::/0")) fail_msg("'%s' matched", h);
    int family = 0;
    unsigned char addr[16];
    if (ParseAddress(h, &family, addr)) fail_msg("'%s' parsed", h);
  }
}

void find_network_names_the_first_match(void** /*state*/) {
  std::vector<Network> nets = {Net("10.0.0.0/8"), Net("fd00::/8"),
                               Net("192.168.1.5")};
  assert_int_equal(FindNetwork("10.9.9.9", nets), 0);
  assert_int_equal(FindNetwork("fdff::1", nets), 1);
  assert_int_equal(FindNetwork("192.168.1.5", nets), 2);
  assert_int_equal(FindNetwork("192.168.1.4", nets), -1);
  assert_int_equal(FindNetwork("example.org", nets), -1);
  assert_int_equal(FindNetwork("10.9.9.9", {}), -1);
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(networks_in_cidr_form_parse),
      cmocka_unit_test(malformed_networks_are_refused),
      cmocka_unit_test(ipv4_addresses_match_their_networks),
      cmocka_unit_test(ipv6_addresses_match_their_networks),
      cmocka_unit_test(ipv4_and_ipv6_do_not_match_each_other),
      cmocka_unit_test(host_names_and_junk_match_nothing),
      cmocka_unit_test(find_network_names_the_first_match),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
