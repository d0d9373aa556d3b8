// This file is long because it covers the record format and the store's locks
// and failures.
// Tests for the local backend's per-user JSON records.
#include "helper/store/user_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/file.h"
#include "tests/unit/temp_dir.h"

// cmocka.h last: its fail() macro clashes with <ios>.
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

using sspr::Method;
using sspr::RecordFromJson;
using sspr::RecordToJson;
using sspr::UserRecord;
using sspr::UserStore;

using sspr_test::Dir;
using sspr_test::Setup;
using sspr_test::Teardown;

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char kGood[] =
    "{\"version\":1,\"user\":\"alice\",\"created_at\":1732500000,"
    "\"updated_at\":1732500001,\"methods\":[{\"type\":\"mobile\","
    "\"value\":\"+14255550100\",\"verified_at\":1732500000}]}";

std::string SharedNumber(int i) {
  return "+1425555" + std::to_string(1000 + i);
}

void ExpectRefused(const std::string& text) {
  UserRecord r;
  std::string err;
  if (RecordFromJson(text, &r, &err)) {
    fail_msg("accepted: %s", text.c_str());
  }
  assert_false(err.empty());
}

void a_record_round_trips_through_json(void**) {
  UserRecord r;
  std::string err;
  assert_true(RecordFromJson(kGood, &r, &err));
  assert_string_equal(r.user.c_str(), "alice");
  assert_int_equal(r.created_at, 1732500000);
  assert_int_equal(r.updated_at, 1732500001);
  assert_int_equal(r.methods.size(), 1);
  assert_string_equal(r.methods[0].type.c_str(), "mobile");
  assert_string_equal(r.methods[0].value.c_str(), "+14255550100");
  assert_int_equal(r.methods[0].verified_at, 1732500000);

  r.user = "bob \"quoted\" \\ é";
  r.methods.push_back(Method{"office", "+442071838750", 42});
  UserRecord back;
  assert_true(RecordFromJson(RecordToJson(r), &back, &err));
  assert_string_equal(back.user.c_str(), r.user.c_str());
  assert_int_equal(back.methods.size(), 2);
  assert_string_equal(back.methods[1].type.c_str(), "office");
  assert_string_equal(back.methods[1].value.c_str(), "+442071838750");
  assert_int_equal(back.methods[1].verified_at, 42);
  assert_string_equal(RecordToJson(back).c_str(), RecordToJson(r).c_str());
}

void malformed_json_is_refused(void**) {
  ExpectRefused("");
  ExpectRefused("{");
  ExpectRefused("not json");
  ExpectRefused(std::string(kGood) + " {}");
  ExpectRefused(std::string(kGood) + "x");
  ExpectRefused("{'version':1}");
  ExpectRefused(std::string("{\"version\":1,\0", 14));
  ExpectRefused("[]");
}

void members_of_the_wrong_type_are_refused(void**) {
  const char* kBad[] = {
      "{\"version\":\"1\",\"user\":\"a\",\"created_at\":1,\"updated_at\":1,"
      "\"methods\":[]}",
      "{\"version\":1,\"user\":7,\"created_at\":1,\"updated_at\":1,"
      "\"methods\":[]}",
      "{\"version\":1,\"user\":\"a\",\"created_at\":\"1\",\"updated_at\":1,"
      "\"methods\":[]}",
      "{\"version\":1,\"user\":\"a\",\"created_at\":1,\"updated_at\":1.5,"
      "\"methods\":[]}",
      "{\"version\":1,\"user\":\"a\",\"created_at\":-1,\"updated_at\":1,"
      "\"methods\":[]}",
      "{\"version\":1,\"user\":\"a\",\"created_at\":1,\"updated_at\":1,"
      "\"methods\":{}}",
      "{\"version\":1,\"user\":\"a\",\"created_at\":1,\"updated_at\":1,"
      "\"methods\":[\"mobile\"]}",
      "{\"version\":1,\"user\":\"a\",\"created_at\":1,\"updated_at\":1,"
      "\"methods\":[{\"type\":1,\"value\":\"+14255550100\",\"verified_at\":1}]"
      "}",
      "{\"version\":1,\"user\":\"a\",\"created_at\":1,\"updated_at\":1,"
      "\"methods\":[{\"type\":\"mobile\",\"value\":\"+14255550100\","
      "\"verified_at\":true}]}",
      "{\"version\":1,\"user\":\"a\",\"created_at\":1,\"updated_at\":1,"
      "\"methods\":[{\"type\":\"mobile\",\"value\":\"4255550100\","
      "\"verified_at\":1}]}",
      // A missing field, an unknown field, a duplicated method type.
      "{\"version\":1,\"user\":\"a\",\"created_at\":1,\"methods\":[]}",
      "{\"version\":1,\"user\":\"a\",\"created_at\":1,\"updated_at\":1,"
      "\"methods\":[],\"admin\":true}",
      "{\"version\":1,\"user\":\"a\",\"created_at\":1,\"updated_at\":1,"
      "\"methods\":[{\"type\":\"mobile\",\"value\":\"+14255550100\","
      "\"verified_at\":1},{\"type\":\"mobile\",\"value\":\"+14255550101\","
      "\"verified_at\":1}]}",
      // Timestamps beyond int64.
      "{\"version\":1,\"user\":\"a\",\"created_at\":99999999999999999999,"
      "\"updated_at\":1,\"methods\":[]}",
  };
  for (const char* t : kBad) ExpectRefused(t);
}

