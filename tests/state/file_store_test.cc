#include "reconciler/state/file_store.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/state/serialize.h"
#include "reconciler/util/file.h"
#include "tests/state/sample_state.h"
#include "tests/state/test_util.h"

namespace podform {
namespace {

std::set<std::string> Entries(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

int Mode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return st.st_mode & 07777;
}

// Rewrites the file at `path` in place (same inode), as an editor may.
void RewriteInPlace(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// SampleLockFile() with serial 8 for 7: the same length.
std::string SampleLockFileOfSerial8() {
  std::string edited = SampleLockFile();
  size_t at = edited.find("\"serial\": 7");
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) edited.replace(at, 11, "\"serial\": 8");
  return edited;
}

Clock FixedClock() {
  return [] { return LockTime(); };
}

TEST(FileStateStoreTest, WritesMode0600AndLeavesNoTemporaryFile) {
  std::string dir = MakeTempDir();
  std::string path = dir + "/podform.lock";
  // A lock file someone made readable for all is tightened on the next write.
  ASSERT_TRUE(WriteFileAtomically(path, SampleLockFile(), 0644).ok());
  ASSERT_EQ(Mode(path), 0644);
  FileStateStore store(path);
  absl::StatusOr<State> state = store.Read();
  ASSERT_TRUE(state.ok()) << state.status();
  ASSERT_TRUE(store.Write(&*state).ok());
  EXPECT_EQ(Mode(path), 0600);
  EXPECT_EQ(Entries(dir), std::set<std::string>{"podform.lock"});
  EXPECT_EQ(*ReadFile(path), SerializeState(*state));
}

TEST(FileStateStoreTest, FailedWriteLeavesTheOldFile) {
  std::string dir = MakeTempDir();
  std::string path = dir + "/podform.lock";
  ASSERT_TRUE(WriteFileAtomically(path, SampleLockFile()).ok());
  FileStateStore store(path);
  State state = *store.Read();
  state.resources.clear();
  // Occupy the temporary file's name with a directory: the write fails
  // before anything replaces podform.lock.
  std::string temp = absl::StrCat(dir, "/.podform.lock.tmp.", ::getpid());
  ASSERT_EQ(::mkdir(temp.c_str(), 0700), 0);
  absl::Status status = store.Write(&state);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(status.message(),
            absl::StrCat("cannot create ", temp, ": File exists"));
  EXPECT_EQ(state.serial, 7);
  EXPECT_EQ(*ReadFile(path), SampleLockFile());
  ASSERT_EQ(::rmdir(temp.c_str()), 0);
  ASSERT_TRUE(store.Write(&state).ok());
  EXPECT_EQ(state.serial, 8);
  EXPECT_EQ(*ReadFile(path), SerializeState(state));
  EXPECT_EQ(Entries(dir), std::set<std::string>{"podform.lock"});
}

TEST(FileStateStoreTest, NoticesAnEditInPlaceAfterItsOwnWrite) {
  // An editor that rewrites the file in place keeps its inode; the size and
  // the times tell the store that it is not the file it wrote.
  std::string path = MakeTempDir() + "/podform.lock";
  FileStateStore store(path);
  State state = SampleState();
  ASSERT_TRUE(store.Write(&state).ok());
  struct stat before;
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  std::string edited = *ReadFile(path);
  edited.replace(edited.find("\"protect\": true\n    }"), 15,
                 "\"protect\": false");
  RewriteInPlace(path, edited);
  struct stat after;
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  ASSERT_EQ(before.st_ino, after.st_ino);
  absl::Status write = store.Write(&state);
  EXPECT_EQ(write.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(write.message(),
            absl::StrCat(path,
                         ": volume.models: \"protect\" is false but "
                         "attributes.protect is true; they must agree (was the "
                         "file edited by hand?); refusing to overwrite it"));
  EXPECT_EQ(*ReadFile(path), edited);
}

TEST(FileStateStoreTest, ReadsOfTheSameBytesAgreeAndAnEditIsSeen) {
  std::string path = MakeTempDir() + "/podform.lock";
  ASSERT_TRUE(WriteFileAtomically(path, SampleLockFile()).ok());
  FileStateStore store(path);
  absl::StatusOr<State> first = store.Read();
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<State> again = store.Read();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *first);
  // An edit of the same length, in place: the next Read parses it.
  RewriteInPlace(path, SampleLockFileOfSerial8());
  absl::StatusOr<State> after = store.Read();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->serial, 8);
  // An edit that breaks the file is an error, not the earlier parse.
  RewriteInPlace(path, "{");
  EXPECT_FALSE(store.Read().ok());
}

TEST(FileStateStoreTest, UnchangedWhileTheBytesAreThoseOfTheLastRead) {
  std::string path = MakeTempDir() + "/podform.lock";
  ASSERT_TRUE(WriteFileAtomically(path, SampleLockFile()).ok());
  FileStateStore store(path);
  EXPECT_FALSE(store.Unchanged());  // nothing read yet
  ASSERT_TRUE(store.Read().ok());
  EXPECT_TRUE(store.Unchanged());
  // An edit of the same length, in place.
  RewriteInPlace(path, SampleLockFileOfSerial8());
  EXPECT_FALSE(store.Unchanged());
  ASSERT_TRUE(store.Read().ok());
  EXPECT_TRUE(store.Unchanged());
  // A Read that fails leaves the last good one's bytes as the reference.
  RewriteInPlace(path, "{");
  EXPECT_FALSE(store.Read().ok());
  EXPECT_FALSE(store.Unchanged());
  ASSERT_EQ(std::remove(path.c_str()), 0);
  EXPECT_FALSE(store.Unchanged());
}

TEST(FileStateStoreTest, ReadOfAMissingFileIsNotFound) {
  std::string path = MakeTempDir() + "/podform.lock";
  absl::Status status = FileStateStore(path).Read().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            absl::StrCat("cannot read ", path, ": No such file or directory"));
}

