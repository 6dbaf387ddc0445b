// Bad input: a truncated, hand-edited or wrong-version lock file or plan
// file gives a clear error (checked word for word) and is never
// overwritten: its bytes are the same after the command, and nothing
// changed on RunPod.

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/reliability/harness.h"

namespace podform::reliability {
namespace {

using nlohmann::json;

using BadInputTest = ReliabilityTest;

std::string Replace(const std::string& text, const std::string& from,
                    const std::string& to) {
  size_t at = text.find(from);
  if (at == std::string::npos) {
    ADD_FAILURE() << "\"" << from << "\" not in:\n" << text;
    return text;
  }
  return text.substr(0, at) + to + text.substr(at + from.size());
}

// "line L, column C: unexpected end of input" for the end of `text`.
std::string EndOfInput(const std::string& text) {
  return "line " +
         std::to_string(std::count(text.begin(), text.end(), '\n') + 1) +
         ", column " + std::to_string(text.size() - text.rfind('\n')) +
         ": unexpected end of input";
}

struct Damage {
  std::string name;
  std::string text;     // the damaged file
  std::string message;  // what podform must say, after "podform: "
};

// A lock file of one volume and one pod, damaged three ways. Every command
// that reads it (plan, apply, destroy, state list/show/rm, import) must exit
// 1 with the parser's message and leave it byte for byte as it was, and
// nothing may change on RunPod.
TEST_F(BadInputTest, DamagedLockFileIsRefusedClearlyAndNeverOverwritten) {
  StartSandbox({});
  Fleet fleet = Fleet::Of("bad-", 1, 1, 1);
  WriteFileOrDie(Path("podform.yaml"), fleet.Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  const std::string lock_path = Path("podform.lock");
  const std::string good = ReadFileOrEmpty(lock_path);
  const json parsed = json::parse(good);
  const int64_t serial = parsed["serial"];
  const std::string volume_id = parsed["resources"]["volume.v0"]["id"];

  const std::string truncated = good.substr(0, good.size() / 2);
  const std::string edited = Replace(good, "\"size\": 10", "\"size\": \"10\"");
  const std::string newer = Replace(good, "\"version\": 1", "\"version\": 2");
  const std::vector<Damage> damages = {
      {"truncated", truncated,
       lock_path + ": not valid JSON at " + EndOfInput(truncated)},
      {"hand-edited", edited,
       lock_path + ": volume.v0: attribute \"size\" has the wrong type"},
      {"wrong-version", newer,
       lock_path + " was written by a newer podform (version 2); this "
                   "podform reads version 1: upgrade podform"},
  };
  const json live_before = sandbox().Live();
  for (const Damage& damage : damages) {
    SCOPED_TRACE(damage.name);
    WriteFileOrDie(lock_path, damage.text);
    for (const std::vector<std::string>& command :
         std::vector<std::vector<std::string>>{
             {"plan"},
             {"plan", "--out", Path("x.plan")},
             {"apply", "--auto-approve"},
             {"destroy", "--auto-approve"},
             {"state", "list"},
             {"state", "show", "volume.v0"},
             {"state", "rm", "pod.p0"},
             {"import", "volume.v0", volume_id}}) {
      RunResult r = Podform(command);
      EXPECT_EQ(r.exit_code, 1) << r;
      EXPECT_EQ(r.err, "podform: " + damage.message + "\n") << r;
      EXPECT_EQ(ReadFileOrEmpty(lock_path), damage.text)
          << command[0] << " rewrote the damaged lock file";
    }
  }
  EXPECT_EQ(sandbox().Live(), live_before);
  EXPECT_FALSE(std::filesystem::exists(Path("x.plan")));
  // Restored, it works again, at the serial it had.
  WriteFileOrDie(lock_path, good);
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan;
  EXPECT_EQ(json::parse(ReadFileOrEmpty(lock_path))["serial"], serial);
}

// A saved plan, damaged three ways: `apply PLANFILE` exits 1 with the
// parser's message, changes nothing (plan file, lock file and RunPod are as
// they were).
TEST_F(BadInputTest, DamagedPlanFileIsRefusedClearlyAndChangesNothing) {
  StartSandbox({});
  Fleet fleet = Fleet::Of("badplan-", 1, 1, 1);
  WriteFileOrDie(Path("podform.yaml"), fleet.Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  // A change to plan: one more volume.
  Fleet grown = fleet;
  grown.volumes = 2;
  WriteFileOrDie(Path("podform.yaml"), grown.Yaml());
  const std::string plan_path = Path("grow.plan");
  RunResult planned = Podform({"plan", "--out", plan_path});
  ASSERT_EQ(planned.exit_code, 0) << planned;
  const std::string good = ReadFileOrEmpty(plan_path);
  const std::string lock_before = ReadFileOrEmpty(Path("podform.lock"));

  const std::string truncated = good.substr(0, good.size() / 2);
  const std::string edited = Replace(good, "\"size\": 10", "\"size\": 20");
  const std::string newer =
      Replace(good, "\"podform_plan\": 3", "\"podform_plan\": 4");
  const std::vector<Damage> damages = {
      {"truncated", truncated,
       plan_path + ": plan file is not valid JSON (truncated or damaged?): " +
           EndOfInput(truncated)},
      {"hand-edited", edited,
       plan_path + ": plan file was modified after podform wrote it "
                   "(checksum mismatch); make a new plan"},
      {"wrong-version", newer,
       plan_path + ": plan file format 4 is not supported; this podform "
                   "reads format 3 (make a new plan with this version)"},
  };
  const json live_before = sandbox().Live();
  for (const Damage& damage : damages) {
    SCOPED_TRACE(damage.name);
    WriteFileOrDie(plan_path, damage.text);
    RunResult r = Podform({"apply", plan_path});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_EQ(r.err, "podform: " + damage.message + "\n") << r;
    EXPECT_EQ(r.out, "") << r;
    EXPECT_EQ(ReadFileOrEmpty(plan_path), damage.text);
    EXPECT_EQ(ReadFileOrEmpty(Path("podform.lock")), lock_before);
  }
  EXPECT_EQ(sandbox().Live(), live_before);
  // The undamaged plan still applies.
  WriteFileOrDie(plan_path, good);
  RunResult applied = Podform({"apply", plan_path});
  EXPECT_EQ(applied.exit_code, 0) << applied;
  ExpectExactly(grown);
}

}  // namespace
}  // namespace podform::reliability