void records_over_the_limits_are_refused(void**) {
  std::string deep =
      "{\"version\":1,\"user\":\"a\",\"created_at\":1,"
      "\"updated_at\":1,\"methods\":[";
  for (int i = 0; i < 20; ++i) deep += "[";
  for (int i = 0; i < 20; ++i) deep += "]";
  ExpectRefused(deep + "]}");

  std::string large(kGood);
  large.insert(1, sspr::kMaxRecordSize, ' ');
  ExpectRefused(large);

  UserRecord r;
  r.user = std::string(257, 'a');
  ExpectRefused(RecordToJson(r));
  r.user = "a";
  for (int i = 0; i < 17; ++i) {
    r.methods.push_back(Method{"type_" + std::string(1, 'a' + i), "x", 1});
  }
  ExpectRefused(RecordToJson(r));
  r.methods.resize(16);
  UserRecord ok;
  std::string err;
  assert_true(RecordFromJson(RecordToJson(r), &ok, &err));
}

void an_unknown_version_is_refused(void**) {
  std::string t(kGood);
  t.replace(t.find("\"version\":1"), 11, "\"version\":2");
  UserRecord r;
  std::string err;
  assert_false(RecordFromJson(t, &r, &err));
  assert_non_null(strstr(err.c_str(), "version"));
}

void a_missing_user_is_not_found(void** state) {
  UserStore store(Dir(state));
  std::string err;
  assert_true(store.Init(&err));
  UserRecord r;
  bool found = true;
  assert_true(store.Load("nobody", &r, &found, &err));
  assert_false(found);
}

void add_method_stores_a_method(void** state) {
  UserStore store(Dir(state));
  std::string err;
  assert_true(store.Init(&err));
  assert_true(store.AddMethod("alice", Method{"mobile", "+14255550100", 100},
                              1000, &err));
  assert_true(store.AddMethod("alice", Method{"mobile", "+14255550199", 200},
                              2000, &err));
  assert_true(store.AddMethod("alice", Method{"office", "+14255550111", 300},
                              3000, &err));
  UserRecord r;
  bool found = false;
  assert_true(store.Load("alice", &r, &found, &err));
  assert_true(found);
  assert_int_equal(r.created_at, 1000);
  assert_int_equal(r.updated_at, 3000);
  assert_int_equal(r.methods.size(), 2);
  assert_string_equal(r.methods[0].type.c_str(), "mobile");
  assert_string_equal(r.methods[0].value.c_str(), "+14255550199");
  assert_int_equal(r.methods[0].verified_at, 200);
  assert_string_equal(r.methods[1].type.c_str(), "office");

  struct stat st;
  assert_int_equal(stat((Dir(state) + "/users/alice.json").c_str(), &st), 0);
  assert_int_equal(st.st_mode & 07777, 0600);
  // An invalid method is refused before anything is written.
  assert_false(store.AddMethod("alice", Method{"mobile", "12", 1}, 4000, &err));
  assert_false(
      store.AddMethod("alice", Method{"Bad Type", "x", 1}, 4000, &err));
}

