#include "reconciler/util/file.h"

#include <sys/stat.h>

#include <filesystem>

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

}  // namespace
}  // namespace podform
