// How GraphQLProvider reads RunPod's answers into Live types.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/client/graphql_provider.h"
#include "reconciler/client/wire.h"
#include "tests/client/client_test_util.h"

namespace podform {
namespace {

using ::podform::testing::ExpectedBody;
using ::podform::testing::ProviderFixture;
using ::testing::ElementsAre;
using ::testing::Pair;

constexpr char kRefresh[] = R"({
  "myself": {
    "networkVolumes": [
      {"id": "vol-a", "name": "models", "size": 500, "dataCenterId": "EU-RO-1"},
      {"id": "vol-b", "name": null, "size": 10, "dataCenterId": "US-TX-3"}
    ],
    "pods": [
      {"id": "pod-1", "name": "trainer", "imageName": "runpod/pytorch:2.4.0",
       "dockerArgs": "sleep infinity",
       "env": ["HF_HOME=/workspace/hf", "TOKEN=a=b=c", "EMPTY=", "BARE"],
       "gpuCount": 2, "containerDiskInGb": 40, "volumeInGb": 0,
       "volumeMountPath": "/models", "networkVolumeId": "vol-a",
       "desiredStatus": "RUNNING", "costPerHr": 3.58,
       "ports": "8888/http, 22/tcp,", "machine": {"gpuDisplayName": "A100 PCIe"}},
      {"id": "pod-2", "name": "idle", "imageName": "ubuntu:24.04",
       "dockerArgs": null, "env": null, "gpuCount": 1,
       "containerDiskInGb": 20, "volumeInGb": 20, "volumeMountPath": null,
       "networkVolumeId": null, "desiredStatus": "EXITED", "costPerHr": 0,
       "ports": null, "machine": {"gpuDisplayName": "Mystery GPU"}},
      {"id": "pod-3", "name": "cpu", "imageName": "busybox", "dockerArgs": "",
       "env": [], "gpuCount": 0, "containerDiskInGb": 5, "volumeInGb": 0,
       "volumeMountPath": "", "networkVolumeId": "", "desiredStatus": "CREATED",
       "costPerHr": 1, "ports": "", "machine": null}
    ]
  },
  "gpuTypes": [
    {"id": "NVIDIA A100 80GB PCIe", "displayName": "A100 PCIe"},
    {"id": "NVIDIA GeForce RTX 4090", "displayName": "RTX 4090"},
    {"id": "NVIDIA A100-SXM4-80GB", "displayName": "A100 PCIe"}
  ]})";

TEST(ProviderResponseTest, RefreshMapsEveryField) {
  ProviderFixture f;
  f.transport->AnswerData(kRefresh);
  absl::StatusOr<LiveState> live = f.provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();

  ASSERT_EQ(live->volumes.size(), 2u);
  EXPECT_EQ(live->volumes[0],
            (LiveVolume{"vol-a", {"models", 500, "EU-RO-1"}}));
  EXPECT_EQ(live->volumes[1], (LiveVolume{"vol-b", {"", 10, "US-TX-3"}}));

  ASSERT_EQ(live->pods.size(), 3u);
  LivePod trainer;
  trainer.id = "pod-1";
  trainer.status = PodStatus::kRunning;
  trainer.cost_per_hr = 3.58;
  trainer.spec.name = "trainer";
  trainer.spec.image = "runpod/pytorch:2.4.0";
  trainer.spec.gpu_type = "NVIDIA A100 80GB PCIe";  // first of two "A100 PCIe"
  trainer.spec.gpu_count = 2;
  trainer.spec.cloud_type = "";   // not reported by RunPod
  trainer.spec.data_center = "";  // not reported by RunPod
  trainer.spec.network_volume_id = "vol-a";
  trainer.spec.mount_path = "/models";
  trainer.spec.container_disk_gb = 40;
  trainer.spec.ports = {"8888/http", "22/tcp"};
  trainer.spec.env = {{"HF_HOME", "/workspace/hf"},
                      {"TOKEN", "a=b=c"},
                      {"EMPTY", ""},
                      {"BARE", ""}};
  trainer.spec.docker_args = "sleep infinity";
  trainer.spec.running = true;
  EXPECT_EQ(live->pods[0], trainer);

  const LivePod& idle = live->pods[1];
  EXPECT_EQ(idle.spec.gpu_type, "Mystery GPU");  // unknown: the display name
  EXPECT_EQ(idle.spec.docker_args, "");
  EXPECT_TRUE(idle.spec.env.empty());
  EXPECT_TRUE(idle.spec.ports.empty());
  EXPECT_EQ(idle.spec.mount_path, "");
  EXPECT_EQ(idle.spec.network_volume_id, "");
  EXPECT_EQ(idle.status, PodStatus::kExited);
  EXPECT_FALSE(idle.spec.running);
  EXPECT_EQ(idle.cost_per_hr, 0);

  const LivePod& cpu = live->pods[2];
  EXPECT_EQ(cpu.spec.gpu_type, "");  // machine: null
  EXPECT_EQ(cpu.spec.gpu_count, 0);
  EXPECT_EQ(cpu.cost_per_hr, 1.0);  // an integer where a Float is expected
  EXPECT_TRUE(cpu.spec.running);    // CREATED: on its way to running

  EXPECT_EQ(live->FindPod("pod-2"), &live->pods[1]);
}

