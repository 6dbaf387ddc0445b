#include "tests/state/store_suite.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "reconciler/state/file_store.h"
#include "reconciler/state/memory_store.h"
#include "reconciler/state/serialize.h"
#include "reconciler/util/file.h"
#include "tests/state/sample_state.h"
#include "tests/state/test_util.h"

namespace podform {
namespace {

class FileHarness : public StoreHarness {
 public:
  explicit FileHarness(Clock now)
      : path_(MakeTempDir() + "/podform.lock"), store_(path_, std::move(now)) {}
  StateStore& store() override { return store_; }
  std::string name() const override { return path_; }
  std::optional<std::string> contents() override {
    absl::StatusOr<std::string> text = ReadFile(path_);
    if (!text.ok()) return std::nullopt;
    return *text;
  }
  void set_contents(const std::string& text) override {
    ASSERT_TRUE(WriteFileAtomically(path_, text, 0600).ok());
  }

 private:
  std::string path_;
  FileStateStore store_;
};

class MemoryHarness : public StoreHarness {
 public:
  explicit MemoryHarness(Clock now) : store_("memory.lock", std::move(now)) {}
  StateStore& store() override { return store_; }
  std::string name() const override { return "memory.lock"; }
  std::optional<std::string> contents() override { return store_.contents(); }
  void set_contents(const std::string& text) override {
    store_.set_contents(text);
  }

 private:
  MemoryStateStore store_;
};

INSTANTIATE_TEST_SUITE_P(
    Stores, StoreSuite,
    ::testing::Values(
        StoreBackend{"File",
                     [](Clock now) -> std::unique_ptr<StoreHarness> {
                       return std::make_unique<FileHarness>(std::move(now));
                     }},
        StoreBackend{"Memory",
                     [](Clock now) -> std::unique_ptr<StoreHarness> {
                       return std::make_unique<MemoryHarness>(std::move(now));
                     }}),
    StoreBackendName);

std::unique_ptr<StoreHarness> Make(const StoreBackend& backend) {
  return backend.make([] { return LockTime(); });
}

State NewState() {
  State state;
  state.lineage = kLineage;
  return state;
}

TEST_P(StoreSuite, ReadWithNothingStoredIsNotFound) {
  auto h = Make(GetParam());
  EXPECT_EQ(h->store().Read().status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(h->contents(), std::nullopt);
}

TEST_P(StoreSuite, WriteIncrementsSerialAndStoresTheSerializedState) {
  auto h = Make(GetParam());
  State state = NewState();
  ASSERT_TRUE(h->store().Write(&state).ok());
  EXPECT_EQ(state.serial, 1);
  EXPECT_EQ(h->contents(), SerializeState(state));
  state.resources = SampleState().resources;
  ASSERT_TRUE(h->store().Write(&state).ok());
  ASSERT_TRUE(h->store().Write(&state).ok());
  EXPECT_EQ(state.serial, 3);
  EXPECT_EQ(h->contents(), SerializeState(state));
  absl::StatusOr<State> read = h->store().Read();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, state);
}

// A pod replaced create-first but not yet terminated is recorded beside
// its successor, read back as such, and forgotten once terminated.
TEST_P(StoreSuite, RecordsDeposedPodsUntilTheyAreTerminated) {
  auto h = Make(GetParam());
  State state = NewState();
  state.resources = SampleState().resources;
  ASSERT_TRUE(h->store().Write(&state).ok());
  const Address trainer{Kind::kPod, "trainer"};
  state.Depose(trainer);
  ResourceState successor = SampleState().resources.at(trainer);
  successor.id = "n3w9pod001";
  successor.resource.pod.gpu_type = "NVIDIA H100 80GB HBM3";
  state.resources[trainer] = successor;
  ASSERT_TRUE(h->store().Write(&state).ok());
  absl::StatusOr<State> read = h->store().Read();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, state);
  ASSERT_EQ(read->deposed.at(trainer).size(), 1u);
  EXPECT_EQ(read->deposed.at(trainer)[0].id, "x7k2m9p4q1");
  EXPECT_EQ(read->Find(trainer)->id, "n3w9pod001");
  ASSERT_TRUE(state.RemoveDeposed(trainer, "x7k2m9p4q1"));
  ASSERT_TRUE(h->store().Write(&state).ok());
  read = h->store().Read();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, state);
  EXPECT_TRUE(read->deposed.empty());
  EXPECT_EQ(h->contents().value_or("").find("deposed"), std::string::npos);
}

