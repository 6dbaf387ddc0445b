// Issue 3 end to end: `podform validate` and `podform plan` against
// `podform sandbox serve` on loopback.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace podform::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using PlanE2eTest = E2eTest;

constexpr char kNoChanges[] =
    "No changes. Your infrastructure matches the configuration.\n";

TEST_F(PlanE2eTest, FreshConfigPlansCreatesVolumeBeforeThePodMountingIt) {
  WriteConfig(TestConfig().Yaml());

  RunResult text = Podform({"plan"});
  ASSERT_EQ(text.exit_code, 0) << text;
  EXPECT_EQ(text.err, "");
  // pod.* sorts before volume.*: the order below is the dependency order,
  // not the alphabetical one.
  size_t volume = PositionOf(text.out, "  + volume.models will be created\n");
  size_t pod = PositionOf(text.out, "  + pod.trainer will be created\n");
  EXPECT_LT(volume, pod);
  EXPECT_THAT(text.out, HasSubstr("      + size: 50\n"));
  EXPECT_THAT(text.out, HasSubstr("      + dataCenter: \"EU-RO-1\"\n"));
  EXPECT_THAT(text.out,
              HasSubstr("      + networkVolumeId: (known after apply)\n"));
  EXPECT_THAT(text.out, HasSubstr("      + volume: \"volume.models\"\n"));
  EXPECT_THAT(text.out,
              HasSubstr("\nPlan: 2 to add, 0 to change, 0 to replace, 0 to "
                        "destroy.\n"));
  EXPECT_THAT(text.out, HasSubstr("\nStorage: $0.00/month -> $3.50/month\n"
                                  "Pods: $0.00/hour -> $0.49/hour\n"));
  EXPECT_THAT(text.out, Not(HasSubstr("WARNING")));

  RunResult detailed = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(detailed.exit_code, 2) << detailed;
  EXPECT_EQ(detailed.out, text.out);

  RunResult machine = Podform({"plan", "--json"});
  ASSERT_EQ(machine.exit_code, 0) << machine;
  json plan = json::parse(machine.out, nullptr, false);
  ASSERT_FALSE(plan.is_discarded()) << machine.out;
  EXPECT_EQ(plan["format_version"], 6);
  EXPECT_EQ(plan["serial"], 0);
  EXPECT_EQ(plan["destroy"], false);
  ASSERT_EQ(plan["changes"].size(), 2u) << plan.dump(2);
  EXPECT_EQ(plan["changes"][0]["address"], "volume.models");
  EXPECT_EQ(plan["changes"][0]["action"], "create");
  EXPECT_EQ(plan["changes"][0]["before"], nullptr);
  EXPECT_EQ(plan["changes"][0]["after"]["size"], 50);
  EXPECT_EQ(plan["changes"][0]["after"]["protect"], true);
  EXPECT_EQ(plan["changes"][0]["depends_on"], json::array());
  EXPECT_EQ(plan["changes"][1]["address"], "pod.trainer");
  EXPECT_EQ(plan["changes"][1]["action"], "create");
  EXPECT_EQ(plan["changes"][1]["after"]["gpuType"], "NVIDIA RTX A6000");
  EXPECT_EQ(plan["changes"][1]["after"]["dataCenter"], "EU-RO-1");
  EXPECT_EQ(plan["changes"][1]["depends_on"], json::array({"volume.models"}));
  EXPECT_EQ(plan["summary"], (json{{"add", 2},
                                   {"change", 0},
                                   {"replace", 0},
                                   {"destroy", 0},
                                   {"stop", 0},
                                   {"resume", 0}}));
  EXPECT_EQ(plan["has_changes"], true);
  EXPECT_EQ(plan["destroys_data"], false);
  EXPECT_EQ(plan["cost"]["storage_monthly_after"], 3.5);
  EXPECT_EQ(plan["unmanaged"], json::array());

  RunResult markdown = Podform({"plan", "--markdown"});
  ASSERT_EQ(markdown.exit_code, 0) << markdown;
  EXPECT_THAT(markdown.out,
              HasSubstr("**Plan: 2 to add, 0 to change, 0 to replace, 0 to "
                        "destroy.**"));
  size_t md_volume =
      PositionOf(markdown.out, "| create | `volume.models` |  |  |\n");
  size_t md_pod =
      PositionOf(markdown.out, "| create | `pod.trainer` |  |  |\n");
  EXPECT_LT(md_volume, md_pod);

  // plan changes nothing: no lock file, nothing on RunPod.
  EXPECT_FALSE(LockExists());
  json live = sandbox().Live();
  EXPECT_EQ(live["networkVolumes"], json::array());
  EXPECT_EQ(live["pods"], json::array());
}

