// A per-test temp directory for CMocka fixtures, removed afterwards.
#ifndef SSPR_TESTS_UNIT_TEMP_DIR_H_
#define SSPR_TESTS_UNIT_TEMP_DIR_H_

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <string>

namespace sspr_test {

struct Fixture {
  std::string dir;
};

inline int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) {
  return remove(path);
}

inline void RemoveTree(const std::string& dir) {
  nftw(dir.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
}

inline std::string MakeTempDir() {
  char tmpl[] = "/tmp/sspr-test-XXXXXX";
  return mkdtemp(tmpl) == nullptr ? std::string() : std::string(tmpl);
}

inline int Setup(void** state) {
  std::string d = MakeTempDir();
  if (d.empty()) return -1;
  *state = new Fixture{d};
  return 0;
}

inline int Teardown(void** state) {
  auto* f = static_cast<Fixture*>(*state);
  RemoveTree(f->dir);
  delete f;
  return 0;
}

inline std::string Dir(void** state) {
  return static_cast<Fixture*>(*state)->dir;
}

}  // namespace sspr_test

#endif  // SSPR_TESTS_UNIT_TEMP_DIR_H_