TEST_P(StoreSuite, ContinuesAnExistingLockFile) {
  auto h = Make(GetParam());
  h->set_contents(SampleLockFile());
  absl::StatusOr<State> state = h->store().Read();
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(*state, SampleState());
  state->resources.erase({Kind::kPod, "trainer"});
  ASSERT_TRUE(h->store().Write(&*state).ok());
  EXPECT_EQ(state->serial, 8);
  EXPECT_EQ(h->contents(), SerializeState(*state));
}

TEST_P(StoreSuite, RefusesToOverwriteAnotherLineage) {
  auto h = Make(GetParam());
  h->set_contents(SampleLockFile());
  State state = NewState();
  state.lineage = "11111111-2222-4333-8444-555555555555";
  state.serial = 40;
  absl::Status status = h->store().Write(&state);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            absl::StrCat(h->name(), " belongs to lineage ", kLineage,
                         ", not this run's lineage "
                         "11111111-2222-4333-8444-555555555555; refusing to "
                         "overwrite another lock file"));
  EXPECT_EQ(state.serial, 40);
  EXPECT_EQ(h->contents(), SampleLockFile());
}

TEST_P(StoreSuite, RefusesToOverwriteANewerSerial) {
  auto h = Make(GetParam());
  h->set_contents(SampleLockFile());  // serial 7, written by another run
  State state = SampleState();
  state.serial = 5;
  absl::Status status = h->store().Write(&state);
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(status.message(),
            absl::StrCat(h->name(),
                         " was written by another run since this one read it "
                         "(serial 7, this run has 5); refusing to overwrite "
                         "it: run the command again"));
  EXPECT_EQ(state.serial, 5);
  EXPECT_EQ(h->contents(), SampleLockFile());
}

TEST_P(StoreSuite, NoticesAnotherRunThatWroteAfterItsOwnWrite) {
  auto h = Make(GetParam());
  State state = SampleState();
  state.serial = 5;
  ASSERT_TRUE(h->store().Write(&state).ok());
  EXPECT_EQ(state.serial, 6);
  h->set_contents(SampleLockFile());  // serial 7, written by another run
  absl::Status status = h->store().Write(&state);
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(status.message(),
            absl::StrCat(h->name(),
                         " was written by another run since this one read it "
                         "(serial 7, this run has 6); refusing to overwrite "
                         "it: run the command again"));
  EXPECT_EQ(h->contents(), SampleLockFile());
}

TEST_P(StoreSuite, ContinuesAfterItsOwnWriteWhoseResultWasLost) {
  // A write can fail after its data reached the store (e.g. the directory
  // fsync); the caller then still has the old serial.
  auto h = Make(GetParam());
  State state = NewState();
  ASSERT_TRUE(h->store().Write(&state).ok());
  ASSERT_TRUE(h->store().Write(&state).ok());
  ASSERT_EQ(state.serial, 2);
  State stale = state;
  stale.serial = 1;
  ASSERT_TRUE(h->store().Write(&stale).ok());
  EXPECT_EQ(stale.serial, 3);
  EXPECT_EQ(h->store().Read()->serial, 3);
}

TEST_P(StoreSuite, NeverOverwritesWhatItCannotRead) {
  auto h = Make(GetParam());
  const std::string truncated = "{\n  \"lineage\": \"0b7c";
  h->set_contents(truncated);
  absl::Status read = h->store().Read().status();
  EXPECT_EQ(read.code(), absl::StatusCode::kInvalidArgument);
  const std::string parse_error =
      absl::StrCat(h->name(),
                   ": not valid JSON at line 2, column 19: unexpected end of "
                   "input");
  EXPECT_EQ(std::string(read.message()), parse_error);
  State state = NewState();
  absl::Status write = h->store().Write(&state);
  EXPECT_EQ(write.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(write.message()),
            absl::StrCat(parse_error, "; refusing to overwrite it"));
  EXPECT_EQ(state.serial, 0);
  EXPECT_EQ(h->contents(), truncated);
}

