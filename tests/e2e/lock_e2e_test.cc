// Issue 4 end to end: the lock file (exact after a failure, byte-stable,
// minimal diffs), the run lock, import / state rm, and graph.

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace podform::e2e {
namespace {

using nlohmann::json;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using LockE2eTest = E2eTest;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string ReplaceAll(std::string text, const std::string& from,
                       const std::string& to) {
  if (from.empty()) return text;
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The lock file's text with its lineage, its target (endpoint and account)
// and every RunPod id replaced by a placeholder naming the address that
// holds it.
std::string Normalized(const std::string& text) {
  json lock = json::parse(text, nullptr, false);
  if (lock.is_discarded()) {
    ADD_FAILURE() << "lock file is not JSON:\n" << text;
    return text;
  }
  std::string out =
      ReplaceAll(text, lock["lineage"].get<std::string>(), "<lineage>");
  out = ReplaceAll(out, lock["target"]["endpoint"].get<std::string>(),
                   "<endpoint>");
  // REST v2 names no account: then the target has none.
  if (lock["target"].contains("account")) {
    out = ReplaceAll(out, lock["target"]["account"].get<std::string>(),
                     "<account>");
  }
  for (const auto& [address, resource] : lock["resources"].items()) {
    std::string id = resource["id"];
    EXPECT_FALSE(id.empty()) << address;
    out = ReplaceAll(out, "\"" + id + "\"", "\"<id of " + address + ">\"");
  }
  return out;
}

std::string HostName() {
  char name[256] = {};
  ::gethostname(name, sizeof(name) - 1);
  return name;
}

TEST_F(LockE2eTest, LockFileIsByteIdenticalAcrossRunsApartFromIdsAndLineage) {
  std::filesystem::create_directories(Path("one"));
  std::filesystem::create_directories(Path("two"));
  std::unique_ptr<Sandbox> other =
      Sandbox::Start(Path("sandbox-two.json"), {}, kApiKey);
  ASSERT_NE(other, nullptr);
  struct Run {
    const Sandbox* server;
    std::string config;
  };
  Run runs[] = {{&sandbox(), Path("one/podform.yaml")},
                {other.get(), Path("two/podform.yaml")}};
  std::vector<std::string> first, second;
  for (const Run& run : runs) {
    WriteFileOrDie(run.config, TestConfig().Yaml());
    RunResult apply =
        PodformAt(*run.server, run.config, {"apply", "--auto-approve"});
    ASSERT_EQ(apply.exit_code, 0) << apply;
    std::string lock_path =
        std::filesystem::path(run.config).parent_path() / "podform.lock";
    first.push_back(ReadFileOrDie(lock_path));
    WriteFileOrDie(
        run.config,
        TestConfig().Size(100).Image(kNewImage).Status("stopped").Yaml());
    apply = PodformAt(*run.server, run.config, {"apply", "--auto-approve"});
    ASSERT_EQ(apply.exit_code, 0) << apply;
    second.push_back(ReadFileOrDie(lock_path));
  }
  EXPECT_NE(first[0], first[1]);  // different lineages and ids
  EXPECT_EQ(Normalized(first[0]), Normalized(first[1]));
  EXPECT_EQ(Normalized(second[0]), Normalized(second[1]));
  EXPECT_THAT(Normalized(first[0]),
              HasSubstr("\"networkVolumeId\": \"<id of volume.models>\""));
  EXPECT_EQ(other->Stop(), 0);
}

TEST_F(LockE2eTest, DiffForAVolumeSizeChangeTouchesOnlyTheSizeAndTheSerial) {
  WriteConfig(TestConfig().Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  std::string before = LockText();
  int serial = Lock()["serial"].get<int>();

  WriteConfig(TestConfig().Size(100).Yaml());
  RunResult apply = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  std::string after = LockText();

  // As JSON: exactly the size and the serial differ. (Two writes: the one
  // before the first request that proves the file can be written, and the
  // update's record.)
  json patch = json::diff(json::parse(before), json::parse(after));
  EXPECT_EQ(patch, json::parse(R"([
    {"op": "replace", "path": "/resources/volume.models/attributes/size",
     "value": 100},
    {"op": "replace", "path": "/serial", "value": )" +
                               std::to_string(serial + 2) + "}]"))
      << patch.dump(2);
  // As text (what git diff shows): exactly those two lines.
  std::vector<std::string> a = Lines(before), b = Lines(after);
  ASSERT_EQ(a.size(), b.size());
  std::vector<std::pair<std::string, std::string>> changed;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) changed.push_back({a[i], b[i]});
  }
  ASSERT_EQ(changed.size(), 2u) << after;
  EXPECT_EQ(changed[0].first, "        \"size\": 50");
  EXPECT_EQ(changed[0].second, "        \"size\": 100");
  EXPECT_EQ(changed[1].first, "  \"serial\": " + std::to_string(serial) + ",");
  EXPECT_EQ(changed[1].second,
            "  \"serial\": " + std::to_string(serial + 2) + ",");
}

TEST_F(LockE2eTest, AFailingStepLeavesTheLockFileExact) {
  // No RTX A6000 left in EU-RO-1.
  WriteFileOrDie(
      Path("sandbox.json"),
      R"({"version": 1, "capacity": {"EU-RO-1": {"NVIDIA RTX A6000": 0}}})");
  StartSandbox();
  WriteConfig(
      "version: 1\n"
      "volumes:\n"
      "  good:\n"
      "    size: 20\n"
      "    dataCenter: EU-RO-1\n"
      "  bad:\n"
      "    size: 20\n"
      "    dataCenter: EU-XX-9\n"  // unknown: a warning here, refused by RunPod
      "pods:\n"
      "  ok:\n"
      "    image: runpod/pytorch:2.4.0\n"
      "    gpuType: NVIDIA A100 80GB PCIe\n"
      "    volume: good\n"
      "  nocap:\n"
      "    image: runpod/pytorch:2.4.0\n"
      "    gpuType: NVIDIA RTX A6000\n"
      "    volume: good\n"
      "  dependent:\n"
      "    image: runpod/pytorch:2.4.0\n"
      "    gpuType: NVIDIA A100 80GB PCIe\n"
      "    volume: bad\n");
  RunResult apply = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply;
  EXPECT_THAT(apply.out,
              HasSubstr("\nApply failed: 2 succeeded, 2 failed, 1 skipped (2 "
                        "added, 0 changed, 0 destroyed).\n"));
  EXPECT_THAT(apply.out, ContainsRegex("\n  pod\\.nocap: [^\n]*There are no "
                                       "longer any instances available"));
  EXPECT_THAT(apply.out, ContainsRegex("\n  volume\\.bad: [^\n]*Data center "
                                       "EU-XX-9 does not exist"));
  EXPECT_THAT(apply.out, HasSubstr("pod.dependent: "));

  json live = sandbox().Live();
  ASSERT_EQ(live["networkVolumes"].size(), 1u) << live.dump(2);
  ASSERT_EQ(live["pods"].size(), 1u) << live.dump(2);
  json lock = Lock();
  EXPECT_FALSE(lock.contains("intents")) << lock.dump(2);
  ASSERT_EQ(lock["resources"].size(), 2u) << lock.dump(2);
  EXPECT_EQ(LockId("volume.good"), live["networkVolumes"][0]["id"]);
  EXPECT_EQ(LockId("pod.ok"), live["pods"][0]["id"]);
  EXPECT_EQ(lock["resources"]["pod.ok"]["attributes"]["networkVolumeId"],
            LockId("volume.good"));

  // What is left is exactly what failed or was skipped.
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan;
  EXPECT_THAT(plan.out,
              HasSubstr("\nPlan: 3 to add, 0 to change, 0 to replace, 0 to "
                        "destroy.\n"));
  EXPECT_THAT(plan.out, HasSubstr("  + volume.bad will be created\n"));
  EXPECT_THAT(plan.out, HasSubstr("  + pod.nocap will be created\n"));
  EXPECT_THAT(plan.out, HasSubstr("  + pod.dependent will be created\n"));
}

TEST_F(LockE2eTest, ASecondConcurrentApplyIsRefusedNamingTheHolder) {
  StartSandbox({"--latency-ms", "300"});
  WriteConfig(TestConfig().Yaml());
  std::unique_ptr<Process> first = StartPodform({"apply", "--auto-approve"});
  ASSERT_NE(first, nullptr);

  // Wait until the first run holds the lock: it writes its details into
  // the sibling file after taking the flock.
  const std::string flock_path = LockPath() + ".flock";
  json holder;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && !first->Exited()) {
    if (std::filesystem::exists(flock_path)) {
      holder = json::parse(ReadFileOrDie(flock_path), nullptr, false);
      if (holder.is_object() && holder.value("pid", 0) == first->pid()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(holder.is_object() && holder.value("pid", 0) == first->pid())
      << "the first apply never held the lock: " << first->Wait();

  RunResult second = Podform({"apply", "--auto-approve"});
  bool first_still_running = !first->Exited();
  EXPECT_EQ(second.exit_code, 1) << second;
  EXPECT_THAT(second.err,
              ContainsRegex(
                  "^podform: [^\n]*podform\\.lock is locked by pid " +
                  std::to_string(first->pid()) + " on host \"" + HostName() +
                  "\" running \"podform apply\" since "
                  "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\n$"));
  EXPECT_EQ(second.out, "");
  // "At once": the refused run did not wait for the holder.
  EXPECT_TRUE(first_still_running);

  RunResult done = first->Wait();
  EXPECT_EQ(done.exit_code, 0) << done;
  EXPECT_THAT(done.out, HasSubstr("Apply complete! Resources: 2 added"));
  json live = sandbox().Live();
  EXPECT_EQ(live["networkVolumes"].size(), 1u);
  EXPECT_EQ(live["pods"].size(), 1u);
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(LockE2eTest, TheLockDiesWithItsHolderAndTheNextRunSettlesItsCreates) {
  StartSandbox({"--latency-ms", "300"});
  WriteConfig(TestConfig().Yaml());
  std::unique_ptr<Process> first = StartPodform({"apply", "--auto-approve"});
  ASSERT_NE(first, nullptr);
  // Let it take the lock, read RunPod and start creating the volume.
  const std::string flock_path = LockPath() + ".flock";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && !first->Exited() &&
         !LockExists()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(LockExists()) << first->Wait();
  ::kill(first->pid(), SIGKILL);
  RunResult killed = first->Wait();
  EXPECT_EQ(killed.exit_code, -1);
  // Let the request it had in flight finish on the server.
  std::this_thread::sleep_for(std::chrono::milliseconds(800));

  RunResult next = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(next.exit_code, 0) << next;
  json live = sandbox().Live();
  EXPECT_EQ(live["networkVolumes"].size(), 1u) << live.dump(2);
  EXPECT_EQ(live["pods"].size(), 1u) << live.dump(2);
  EXPECT_FALSE(Lock().contains("intents"));
  EXPECT_EQ(LockId("volume.models"), live["networkVolumes"][0]["id"]);
  EXPECT_EQ(LockId("pod.trainer"), live["pods"][0]["id"]);
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(LockE2eTest, StateRmAndImportRoundTrip) {
  WriteConfig(TestConfig().Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  json before = Lock()["resources"];
  std::string volume_id = LockId("volume.models");
  std::string pod_id = LockId("pod.trainer");
  json live = sandbox().Live();

  RunResult list = Podform({"state", "list"});
  EXPECT_EQ(list.exit_code, 0) << list;
  EXPECT_EQ(list.out, "pod.trainer    " + pod_id + "\nvolume.models  " +
                          volume_id + "\n");

  RunResult rm = Podform({"state", "rm", "pod.trainer", "volume.models"});
  ASSERT_EQ(rm.exit_code, 0) << rm;
  EXPECT_EQ(rm.out, "Removed pod.trainer (id " + pod_id +
                        ") from the lock file; it still exists on RunPod.\n"
                        "Removed volume.models (id " +
                        volume_id +
                        ") from the lock file; it still exists on RunPod.\n");
  // Forgotten, not deleted.
  EXPECT_EQ(sandbox().Live(), live);
  EXPECT_EQ(Lock()["resources"], json::object());
  EXPECT_EQ(Podform({"state", "list"}).out, "");

  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan;
  EXPECT_THAT(plan.out, HasSubstr("  volume " + volume_id + " \"models\"\n"));
  EXPECT_THAT(plan.out, HasSubstr("  pod " + pod_id + " \"trainer\"\n"));
  EXPECT_THAT(plan.out,
              HasSubstr("\nPlan: 2 to add, 0 to change, 0 to replace, 0 to "
                        "destroy.\n"));

  RunResult missing = Podform({"import", "volume.models", "no-such-volume"});
  EXPECT_EQ(missing.exit_code, 1) << missing;
  EXPECT_EQ(missing.err,
            "podform: RunPod has no network volume with id no-such-volume\n");

  RunResult volume = Podform({"import", "volume.models", volume_id});
  ASSERT_EQ(volume.exit_code, 0) << volume;
  EXPECT_EQ(volume.out, "Imported volume.models (id " + volume_id +
                            "). Run podform plan to compare it with the "
                            "config.\n");
  RunResult pod = Podform({"import", "pod.trainer", pod_id});
  ASSERT_EQ(pod.exit_code, 0) << pod;

  EXPECT_EQ(Lock()["resources"], before);
  RunResult after = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(after.exit_code, 0) << after;
  EXPECT_THAT(after.out, StartsWith("No changes."));
  EXPECT_EQ(sandbox().Live(), live);

  RunResult twice = Podform({"import", "pod.trainer", pod_id});
  EXPECT_EQ(twice.exit_code, 1) << twice;
  EXPECT_THAT(twice.err,
              HasSubstr("pod.trainer is already managed (id " + pod_id + ")"));
}

TEST_F(LockE2eTest, ImportingAPodBeforeItsVolumeStillPlansNothing) {
  WriteConfig(TestConfig().Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  json before = Lock()["resources"];
  std::string volume_id = LockId("volume.models");
  std::string pod_id = LockId("pod.trainer");
  ASSERT_EQ(Podform({"state", "rm", "pod.trainer", "volume.models"}).exit_code,
            0);

  // The other order than above: the pod first, then the volume it mounts.
  RunResult pod = Podform({"import", "pod.trainer", pod_id});
  ASSERT_EQ(pod.exit_code, 0) << pod;
  RunResult volume = Podform({"import", "volume.models", volume_id});
  ASSERT_EQ(volume.exit_code, 0) << volume;

  // The live pod is mounted on exactly that volume: nothing to replace.
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, StartsWith("No changes."));
  EXPECT_EQ(Lock()["resources"], before);
}

TEST_F(LockE2eTest, ImportNeedsTheAddressDeclaredInTheConfig) {
  json created = sandbox().GraphQL(
      "mutation { createNetworkVolume(input: {name: \"by-hand\", size: 10, "
      "dataCenterId: \"EU-RO-1\"}) { id } }");
  std::string id = created["data"]["createNetworkVolume"]["id"];
  WriteConfig(TestConfig().Pod(false).Yaml());
  RunResult r = Podform({"import", "volume.other", id});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_EQ(r.err, "podform: volume.other is not declared in " +
                       Path("podform.yaml") +
                       "; declare it first, then import\n");
  EXPECT_FALSE(LockExists() && Lock()["resources"].contains("volume.other"));
}

TEST_F(LockE2eTest, GraphPrintsTheDependencyGraphAsDot) {
  WriteConfig(TestConfig().Yaml());
  RunResult graph = Podform({"graph"});
  EXPECT_EQ(graph.exit_code, 0) << graph;
  EXPECT_EQ(graph.err, "");
  EXPECT_EQ(graph.out,
            "digraph podform {\n"
            "  rankdir=LR;\n"
            "  \"volume.models\" [shape=cylinder];\n"
            "  \"pod.trainer\" [shape=box];\n"
            "  \"pod.trainer\" -> \"volume.models\";\n"
            "}\n");

  // After apply, a pod removed from the config still shows, dashed, until
  // it is deleted.
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  WriteConfig(TestConfig().Pod(false).Yaml());
  RunResult dashed = Podform({"graph"});
  EXPECT_EQ(dashed.exit_code, 0) << dashed;
  EXPECT_EQ(dashed.out,
            "digraph podform {\n"
            "  rankdir=LR;\n"
            "  \"volume.models\" [shape=cylinder];\n"
            "  \"pod.trainer\" [shape=box, style=dashed];\n"
            "  \"pod.trainer\" -> \"volume.models\" [style=dashed];\n"
            "}\n");
}

TEST_F(LockE2eTest, GraphShowsEndpointsAndTheVolumesTheyMount) {
  WriteConfig(
      "version: 1\n"
      "volumes:\n"
      "  models-eu: {size: 50, dataCenter: EU-RO-1}\n"
      "  models-us: {size: 50, dataCenter: US-TX-3}\n"
      "endpoints:\n"
      "  embed:\n"
      "    image: ghcr.io/acme/embed-worker:1.4\n"
      "    gpu: {pools: [ADA_24]}\n"
      "    volumes: [models-eu, models-us]\n"
      "    access: read-only\n");
  RunResult graph = Podform({"graph"});
  EXPECT_EQ(graph.exit_code, 0) << graph;
  EXPECT_EQ(graph.err, "");
  EXPECT_EQ(graph.out,
            "digraph podform {\n"
            "  rankdir=LR;\n"
            "  \"volume.models-eu\" [shape=cylinder];\n"
            "  \"volume.models-us\" [shape=cylinder];\n"
            "  \"endpoint.embed\" [shape=hexagon];\n"
            "  \"endpoint.embed\" -> \"volume.models-eu\";\n"
            "  \"endpoint.embed\" -> \"volume.models-us\";\n"
            "}\n");
}

}  // namespace
}  // namespace podform::e2e
