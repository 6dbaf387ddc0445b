// `podform state list | show | rm`, run as the built binary on lock files
// written by the test.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "reconciler/state/file_store.h"
#include "reconciler/state/serialize.h"
#include "reconciler/util/file.h"
#include "tests/state/sample_state.h"
#include "tests/state/test_util.h"

extern char** environ;

namespace podform {
namespace {

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the podform binary with `args`; stdout and stderr go to files in `dir`.
Result RunPodform(const std::string& dir,
                  const std::vector<std::string>& args) {
  std::string out_path = dir + "/stdout", err_path = dir + "/stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> argv_storage = {PODFORM_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid;
  Result result;
  int spawned = posix_spawn(&pid, PODFORM_BINARY, &actions, nullptr,
                            argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return result;
  int status;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(out_path).value_or("");
  result.err = ReadFile(err_path).value_or("");
  ::unlink(out_path.c_str());
  ::unlink(err_path.c_str());
  return result;
}

class StateCommandTest : public ::testing::Test {
 protected:
  StateCommandTest() : dir_(MakeTempDir()), path_(dir_ + "/podform.lock") {}

  Result Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--state", path_, "state"});
    return RunPodform(dir_, args);
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
      RunPodform(dir_, {"--file", dir_ + "/podform.yaml", "state", "list"});
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
            "podform: invalid address \"models\": expected volume.NAME or "
            "pod.NAME\n");
}

TEST_F(StateCommandTest, RmForgetsWithoutDeleting) {
  WriteLockFile(SampleState());
  Result r = Run({"rm", "volume.models"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Removed volume.models (id agv6w2qcg7) from the lock file; it "
            "still exists on RunPod.\n");
  EXPECT_EQ(r.err, "");
  State expected = SampleState();
  expected.resources.erase({Kind::kVolume, "models"});
  expected.serial = 8;
  EXPECT_EQ(*ReadFile(path_), SerializeState(expected));
  EXPECT_EQ(Run({"list"}).out, "pod.trainer  x7k2m9p4q1\n");
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

}  // namespace
}  // namespace podform
