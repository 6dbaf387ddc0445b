// The sandbox answers the GraphQL documents RunPod's own clients send
// (runpodctl, runpod-python, the Pulumi provider): their shapes, written
// here in our own words, with the fields and arguments those clients use
// beyond what podform needs. Each one validates and answers exactly.

#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/sandbox/sandbox_test_util.h"

namespace podform::sandbox {
namespace {

using nlohmann::json;
using testing::Harness;

// A Secure Cloud A6000 pod in EU-RO-1 with one HTTP and one TCP port.
std::string DeployA6000(Harness& h) {
  return h.Data(R"(mutation { podFindAndDeployOnDemand(input: {name: "nb",
      imageName: "img", gpuTypeId: "NVIDIA RTX A6000", cloudType: SECURE,
      dataCenterId: "EU-RO-1", ports: "8888/http,22/tcp"}) { id } })")
      ["podFindAndDeployOnDemand"]["id"];
}

// runpodctl's pod list: machine { location } and an alias on runtime ports.
TEST(GraphqlClientsTest, PodListWithMachineLocationAndAliasedPortType) {
  Harness h;
  std::string id = DeployA6000(h);
  json pods = h.Data(R"(query myPods { myself { pods { id costPerHr
      desiredStatus gpuCount imageName name ports
      machine { gpuDisplayName location }
      runtime { ports { privatePort isIpPublic PortType: type } } } } })");
  EXPECT_EQ(pods, json::parse(R"({"myself": {"pods": [{"id": ")" + id +
                              R"(", "costPerHr": 0.49,
      "desiredStatus": "RUNNING", "gpuCount": 1, "imageName": "img",
      "name": "nb", "ports": "8888/http,22/tcp",
      "machine": {"gpuDisplayName": "RTX A6000", "location": "Romania"},
      "runtime": {"ports": [
        {"privatePort": 8888, "isIpPublic": false, "PortType": "http"},
        {"privatePort": 22, "isIpPublic": true, "PortType": "tcp"}]}}]}})"));
  // The rest of what the sandbox knows of the machine.
  json machine = h.Data(R"(query pod($id: String!) { pod(input: {podId: $id})
      { machine { gpuTypeId dataCenterId secureCloud } } })",
                        {{"id", id}});
  EXPECT_EQ(machine, json::parse(R"({"pod": {"machine": {
      "gpuTypeId": "NVIDIA RTX A6000", "dataCenterId": "EU-RO-1",
      "secureCloud": true}}})"));
}

// runpodctl's create: the whole input as one variable, with fields the
// sandbox accepts and does not model (deployCost, minCudaVersion,
// compliance, countryCode, stopAfter).
TEST(GraphqlClientsTest, CreatePodWithEveryInputRunpodctlSends) {
  Harness h;
  json input = {{"input",
                 {{"cloudType", "COMMUNITY"},
                  {"containerDiskInGb", 20},
                  {"deployCost", 0.34},
                  {"dockerArgs", ""},
                  {"env", json::array({{{"key", "A"}, {"value", "1"}}})},
                  {"gpuCount", 1},
                  {"gpuTypeId", "NVIDIA GeForce RTX 4090"},
                  {"imageName", "img"},
                  {"minMemoryInGb", 0},
                  {"minVcpuCount", 0},
                  {"name", "x"},
                  {"ports", "8888/http"},
                  {"supportPublicIp", true},
                  {"startSsh", true},
                  {"volumeInGb", 0},
                  {"minCudaVersion", "12.4"},
                  {"countryCode", "RO"},
                  {"compliance", json::array({"GDPR"})},
                  {"stopAfter", "2027-01-01T00:00:00Z"}}}};
  json pod = h.Data(R"(mutation createPod($input: PodFindAndDeployOnDemandInput!) {
      podFindAndDeployOnDemand(input: $input) { costPerHr desiredStatus
      containerDiskInGb env machine { gpuDisplayName } } })",
                    input);
  EXPECT_EQ(pod, json::parse(R"({"podFindAndDeployOnDemand": {
      "costPerHr": 0.34, "desiredStatus": "RUNNING", "containerDiskInGb": 20,
      "env": ["A=1"], "machine": {"gpuDisplayName": "RTX 4090"}}})"));
}