TEST_P(StoreSuite, NeverOverwritesAFileThatBecameUnreadable) {
  // The store re-reads before every write, so an edit made after it last
  // read is not lost either.
  auto h = Make(GetParam());
  h->set_contents(SampleLockFile());
  absl::StatusOr<State> state = h->store().Read();
  ASSERT_TRUE(state.ok());
  std::string edited = SampleLockFile();
  edited.replace(edited.find("\"protect\": true\n    }"), 15,
                 "\"protect\": false");
  h->set_contents(edited);
  absl::Status write = h->store().Write(&*state);
  EXPECT_EQ(write.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(write.message(),
            absl::StrCat(h->name(),
                         ": volume.models: \"protect\" is false but "
                         "attributes.protect is true; they must agree (was the "
                         "file edited by hand?); refusing to overwrite it"));
  EXPECT_EQ(h->contents(), edited);
}

TEST_P(StoreSuite, NeverOverwritesANewerVersion) {
  auto h = Make(GetParam());
  const std::string newer = "{\"version\": 2, \"lineage\": \"x\"}\n";
  h->set_contents(newer);
  absl::Status read = h->store().Read().status();
  EXPECT_EQ(read.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(read.message(),
            absl::StrCat(h->name(),
                         " was written by a newer podform (version 2); this "
                         "podform reads version 1: upgrade podform"));
  State state = NewState();
  absl::Status write = h->store().Write(&state);
  EXPECT_EQ(write.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(write.message(),
            absl::StrCat(read.message(), "; refusing to overwrite it"));
  EXPECT_EQ(h->contents(), newer);
}

TEST_P(StoreSuite, RefusesAStateWithoutLineage) {
  auto h = Make(GetParam());
  State state;
  absl::Status status = h->store().Write(&state);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), absl::StrCat("cannot write ", h->name(),
                                           ": the state has no lineage"));
  EXPECT_EQ(h->contents(), std::nullopt);
}

TEST_P(StoreSuite, NeverStoresASecretNorADigestOfOne) {
  for (const char* value :
       {"hf_plaintext",
        "hmac-sha256:"
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"}) {
    auto h = Make(GetParam());
    State state = SampleState();
    state.resources.at({Kind::kPod, "trainer"}).resource.pod.env["HF_TOKEN"] =
        value;
    absl::Status status = h->store().Write(&state);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(),
              absl::StrCat("cannot write ", h->name(),
                           ": pod.trainer: env HF_TOKEN is a secret but has a "
                           "value; refusing to write a secret to the lock "
                           "file"));
    EXPECT_EQ(h->contents(), std::nullopt);
  }
}

// A lock file from before secrets were only marked holds an HMAC digest
// under each secret key: it still loads, the digest is dropped (the secret
// stays marked, to be compared with the live pod), and the next write
// leaves it out.
TEST_P(StoreSuite, ALegacyDigestLoadsAndIsDroppedOnTheNextWrite) {
  auto h = Make(GetParam());
  const std::string legacy_digest =
      "hmac-sha256:"
      "40e529211edfaa93a5abb555359b1530685c657158b9f8c1441017c56a6896ee";
  nlohmann::json doc = nlohmann::json::parse(SampleLockFile());
  doc["resources"]["pod.trainer"]["attributes"]["env"]["HF_TOKEN"] =
      legacy_digest;
  h->set_contents(doc.dump(2) + "\n");
  absl::StatusOr<State> read = h->store().Read();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, SampleState());
  State state = *read;
  ASSERT_TRUE(h->store().Write(&state).ok());
  ASSERT_TRUE(h->contents().has_value());
  EXPECT_EQ(h->contents()->find("hmac"), std::string::npos);
  EXPECT_EQ(h->contents()->find(legacy_digest.substr(12)), std::string::npos);
  absl::StatusOr<State> again = h->store().Read();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->resources, SampleState().resources);
}

TEST_P(StoreSuite, LockIsExclusiveAndNamesItsHolder) {
  auto h = Make(GetParam());
  absl::StatusOr<std::unique_ptr<StateLock>> first =
      h->store().Lock("podform apply");
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<StateLock>> second =
      h->store().Lock("podform state rm");
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(second.status().message(),
            absl::StrCat(h->name(), " is locked by pid ", ::getpid(),
                         " on host \"", HostName(),
                         "\" running \"podform apply\" since "
                         "2026-11-26T22:00:00Z"));
  // Reading and writing are not blocked by the lock (the holder writes).
  State state = NewState();
  EXPECT_TRUE(h->store().Write(&state).ok());
  EXPECT_TRUE(h->store().Read().ok());
  first->reset();
  absl::StatusOr<std::unique_ptr<StateLock>> third =
      h->store().Lock("podform state rm");
  EXPECT_TRUE(third.ok()) << third.status();
}

}  // namespace
}  // namespace podform
