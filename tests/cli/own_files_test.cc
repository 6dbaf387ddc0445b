// No command writes over podform's own files (the config, the lock file,
// its .flock, the sandbox's data file), whatever path names them, and
// `plan --out` replaces only a podform plan.

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "reconciler/util/file.h"
#include "tests/cli/cli_test_util.h"

namespace podform {
namespace {

using testing::CliRun;
using testing::Project;
using testing::RunPodform;

// A project that has been applied once: a lock file, a sandbox data file.
Project Applied() {
  Project project;
  CliRun run = RunPodform(project.Args({"apply", "--auto-approve"}));
  EXPECT_EQ(run.code, 0) << run.err;
  return project;
}

struct Files {
  std::string config, lock, sandbox;
  bool operator==(const Files&) const = default;
};

Files Snapshot(const Project& project) {
  return {*ReadFile(project.config()), *ReadFile(project.lock()),
          *ReadFile(project.sandbox())};
}

// `plan --out sandbox.lock` once replaced the state with a plan.
TEST(OwnFilesTest, PlanOutRefusesPodformsOwnFilesByAnyName) {
  Project project = Applied();
  const std::string d = project.dir;
  std::filesystem::create_symlink("sandbox.lock", d + "/state-link");
  const Files before = Snapshot(project);
  struct Case {
    std::string out;
    std::string message;
  };
  const std::vector<Case> cases = {
      {d + "/sandbox.lock", "--out " + d + "/sandbox.lock is the lock file (" +
                                d + "/sandbox.lock)"},
      {d + "/./sandbox.lock", "--out " + d + "/./sandbox.lock is the lock "
                                             "file (" + d + "/sandbox.lock)"},
      {d + "/state-link", "--out " + d + "/state-link is the lock file (" +
                              d + "/sandbox.lock)"},
      {d + "/podform.yaml", "--out " + d + "/podform.yaml is the config "
                                           "(--file) (" + d +
                                "/podform.yaml)"},
      {d + "/sandbox.lock.flock", "--out " + d +
                                      "/sandbox.lock.flock is the lock "
                                      "file's lock (" + d +
                                      "/sandbox.lock.flock)"},
      {d + "/sandbox.json", "--out " + d + "/sandbox.json is the sandbox's "
                                           "data file (" + d +
                                "/sandbox.json)"},
  };
  for (const Case& c : cases) {
    CliRun run = RunPodform(project.Args({"plan", "--out", c.out}));
    EXPECT_EQ(run.code, 1) << c.out;
    EXPECT_EQ(run.err,
              "podform: " + c.message + "; podform never writes over it\n");
    EXPECT_EQ(run.out, "") << c.out;
    EXPECT_EQ(Snapshot(project), before) << c.out;
  }
  // The same, relative to the working directory.
  const std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(d);
  CliRun run = RunPodform({"--sandbox=sandbox.json", "plan", "--out",
                           "./sandbox.lock"});
  std::filesystem::current_path(cwd);
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err,
            "podform: --out ./sandbox.lock is the lock file (sandbox.lock); "
            "podform never writes over it\n");
  EXPECT_EQ(Snapshot(project), before);
}

TEST(OwnFilesTest, PlanOutReplacesOnlyAPodformPlan) {
  Project project;
  const std::string notes = project.dir + "/notes.txt";
  ASSERT_TRUE(WriteFileAtomically(notes, "my notes\n", 0644).ok());
  CliRun run = RunPodform(project.Args({"plan", "--out", notes}));
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "podform: --out " + notes +
                         " exists and is not a podform plan; podform never "
                         "writes over it (remove it, or choose another "
                         "file)\n");
  EXPECT_EQ(*ReadFile(notes), "my notes\n");

  const std::string plan = project.dir + "/tonight.plan";
  run = RunPodform(project.Args({"plan", "--out", plan}));
  ASSERT_EQ(run.code, 0) << run.err;
  run = RunPodform(project.Args({"plan", "--out", plan}));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(ReadFile(plan)->find("\"podform_plan\""), std::string::npos);
}

// Every command, not only plan: --state and --sandbox may not name the
// config or each other's files.
TEST(OwnFilesTest, GlobalFlagsThatNameOneFileTwiceAreRefused) {
  Project project = Applied();
  const std::string d = project.dir;
  const Files before = Snapshot(project);
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--file", project.config(), "--state", d + "/podform.yaml", "apply",
        "--auto-approve"},
       "the lock file " + d + "/podform.yaml is the config (--file) (" + d +
           "/podform.yaml)"},
      {{"--file", project.config(), "--state", d + "/podform.lock",
        "--sandbox=" + d + "/podform.lock",
        "plan"},
       "the sandbox's data file " + d + "/podform.lock is the lock file (" +
           d + "/podform.lock)"},
      {{"--file", project.config(), "--state", d + "/podform.lock",
        "--sandbox=" + d + "/podform.lock.flock",
        "destroy", "--auto-approve"},
       "the sandbox's data file " + d +
           "/podform.lock.flock is the lock file's lock (" + d +
           "/podform.lock.flock)"},
      {{"--file", project.config(), "--sandbox=" + project.sandbox(),
        "--state", project.sandbox(), "state", "rm", "volume.data"},
       "the sandbox's data file " + project.sandbox() +
           " is the lock file (" + project.sandbox() + ")"},
  };
  for (const Case& c : cases) {
    CliRun run = RunPodform(c.args);
    EXPECT_EQ(run.code, 1) << c.message;
    EXPECT_EQ(run.err,
              "podform: " + c.message + "; podform never writes over it\n");
    EXPECT_EQ(Snapshot(project), before) << c.message;
  }
}

TEST(OwnFilesTest, SandboxServeRefusesTheLockFileAsItsDataFile) {
  Project project = Applied();
  const Files before = Snapshot(project);
  // `sandbox serve` has no --sandbox: the config's lock file is podform.lock.
  for (const std::string& data :
       {project.dir + "/podform.lock", project.config()}) {
    CliRun run = RunPodform({"--file", project.config(), "sandbox", "serve",
                             "--listen", "127.0.0.1:0", "--data", data});
    EXPECT_EQ(run.code, 1);
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(Snapshot(project), before);
    EXPECT_NE(run.err.find("podform: sandbox serve: the sandbox's data file " +
                           data + " is the "),
              std::string::npos)
        << run.err;
  }
}

}  // namespace
}  // namespace podform