// The Pulumi provider declares every variable RunPod's input takes, with
// RunPod's scalar and input types (Port, DateTime, SavingsPlanInput), and
// sends the ones it has no value for as null.
TEST(GraphqlClientsTest, PulumiDeployWithNullsAndRunPodsScalars) {
  Harness h;
  const std::string deploy = R"(mutation DeployMutation($aiApiId: String,
      $cloudType: CloudTypeEnum, $containerDiskInGb: Int, $countryCode: String,
      $deployCost: Float, $dockerArgs: String, $env: [EnvironmentVariableInput],
      $gpuCount: Int, $gpuTypeId: String, $gpuTypeIdList: [String],
      $imageName: String, $minDisk: Int, $minDownload: Int,
      $minMemoryInGb: Int, $minUpload: Int, $minVcpuCount: Int,
      $name: String, $networkVolumeId: String, $port: Port, $ports: String,
      $startJupyter: Boolean, $startSsh: Boolean, $stopAfter: DateTime,
      $supportPublicIp: Boolean, $templateId: String,
      $terminateAfter: DateTime, $volumeInGb: Int, $volumeKey: String,
      $volumeMountPath: String, $dataCenterId: String,
      $savingsPlan: SavingsPlanInput, $cudaVersion: String) {
    podFindAndDeployOnDemand(input: {aiApiId: $aiApiId, cloudType: $cloudType,
        containerDiskInGb: $containerDiskInGb, countryCode: $countryCode,
        deployCost: $deployCost, dockerArgs: $dockerArgs, env: $env,
        gpuCount: $gpuCount, gpuTypeId: $gpuTypeId,
        gpuTypeIdList: $gpuTypeIdList, imageName: $imageName,
        minDisk: $minDisk, minDownload: $minDownload,
        minMemoryInGb: $minMemoryInGb, minUpload: $minUpload,
        minVcpuCount: $minVcpuCount, name: $name,
        networkVolumeId: $networkVolumeId, port: $port, ports: $ports,
        startJupyter: $startJupyter, startSsh: $startSsh,
        stopAfter: $stopAfter, supportPublicIp: $supportPublicIp,
        templateId: $templateId, terminateAfter: $terminateAfter,
        volumeInGb: $volumeInGb, volumeKey: $volumeKey,
        volumeMountPath: $volumeMountPath, dataCenterId: $dataCenterId,
        savingsPlan: $savingsPlan, cudaVersion: $cudaVersion}) {
      imageName containerDiskInGb gpuCount machine { gpuDisplayName } } })";
  json vars = {{"aiApiId", nullptr},      {"cloudType", "SECURE"},
               {"containerDiskInGb", 50}, {"countryCode", nullptr},
               {"deployCost", nullptr},   {"dockerArgs", ""},
               {"env", nullptr},          {"gpuCount", 2},
               {"gpuTypeId", "NVIDIA L40S"},
               {"gpuTypeIdList", nullptr},
               {"imageName", "runpod/pytorch"},
               {"minDisk", nullptr},      {"minDownload", nullptr},
               {"minMemoryInGb", 15},     {"minUpload", nullptr},
               {"minVcpuCount", 2},       {"name", "RunPod Pytorch"},
               {"networkVolumeId", nullptr},
               {"port", nullptr},         {"ports", "8888/http"},
               {"startJupyter", nullptr}, {"startSsh", nullptr},
               {"stopAfter", nullptr},    {"supportPublicIp", nullptr},
               {"templateId", nullptr},   {"terminateAfter", nullptr},
               {"volumeInGb", 50},        {"volumeKey", nullptr},
               {"volumeMountPath", "/workspace"},
               {"dataCenterId", nullptr}, {"savingsPlan", nullptr},
               {"cudaVersion", nullptr}};
  EXPECT_EQ(h.Data(deploy, vars), json::parse(R"({"podFindAndDeployOnDemand": {
      "imageName": "runpod/pytorch", "containerDiskInGb": 50, "gpuCount": 2,
      "machine": {"gpuDisplayName": "L40S"}}})"));

  // gpuTypeId null with a list: the first type of the list.
  vars["gpuTypeId"] = nullptr;
  vars["gpuTypeIdList"] = {"NVIDIA GeForce RTX 5090", "NVIDIA L4"};
  vars["gpuCount"] = 1;
  vars["port"] = "8888/http";
  vars["savingsPlan"] = {{"planLength", "ONE_MONTH"}, {"upfrontCost", 0}};
  vars["stopAfter"] = "2027-01-01T00:00:00Z";
  EXPECT_EQ(h.Data(deploy, vars)["podFindAndDeployOnDemand"]["machine"],
            json::parse(R"({"gpuDisplayName": "RTX 5090"})"));
}