TEST(ProviderResponseTest, RefreshOfAnEmptyAccount) {
  ProviderFixture f;
  f.transport->AnswerData(
      R"({"myself": {"networkVolumes": null, "pods": []}, "gpuTypes": null})");
  absl::StatusOr<LiveState> live = f.provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_TRUE(live->volumes.empty());
  EXPECT_TRUE(live->pods.empty());
}

TEST(ProviderResponseTest, RunningFollowsDesiredStatus) {
  for (const auto& [status, running] :
       std::vector<std::pair<std::string, bool>>{{"RUNNING", true},
                                                 {"CREATED", true},
                                                 {"RESTARTING", true},
                                                 {"EXITED", false},
                                                 {"PAUSED", false},
                                                 {"DEAD", false},
                                                 {"TERMINATED", false}}) {
    ProviderFixture f;
    f.transport->AnswerData(R"({"myself": {"networkVolumes": [], "pods": [
      {"id": "p", "name": "n", "imageName": "i", "dockerArgs": "", "env": [],
       "gpuCount": 1, "containerDiskInGb": 20, "volumeInGb": 0,
       "volumeMountPath": "", "networkVolumeId": "", "desiredStatus": ")" +
                            status + R"(", "costPerHr": 0, "ports": "",
       "machine": null}]}, "gpuTypes": []})");
    absl::StatusOr<LiveState> live = f.provider->Refresh();
    ASSERT_TRUE(live.ok()) << live.status();
    EXPECT_EQ(live->pods.at(0).spec.running, running) << status;
    EXPECT_EQ(live->pods.at(0).StatusWord(), status);
  }
}

TEST(ProviderResponseTest, AnUnknownOrEmptyDesiredStatusIsKeptAndStopped) {
  for (const std::string status : {"MIGRATING", ""}) {
    ProviderFixture f;
    f.transport->AnswerData(R"({"myself": {"networkVolumes": [], "pods": [
      {"id": "p", "name": "n", "imageName": "i", "dockerArgs": "", "env": [],
       "gpuCount": 1, "containerDiskInGb": 20, "volumeInGb": 0,
       "volumeMountPath": "", "networkVolumeId": "", "desiredStatus": ")" +
                            status + R"(", "costPerHr": 0, "ports": "",
       "machine": null}]}, "gpuTypes": []})");
    absl::StatusOr<LiveState> live = f.provider->Refresh();
    ASSERT_TRUE(live.ok()) << live.status();
    const LivePod& pod = live->pods.at(0);
    EXPECT_EQ(pod.status,
              status.empty() ? PodStatus::kUnset : PodStatus::kUnknown);
    EXPECT_EQ(pod.StatusWord(), status);
    EXPECT_FALSE(pod.spec.running) << status;
    EXPECT_EQ(pod.Condition(), PodCondition::kStopped) << status;
  }
}

TEST(ProviderResponseTest, VolumeMutationsReturnTheVolume) {
  ProviderFixture f;
  f.transport->AnswerData(
      R"({"createNetworkVolume": {"id": "vol-9", "name": "data", "size": 100,
          "dataCenterId": "EU-SE-1"}})");
  f.transport->AnswerData(
      R"({"updateNetworkVolume": {"id": "vol-9", "name": "data2", "size": 200,
          "dataCenterId": "EU-SE-1"}})");
  EXPECT_EQ(f.provider->CreateVolume({"data", 100, "EU-SE-1"}).value(),
            (LiveVolume{"vol-9", {"data", 100, "EU-SE-1"}}));
  EXPECT_EQ(
      f.provider->UpdateVolume("vol-9", {"data2", 200, "EU-SE-1"}).value(),
      (LiveVolume{"vol-9", {"data2", 200, "EU-SE-1"}}));
}

