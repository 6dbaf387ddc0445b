#include "reconciler/util/file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace podform {
namespace {

std::string TempDir() {
  std::string dir = ::testing::TempDir() + "/file_test_XXXXXX";
  return mkdtemp(dir.data());
}

TEST(FileTest, WriteThenReadRoundTripsWithMode) {
  std::string dir = TempDir();
  std::string path = dir + "/f.json";
  ASSERT_TRUE(WriteFileAtomically(path, "one\n", 0600).ok());
  ASSERT_TRUE(WriteFileAtomically(path, "two\n", 0600).ok());
  EXPECT_EQ(*ReadFile(path), "two\n");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // No temporary file is left behind.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(FileTest, MissingFileIsNotFound) {
  absl::StatusOr<std::string> r = ReadFile(TempDir() + "/nope");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
}

TEST(FileTest, FailedWriteLeavesTargetUntouched) {
  std::string dir = TempDir();
  std::string path = dir + "/missing-dir/f";
  absl::Status s = WriteFileAtomically(path, "x");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(FileTest, AWriteTellsTheIdentityOfTheFileItWrote) {
  std::string dir = TempDir();
  std::string path = dir + "/f.json";
  std::optional<FileIdentity> first, second;
  ASSERT_TRUE(WriteFileAtomically(path, "one\n", 0600, Survives::kPowerLoss,
                                  &first)
                  .ok());
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(IdentifyFile(path), first);
  EXPECT_EQ(first->size, 4);
  ASSERT_TRUE(WriteFileAtomically(path, "one\n", 0600,
                                  Survives::kProcessDeath, &second)
                  .ok());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(IdentifyFile(path), second);
  // The same bytes, but another file: a replacement is always seen.
  EXPECT_NE(first->inode, second->inode);
  EXPECT_EQ(IdentifyFile(dir + "/nope"), std::nullopt);
}

int Mode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return st.st_mode & 07777;
}

// `sandbox serve --data /tmp/rp.json` once took /tmp's sticky bit away.
TEST(FileTest, MakeDirectoriesLeavesExistingDirectoriesAsTheyAre) {
  std::string dir = TempDir();
  ASSERT_EQ(::chmod(dir.c_str(), 01777), 0);
  ASSERT_TRUE(MakeDirectories(dir).ok());
  EXPECT_EQ(Mode(dir), 01777);
  ASSERT_TRUE(MakeDirectories(dir + "/").ok());
  EXPECT_EQ(Mode(dir), 01777);
  ASSERT_EQ(::mkdir((dir + "/shared").c_str(), 0755), 0);
  ASSERT_EQ(::chmod((dir + "/shared").c_str(), 0755), 0);
  ASSERT_TRUE(MakeDirectories(dir + "/shared/a/b").ok());
  EXPECT_EQ(Mode(dir), 01777);
  EXPECT_EQ(Mode(dir + "/shared"), 0755);
  EXPECT_EQ(Mode(dir + "/shared/a"), 0700);
  EXPECT_EQ(Mode(dir + "/shared/a/b"), 0700);
}

TEST(FileTest, MakeDirectoriesRefusesAFileInThePath) {
  std::string dir = TempDir();
  ASSERT_TRUE(WriteFileAtomically(dir + "/f", "x", 0644).ok());
  absl::Status status = MakeDirectories(dir + "/f/sub");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "cannot create directory " + dir +
                                  "/f/sub: " + dir +
                                  "/f exists and is not a directory");
  EXPECT_EQ(Mode(dir + "/f"), 0644);
}

TEST(FileTest, AWriteThroughASymlinkReplacesItsTargetAndKeepsTheLink) {
  std::string dir = TempDir();
  ASSERT_EQ(::mkdir((dir + "/real").c_str(), 0700), 0);
  ASSERT_TRUE(WriteFileAtomically(dir + "/real/f", "old\n").ok());
  // A relative link, and a link to that link.
  std::filesystem::create_symlink("real/f", dir + "/link");
  std::filesystem::create_symlink(dir + "/link", dir + "/link2");
  EXPECT_EQ(*ResolveSymlinks(dir + "/link2"), dir + "/real/f");
  ASSERT_TRUE(WriteFileAtomically(dir + "/link2", "new\n").ok());
  EXPECT_TRUE(std::filesystem::is_symlink(dir + "/link"));
  EXPECT_TRUE(std::filesystem::is_symlink(dir + "/link2"));
  EXPECT_EQ(*ReadFile(dir + "/real/f"), "new\n");
  EXPECT_EQ(std::filesystem::read_symlink(dir + "/link").string(), "real/f");
  // A dangling link: the target is created.
  std::filesystem::create_symlink("real/g", dir + "/dangling");
  ASSERT_TRUE(WriteFileAtomically(dir + "/dangling", "g\n").ok());
  EXPECT_TRUE(std::filesystem::is_symlink(dir + "/dangling"));
  EXPECT_EQ(*ReadFile(dir + "/real/g"), "g\n");
}

TEST(FileTest, ALoopOfLinksIsAnError) {
  std::string dir = TempDir();
  std::filesystem::create_symlink("b", dir + "/a");
  std::filesystem::create_symlink("a", dir + "/b");
  absl::Status status = WriteFileAtomically(dir + "/a", "x");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "cannot resolve " + dir +
                                  "/a: more than 40 symbolic links (a loop?)");
}

TEST(FileTest, AWriteNeverTouchesAFileThatHasItsTemporaryName) {
  std::string dir = TempDir();
  const std::string theirs =
      dir + "/.f.tmp." + std::to_string(::getpid());
  ASSERT_TRUE(WriteFileAtomically(theirs, "theirs\n", 0644).ok());
  absl::Status status = WriteFileAtomically(dir + "/f", "mine\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(status.message(), "cannot create " + theirs + ": File exists");
  // Neither truncated, nor renamed over the target, nor removed.
  EXPECT_EQ(*ReadFile(theirs), "theirs\n");
  EXPECT_EQ(Mode(theirs), 0644);
  EXPECT_FALSE(std::filesystem::exists(dir + "/f"));
}

TEST(FileTest, SameFileComparesWhereFilesReallyAre) {
  std::string dir = TempDir();
  ASSERT_EQ(::mkdir((dir + "/d").c_str(), 0700), 0);
  // Neither exists yet.
  EXPECT_TRUE(SameFile(dir + "/x", dir + "/./x"));
  EXPECT_TRUE(SameFile(dir + "/x", dir + "/d/../x"));
  EXPECT_FALSE(SameFile(dir + "/x", dir + "/y"));
  std::filesystem::create_symlink("x", dir + "/to-x");
  EXPECT_TRUE(SameFile(dir + "/to-x", dir + "/x"));
  // Both exist.
  ASSERT_TRUE(WriteFileAtomically(dir + "/x", "x").ok());
  EXPECT_TRUE(SameFile(dir + "/to-x", dir + "/./x"));
  EXPECT_TRUE(SameFile(dir + "/d/../x", dir + "/x"));
  // One exists.
  EXPECT_FALSE(SameFile(dir + "/x", dir + "/y"));
  // A relative path against the working directory.
  const std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  EXPECT_TRUE(SameFile("x", dir + "/x"));
  EXPECT_TRUE(SameFile("./d/../to-x", "x"));
  EXPECT_TRUE(SameFile("./new", "new"));
  std::filesystem::current_path(cwd);
}

}  // namespace
}  // namespace podform