// Pulumi's pod update sends port and containerRegistryAuthId.
TEST(GraphqlClientsTest, PulumiPodEditWithPortAndRegistryAuth) {
  Harness h;
  std::string id = DeployA6000(h);
  json edited = h.Data(R"(mutation UpdatePodMutation($podId: String!,
      $dockerArgs: String, $imageName: String!, $env: [EnvironmentVariableInput],
      $port: Port, $ports: String, $containerDiskInGb: Int!, $volumeInGb: Int,
      $volumeMountPath: String, $containerRegistryAuthId: String) {
    podEditJob(input: {podId: $podId, dockerArgs: $dockerArgs,
        imageName: $imageName, env: $env, port: $port, ports: $ports,
        containerDiskInGb: $containerDiskInGb, volumeInGb: $volumeInGb,
        volumeMountPath: $volumeMountPath,
        containerRegistryAuthId: $containerRegistryAuthId}) {
      imageName containerDiskInGb } })",
                       {{"podId", id},
                        {"dockerArgs", ""},
                        {"imageName", "img:2"},
                        {"env", nullptr},
                        {"port", nullptr},
                        {"ports", "8888/http"},
                        {"containerDiskInGb", 30},
                        {"volumeInGb", nullptr},
                        {"volumeMountPath", nullptr},
                        {"containerRegistryAuthId", nullptr}});
  EXPECT_EQ(edited, json::parse(R"({"podEditJob": {"imageName": "img:2",
      "containerDiskInGb": 30}})"));
}

// Pulumi's volume update reads the volume's data center as an object.
TEST(GraphqlClientsTest, VolumeAnswersItsDataCenter) {
  Harness h;
  std::string id = h.Data(R"(mutation NetworkVolumeCreate($name: String,
      $size: Int, $dataCenterId: String) { createNetworkVolume(input:
      {name: $name, size: $size, dataCenterId: $dataCenterId}) { id } })",
                          {{"name", "v"}, {"size", 20},
                           {"dataCenterId", "EU-RO-1"}})
                       ["createNetworkVolume"]["id"];
  json updated = h.Data(R"(mutation updateNetworkVolume($id: String!,
      $name: String, $size: Int) { updateNetworkVolume(input: {id: $id,
      name: $name, size: $size}) { name size dataCenterId
      dataCenter { id name location storageSupport } } })",
                        {{"id", id}, {"name", "w"}, {"size", 30}});
  EXPECT_EQ(updated, json::parse(R"({"updateNetworkVolume": {"name": "w",
      "size": 30, "dataCenterId": "EU-RO-1", "dataCenter": {"id": "EU-RO-1",
      "name": "EU-RO-1", "location": "Romania", "storageSupport": true}}})"));
  // Declared nullable as Pulumi declares it, the data center is still
  // required.
  testing::GqlResult r = h.Post(R"(mutation NetworkVolumeCreate($name: String,
      $size: Int, $dataCenterId: String) { createNetworkVolume(input:
      {name: $name, size: $size, dataCenterId: $dataCenterId}) { id } })",
                                {{"name", "v"}, {"size", 20},
                                 {"dataCenterId", nullptr}});
  EXPECT_EQ(r.body["data"], json::parse(R"({"createNetworkVolume": null})"));
  EXPECT_EQ(testing::OnlyError(r),
            testing::RunPodError("dataCenterId is required.",
                                 {"createNetworkVolume"}));
}