TEST(FileStateStoreTest, LockFileHoldsTheHolderAndIsEmptiedOnRelease) {
  std::string dir = MakeTempDir();
  FileStateStore store(dir + "/podform.lock", FixedClock());
  {
    absl::StatusOr<std::unique_ptr<StateLock>> lock =
        store.Lock("podform apply");
    ASSERT_TRUE(lock.ok()) << lock.status();
    EXPECT_EQ(store.lock_path(), dir + "/podform.lock.flock");
    EXPECT_EQ(Mode(store.lock_path()), 0600);
    EXPECT_EQ(
        *ReadFile(store.lock_path()),
        absl::StrCat("{\n  \"command\": \"podform apply\",\n  \"host\": \"",
                     HostName(), "\",\n  \"pid\": ", ::getpid(),
                     ",\n  \"since\": \"2026-11-26T22:00:00Z\"\n}\n"));
  }
  EXPECT_EQ(*ReadFile(store.lock_path()), "");
  EXPECT_EQ(Entries(dir), std::set<std::string>{"podform.lock.flock"});
}

TEST(FileStateStoreTest, WhatADeadHolderLeftDoesNotBlock) {
  std::string dir = MakeTempDir();
  FileStateStore store(dir + "/podform.lock", FixedClock());
  ASSERT_TRUE(WriteFileAtomically(
                  store.lock_path(),
                  R"({"command": "podform apply", "host": "gone", "pid": 1,)"
                  R"( "since": "2020-01-01T00:00:00Z"})")
                  .ok());
  absl::StatusOr<std::unique_ptr<StateLock>> lock = store.Lock("podform plan");
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_NE(ReadFile(store.lock_path())->find("\"podform plan\""),
            std::string::npos);
}

TEST(FileStateStoreTest, LockInAMissingDirectoryFails) {
  std::string path = MakeTempDir() + "/missing/podform.lock";
  absl::Status status = FileStateStore(path).Lock("podform apply").status();
  // ENOENT: NotFound, as of every failed system call on a file (ErrnoError).
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            absl::StrCat("cannot open lock file ", path,
                         ".flock: No such file or directory"));
}

// Two checkouts linking one lock file: each write lands in the one file,
// the links stay links, and the lock is one lock.
TEST(FileStateStoreTest, ASymlinkedLockFileIsWrittenAndLockedWhereItLives) {
  std::string dir = MakeTempDir();
  for (const char* sub : {"/shared", "/a", "/b"}) {
    ASSERT_EQ(::mkdir((dir + sub).c_str(), 0700), 0);
  }
  const std::string real = dir + "/shared/podform.lock";
  ASSERT_TRUE(WriteFileAtomically(real, SampleLockFile()).ok());
  std::filesystem::create_symlink("../shared/podform.lock",
                                  dir + "/a/podform.lock");
  std::filesystem::create_symlink(real, dir + "/b/podform.lock");
  FileStateStore a(dir + "/a/podform.lock", FixedClock());
  FileStateStore b(dir + "/b/podform.lock", FixedClock());
  EXPECT_EQ(a.lock_path(), dir + "/a/../shared/podform.lock.flock");
  EXPECT_EQ(b.lock_path(), real + ".flock");

  absl::StatusOr<State> state = a.Read();
  ASSERT_TRUE(state.ok()) << state.status();
  const int64_t serial = state->serial;
  ASSERT_TRUE(a.Write(&*state).ok());
  EXPECT_TRUE(std::filesystem::is_symlink(dir + "/a/podform.lock"));
  absl::StatusOr<State> seen = b.Read();
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_EQ(seen->serial, serial + 1);
  ASSERT_TRUE(b.Write(&*seen).ok());
  EXPECT_TRUE(std::filesystem::is_symlink(dir + "/b/podform.lock"));
  EXPECT_EQ(ParseState(*ReadFile(real), real)->serial, serial + 2);

  absl::StatusOr<std::unique_ptr<StateLock>> held = a.Lock("podform apply");
  ASSERT_TRUE(held.ok()) << held.status();
  absl::Status second = b.Lock("podform apply").status();
  EXPECT_EQ(second.code(), absl::StatusCode::kFailedPrecondition) << second;
  EXPECT_NE(second.message().find("podform apply"), std::string::npos)
      << second;
  EXPECT_EQ(Entries(dir + "/a"), std::set<std::string>{"podform.lock"});
  EXPECT_EQ(Entries(dir + "/b"), std::set<std::string>{"podform.lock"});
}

