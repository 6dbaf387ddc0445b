// The exact request bodies GraphQLProvider sends for each Provider method.

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

constexpr char kPodJson[] = R"({
  "id": "pod-1", "name": "trainer", "imageName": "img:1", "dockerArgs": "",
  "env": [], "gpuCount": 1, "containerDiskInGb": 20, "volumeInGb": 0,
  "volumeMountPath": "/workspace", "networkVolumeId": null,
  "desiredStatus": "RUNNING", "costPerHr": 0.5, "ports": "",
  "machine": {"gpuDisplayName": "A100 PCIe"}})";

constexpr char kGpuTypesJson[] =
    R"({"gpuTypes": [{"id": "NVIDIA A100 80GB PCIe", "displayName": "A100 PCIe"}]})";

PodSpec TrainerSpec() {
  PodSpec spec;
  spec.name = "trainer";
  spec.image = "runpod/pytorch:2.4.0";
  spec.gpu_type = "NVIDIA A100 80GB PCIe";
  spec.gpu_count = 2;
  spec.cloud_type = "SECURE";
  spec.data_center = "EU-RO-1";
  spec.network_volume_id = "vol-123";
  spec.mount_path = "/models";
  spec.container_disk_gb = 50;
  spec.ports = {"8888/http", "22/tcp"};
  // Values that would break a document built by string concatenation.
  spec.env = {{"HF_HOME", "/workspace/hf"},
              {"QUOTE", "a\"b\\c\n$d {e}"},
              {"EQ", "x=y"}};
  spec.docker_args = "bash -c 'sleep infinity'";
  return spec;
}

TEST(ProviderRequestTest, Refresh) {
  ProviderFixture f;
  f.transport->AnswerData(
      R"({"myself": {"networkVolumes": [], "pods": []}, "gpuTypes": []})");
  ASSERT_TRUE(f.provider->Refresh().ok());
  EXPECT_THAT(f.transport->bodies(),
              ElementsAre(ExpectedBody("Refresh", "{}")));
}

TEST(ProviderRequestTest, CreateVolume) {
  ProviderFixture f;
  f.transport->AnswerData(
      R"({"createNetworkVolume": {"id": "v1", "name": "ml \"models\"",
          "size": 500, "dataCenterId": "EU-RO-1"}})");
  ASSERT_TRUE(f.provider->CreateVolume({"ml \"models\"", 500, "EU-RO-1"}).ok());
  EXPECT_THAT(f.transport->bodies(),
              ElementsAre(ExpectedBody(
                  "CreateNetworkVolume",
                  R"({"input": {"name": "ml \"models\"", "size": 500,
                                "dataCenterId": "EU-RO-1"}})")));
}

TEST(ProviderRequestTest, UpdateVolume) {
  ProviderFixture f;
  f.transport->AnswerData(
      R"({"updateNetworkVolume": {"id": "v1", "name": "models", "size": 800,
          "dataCenterId": "EU-RO-1"}})");
  ASSERT_TRUE(f.provider->UpdateVolume("v1", {"models", 800, "EU-RO-1"}).ok());
  EXPECT_THAT(
      f.transport->bodies(),
      ElementsAre(ExpectedBody(
          "UpdateNetworkVolume",
          R"({"input": {"id": "v1", "name": "models", "size": 800}})")));
}

TEST(ProviderRequestTest, DeleteVolume) {
  ProviderFixture f;
  f.transport->AnswerData(R"({"deleteNetworkVolume": null})");
  ASSERT_TRUE(f.provider->DeleteVolume("v1").ok());
  EXPECT_THAT(f.transport->bodies(),
              ElementsAre(ExpectedBody("DeleteNetworkVolume",
                                       R"({"input": {"id": "v1"}})")));
}

TEST(ProviderRequestTest, CreatePodWithNetworkVolume) {
  ProviderFixture f;
  f.transport->AnswerData(std::string(R"({"podFindAndDeployOnDemand": )") +
                          kPodJson + "}");
  f.transport->AnswerData(kGpuTypesJson);
  ASSERT_TRUE(f.provider->CreatePod(TrainerSpec()).ok());
  EXPECT_THAT(
      f.transport->bodies(),
      ElementsAre(ExpectedBody("PodFindAndDeployOnDemand", R"({"input": {
        "name": "trainer", "imageName": "runpod/pytorch:2.4.0",
        "gpuTypeId": "NVIDIA A100 80GB PCIe", "gpuCount": 2,
        "cloudType": "SECURE", "dataCenterId": "EU-RO-1",
        "networkVolumeId": "vol-123", "volumeMountPath": "/models",
        "volumeInGb": 0, "containerDiskInGb": 50,
        "env": [{"key": "EQ", "value": "x=y"},
                {"key": "HF_HOME", "value": "/workspace/hf"},
                {"key": "QUOTE", "value": "a\"b\\c\n$d {e}"}],
        "ports": "8888/http,22/tcp",
        "dockerArgs": "bash -c 'sleep infinity'"}})"),
                  // The pod's GPU display name was not known yet.
                  ExpectedBody("GpuTypes", "{}")));
}