// runpodctl's cloud listing: lowestPrice with its whole input, the GPU's
// name and id; secureCloud picks the cloud priced.
TEST(GraphqlClientsTest, LowestPriceWithRunpodctlsInput) {
  Harness h;
  const std::string query = R"(query LowestPrice($input: GpuLowestPriceInput!) {
      gpuTypes(input: {id: "NVIDIA L4"}) { lowestPrice(input: $input) {
        gpuName gpuTypeId minimumBidPrice uninterruptablePrice minMemory
        minVcpu } } })";
  json input = {{"input",
                 {{"gpuCount", 2},
                  {"minMemoryInGb", 0},
                  {"minVcpuCount", 0},
                  {"secureCloud", true},
                  {"totalDisk", 40}}}};
  EXPECT_EQ(h.Data(query, input), json::parse(R"({"gpuTypes": [{"lowestPrice": {
      "gpuName": "L4", "gpuTypeId": "NVIDIA L4", "minimumBidPrice": 0.215,
      "uninterruptablePrice": 0.43, "minMemory": null, "minVcpu": null}}]})"));
  input["input"]["secureCloud"] = false;
  EXPECT_EQ(h.Data(query, input)["gpuTypes"][0]["lowestPrice"]
                                ["uninterruptablePrice"],
            0.28);
  input["input"]["secureCloud"] = nullptr;
  EXPECT_EQ(h.Data(query, input)["gpuTypes"][0]["lowestPrice"]
                                ["uninterruptablePrice"],
            0.28);
}

// runpodctl's data-center listing with each one's GPU stock.
TEST(GraphqlClientsTest, DataCentersWithGpuAvailability) {
  Harness h;
  {
    auto lock = h.service->store().Lock();
    Account& account = h.service->store().account();
    account.set_default_capacity(0);
    account.SetCapacity("EU-RO-1", "NVIDIA L4", 2);
    account.SetCapacity("EU-RO-1", "NVIDIA H200", 20);
  }
  json dcs = h.Data(R"(query { dataCenters { id name location
      gpuAvailability { gpuTypeId displayName stockStatus available } } })");
  ASSERT_EQ(dcs["dataCenters"].size(), 26u);
  EXPECT_EQ(dcs["dataCenters"][0], json::parse(R"({"id": "EU-RO-1",
      "name": "EU-RO-1", "location": "Romania", "gpuAvailability": [
      {"gpuTypeId": "NVIDIA H200", "displayName": "H200 SXM",
       "stockStatus": "High", "available": true},
      {"gpuTypeId": "NVIDIA L4", "displayName": "L4", "stockStatus": "Low",
       "available": true}]})"));
  EXPECT_EQ(dcs["dataCenters"][1]["gpuAvailability"], json::array());
  // gpuCount asks for that many free GPUs of a type.
  json three = h.Data(R"(query { dataCenters { gpuAvailability(input:
      {gpuCount: 3}) { gpuTypeId } } })");
  EXPECT_EQ(three["dataCenters"][0]["gpuAvailability"],
            json::parse(R"([{"gpuTypeId": "NVIDIA H200"}])"));
}

// runpodctl's serverless pools: each pool with the types in it.
TEST(GraphqlClientsTest, ServerlessGpuPools) {
  Harness h;
  json pools = h.Data("{ serverlessGpuPools { id gpuTypeIds } }");
  ASSERT_EQ(pools["serverlessGpuPools"].size(), 11u);
  json ada24;
  for (const json& pool : pools["serverlessGpuPools"]) {
    if (pool["id"] == "ADA_24") ada24 = pool;
  }
  EXPECT_EQ(ada24, json::parse(R"({"id": "ADA_24", "gpuTypeIds":
      ["NVIDIA GeForce RTX 4090", "NVIDIA L4"]})"));
}

// runpodctl's account read: notification settings the sandbox does not
// keep answer null.
TEST(GraphqlClientsTest, MyselfWithNotificationSettings) {
  Harness h;
  json me = h.Data(R"(query { myself { email clientBalance spendLimit
      notifyPodsStale notifyPodsGeneral notifyLowBalance } })");
  EXPECT_EQ(me["myself"]["email"], "sandbox@podform.invalid");
  EXPECT_EQ(me["myself"]["notifyPodsStale"], nullptr);
  EXPECT_EQ(me["myself"]["notifyPodsGeneral"], nullptr);
  EXPECT_EQ(me["myself"]["notifyLowBalance"], nullptr);
}

}  // namespace
}  // namespace podform::sandbox