TEST_F(PlanE2eTest, ConfigEqualToLivePlansNothing) {
  WriteConfig(TestConfig().Yaml());
  RunResult apply = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply;

  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan;
  EXPECT_EQ(plan.err, "");
  EXPECT_THAT(plan.out, StartsWith(kNoChanges)) << plan;
  EXPECT_THAT(plan.out, HasSubstr("Storage: $3.50/month -> $3.50/month\n"));

  RunResult machine = Podform({"plan", "--json", "--detailed-exitcode"});
  EXPECT_EQ(machine.exit_code, 0) << machine;
  json j = json::parse(machine.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << machine.out;
  EXPECT_EQ(j["has_changes"], false);
  for (const json& change : j["changes"]) {
    EXPECT_EQ(change["action"], "no-op") << change.dump();
  }
  EXPECT_EQ(j["unmanaged"], json::array());
}

TEST_F(PlanE2eTest, ShrinkIsRefusedAndChangesNothing) {
  WriteConfig(TestConfig().Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  std::string lock_before = LockText();
  std::string volume_id = LockId("volume.models");

  WriteConfig(TestConfig().Size(20).Yaml());
  const std::string expected =
      "podform: volume.models: size cannot shrink from 50 to 20 GB (RunPod "
      "volumes only grow)\n";
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 1) << plan;
  EXPECT_EQ(plan.err, expected);
  EXPECT_EQ(plan.out, "");

  RunResult apply = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply;
  EXPECT_EQ(apply.err, expected);

  EXPECT_EQ(LockText(), lock_before);
  json volume = FindById(sandbox().Live()["networkVolumes"], volume_id);
  EXPECT_EQ(volume["size"], 50);
}

// A TCP listener on 127.0.0.1 that never accepts: a request to it would
// leave a pending connection.
class Tripwire {
 public:
  Tripwire() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    EXPECT_EQ(
        ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t length = sizeof(address);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~Tripwire() { ::close(fd_); }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/graphql";
  }
  std::string rest_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/v2";
  }
  // True when someone connected.
  bool Tripped() const {
    int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client >= 0) {
      ::close(client);
      return true;
    }
    return false;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST_F(PlanE2eTest, DataCenterMismatchIsRefusedByValidateWithoutARequest) {
  const std::string config = Path("podform.yaml");
  WriteConfig(
      "version: 1\n"                       // 1
      "volumes:\n"                         // 2
      "  models:\n"                        // 3
      "    size: 50\n"                     // 4
      "    dataCenter: EU-RO-1\n"          // 5
      "pods:\n"                            // 6
      "  trainer:\n"                       // 7
      "    image: runpod/pytorch:2.4.0\n"  // 8
      "    gpuType: NVIDIA RTX A6000\n"    // 9
      "    volume: models\n"               // 10
      "    dataCenter: EU-SE-1\n");        // 11
  const std::string expected =
      config +
      ":11:17: pods.trainer.dataCenter: \"EU-SE-1\" differs from the data "
      "center of volumes.models (\"EU-RO-1\"); a pod must be in its volume's "
      "data center\n";

  Tripwire tripwire;
  RunResult validate =
      PodformRaw({"--endpoint", tripwire.url(), "--file", config, "validate"});
  EXPECT_EQ(validate.exit_code, 1) << validate;
  EXPECT_EQ(validate.err, expected);
  EXPECT_EQ(validate.out, "");
  EXPECT_FALSE(tripwire.Tripped()) << "a request was sent";

  // plan stops at the same error. What it began to read beside the config
  // (RunPod, which never answers here: waiting would take the 60 s
  // timeout) is abandoned, not waited for.
  for (const std::string& url : {tripwire.url(), tripwire.rest_url()}) {
    const absl::Time start = absl::Now();
    RunResult plan = PodformRaw({"--endpoint", url, "--file", config, "plan"});
    EXPECT_EQ(plan.exit_code, 1) << plan;
    EXPECT_EQ(plan.err, expected);
    EXPECT_LT(absl::Now() - start, absl::Seconds(20)) << url;
  }
  EXPECT_FALSE(LockExists());
}

TEST_F(PlanE2eTest, ValidConfigValidatesWithoutARequest) {
  WriteConfig(TestConfig().Yaml());
  Tripwire tripwire;
  RunResult validate = PodformRaw({"--endpoint", tripwire.url(), "--file",
                                   Path("podform.yaml"), "validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate;
  EXPECT_EQ(validate.out,
            Path("podform.yaml") + ": valid (1 volumes, 1 pods)\n");
  EXPECT_EQ(validate.err, "");
  EXPECT_FALSE(tripwire.Tripped()) << "a request was sent";
}

TEST_F(PlanE2eTest, ProtectedVolumeRemovedFromTheConfigNeedsAllowDestroy) {
  WriteConfig(TestConfig().Pod(false).Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(Lock()["resources"]["volume.models"]["protect"], true);
  std::string volume_id = LockId("volume.models");
  std::string lock_before = LockText();

  WriteConfig("version: 1\n");
  RunResult refused = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(refused.exit_code, 1) << refused;
  EXPECT_THAT(refused.err, StartsWith("podform: volume.models: "));
  EXPECT_THAT(refused.err,
              HasSubstr("it is protected: re-run with --allow-destroy "
                        "volume.models\n"));
  EXPECT_EQ(refused.out, "");

  RunResult allowed = Podform(
      {"plan", "--detailed-exitcode", "--allow-destroy", "volume.models"});
  EXPECT_EQ(allowed.exit_code, 3) << allowed;
  EXPECT_EQ(allowed.err, "");
  EXPECT_THAT(allowed.out, HasSubstr("  - volume.models will be destroyed\n"));
  EXPECT_THAT(allowed.out,
              HasSubstr("\nWARNING: volume.models will be DESTROYED with all "
                        "its data (50 GB)\n"));
  EXPECT_THAT(allowed.out,
              HasSubstr("\nPlan: 0 to add, 0 to change, 0 to replace, 1 to "
                        "destroy.\n"));
  EXPECT_THAT(allowed.out, HasSubstr("Storage: $3.50/month -> $0.00/month\n"));

  RunResult machine =
      Podform({"plan", "--json", "--allow-destroy", "volume.models"});
  ASSERT_EQ(machine.exit_code, 0) << machine;
  json j = json::parse(machine.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["destroys_data"], true);
  ASSERT_EQ(j["changes"].size(), 1u);
  EXPECT_EQ(j["changes"][0]["action"], "delete");
  EXPECT_EQ(j["changes"][0]["id"], volume_id);
  EXPECT_EQ(j["changes"][0]["destroys_data"], true);

  RunResult markdown =
      Podform({"plan", "--markdown", "--allow-destroy", "volume.models"});
  EXPECT_THAT(markdown.out,
              HasSubstr("volume.models will be DESTROYED with all its data "
                        "(50 GB)"));

  // Planning deleted nothing.
  EXPECT_EQ(LockText(), lock_before);
  EXPECT_FALSE(
      FindById(sandbox().Live()["networkVolumes"], volume_id).is_null());
}

TEST_F(PlanE2eTest, UnprotectedVolumeRemovedPlansWithoutTheFlagButExits3) {
  WriteConfig(TestConfig().Pod(false).Yaml() + "    protect: false\n");
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(Lock()["resources"]["volume.models"]["protect"], false);

  WriteConfig("version: 1\n");
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 3) << plan;
  EXPECT_THAT(plan.out,
              HasSubstr("WARNING: volume.models will be DESTROYED with all "
                        "its data (50 GB)\n"));
}

TEST_F(PlanE2eTest, JsonAndMarkdownDescribeInPlaceUpdates) {
  WriteConfig(TestConfig().Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  std::string volume_id = LockId("volume.models");
  std::string pod_id = LockId("pod.trainer");

  WriteConfig(TestConfig().Size(100).Image(kNewImage).Yaml());
  RunResult text = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(text.exit_code, 2) << text;
  EXPECT_THAT(text.out, HasSubstr("  ~ volume.models will be updated in place\n"
                                  "      # (size grows 50 -> 100 GB in place)\n"
                                  "      ~ size: 50 -> 100\n"));
  EXPECT_THAT(text.out, HasSubstr(std::string("  ~ pod.trainer will be updated "
                                              "in place\n")));
  EXPECT_THAT(text.out, HasSubstr(std::string("      ~ image: \"") + kImage +
                                  "\" -> \"" + kNewImage + "\"\n"));
  EXPECT_THAT(text.out,
              HasSubstr("\nPlan: 0 to add, 2 to change, 0 to replace, 0 to "
                        "destroy.\n"));

  RunResult machine = Podform({"plan", "--json"});
  json j = json::parse(machine.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << machine;
  std::map<std::string, json> by_address;
  for (const json& c : j["changes"])
    by_address[c["address"].get<std::string>()] = c;
  ASSERT_EQ(by_address.size(), 2u);
  EXPECT_EQ(by_address["volume.models"]["action"], "update");
  EXPECT_EQ(by_address["volume.models"]["id"], volume_id);
  EXPECT_EQ(by_address["volume.models"]["reasons"],
            json::array({"size grows 50 -> 100 GB in place"}));
  EXPECT_EQ(by_address["volume.models"]["before"]["size"], 50);
  EXPECT_EQ(by_address["volume.models"]["after"]["size"], 100);
  EXPECT_EQ(by_address["pod.trainer"]["action"], "update");
  EXPECT_EQ(by_address["pod.trainer"]["id"], pod_id);
  EXPECT_EQ(by_address["pod.trainer"]["before"]["image"], kImage);
  EXPECT_EQ(by_address["pod.trainer"]["after"]["image"], kNewImage);
  EXPECT_EQ(j["summary"]["change"], 2);

  RunResult markdown = Podform({"plan", "--markdown"});
  EXPECT_EQ(markdown.exit_code, 0) << markdown;
  EXPECT_THAT(markdown.out,
              HasSubstr("**Plan: 0 to add, 2 to change, 0 to replace, 0 to "
                        "destroy.**"));
  EXPECT_THAT(markdown.out,
              HasSubstr("| update | `volume.models` | `" + volume_id +
                        "` | size grows 50 -> 100 GB in place |"));
  EXPECT_THAT(markdown.out,
              HasSubstr("| update | `pod.trainer` | `" + pod_id + "` | "));
}

TEST_F(PlanE2eTest, UnmanagedLiveResourcesAreListedAndLeftAlone) {
  WriteConfig(TestConfig().Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  json created = sandbox().GraphQL(
      "mutation { createNetworkVolume(input: {name: \"by-hand\", size: 10, "
      "dataCenterId: \"EU-SE-1\"}) { id } }");
  std::string id = created["data"]["createNetworkVolume"]["id"];

  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out,
              HasSubstr("Unmanaged resources (on RunPod but not in the lock "
                        "file; podform leaves them alone):\n  volume " +
                        id + " \"by-hand\"\n"));
  EXPECT_THAT(plan.out, HasSubstr(kNoChanges));

  RunResult machine = Podform({"plan", "--json"});
  json j = json::parse(machine.out, nullptr, false);
  EXPECT_EQ(
      j["unmanaged"],
      json::array({{{"kind", "volume"}, {"id", id}, {"name", "by-hand"}}}));
}

TEST_F(PlanE2eTest, ResourceDeletedOutsidePodformIsPlannedForRecreation) {
  WriteConfig(TestConfig().Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  std::string pod_id = LockId("pod.trainer");
  json gone = sandbox().GraphQL("mutation { podTerminate(input: {podId: \"" +
                                pod_id + "\"}) }");
  ASSERT_FALSE(gone.contains("errors")) << gone.dump();

  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan;
  EXPECT_THAT(plan.out, HasSubstr("  + pod.trainer will be created\n"
                                  "      # (deleted outside podform)\n"));
  EXPECT_THAT(plan.out,
              HasSubstr("\nPlan: 1 to add, 0 to change, 0 to replace, 0 to "
                        "destroy.\n"));

  RunResult apply = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  std::string new_id = LockId("pod.trainer");
  EXPECT_NE(new_id, pod_id);
  EXPECT_FALSE(FindById(sandbox().Live()["pods"], new_id).is_null());
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(PlanE2eTest, WarnsWhenRunPodHasNoGpusForAPodItCreates) {
  // No RTX A6000 left in EU-RO-1 (the data center of TestConfig's pod).
  WriteFileOrDie(
      Path("sandbox.json"),
      R"({"version": 1, "capacity": {"EU-RO-1": {"NVIDIA RTX A6000": 0}}})");
  StartSandbox();
  WriteConfig(TestConfig().Yaml());
  RunResult text = Podform({"plan"});
  ASSERT_EQ(text.exit_code, 0) << text;
  const std::string warning =
      "pod.trainer: RunPod reports no NVIDIA RTX A6000 available for Secure "
      "Cloud pods in EU-RO-1 right now; the create may fail for lack of "
      "capacity";
  if (!harness::TestingRest()) {
    // GraphQL cannot say where GPUs are in one request: nothing is checked.
    EXPECT_THAT(text.out, Not(HasSubstr("RunPod reports no")));
    return;
  }
  EXPECT_THAT(text.out, HasSubstr(warning)) << text.out;
  RunResult machine = Podform({"plan", "--json"});
  ASSERT_EQ(machine.exit_code, 0) << machine;
  json plan = json::parse(machine.out, nullptr, false);
  ASSERT_FALSE(plan.is_discarded()) << machine.out;
  EXPECT_EQ(plan["warnings"], json::array({warning})) << plan.dump(2);

  // With GPUs in the pod's data center there is nothing to say.
  WriteConfig(TestConfig().Gpu("NVIDIA A100 80GB PCIe").Yaml());
  RunResult other = Podform({"plan"});
  ASSERT_EQ(other.exit_code, 0) << other;
  EXPECT_THAT(other.out, Not(HasSubstr("RunPod reports no"))) << other.out;
}

}  // namespace
}  // namespace podform::e2e
