// `podform state list | show | rm | pull | history | migrate | prune`, run
// through RunCli (the binary's entry point, in this process) on lock files
// written by the test, and on states in the test's PostgreSQL cluster.

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cmd/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/state/file_store.h"
#include "reconciler/state/postgres_store.h"
#include "reconciler/state/serialize.h"
#include "reconciler/util/file.h"
#include "tests/state/postgres_server.h"
#include "tests/state/sample_state.h"
#include "tests/state/test_util.h"

namespace podform {
namespace {

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs podform's command line in this process (RunCli, the entry point of
// the binary) with `args`.
Result RunPodform(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"podform"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out, err;
  Result result;
  result.exit_code =
      RunCli(static_cast<int>(argv.size()), argv.data(), out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

class StateCommandTest : public ::testing::Test {
 protected:
  StateCommandTest() : dir_(MakeTempDir()), path_(dir_ + "/podform.lock") {}

  Result Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--state", path_, "state"});
    return RunPodform(args);
  }

  void WriteLockFile(const State& state) {
    ASSERT_TRUE(WriteFileAtomically(path_, SerializeState(state)).ok());
  }

  std::string dir_;
  std::string path_;
};

State WithIntent(State state) {
  state.intents[{Kind::kPod, "worker"}] = {
      {Kind::kPod, "worker"}, "worker", "EU-RO-1", "2026-11-26T22:00:00Z"};
  return state;
}

TEST_F(StateCommandTest, ListPrintsAddressesAndIdsSorted) {
  WriteLockFile(WithIntent(SampleState()));
  Result r = Run({"list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "pod.trainer    x7k2m9p4q1\n"
            "pod.worker     (pending create of \"worker\" in EU-RO-1 since "
            "2026-11-26T22:00:00Z)\n"
            "volume.models  agv6w2qcg7\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(StateCommandTest, ListWithoutALockFilePrintsNothing) {
  Result r = Run({"list"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
}

TEST_F(StateCommandTest, ListFindsTheLockFileBesideTheConfig) {
  WriteLockFile(SampleState());
  Result r =
      RunPodform({"--file", dir_ + "/podform.yaml", "state", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "pod.trainer    x7k2m9p4q1\n"
            "volume.models  agv6w2qcg7\n");
}

TEST_F(StateCommandTest, ListOfAnUnreadableLockFileFails) {
  ASSERT_TRUE(WriteFileAtomically(path_, "{\"version\": 3}").ok());
  Result r = Run({"list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, absl::StrCat("podform: ", path_,
                                " was written by a newer podform (version 3); "
                                "this podform reads version 1: upgrade "
                                "podform\n"));
}

TEST_F(StateCommandTest, ShowPrintsIdAndAttributes) {
  WriteLockFile(SampleState());
  Result r = Run({"show", "volume.models"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "address: volume.models\n"
            "id: agv6w2qcg7\n"
            "attributes: {\n"
            "  \"dataCenter\": \"EU-RO-1\",\n"
            "  \"name\": \"ml-models\",\n"
            "  \"protect\": true,\n"
            "  \"size\": 500\n"
            "}\n");
}

TEST_F(StateCommandTest, ShowOfAPodNamesItsSecretsWithoutValues) {
  WriteLockFile(SampleState());
  Result r = Run({"show", "pod.trainer"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat(R"(address: pod.trainer
id: x7k2m9p4q1
attributes: {
  "cloudType": "SECURE",
  "containerDiskGb": 20,
  "dataCenter": "EU-RO-1",
  "dockerArgs": "",
  "env": {
    "HF_HOME": "/workspace/hf"
  },
  "gpuCount": 1,
  "gpuType": "NVIDIA A100 80GB PCIe",
  "image": "runpod/pytorch:2.4.0",
  "mountPath": "/workspace",
  "name": "trainer",
  "networkVolumeId": "agv6w2qcg7",
  "ports": [
    "8888/http",
    "22/tcp"
  ],
  "secretEnv": [
    "HF_TOKEN"
  ],
  "status": "running",
  "volume": "volume.models"
}
access: read-write (volume.models; recorded by podform, not enforced by RunPod)
)"));
  EXPECT_EQ(r.out.find("hf_secret"), std::string::npos);
}

TEST_F(StateCommandTest, ShowOfAPendingCreate) {
  WriteLockFile(WithIntent(SampleState()));
  Result r = Run({"show", "pod.worker"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "address: pod.worker\n"
            "pending: pending create of \"worker\" in EU-RO-1 since "
            "2026-11-26T22:00:00Z\n");
}

TEST_F(StateCommandTest, ShowFailures) {
  Result missing_file = Run({"show", "volume.models"});
  EXPECT_EQ(missing_file.exit_code, 1);
  EXPECT_EQ(missing_file.err, absl::StrCat("podform: no lock file at ", path_,
                                           "; nothing has been applied yet\n"));
  WriteLockFile(SampleState());
  Result unknown = Run({"show", "volume.data"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.out, "");
  EXPECT_EQ(unknown.err,
            absl::StrCat("podform: volume.data is not in ", path_, "\n"));
  Result bad = Run({"show", "models"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err,
            "podform: invalid address \"models\": expected volume.NAME, "
            "pod.NAME or endpoint.NAME\n");
}

TEST_F(StateCommandTest, RmForgetsWithoutDeleting) {
  WriteLockFile(SampleState());
  Result r = Run({"rm", "volume.models"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Removed volume.models (id agv6w2qcg7) from the lock file; it "
            "still exists on RunPod.\n");
  // pod.trainer, still managed, mounts it: said, and done anyway.
  EXPECT_EQ(r.err,
            "podform: warning: volume.models is still mounted by pod.trainer, "
            "which the lock file still manages: the next plan would create a "
            "second volume and replace that pod to mount it; import the "
            "volume again (podform import volume.models agv6w2qcg7) or forget "
            "that pod too (podform state rm pod.trainer)\n");
  State expected = SampleState();
  expected.resources.erase({Kind::kVolume, "models"});
  expected.serial = 8;
  EXPECT_EQ(*ReadFile(path_), SerializeState(expected));
  EXPECT_EQ(Run({"list"}).out, "pod.trainer  x7k2m9p4q1\n");
}

TEST_F(StateCommandTest, RmOfAVolumeWithItsPodsWarnsOfNothing) {
  State state = SampleState();
  Resource other = state.resources.at({Kind::kPod, "trainer"}).resource;
  other.address = {Kind::kPod, "eval"};
  state.resources[other.address] = {"p0d2e4v6a8", other};
  WriteLockFile(state);
  Result both = Run({"rm", "volume.models", "pod.trainer", "pod.eval"});
  EXPECT_EQ(both.exit_code, 0) << both.err;
  EXPECT_EQ(both.err, "");
  WriteLockFile(state);
  Result one = Run({"rm", "pod.trainer", "volume.models"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.err,
            "podform: warning: volume.models is still mounted by pod.eval, "
            "which the lock file still manages: the next plan would create a "
            "second volume and replace that pod to mount it; import the "
            "volume again (podform import volume.models agv6w2qcg7) or forget "
            "that pod too (podform state rm pod.eval)\n");
  WriteLockFile(state);
  Result none = Run({"rm", "volume.models"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.err,
            "podform: warning: volume.models is still mounted by pod.eval, "
            "pod.trainer, which the lock file still manages: the next plan "
            "would create a second volume and replace those pods to mount "
            "it; import the volume again (podform import volume.models "
            "agv6w2qcg7) or forget those pods too (podform state rm pod.eval "
            "pod.trainer)\n");
}

State WithEndpoint(State state) {
  Resource e;
  e.address = {Kind::kEndpoint, "embed"};
  e.endpoint.name = "embed-api";
  e.endpoint.image = "ghcr.io/acme/embed:1.4";
  e.endpoint.gpu_pools = {"ADA_24"};
  e.endpoint.network_volume_ids = {"agv6w2qcg7"};
  e.endpoint.data_centers = {"EU-RO-1"};
  e.endpoint.env = {{"MODEL_DIR", "/runpod-volume"}};
  e.volume_keys = {"models"};
  e.read_only = true;
  e.secret_env = {"HF_TOKEN"};
  state.resources[e.address] = {"ep7q2w4e6r", e};
  return state;
}

TEST_F(StateCommandTest, EndpointsAreListedShownAndNamedWhenTheirVolumeGoes) {
  WriteLockFile(WithEndpoint(SampleState()));
  Result list = Run({"list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, ::testing::HasSubstr("endpoint.embed"));
  EXPECT_THAT(list.out, ::testing::HasSubstr("ep7q2w4e6r"));

  Result show = Run({"show", "endpoint.embed"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, ::testing::StartsWith("address: endpoint.embed\n"
                                              "id: ep7q2w4e6r\n"
                                              "attributes: {\n"));
  EXPECT_THAT(show.out, ::testing::HasSubstr("\"secretEnv\": [\n"
                                             "    \"HF_TOKEN\"\n"
                                             "  ],"));
  EXPECT_THAT(show.out,
              ::testing::EndsWith("access: read-only (volume.models; recorded "
                                  "by podform, not enforced by RunPod)\n"));

  Result rm = Run({"rm", "volume.models", "pod.trainer"});
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_EQ(rm.err,
            "podform: warning: volume.models is still mounted by "
            "endpoint.embed, which the lock file still manages: the next "
            "plan would create a second volume and mount it on that endpoint "
            "instead; import the volume again (podform import volume.models "
            "agv6w2qcg7) or forget that endpoint too (podform state rm "
            "endpoint.embed)\n");
  Result gone = Run({"rm", "endpoint.embed"});
  EXPECT_EQ(gone.exit_code, 0) << gone.err;
  EXPECT_THAT(gone.out, ::testing::HasSubstr(
                            "Removed endpoint.embed (id ep7q2w4e6r) from the "
                            "lock file; it still exists on RunPod."));
}

TEST_F(StateCommandTest, RmSeveralAndAPendingCreate) {
  WriteLockFile(WithIntent(SampleState()));
  Result r = Run({"rm", "pod.trainer", "pod.worker"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Removed pod.trainer (id x7k2m9p4q1) from the lock file; it still "
            "exists on RunPod.\n"
            "Removed the pending create of pod.worker from the lock file; if "
            "it was created, it still exists on RunPod.\n");
  State expected = SampleState();
  expected.resources.erase({Kind::kPod, "trainer"});
  expected.serial = 8;
  EXPECT_EQ(*ReadFile(path_), SerializeState(expected));
}

TEST_F(StateCommandTest, RmOfAnUnknownAddressRemovesNothing) {
  WriteLockFile(SampleState());
  Result r = Run({"rm", "pod.trainer", "pod.ghost"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, absl::StrCat("podform: pod.ghost is not in ", path_,
                                "; nothing was removed\n"));
  EXPECT_EQ(*ReadFile(path_), SerializeState(SampleState()));
}

TEST_F(StateCommandTest, RmWithoutALockFileFailsAndCreatesNothing) {
  Result r = Run({"rm", "pod.trainer"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, absl::StrCat("podform: no lock file at ", path_,
                                "; nothing has been applied yet\n"));
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

TEST_F(StateCommandTest, RmWaitsForNobody) {
  WriteLockFile(SampleState());
  FileStateStore store(path_, [] { return LockTime(); });
  absl::StatusOr<std::unique_ptr<StateLock>> lock = store.Lock("podform apply");
  ASSERT_TRUE(lock.ok()) << lock.status();
  Result r = Run({"rm", "pod.trainer"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, absl::StrCat("podform: ", path_, " is locked by pid ",
                                ::getpid(), " on host \"", HostName(),
                                "\" running \"podform apply\" since "
                                "2026-11-26T22:00:00Z\n"));
  EXPECT_EQ(*ReadFile(path_), SerializeState(SampleState()));
}

TEST_F(StateCommandTest, RmRefusesAnUnreadableLockFile) {
  const std::string truncated = SerializeState(SampleState()).substr(0, 100);
  ASSERT_TRUE(WriteFileAtomically(path_, truncated).ok());
  Result r = Run({"rm", "pod.trainer"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(
      r.err.rfind(absl::StrCat("podform: ", path_, ": not valid JSON at "), 0),
      0u)
      << r.err;
  EXPECT_EQ(*ReadFile(path_), truncated);
}

TEST_F(StateCommandTest, MvRenamesAndThePodFollowsItsVolume) {
  WriteLockFile(SampleState());
  Result r = Run({"mv", "volume.models", "volume.weights"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Moved volume.models (id agv6w2qcg7) to volume.weights in the "
            "lock file; nothing was sent to RunPod.\n"
            "pod.trainer now mounts volume.weights.\n");
  EXPECT_EQ(r.err, "");
  State expected = SampleState();
  ResourceState volume = expected.resources.at({Kind::kVolume, "models"});
  expected.resources.erase({Kind::kVolume, "models"});
  volume.resource.address = {Kind::kVolume, "weights"};
  expected.resources[{Kind::kVolume, "weights"}] = volume;
  expected.resources[{Kind::kPod, "trainer"}].resource.volume_key = "weights";
  expected.serial = 8;
  EXPECT_EQ(*ReadFile(path_), SerializeState(expected));
  EXPECT_EQ(Run({"list"}).out,
            "pod.trainer     x7k2m9p4q1\n"
            "volume.weights  agv6w2qcg7\n");
}

TEST_F(StateCommandTest, MvRefusalsChangeNothing) {
  WriteLockFile(WithIntent(SampleState()));
  const std::string before = *ReadFile(path_);
  Result taken = Run({"mv", "pod.trainer", "pod.worker"});
  EXPECT_EQ(taken.exit_code, 1);
  EXPECT_EQ(taken.out, "");
  EXPECT_EQ(taken.err,
            "podform: pod.worker is already in the state; cannot move "
            "pod.trainer onto it; nothing was moved\n");
  Result kinds = Run({"mv", "pod.trainer", "volume.trainer"});
  EXPECT_EQ(kinds.exit_code, 1);
  EXPECT_EQ(kinds.err,
            "podform: cannot move pod.trainer to volume.trainer: a pod can "
            "only move to another pod address; nothing was moved\n");
  Result missing = Run({"mv", "volume.data", "volume.cache"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err,
            "podform: volume.data is not in the state; nothing was moved\n");
  Result bad = Run({"mv", "volume.models", "weights"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err,
            "podform: invalid address \"weights\": expected volume.NAME, "
            "pod.NAME or endpoint.NAME\n");
  EXPECT_EQ(*ReadFile(path_), before);
}

TEST_F(StateCommandTest, MvWithoutALockFileFailsAndCreatesNothing) {
  Result r = Run({"mv", "pod.trainer", "pod.worker"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, absl::StrCat("podform: no lock file at ", path_,
                                "; nothing has been applied yet\n"));
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

TEST_F(StateCommandTest, PullPrintsTheLockFile) {
  WriteLockFile(SampleState());
  Result r = Run({"pull"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, SerializeState(SampleState()));
  EXPECT_EQ(r.err, "");
  std::filesystem::remove(path_);
  Result missing = Run({"pull"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err, absl::StrCat("podform: no lock file at ", path_,
                                      "; nothing has been applied yet\n"));
}

TEST_F(StateCommandTest, ALockFileHasOneVersionAndNothingToPrune) {
  WriteLockFile(SampleState());
  const std::string no_history = absl::StrCat(
      path_, " is a lock file: it keeps only its current version, serial 7 "
             "(older versions are in version control: git log -p ",
      path_, ")");
  Result history = Run({"history"});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_EQ(history.out, no_history + ".\n");
  Result prune = Run({"prune", "--keep", "1"});
  EXPECT_EQ(prune.exit_code, 0) << prune.err;
  EXPECT_EQ(prune.out, no_history + "; nothing to prune.\n");
  Result current = Run({"show", "--serial", "7"});
  EXPECT_EQ(current.exit_code, 0) << current.err;
  EXPECT_EQ(current.out, SerializeState(SampleState()));
  Result old = Run({"show", "--serial", "3"});
  EXPECT_EQ(old.exit_code, 1);
  EXPECT_EQ(old.out, "");
  EXPECT_EQ(old.err, absl::StrCat("podform: serial 3 is not kept: ",
                                  no_history, "\n"));
  EXPECT_EQ(*ReadFile(path_), SerializeState(SampleState()));
}

TEST_F(StateCommandTest, ShowNeedsAnAddressOrASerial) {
  WriteLockFile(SampleState());
  Result r = Run({"show"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "podform: state show needs a resource address, or --serial N\n");
}

TEST_F(StateCommandTest, MigrateCopiesALockFileToAnotherFile) {
  WriteLockFile(SampleState());
  const std::string to = dir_ + "/moved.lock";
  Result r = Run({"migrate", "--to", to});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("Copied serial 7 (lineage ", kLineage,
                                ") from ", path_, " to ", to, ".\n"));
  EXPECT_EQ(*ReadFile(to), SerializeState(SampleState()));
  Result again = Run({"migrate", "--to", to});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, absl::StrCat(to, " already holds serial 7 of lineage ",
                                    kLineage, "; nothing to copy.\n"));
  Result self = Run({"migrate", "--to", path_});
  EXPECT_EQ(self.exit_code, 1);
  EXPECT_EQ(self.err, absl::StrCat("podform: --to names the current state (",
                                   path_, "); nothing to copy\n"));
  // The same file under other names.
  const std::string dotted =
      absl::StrCat(std::filesystem::path(path_).parent_path().string(), "/./",
                   std::filesystem::path(path_).filename().string());
  const std::string link = dir_ + "/link.lock";
  std::filesystem::create_symlink(path_, link);
  for (const std::string& alias : {dotted, link}) {
    Result same = Run({"migrate", "--to", alias});
    EXPECT_EQ(same.exit_code, 1) << alias;
    EXPECT_EQ(same.err, absl::StrCat("podform: --to names the current state (",
                                     path_, "); nothing to copy\n"));
  }
  EXPECT_EQ(*ReadFile(path_), SerializeState(SampleState()));
}

TEST_F(StateCommandTest, MigrateRefusesADestinationOfAnotherLineage) {
  WriteLockFile(SampleState());
  State other = SampleState();
  other.lineage = "11111111-2222-4333-8444-555555555555";
  other.serial = 2;
  const std::string to = dir_ + "/other.lock";
  ASSERT_TRUE(WriteFileAtomically(to, SerializeState(other)).ok());
  Result r = Run({"migrate", "--to", to});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            absl::StrCat("podform: ", to,
                         " already holds another state (lineage "
                         "11111111-2222-4333-8444-555555555555, serial 2), "
                         "not ",
                         path_, "'s lineage ", kLineage,
                         "; refusing to overwrite it\n"));
  EXPECT_EQ(*ReadFile(to), SerializeState(other));
}

TEST_F(StateCommandTest, MigrateRefusesANewerDestinationOfTheSameLineage) {
  WriteLockFile(SampleState());
  State newer = SampleState();
  newer.serial = 9;
  const std::string to = dir_ + "/newer.lock";
  ASSERT_TRUE(WriteFileAtomically(to, SerializeState(newer)).ok());
  Result r = Run({"migrate", "--to", to});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, absl::StrCat("podform: ", to,
                                " holds serial 9 of the same lineage, newer "
                                "than ",
                                path_, "'s serial 7; refusing to overwrite "
                                       "it\n"));
  EXPECT_EQ(*ReadFile(to), SerializeState(newer));
}

// The same commands against a state in PostgreSQL (each test in a database
// of its own, key "proj").
class PostgresStateCommandTest : public StateCommandTest {
 protected:
  void SetUp() override {
    PODFORM_REQUIRE_POSTGRES(pg);
    pg_ = pg;
    absl::StatusOr<std::string> database = pg_->NewDatabase();
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = *database;
    uri_ = pg_->Uri(database_) + "&key=proj";
    name_ = PostgresStateStore(ParsePostgresUri(uri_, "", "")).name();
  }

  Result RunPg(std::vector<std::string> args) {
    args.insert(args.begin(), {"--state", uri_, "state"});
    return RunPodform(args);
  }

  // Writes `states` in turn as versions, under a lock for `command`, each
  // with its own serial; then dates version i 2026-11-26T22:0i:00Z.
  void WriteVersions(const std::vector<State>& states,
                     const std::string& command) {
    PostgresStateStore store(ParsePostgresUri(uri_, "", ""));
    absl::StatusOr<std::unique_ptr<StateLock>> lock = store.Lock(command);
    ASSERT_TRUE(lock.ok()) << lock.status();
    for (State state : states) {
      state.serial -= 1;  // Write stores serial + 1
      absl::Status written = store.Write(&state);
      ASSERT_TRUE(written.ok()) << written;
    }
    ASSERT_TRUE(pg_->Sql("UPDATE podform_state_versions SET written_at = "
                         "timestamptz '2026-11-26T22:00:00Z' + seq * "
                         "interval '1 minute'",
                         database_)
                    .ok());
  }

  TestPostgres* pg_ = nullptr;
  std::string database_;
  std::string uri_;
  std::string name_;
};

std::string OsUser() {
  if (const char* user = std::getenv("USER"); user != nullptr && *user) {
    return user;
  }
  if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr) {
    return pw->pw_name;
  }
  return absl::StrCat(::geteuid());
}

// SampleState at serials 5 (volume only), 6 (the volume resized) and 7.
std::vector<State> ThreeVersions() {
  State five = SampleState();
  five.serial = 5;
  five.resources.erase({Kind::kPod, "trainer"});
  five.resources.begin()->second.resource.volume.size_gb = 100;
  State six = five;
  six.serial = 6;
  six.resources.begin()->second.resource.volume.size_gb = 500;
  return {five, six, SampleState()};
}

TEST_F(PostgresStateCommandTest, PullAndShowOldVersions) {
  std::vector<State> versions = ThreeVersions();
  WriteVersions(versions, "podform apply");
  Result pull = RunPg({"pull"});
  EXPECT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_EQ(pull.out, SerializeState(SampleState()));
  EXPECT_EQ(pull.err, "");
  Result five = RunPg({"show", "--serial", "5"});
  EXPECT_EQ(five.exit_code, 0) << five.err;
  EXPECT_EQ(five.out, SerializeState(versions[0]));
  Result volume = RunPg({"show", "volume.models", "--serial", "5"});
  EXPECT_EQ(volume.exit_code, 0) << volume.err;
  EXPECT_EQ(volume.out,
            "address: volume.models\n"
            "id: agv6w2qcg7\n"
            "attributes: {\n"
            "  \"dataCenter\": \"EU-RO-1\",\n"
            "  \"name\": \"ml-models\",\n"
            "  \"protect\": true,\n"
            "  \"size\": 100\n"
            "}\n");
  Result pod = RunPg({"show", "pod.trainer", "--serial", "5"});
  EXPECT_EQ(pod.exit_code, 1);
  EXPECT_EQ(pod.err, absl::StrCat("podform: pod.trainer is not in ", name_,
                                  " at serial 5\n"));
  Result missing = RunPg({"show", "--serial", "4"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err, absl::StrCat("podform: ", name_,
                                      " keeps no version with serial 4\n"));
}

TEST_F(PostgresStateCommandTest, RmForgetsFromTheDatabase) {
  WriteVersions(ThreeVersions(), "podform apply");
  Result r = RunPg({"rm", "volume.models"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Removed volume.models (id agv6w2qcg7) from the state; it still "
            "exists on RunPod.\n");
  absl::StatusOr<State> stored =
      PostgresStateStore(ParsePostgresUri(uri_, "", "")).Read();
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->serial, 8);
  EXPECT_EQ(stored->Find({Kind::kVolume, "models"}), nullptr);
  EXPECT_NE(stored->Find({Kind::kPod, "trainer"}), nullptr);
}

TEST_F(PostgresStateCommandTest, MvRenamesInTheDatabaseAsANewVersion) {
  WriteVersions(ThreeVersions(), "podform apply");
  Result r = RunPg({"mv", "volume.models", "volume.weights"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Moved volume.models (id agv6w2qcg7) to volume.weights in the "
            "state; nothing was sent to RunPod.\n"
            "pod.trainer now mounts volume.weights.\n");
  absl::StatusOr<State> stored =
      PostgresStateStore(ParsePostgresUri(uri_, "", "")).Read();
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->serial, 8);
  EXPECT_EQ(stored->Find({Kind::kVolume, "models"}), nullptr);
  ASSERT_NE(stored->Find({Kind::kVolume, "weights"}), nullptr);
  EXPECT_EQ(stored->Find({Kind::kVolume, "weights"})->id, "agv6w2qcg7");
  EXPECT_EQ(stored->Find({Kind::kPod, "trainer"})->resource.volume_key,
            "weights");
  // The version before the move is kept.
  Result seven = RunPg({"show", "volume.models", "--serial", "7"});
  EXPECT_EQ(seven.exit_code, 0) << seven.err;
  Result history = RunPg({"history"});
  EXPECT_THAT(history.out, ::testing::HasSubstr("podform state mv"));
}

TEST_F(PostgresStateCommandTest, PullOfAnEmptyKeyFails) {
  Result r = RunPg({"pull"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, absl::StrCat("podform: ", name_,
                                " holds no state yet; nothing has been "
                                "applied yet\n"));
  Result history = RunPg({"history"});
  EXPECT_EQ(history.exit_code, 1);
  EXPECT_EQ(history.err, r.err);
}

TEST_F(PostgresStateCommandTest, HistoryListsEveryVersionWithWhoAndChanges) {
  WriteVersions(ThreeVersions(), "podform apply");
  Result r = RunPg({"history"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string host = HostName();
  const std::string user = OsUser();
  const std::string pid = absl::StrCat(::getpid());
  auto pad = [](const std::string& text, size_t width) {
    return text + std::string(width - text.size() + 2, ' ');
  };
  const size_t host_width = std::max<size_t>(host.size(), 4);
  const size_t user_width = std::max<size_t>(user.size(), 4);
  const size_t pid_width = std::max<size_t>(pid.size(), 3);
  std::string expected = absl::StrCat(
      "SERIAL  WRITTEN               ", pad("HOST", host_width),
      pad("USER", user_width), pad("PID", pid_width),
      "COMMAND        CHANGES\n");
  // 5: one resource new; 6: the volume resized; 7: the pod added.
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"5       2026-11-26T22:01:00Z  ", "1"},
      {"6       2026-11-26T22:02:00Z  ", "1"},
      {"7       2026-11-26T22:03:00Z  ", "1"}};
  for (const auto& [start, changes] : rows) {
    absl::StrAppend(&expected, start, pad(host, host_width),
                    pad(user, user_width), pad(pid, pid_width),
                    "podform apply  ", changes, "\n");
  }
  EXPECT_EQ(r.out, expected);
}

TEST_F(PostgresStateCommandTest, PruneKeepsTheNewestAndNeverTheCurrent) {
  WriteVersions(ThreeVersions(), "podform apply");
  Result r = RunPg({"prune", "--keep", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            absl::StrCat("Deleted 1 old version of ", name_,
                         "; kept the newest 2.\n"));
  Result gone = RunPg({"show", "--serial", "5"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(gone.err, absl::StrCat("podform: ", name_,
                                   " keeps no version with serial 5\n"));
  EXPECT_EQ(RunPg({"show", "--serial", "6"}).exit_code, 0);
  Result again = RunPg({"prune", "--keep", "1"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out,
            absl::StrCat("Deleted 1 old version of ", name_,
                         "; kept the newest 1.\n"));
  Result none = RunPg({"prune", "--keep", "1"});
  EXPECT_EQ(none.out,
            absl::StrCat("Deleted 0 old versions of ", name_,
                         "; kept the newest 1.\n"));
  Result pull = RunPg({"pull"});
  EXPECT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_EQ(pull.out, SerializeState(SampleState()));
  Result zero = RunPg({"prune", "--keep", "0"});
  EXPECT_EQ(zero.exit_code, 1);
  EXPECT_EQ(zero.out, "");
  EXPECT_NE(zero.err.find("--keep"), std::string::npos) << zero.err;
  EXPECT_EQ(RunPg({"pull"}).out, SerializeState(SampleState()));
}

TEST_F(PostgresStateCommandTest, MigrateFromAFileIntoTheDatabaseAndBack) {
  WriteLockFile(SampleState());
  Result r = Run({"migrate", "--to", uri_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("Copied serial 7 (lineage ", kLineage,
                                ") from ", path_, " to ", name_, ".\n"));
  EXPECT_EQ(r.out.find(pg_->password()), std::string::npos);
  EXPECT_EQ(RunPg({"pull"}).out, SerializeState(SampleState()));
  Result history = RunPg({"history"});
  EXPECT_NE(history.out.find("  podform state migrate  2\n"),
            std::string::npos)
      << history.out;
  // And back into a new file: the same bytes as the original.
  const std::string back = dir_ + "/back.lock";
  Result out = RunPg({"migrate", "--to", back});
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(out.out, absl::StrCat("Copied serial 7 (lineage ", kLineage,
                                  ") from ", name_, " to ", back, ".\n"));
  EXPECT_EQ(*ReadFile(back), SerializeState(SampleState()));
}

TEST_F(PostgresStateCommandTest, MigrateRefusesAKeyOfAnotherLineage) {
  State other = SampleState();
  other.lineage = "11111111-2222-4333-8444-555555555555";
  other.serial = 3;
  WriteVersions({other}, "podform apply");
  WriteLockFile(SampleState());
  Result r = Run({"migrate", "--to", uri_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            absl::StrCat("podform: ", name_,
                         " already holds another state (lineage "
                         "11111111-2222-4333-8444-555555555555, serial 3), "
                         "not ",
                         path_, "'s lineage ", kLineage,
                         "; refusing to overwrite it\n"));
  EXPECT_EQ(RunPg({"pull"}).out, SerializeState(other));
}

TEST_F(PostgresStateCommandTest, MigrateWaitsForNobody) {
  WriteLockFile(SampleState());
  PostgresStateStore holder(ParsePostgresUri(uri_, "", ""),
                            [] { return LockTime(); });
  absl::StatusOr<std::unique_ptr<StateLock>> lock =
      holder.Lock("podform apply");
  ASSERT_TRUE(lock.ok()) << lock.status();
  Result r = Run({"migrate", "--to", uri_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, absl::StrCat("podform: ", name_, " is locked by pid ",
                                ::getpid(), " on host \"", HostName(),
                                "\" running \"podform apply\" since "
                                "2026-11-26T22:00:00Z\n"));
  lock->reset();
  absl::StatusOr<State> stored = holder.Read();
  EXPECT_TRUE(absl::IsNotFound(stored.status())) << stored.status();
}

}  // namespace
}  // namespace podform