void a_corrupt_record_is_not_overwritten(void** state) {
  UserStore store(Dir(state));
  std::string err;
  assert_true(store.Init(&err));
  const std::string path = Dir(state) + "/users/bob.json";
  WriteText(path, "{\"version\":1,");
  assert_false(
      store.AddMethod("bob", Method{"mobile", "+14255550100", 1}, 5, &err));
  assert_non_null(strstr(err.c_str(), path.c_str()));
  assert_string_equal(ReadText(path).c_str(), "{\"version\":1,");
  UserRecord r;
  bool found = false;
  assert_false(store.Load("bob", &r, &found, &err));
  assert_non_null(strstr(err.c_str(), path.c_str()));
  // A record for another user under this name is refused too.
  WriteText(path, kGood);
  assert_false(store.Load("bob", &r, &found, &err));
}

void a_symlinked_record_is_refused(void** state) {
  UserStore store(Dir(state));
  std::string err;
  assert_true(store.Init(&err));
  const std::string target = Dir(state) + "/elsewhere.json";
  WriteText(target, kGood);
  assert_int_equal(
      symlink(target.c_str(), (Dir(state) + "/users/alice.json").c_str()), 0);
  UserRecord r;
  bool found = false;
  assert_false(store.Load("alice", &r, &found, &err));
  assert_non_null(strstr(err.c_str(), "symlink"));
  assert_false(
      store.AddMethod("alice", Method{"office", "+14255550100", 1}, 5, &err));
  assert_string_equal(ReadText(target).c_str(), kGood);

  // A symlinked users/ directory is refused by Init.
  const std::string other = Dir(state) + "/other";
  assert_int_equal(mkdir(other.c_str(), 0700), 0);
  assert_int_equal(mkdir((other + "/real").c_str(), 0700), 0);
  assert_int_equal(
      symlink((other + "/real").c_str(), (other + "/users").c_str()), 0);
  UserStore linked(other);
  assert_false(linked.Init(&err));
}

void no_temp_files_remain(void** state) {
  UserStore store(Dir(state));
  std::string err;
  assert_true(store.Init(&err));
  for (int i = 0; i < 5; ++i) {
    assert_true(store.AddMethod(
        "user" + std::to_string(i),
        Method{"mobile", "+1425555010" + std::to_string(i), 1}, 10, &err));
  }
  DIR* d = opendir((Dir(state) + "/users").c_str());
  assert_non_null(d);
  int files = 0;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    ++files;
    assert_null(strstr(name.c_str(), "tmp"));
    assert_true(name.size() > 5 && name.substr(name.size() - 5) == ".json");
  }
  closedir(d);
  assert_int_equal(files, 5);
}

// A writer killed between creating its temp file and the rename leaves the
// temp file (the record stays the old one); the next write of that record
// removes it once it is a minute old, and leaves other files alone.
void stale_temp_files_are_removed(void** state) {
  UserStore store(Dir(state));
  std::string err;
  assert_true(store.Init(&err));
  const std::string users = Dir(state) + "/users/";
  const std::string stale = users + ".alice.json.tmp-0123456789abcdef";
  const std::string fresh = users + ".alice.json.tmp-fedcba9876543210";
  const std::string other = users + ".bob.json.tmp-0123456789abcdef";
  for (const std::string& p : {stale, fresh, other}) {
    std::ofstream(p) << "{\"version\":1,\"us";  // torn
  }
  struct timespec old_times[2] = {{time(nullptr) - 120, 0},
                                  {time(nullptr) - 120, 0}};
  assert_int_equal(utimensat(AT_FDCWD, stale.c_str(), old_times, 0), 0);
  assert_int_equal(utimensat(AT_FDCWD, other.c_str(), old_times, 0), 0);
  assert_true(
      store.AddMethod("alice", Method{"mobile", "+14255550100", 1}, 10, &err));
  struct stat st;
  assert_int_not_equal(lstat(stale.c_str(), &st), 0);  // stale: removed
  assert_int_equal(lstat(fresh.c_str(), &st), 0);      // maybe a live writer
  assert_int_equal(lstat(other.c_str(), &st), 0);      // another record's
}