// A .flock someone made by hand keeps its mode: podform changes nothing it
// did not create.
TEST(FileStateStoreTest, AnExistingFlockFileKeepsItsMode) {
  std::string dir = MakeTempDir();
  FileStateStore store(dir + "/podform.lock", FixedClock());
  ASSERT_TRUE(WriteFileAtomically(store.lock_path(), "", 0640).ok());
  {
    absl::StatusOr<std::unique_ptr<StateLock>> lock =
        store.Lock("podform apply");
    ASSERT_TRUE(lock.ok()) << lock.status();
  }
  EXPECT_EQ(Mode(store.lock_path()), 0640);
}

// A child process that holds the lock of `path` until killed.
class LockHolder {
 public:
  explicit LockHolder(const std::string& path) {
    int ready[2], hold[2];
    if (::pipe(ready) != 0 || ::pipe(hold) != 0) std::abort();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      ::close(hold[1]);  // so that the child sees EOF if the test dies
      FileStateStore store(path, FixedClock());
      absl::StatusOr<std::unique_ptr<StateLock>> lock =
          store.Lock("podform apply");
      char result = lock.ok() ? 'y' : 'n';
      if (::write(ready[1], &result, 1) != 1) ::_exit(2);
      char c;
      while (::read(hold[0], &c, 1) > 0) {
      }
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(hold[0]);
    hold_ = hold[1];
    char result = 0;
    locked_ = ::read(ready[0], &result, 1) == 1 && result == 'y';
    ::close(ready[0]);
  }
  ~LockHolder() {
    Kill();
    ::close(hold_);
  }

  bool locked() const { return locked_; }
  pid_t pid() const { return pid_; }

  // SIGKILL: no destructor runs; only the kernel can release the lock.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int hold_ = -1;
  bool locked_ = false;
};

TEST(FileStateStoreTest, AnotherProcessHoldingTheLockIsNamedAtOnce) {
  std::string path = MakeTempDir() + "/podform.lock";
  LockHolder holder(path);
  ASSERT_TRUE(holder.locked());
  FileStateStore store(path, FixedClock());
  auto start = std::chrono::steady_clock::now();
  absl::Status status = store.Lock("podform apply").status();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            absl::StrCat(path, " is locked by pid ", holder.pid(),
                         " on host \"", HostName(),
                         "\" running \"podform apply\" since "
                         "2026-11-26T22:00:00Z"));
  EXPECT_LT(elapsed, std::chrono::milliseconds(200));

  holder.Kill();
  absl::StatusOr<std::unique_ptr<StateLock>> lock = store.Lock("podform plan");
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_NE(
      ReadFile(store.lock_path())->find(absl::StrCat("\"pid\": ", ::getpid())),
      std::string::npos);
}

}  // namespace
}  // namespace podform

namespace podform {
namespace {

// What an apply could not write to the lock file goes to a file of its own
// beside it (issue 11, item 5): a complete lock file, mode 0600.
TEST(SaveUnrecordedTest, BesideTheLockFile) {
  std::string dir = MakeTempDir();
  State state = SampleState();
  absl::StatusOr<std::string> saved =
      SaveUnrecorded(dir + "/podform.lock", state, LockTime());
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(*saved, dir + "/podform.lock.unrecorded-" +
                        absl::FormatTime("%Y%m%dT%H%M%SZ", LockTime(),
                                         absl::UTCTimeZone()) +
                        ".json");
  EXPECT_EQ(Mode(*saved), 0600);
  EXPECT_EQ(*ReadFile(*saved), SerializeState(state));
}

// A directory that cannot be written (here: gone) sends it to the
// temporary directory; nowhere at all is an error naming each place.
TEST(SaveUnrecordedTest, ElsewhereWhenTheDirectoryCannotBeWritten) {
  std::string temp = MakeTempDir();
  State state = SampleState();
  absl::StatusOr<std::string> saved =
      SaveUnrecorded("/nonexistent-dir/podform.lock", state, LockTime(), temp);
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(std::filesystem::path(*saved).parent_path(), temp);
  EXPECT_EQ(*ReadFile(*saved), SerializeState(state));

  absl::StatusOr<std::string> nowhere = SaveUnrecorded(
      "/nonexistent-dir/podform.lock", state, LockTime(), "/nonexistent-tmp");
  ASSERT_FALSE(nowhere.ok());
  EXPECT_THAT(std::string(nowhere.status().message()),
              ::testing::StartsWith(
                  "cannot save what the lock file lacks anywhere: cannot "
                  "create /nonexistent-dir/.podform.lock.unrecorded-"));
  EXPECT_THAT(std::string(nowhere.status().message()),
              ::testing::HasSubstr("; cannot create /nonexistent-tmp/"));
}

}  // namespace
}  // namespace podform