TEST(ProviderRequestTest, CreatePodWithoutVolumeOrDataCenter) {
  ProviderFixture f;
  f.transport->AnswerData(std::string(R"({"podFindAndDeployOnDemand": )") +
                          kPodJson + "}");
  f.transport->AnswerData(kGpuTypesJson);
  PodSpec spec;
  spec.name = "cpu-box";
  spec.image = "ubuntu:24.04";
  spec.gpu_type = "";
  spec.gpu_count = 0;
  spec.cloud_type = "COMMUNITY";
  ASSERT_TRUE(f.provider->CreatePod(spec).ok());
  EXPECT_EQ(f.transport->bodies().at(0),
            ExpectedBody("PodFindAndDeployOnDemand", R"({"input": {
              "name": "cpu-box", "imageName": "ubuntu:24.04", "gpuCount": 0,
              "cloudType": "COMMUNITY", "volumeInGb": 0,
              "containerDiskInGb": 20, "env": [], "ports": "",
              "dockerArgs": ""}})"));
}

TEST(ProviderRequestTest, EditPod) {
  ProviderFixture f;
  f.transport->AnswerData(std::string(R"({"podEditJob": )") + kPodJson + "}");
  f.transport->AnswerData(kGpuTypesJson);
  ASSERT_TRUE(f.provider->EditPod("pod-1", TrainerSpec()).ok());
  EXPECT_EQ(f.transport->bodies().at(0),
            ExpectedBody("PodEditJob", R"({"input": {
              "podId": "pod-1", "imageName": "runpod/pytorch:2.4.0",
              "containerDiskInGb": 50,
              "dockerArgs": "bash -c 'sleep infinity'",
              "env": [{"key": "EQ", "value": "x=y"},
                      {"key": "HF_HOME", "value": "/workspace/hf"},
                      {"key": "QUOTE", "value": "a\"b\\c\n$d {e}"}],
              "ports": "8888/http,22/tcp", "volumeMountPath": "/models"}})"));

  // Without a network volume the mount path is not sent.
  PodSpec plain = TrainerSpec();
  plain.network_volume_id.clear();
  f.transport->AnswerData(std::string(R"({"podEditJob": )") + kPodJson + "}");
  ASSERT_TRUE(f.provider->EditPod("pod-1", plain).ok());
  EXPECT_EQ(
      nlohmann::json::parse(f.transport->bodies().at(2))["variables"]["input"]
          .contains("volumeMountPath"),
      false);
}

TEST(ProviderRequestTest, StopResumeTerminate) {
  ProviderFixture f;
  f.transport->AnswerData(
      R"({"myself": {"networkVolumes": [], "pods": []},
          "gpuTypes": [{"id": "NVIDIA A100 80GB PCIe",
                        "displayName": "A100 PCIe"}]})");
  ASSERT_TRUE(f.provider->Refresh().ok());
  f.transport->AnswerData(std::string(R"({"podStop": )") + kPodJson + "}");
  f.transport->AnswerData(std::string(R"({"podResume": )") + kPodJson + "}");
  f.transport->AnswerData(R"({"podTerminate": null})");
  ASSERT_TRUE(f.provider->StopPod("pod-1").ok());
  ASSERT_TRUE(f.provider->ResumePod("pod-1", 3).ok());
  ASSERT_TRUE(f.provider->TerminatePod("pod-1").ok());
  // After a Refresh the GPU names are known: one request per call.
  EXPECT_THAT(
      f.transport->bodies(),
      ElementsAre(
          ExpectedBody("Refresh", "{}"),
          ExpectedBody("PodStop", R"({"input": {"podId": "pod-1"}})"),
          ExpectedBody("PodResume",
                       R"({"input": {"podId": "pod-1", "gpuCount": 3}})"),
          ExpectedBody("PodTerminate", R"({"input": {"podId": "pod-1"}})")));
}

TEST(ProviderRequestTest, InvalidInputIsRefusedBeforeSending) {
  ProviderFixture f;
  PodSpec spec = TrainerSpec();
  spec.cloud_type = "ON_DEMAND";
  EXPECT_EQ(f.provider->CreatePod(spec).status(),
            absl::InvalidArgumentError(
                "podFindAndDeployOnDemand: cloud type \"ON_DEMAND\" is not "
                "SECURE, COMMUNITY or ALL"));
  spec = TrainerSpec();
  spec.env["BAD"] = "\xff\xfe";
  EXPECT_EQ(f.provider->CreatePod(spec).status(),
            absl::InvalidArgumentError(
                "podFindAndDeployOnDemand: the request contains text that is "
                "not valid UTF-8"));
  EXPECT_TRUE(f.transport->bodies().empty());
}

// The legacy API has no serverless endpoints: Provider's defaults answer,
// and nothing is sent.
TEST(ProviderRequestTest, EndpointsAreManagedOverRestOnly) {
  ProviderFixture f;
  const absl::Status rest_only = absl::UnimplementedError(
      "serverless endpoints are managed over REST API v2 only");
  EndpointSpec spec;
  spec.name = "embed";
  spec.image = "img:1";
  spec.gpu_pools = {"ADA_24"};
  EXPECT_EQ(f.provider->CreateEndpoint(spec).status(), rest_only);
  EXPECT_EQ(f.provider->UpdateEndpoint("ep1", spec).status(), rest_only);
  EXPECT_EQ(f.provider->DeleteEndpoint("ep1"), rest_only);
  EXPECT_TRUE(f.transport->bodies().empty());
}

TEST(ProviderRequestTest, MakeGraphQLProviderNeedsATransport) {
  EXPECT_EQ(MakeGraphQLProvider(nullptr).status(),
            absl::InvalidArgumentError("MakeGraphQLProvider: no transport"));
}

}  // namespace
}  // namespace podform