// 20 processes write 20 users while 5 processes add methods to one shared
// user, all released at once; without the per-user lock the read-modify-write
// of the shared record loses methods.
void concurrent_writers_lose_no_method(void** state) {
  UserStore store(Dir(state));
  std::string err;
  assert_true(store.Init(&err));
  constexpr int kUsers = 20, kShared = 5;
  int gate[2];
  assert_int_equal(pipe(gate), 0);
  std::vector<pid_t> kids;
  for (int i = 0; i < kUsers + kShared; ++i) {
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      close(gate[1]);
      char c;
      while (read(gate[0], &c, 1) < 0 && errno == EINTR) {
      }
      UserStore s(Dir(state));
      std::string e;
      bool ok;
      if (i < kUsers) {
        ok = s.AddMethod("user" + std::to_string(i),
                         Method{"mobile", SharedNumber(i), 1}, 100 + i, &e);
      } else {
        int k = i - kUsers;
        ok = s.AddMethod(
            "shared",
            Method{k % 2 == 0 ? "mobile" : "office", SharedNumber(100 + k), k},
            200 + k, &e);
      }
      if (!ok) fprintf(stderr, "child %d: %s\n", i, e.c_str());
      _exit(ok ? 0 : 1);
    }
    kids.push_back(pid);
  }
  close(gate[0]);
  close(gate[1]);  // EOF releases every child at once
  for (pid_t pid : kids) {
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
  }
  for (int i = 0; i < kUsers; ++i) {
    UserRecord r;
    bool found = false;
    assert_true(store.Load("user" + std::to_string(i), &r, &found, &err));
    assert_true(found);
    assert_int_equal(r.methods.size(), 1);
    assert_string_equal(r.methods[0].value.c_str(), SharedNumber(i).c_str());
  }
  UserRecord r;
  bool found = false;
  assert_true(store.Load("shared", &r, &found, &err));
  assert_true(found);
  assert_int_equal(r.methods.size(), 2);  // both types survived
  std::set<std::string> mobile, office;
  for (int k = 0; k < kShared; ++k) {
    (k % 2 == 0 ? mobile : office).insert(SharedNumber(100 + k));
  }
  for (const Method& m : r.methods) {
    assert_true(m.type == "mobile" || m.type == "office");
    assert_int_equal((m.type == "mobile" ? mobile : office).count(m.value), 1);
  }
}

// The primitives under the store: lock deadline, bounded reads, atomic write.
void the_file_primitives_keep_their_deadlines_and_bounds(void** state) {
  const std::string dir = Dir(state);
  std::string err;
  sspr::FileLock held, other;
  assert_true(held.Acquire(dir + "/x.lock", 100, &err));
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  assert_false(other.Acquire(dir + "/x.lock", 200, &err));
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
  assert_true(ms >= 190 && ms < 2000);
  assert_non_null(strstr(err.c_str(), "timed out"));
  assert_false(other.held());
  held.Release();
  assert_true(other.Acquire(dir + "/x.lock", 100, &err));
  struct stat st;
  assert_int_equal(stat((dir + "/x.lock").c_str(), &st), 0);
  assert_int_equal(st.st_mode & 07777, 0600);

  std::string out;
  bool missing = false;
  assert_true(sspr::WriteFileAtomic(dir + "/f", "hello", 0640, &err));
  assert_int_equal(stat((dir + "/f").c_str(), &st), 0);
  assert_int_equal(st.st_mode & 07777, 0640);
  assert_true(sspr::ReadFileLimited(dir + "/f", 5, &out, &missing, &err));
  assert_false(missing);
  assert_string_equal(out.c_str(), "hello");
  assert_false(sspr::ReadFileLimited(dir + "/f", 4, &out, &missing, &err));
  assert_non_null(strstr(err.c_str(), "too large"));
  assert_true(sspr::ReadFileLimited(dir + "/none", 4, &out, &missing, &err));
  assert_true(missing);
  assert_int_equal(mkfifo((dir + "/fifo").c_str(), 0600), 0);
  assert_false(sspr::ReadFileLimited(dir + "/fifo", 4, &out, &missing, &err));
  assert_false(sspr::WriteFileAtomic(dir + "/no/such/f", "x", 0600, &err));
  assert_false(sspr::EnsureDir(dir + "/f", 0700, &err));  // a file
  assert_true(sspr::EnsureDir(dir + "/d", 0700, &err));
  assert_true(sspr::EnsureDir(dir + "/d", 0700, &err));  // exists: fine
  assert_int_equal(symlink((dir + "/d").c_str(), (dir + "/l").c_str()), 0);
  assert_false(sspr::EnsureDir(dir + "/l", 0700, &err));
  assert_non_null(strstr(err.c_str(), "symlink"));
}