std::string PodAnswer(const std::string& field, const std::string& gpu) {
  return R"({")" + field + R"(": {"id": "pod-7", "name": "web",
    "imageName": "nginx", "dockerArgs": "", "env": ["A=1"], "gpuCount": 1,
    "containerDiskInGb": 20, "volumeInGb": 0, "volumeMountPath": "/workspace",
    "networkVolumeId": "vol-1", "desiredStatus": "EXITED", "costPerHr": 0.2,
    "ports": "80/http", "machine": {"gpuDisplayName": ")" +
         gpu + R"("}}})";
}

TEST(ProviderResponseTest, PodMutationsMapTheGpuWithOneLookup) {
  ProviderFixture f;
  f.transport->AnswerData(PodAnswer("podStop", "RTX 4090"));
  f.transport->AnswerData(
      R"({"gpuTypes": [{"id": "NVIDIA GeForce RTX 4090", "displayName": "RTX 4090"}]})");
  f.transport->AnswerData(PodAnswer("podStop", "RTX 4090"));
  absl::StatusOr<LivePod> first = f.provider->StopPod("pod-7");
  ASSERT_TRUE(first.ok()) << first.status();
  LivePod expected;
  expected.id = "pod-7";
  expected.status = PodStatus::kExited;
  expected.cost_per_hr = 0.2;
  expected.spec.name = "web";
  expected.spec.image = "nginx";
  expected.spec.gpu_type = "NVIDIA GeForce RTX 4090";
  expected.spec.gpu_count = 1;
  expected.spec.cloud_type = "";
  expected.spec.network_volume_id = "vol-1";
  expected.spec.mount_path = "/workspace";
  expected.spec.container_disk_gb = 20;
  expected.spec.ports = {"80/http"};
  expected.spec.env = {{"A", "1"}};
  expected.spec.running = false;
  EXPECT_EQ(*first, expected);
  // The second call finds the name in the cache.
  EXPECT_EQ(f.provider->StopPod("pod-7").value(), expected);
  EXPECT_EQ(f.transport->bodies().size(), 3u);
  EXPECT_EQ(f.transport->bodies()[1], ExpectedBody("GpuTypes", "{}"));
}

TEST(ProviderResponseTest, UnknownGpuNameIsLookedUpOnlyOnce) {
  ProviderFixture f;
  f.transport->AnswerData(PodAnswer("podResume", "Brand New GPU"));
  f.transport->AnswerData(R"({"gpuTypes": []})");
  f.transport->AnswerData(PodAnswer("podResume", "Brand New GPU"));
  EXPECT_EQ(f.provider->ResumePod("pod-7", 1)->spec.gpu_type, "Brand New GPU");
  EXPECT_EQ(f.provider->ResumePod("pod-7", 1)->spec.gpu_type, "Brand New GPU");
  EXPECT_EQ(f.transport->bodies().size(), 3u);
}

TEST(ProviderResponseTest, FailedGpuLookupDoesNotFailTheMutation) {
  ProviderFixture f;
  f.transport->AnswerData(PodAnswer("podFindAndDeployOnDemand", "RTX 4090"));
  f.transport->Answer(401, "");
  PodSpec spec;
  spec.name = "web";
  spec.image = "nginx";
  absl::StatusOr<LivePod> pod = f.provider->CreatePod(spec);
  ASSERT_TRUE(pod.ok()) << pod.status();
  // podform's catalog knows the name.
  EXPECT_EQ(pod->spec.gpu_type, "NVIDIA GeForce RTX 4090");
}

TEST(ProviderResponseTest, VoidMutationsAcceptNull) {
  ProviderFixture f;
  f.transport->AnswerData(R"({"deleteNetworkVolume": null})");
  f.transport->AnswerData(R"({"podTerminate": null})");
  EXPECT_TRUE(f.provider->DeleteVolume("vol-1").ok());
  EXPECT_TRUE(f.provider->TerminatePod("pod-1").ok());
}

TEST(WireTest, EnvAndPorts) {
  EXPECT_THAT(ParseEnvList({"A=1", "B==2", "C", "A=3"}),
              ElementsAre(Pair("A", "3"), Pair("B", "=2"), Pair("C", "")));
  EXPECT_THAT(ParsePorts(" 8888/http ,,22/tcp "),
              ElementsAre("8888/http", "22/tcp"));
  EXPECT_TRUE(ParsePorts("").empty());
}

}  // namespace
}  // namespace podform