// sspr-admin's view of the store: List, LoadNoFollow, Remove.
sspr::Method Phone(const char* type, const char* number) {
  sspr::Method m;
  m.type = type;
  m.value = number;
  m.verified_at = 1732500000;
  return m;
}

void list_reads_every_record_and_names_the_problems(void** state) {
  const std::string dir = Dir(state);
  UserStore store(dir + "/state");
  std::vector<UserRecord> recs;
  std::vector<std::string> problems;
  std::string err;
  // No state_dir, then no users/: an empty store.
  assert_true(store.List(&recs, &problems, &err));
  assert_true(recs.empty());
  assert_int_equal(mkdir((dir + "/state").c_str(), 0700), 0);
  assert_true(store.List(&recs, &problems, &err));
  assert_true(recs.empty());
  assert_true(store.Init(&err));
  assert_true(store.AddMethod("zoe", Phone("mobile", "+14255550101"), 1, &err));
  assert_true(store.AddMethod("bob", Phone("mobile", "+14255550102"), 1, &err));
  assert_true(store.AddMethod("bob", Phone("office", "+14255550103"), 2, &err));
  assert_true(
      store.AddMethod("a b/c", Phone("mobile", "+14255550104"), 1, &err));
  const std::string users = dir + "/state/users/";
  WriteText(users + ".alice.json.tmp-0123", "partial");  // being written
  WriteText(users + "broken.json", "{");
  WriteText(users + "mallory.json", ReadText(users + "bob.json"));  // bob's
  WriteText(users + "notes.txt", "x");
  WriteText(dir + "/outside.json", kGood);
  assert_int_equal(
      symlink((dir + "/outside.json").c_str(), (users + "alice.json").c_str()),
      0);
  assert_int_equal(mkfifo((users + "fifo.json").c_str(), 0600), 0);
  assert_true(store.List(&recs, &problems, &err));
  assert_int_equal(recs.size(), 3);
  assert_string_equal(recs[0].user.c_str(), "a b/c");
  assert_string_equal(recs[1].user.c_str(), "bob");
  assert_int_equal(recs[1].methods.size(), 2);
  assert_string_equal(recs[2].user.c_str(), "zoe");
  assert_int_equal(problems.size(), 5);
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  assert_non_null(strstr(all.c_str(), "alice.json is a symlink"));
  assert_non_null(strstr(all.c_str(), "broken.json: invalid JSON"));
  assert_non_null(strstr(all.c_str(), "mallory.json belongs to another user"));
  assert_non_null(strstr(all.c_str(), "notes.txt: not a record file"));
  assert_non_null(strstr(all.c_str(), "fifo.json is not a regular file"));
  // An oversized record is reported, not read.
  WriteText(users + "big.json", std::string(sspr::kMaxRecordSize + 1, ' '));
  assert_true(store.List(&recs, &problems, &err));
  assert_int_equal(problems.size(), 6);
}

void list_refuses_unsafe_dirs(void** state) {
  const std::string dir = Dir(state);
  std::vector<UserRecord> recs;
  std::vector<std::string> problems;
  std::string err;
  UserStore store(dir + "/state");
  assert_int_equal(mkdir((dir + "/state").c_str(), 0700), 0);
  assert_int_equal(mkdir((dir + "/elsewhere").c_str(), 0700), 0);
  assert_int_equal(
      symlink((dir + "/elsewhere").c_str(), (dir + "/state/users").c_str()), 0);
  assert_false(store.List(&recs, &problems, &err));
  assert_non_null(strstr(err.c_str(), "symlink"));
  UserRecord r;
  bool found = true;
  assert_false(store.LoadNoFollow("alice", &r, &found, &err));
  assert_false(found);
  assert_int_equal(unlink((dir + "/state/users").c_str()), 0);
  assert_true(store.Init(&err));
  assert_int_equal(chmod((dir + "/state/users").c_str(), 0770), 0);
  assert_false(store.List(&recs, &problems, &err));
  assert_non_null(strstr(err.c_str(), "writable by group or others"));
  assert_int_equal(chmod((dir + "/state/users").c_str(), 0700), 0);
  // state_dir itself a symlink, also with a trailing slash.
  assert_int_equal(symlink((dir + "/state").c_str(), (dir + "/link").c_str()),
                   0);
  UserStore linked(dir + "/link/");
  assert_false(linked.List(&recs, &problems, &err));
  UserStore slashed(dir + "/state//");
  assert_true(slashed.List(&recs, &problems, &err));
}

void load_follows_no_symlink(void** state) {
  const std::string dir = Dir(state);
  UserStore store(dir);
  std::string err;
  UserRecord r;
  bool found = true;
  assert_true(store.LoadNoFollow("alice", &r, &found, &err));  // no users/
  assert_false(found);
  assert_true(store.Init(&err));
  assert_true(
      store.AddMethod("alice", Phone("mobile", "+14255550100"), 5, &err));
  assert_true(store.LoadNoFollow("alice", &r, &found, &err));
  assert_true(found);
  assert_string_equal(r.methods[0].value.c_str(), "+14255550100");
  assert_true(store.LoadNoFollow("bob", &r, &found, &err));
  assert_false(found);
  WriteText(dir + "/users/carol.json", kGood);  // alice's record
  assert_false(store.LoadNoFollow("carol", &r, &found, &err));
  assert_non_null(strstr(err.c_str(), "another user"));
  assert_int_equal(symlink((dir + "/users/alice.json").c_str(),
                           (dir + "/users/dave.json").c_str()),
                   0);
  assert_false(store.LoadNoFollow("dave", &r, &found, &err));
  assert_non_null(strstr(err.c_str(), "symlink"));
  assert_false(store.LoadNoFollow("", &r, &found, &err));
  assert_false(store.LoadNoFollow(std::string(257, 'x'), &r, &found, &err));
}

void remove_deletes_only_that_users_record_under_its_lock(void** state) {
  const std::string dir = Dir(state);
  UserStore store(dir);
  std::string err;
  assert_true(store.Init(&err));
  assert_true(
      store.AddMethod("alice", Phone("mobile", "+14255550100"), 5, &err));
  assert_true(store.AddMethod("bob", Phone("mobile", "+14255550101"), 5, &err));
  // `before` runs under the user's lock, before the record goes.
  bool removed = false, ran = false;
  auto before = [&](std::string*) {
    ran = true;
    int fd = open((dir + "/locks/alice.lock").c_str(), O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);  // held
    assert_int_equal(errno, EWOULDBLOCK);
    close(fd);
    struct stat st;
    assert_int_equal(stat((dir + "/users/alice.json").c_str(), &st), 0);
    return true;
  };
  assert_true(store.Remove("alice", before, &removed, &err));
  assert_true(ran);
  assert_true(removed);
  UserRecord r;
  bool found = true;
  assert_true(store.Load("alice", &r, &found, &err));
  assert_false(found);
  assert_true(store.Load("bob", &r, &found, &err));
  assert_true(found);
  // Nothing to remove: fine, *removed false, `before` still runs.
  ran = false;
  auto mark = [&](std::string*) {
    ran = true;
    return true;
  };
  assert_true(store.Remove("alice", mark, &removed, &err));
  assert_true(ran);
  assert_false(removed);
  // A failing `before` keeps the record.
  auto failing = [](std::string* e) {
    *e = "cache_dir is broken";
    return false;
  };
  assert_false(store.Remove("bob", failing, &removed, &err));
  assert_string_equal(err.c_str(), "cache_dir is broken");
  assert_false(removed);
  assert_true(store.Load("bob", &r, &found, &err));
  assert_true(found);
  assert_true(store.Remove("bob", nullptr, &removed, &err));
  assert_true(removed);
  // Registering again after a reset starts a new record.
  assert_true(store.AddMethod("bob", Phone("office", "+14255550102"), 9, &err));
  assert_true(store.Load("bob", &r, &found, &err));
  assert_int_equal(r.methods.size(), 1);
  assert_int_equal(r.created_at, 9);
  // A symlinked lock file is refused and nothing is removed.
  assert_int_equal(unlink((dir + "/locks/bob.lock").c_str()), 0);
  assert_int_equal(
      symlink((dir + "/elsewhere").c_str(), (dir + "/locks/bob.lock").c_str()),
      0);
  assert_false(store.Remove("bob", nullptr, &removed, &err));
  assert_non_null(strstr(err.c_str(), "symlink"));
  assert_true(store.Load("bob", &r, &found, &err));
  assert_true(found);
  struct stat st;
  assert_int_equal(lstat((dir + "/elsewhere").c_str(), &st), -1);  // not made
  // No state_dir: nothing stored, nothing created.
  UserStore none(dir + "/none");
  ran = false;
  assert_true(none.Remove("x", mark, &removed, &err));
  assert_true(ran);
  assert_false(removed);
  assert_int_equal(lstat((dir + "/none").c_str(), &st), -1);
}

void remove_creates_locks_owned_like_their_parent(void** state) {
  if (geteuid() != 0) skip();
  const std::string dir = Dir(state);
  assert_int_equal(chown(dir.c_str(), 65534, 65534), 0);
  UserStore store(dir);
  bool removed = true;
  std::string err;
  assert_true(store.Remove("erin", nullptr, &removed, &err));  // no locks/
  assert_false(removed);
  struct stat st;
  assert_int_equal(lstat((dir + "/locks").c_str(), &st), 0);
  assert_true(S_ISDIR(st.st_mode));
  assert_int_equal(st.st_uid, 65534);
  assert_int_equal(st.st_mode & 07777, 0700);
  assert_int_equal(lstat((dir + "/locks/erin.lock").c_str(), &st), 0);
  assert_int_equal(st.st_uid, 65534);
  assert_int_equal(st.st_gid, 65534);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_record_round_trips_through_json),
      cmocka_unit_test(malformed_json_is_refused),
      cmocka_unit_test(members_of_the_wrong_type_are_refused),
      cmocka_unit_test(records_over_the_limits_are_refused),
      cmocka_unit_test(an_unknown_version_is_refused),
      cmocka_unit_test_setup_teardown(a_missing_user_is_not_found, Setup,
                                      Teardown),
      cmocka_unit_test_setup_teardown(add_method_stores_a_method, Setup,
                                      Teardown),
      cmocka_unit_test_setup_teardown(a_corrupt_record_is_not_overwritten,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(a_symlinked_record_is_refused, Setup,
                                      Teardown),
      cmocka_unit_test_setup_teardown(no_temp_files_remain, Setup, Teardown),
      cmocka_unit_test_setup_teardown(stale_temp_files_are_removed, Setup,
                                      Teardown),
      cmocka_unit_test_setup_teardown(concurrent_writers_lose_no_method, Setup,
                                      Teardown),
      cmocka_unit_test_setup_teardown(
          the_file_primitives_keep_their_deadlines_and_bounds, Setup, Teardown),
      cmocka_unit_test_setup_teardown(
          list_reads_every_record_and_names_the_problems, Setup, Teardown),
      cmocka_unit_test_setup_teardown(list_refuses_unsafe_dirs, Setup,
                                      Teardown),
      cmocka_unit_test_setup_teardown(load_follows_no_symlink, Setup, Teardown),
      cmocka_unit_test_setup_teardown(
          remove_deletes_only_that_users_record_under_its_lock, Setup,
          Teardown),
      cmocka_unit_test_setup_teardown(
          remove_creates_locks_owned_like_their_parent, Setup, Teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
