// schema/runpod.graphql against runpod-api.md, and the documents RunPod's
// clients send.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/graphql/executor.h"
#include "reconciler/graphql/schema.h"
#include "reconciler/util/embedded.h"

namespace podform::graphql {
namespace {

using nlohmann::json;

// Every object type of runpod-api.md with every field it names, and those
// RunPod's own clients select (runpodctl, runpod-python, the Pulumi
// provider; docs/SANDBOX.md), with the field's type as the schema declares
// it.
const std::map<std::string, std::map<std::string, std::string>>& OutputTypes() {
  static const auto* const types =
      new std::map<std::string, std::map<std::string, std::string>>{
          {"Query",
           {{"myself", "User"},
            {"pod", "Pod"},
            {"dataCenters", "[DataCenter]"},
            {"gpuTypes", "[GpuType]"},
            {"serverlessGpuPools", "[ServerlessGpuPool]"}}},
          {"Mutation",
           {{"createNetworkVolume", "NetworkVolume"},
            {"updateNetworkVolume", "NetworkVolume"},
            {"deleteNetworkVolume", "Void"},
            {"podFindAndDeployOnDemand", "Pod"},
            {"podEditJob", "Pod"},
            {"podStop", "Pod"},
            {"podResume", "Pod"},
            {"podTerminate", "Void"},
            {"saveEndpoint", "Endpoint"},
            {"deleteEndpoint", "Void"}}},
          {"User",
           {{"id", "String"},
            {"pubKey", "String"},
            {"email", "String"},
            {"clientBalance", "Float"},
            {"currentSpendPerHr", "Float"},
            {"spendLimit", "Int"},
            {"notifyPodsStale", "Boolean"},
            {"notifyPodsGeneral", "Boolean"},
            {"notifyLowBalance", "Boolean"},
            {"networkVolumes", "[NetworkVolume]"},
            {"pods", "[Pod]"},
            {"endpoints", "[Endpoint]"}}},
          {"NetworkVolume",
           {{"id", "String"},
            {"name", "String"},
            {"size", "Int"},
            {"dataCenterId", "String"},
            {"storageType", "String"},
            {"storageClusterId", "String"},
            {"dataCenter", "DataCenter"}}},
          {"Pod",
           {{"id", "String"},
            {"name", "String"},
            {"imageName", "String"},
            {"dockerArgs", "String"},
            {"dockerId", "String"},
            {"env", "[String]"},
            {"gpuCount", "Int"},
            {"vcpuCount", "Int"},
            {"memoryInGb", "Int"},
            {"containerDiskInGb", "Int"},
            {"volumeInGb", "Int"},
            {"volumeMountPath", "String"},
            {"networkVolumeId", "String"},
            {"desiredStatus", "PodStatus"},
            {"costPerHr", "Float"},
            {"lastStatusChange", "String"},
            {"uptimeSeconds", "Int"},
            {"machineId", "String"},
            {"podType", "String"},
            {"port", "Int"},
            {"ports", "String"},
            {"templateId", "String"},
            {"containerRegistryAuthId", "String"},
            {"runtime", "PodRuntime"},
            {"machine", "PodMachine"}}},
          {"PodRuntime",
           {{"uptimeInSeconds", "Int"},
            {"ports", "[PodRuntimePort]"},
            {"gpus", "[PodRuntimeGpu]"},
            {"container", "PodRuntimeContainer"}}},
          {"PodRuntimePort",
           {{"ip", "String"},
            {"isIpPublic", "Boolean"},
            {"privatePort", "Int"},
            {"publicPort", "Int"},
            {"type", "String"}}},
          {"PodRuntimeGpu",
           {{"id", "String"},
            {"gpuUtilPercent", "Float"},
            {"memoryUtilPercent", "Float"}}},
          {"PodRuntimeContainer",
           {{"cpuPercent", "Float"}, {"memoryPercent", "Float"}}},
          {"PodMachine",
           {{"gpuDisplayName", "String"},
            {"gpuTypeId", "String"},
            {"podHostId", "String"},
            {"location", "String"},
            {"dataCenterId", "String"},
            {"secureCloud", "Boolean"}}},
          {"DataCenter",
           {{"id", "String"},
            {"name", "String"},
            {"location", "String"},
            {"storageSupport", "Boolean"},
            {"gpuAvailability", "[GpuAvailability]"}}},
          {"GpuAvailability",
           {{"available", "Boolean"},
            {"stockStatus", "String"},
            {"gpuTypeId", "String"},
            {"gpuTypeDisplayName", "String"},
            {"displayName", "String"},
            {"id", "String"}}},
          {"ServerlessGpuPool",
           {{"id", "String"}, {"gpuTypeIds", "[String]"}}},
          {"Endpoint",
           {{"id", "String"},
            {"name", "String"},
            {"templateId", "String"},
            {"gpuIds", "String"},
            {"gpuCount", "Int"},
            {"instanceIds", "[String]"},
            {"computeType", "String"},
            {"type", "String"},
            {"idleTimeout", "Int"},
            {"locations", "String"},
            {"networkVolumeId", "String"},
            {"networkVolumeIds", "[EndpointNetworkVolume]"},
            {"networkVolume", "NetworkVolume"},
            {"scalerType", "String"},
            {"scalerValue", "Int"},
            {"workersMin", "Int"},
            {"workersMax", "Int"},
            {"workersStandby", "Int"},
            {"executionTimeoutMs", "Int"},
            {"minCudaVersion", "String"},
            {"allowedCudaVersions", "String"},
            {"flashBootType", "FlashBootType"},
            {"modelReferences", "[String]"},
            {"env", "[EnvironmentVariable]"},
            {"userId", "String"},
            {"version", "Int"},
            {"aiKey", "String"},
            {"createdAt", "String"}}},
          {"EndpointNetworkVolume",
           {{"networkVolumeId", "String"}, {"dataCenterId", "String"}}},
          {"EnvironmentVariable", {{"key", "String"}, {"value", "String"}}},
          {"GpuType",
           {{"id", "String"},
            {"displayName", "String"},
            {"manufacturer", "String"},
            {"memoryInGb", "Int"},
            {"cudaCores", "Int"},
            {"secureCloud", "Boolean"},
            {"communityCloud", "Boolean"},
            {"securePrice", "Float"},
            {"communityPrice", "Float"},
            {"secureSpotPrice", "Float"},
            {"communitySpotPrice", "Float"},
            {"oneMonthPrice", "Float"},
            {"threeMonthPrice", "Float"},
            {"oneWeekPrice", "Float"},
            {"maxGpuCount", "Int"},
            {"lowestPrice", "LowestPrice"}}},
          {"LowestPrice",
           {{"gpuName", "String"},
            {"gpuTypeId", "String"},
            {"minimumBidPrice", "Float"},
            {"uninterruptablePrice", "Float"},
            {"minMemory", "Int"},
            {"minVcpu", "Int"},
            {"stockStatus", "String"},
            {"countryCode", "String"}}},
      };
  return *types;
}

// Every input type of runpod-api.md with every input field it names.
const std::map<std::string, std::map<std::string, std::string>>& InputTypes() {
  static const auto* const types =
      new std::map<std::string, std::map<std::string, std::string>>{
          {"PodFilter", {{"podId", "String!"}}},
          {"GpuTypeFilter", {{"id", "String"}}},
          {"GpuLowestPriceInput", {{"gpuCount", "Int"}}},
          {"CreateNetworkVolumeInput",
           {{"name", "String"}, {"size", "Int"}, {"dataCenterId", "String"}}},
          {"UpdateNetworkVolumeInput",
           {{"id", "String!"}, {"name", "String"}, {"size", "Int"}}},
          {"DeleteNetworkVolumeInput", {{"id", "String!"}}},
          {"EnvironmentVariableInput",
           {{"key", "String!"}, {"value", "String!"}}},
          {"PodFindAndDeployOnDemandInput",
           {{"name", "String"},
            {"imageName", "String"},
            {"gpuTypeId", "String"},
            {"gpuCount", "Int"},
            {"cloudType", "CloudTypeEnum"},
            {"dataCenterId", "String"},
            {"networkVolumeId", "String"},
            {"volumeMountPath", "String"},
            {"volumeInGb", "Int"},
            {"containerDiskInGb", "Int"},
            {"env", "[EnvironmentVariableInput]"},
            {"ports", "String"},
            {"dockerArgs", "String"},
            {"startSsh", "Boolean"},
            {"startJupyter", "Boolean"},
            {"supportPublicIp", "Boolean"},
            {"minVcpuCount", "Int"},
            {"minMemoryInGb", "Int"},
            {"templateId", "String"},
            {"allowedCudaVersions", "[String]"},
            {"countryCode", "String"}}},
          {"PodEditJobInput",
           {{"podId", "String!"},
            {"imageName", "String!"},
            {"containerDiskInGb", "Int!"},
            {"dockerArgs", "String"},
            {"env", "[EnvironmentVariableInput]"},
            {"ports", "String"},
            {"volumeInGb", "Int"},
            {"volumeMountPath", "String"}}},
          {"PodStopInput", {{"podId", "String!"}}},
          {"PodResumeInput", {{"podId", "String!"}, {"gpuCount", "Int"}}},
          {"PodTerminateInput", {{"podId", "String!"}}},
      };
  return *types;
}

TEST(RunPodSchemaTest, EmbeddedFileParses) {
  ASSERT_FALSE(EmbeddedFile("schema/runpod.graphql").empty());
  absl::StatusOr<Schema> parsed =
      Schema::Parse(EmbeddedFile("schema/runpod.graphql"));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const Schema& s = Schema::RunPod();
  EXPECT_EQ(&s, &Schema::RunPod());
  EXPECT_EQ(s.query_type()->name, "Query");
  EXPECT_EQ(s.mutation_type()->name, "Mutation");
}

TEST(RunPodSchemaTest, DeclaresEveryTypeAndFieldOfTheApi) {
  const Schema& s = Schema::RunPod();
  for (const auto& [type_name, fields] : OutputTypes()) {
    const TypeDef* type = s.FindType(type_name);
    ASSERT_NE(type, nullptr) << type_name;
    EXPECT_EQ(type->kind, TypeKind::kObject) << type_name;
    for (const auto& [field_name, field_type] : fields) {
      const Field* field = type->FindField(field_name);
      ASSERT_NE(field, nullptr) << type_name << "." << field_name;
      EXPECT_EQ(field->type.ToString(), field_type)
          << type_name << "." << field_name;
    }
    // ...and nothing the API does not have.
    EXPECT_EQ(type->fields.size(), fields.size()) << type_name;
  }
  for (const auto& [type_name, fields] : InputTypes()) {
    const TypeDef* type = s.FindType(type_name);
    ASSERT_NE(type, nullptr) << type_name;
    EXPECT_EQ(type->kind, TypeKind::kInputObject) << type_name;
    for (const auto& [field_name, field_type] : fields) {
      const InputValue* field = type->FindInputField(field_name);
      ASSERT_NE(field, nullptr) << type_name << "." << field_name;
      EXPECT_EQ(field->type.ToString(), field_type)
          << type_name << "." << field_name;
    }
  }
  // Inputs may carry a few more nullable fields RunPod accepts.
  EXPECT_EQ(s.FindType("PodEditJobInput")->input_fields.size(), 10u);
  EXPECT_EQ(
      s.FindType("PodStatus")->enum_values,
      (std::vector<std::string>{"CREATED", "RUNNING", "RESTARTING", "EXITED",
                                "PAUSED", "DEAD", "TERMINATED"}));
  EXPECT_EQ(s.FindType("CloudTypeEnum")->enum_values,
            (std::vector<std::string>{"SECURE", "COMMUNITY", "ALL"}));
  EXPECT_EQ(s.FindType("Void")->kind, TypeKind::kScalar);
  const std::map<std::string, std::string> arguments = {
      {"Query.pod", "PodFilter"},
      {"Query.gpuTypes", "GpuTypeFilter"},
      {"GpuType.lowestPrice", "GpuLowestPriceInput"},
      {"Mutation.createNetworkVolume", "CreateNetworkVolumeInput!"},
      {"Mutation.updateNetworkVolume", "UpdateNetworkVolumeInput!"},
      {"Mutation.deleteNetworkVolume", "DeleteNetworkVolumeInput!"},
      {"Mutation.podFindAndDeployOnDemand", "PodFindAndDeployOnDemandInput"},
      {"Mutation.podEditJob", "PodEditJobInput!"},
      {"Mutation.podStop", "PodStopInput!"},
      {"Mutation.podResume", "PodResumeInput!"},
      {"Mutation.podTerminate", "PodTerminateInput!"},
  };
  for (const auto& [field, type] : arguments) {
    const size_t dot = field.find('.');
    const Field* f =
        s.FindType(field.substr(0, dot))->FindField(field.substr(dot + 1));
    ASSERT_NE(f, nullptr) << field;
    ASSERT_EQ(f->arguments.size(), 1u) << field;
    EXPECT_EQ(f->arguments[0].name, "input") << field;
    EXPECT_EQ(f->arguments[0].type.ToString(), type) << field;
  }
}

// The documents runpod-api.md shows RunPod's clients sending all validate.
TEST(RunPodSchemaTest, DocumentsOfTheApiValidate) {
  const char* documents[] = {
      "query { myself { networkVolumes { id name size dataCenterId } } }",
      "query { myself { pods { id name imageName gpuCount desiredStatus "
      "costPerHr "
      "networkVolumeId volumeMountPath containerDiskInGb volumeInGb env ports "
      "machine { gpuDisplayName } } } }",
      "query Pod { pod(input: {podId: \"abc\"}) { id name imageName dockerArgs "
      "dockerId env gpuCount vcpuCount memoryInGb containerDiskInGb volumeInGb "
      "volumeMountPath networkVolumeId desiredStatus costPerHr "
      "lastStatusChange "
      "uptimeSeconds machineId podType port ports templateId "
      "containerRegistryAuthId runtime { uptimeInSeconds ports { ip isIpPublic "
      "privatePort publicPort type } gpus { id gpuUtilPercent "
      "memoryUtilPercent } "
      "container { cpuPercent memoryPercent } } machine { gpuDisplayName "
      "podHostId } } }",
      "query { myself { id pubKey email clientBalance currentSpendPerHr "
      "spendLimit } }",
      "query GpuTypes { gpuTypes(input: {id: \"NVIDIA RTX A6000\"}) { id "
      "displayName "
      "manufacturer memoryInGb cudaCores secureCloud communityCloud "
      "securePrice "
      "communityPrice secureSpotPrice communitySpotPrice oneMonthPrice "
      "threeMonthPrice oneWeekPrice maxGpuCount lowestPrice(input: {gpuCount: "
      "1}) "
      "{ minimumBidPrice uninterruptablePrice } } }",
      "query { dataCenters { id name location storageSupport } }",
      "query { gpuTypes { id displayName memoryInGb secureCloud communityCloud "
      "securePrice } }",
      "mutation { updateNetworkVolume(input: {id: \"v\", name: \"n\", size: "
      "20}) { id size } }",
      "mutation { deleteNetworkVolume(input: {id: \"v\"}) }",
      "mutation { podTerminate(input: {podId: \"p\"}) }",
      "mutation { podStop(input: {podId: \"p\"}) { id desiredStatus } }",
      "mutation { podResume(input: {podId: \"p\", gpuCount: 1}) { id "
      "desiredStatus } }",
      "mutation { podEditJob(input: {podId: \"p\", imageName: \"i\", "
      "containerDiskInGb: 20, "
      "env: [{key: \"A\", value: \"B\"}], ports: \"22/tcp\", dockerArgs: \"\", "
      "volumeInGb: 0, "
      "volumeMountPath: \"/workspace\"}) { id imageName } }",
  };
  for (const char* doc : documents) {
    EXPECT_TRUE(ValidateDocument(Schema::RunPod(), doc).ok())
        << doc << "\n"
        << ValidateDocument(Schema::RunPod(), doc);
  }
  EXPECT_EQ(
      ValidateDocument(
          Schema::RunPod(),
          "mutation { deleteNetworkVolume(input: {id: \"v\"}) { id } }")
          .message(),
      "1:50: Field \"deleteNetworkVolume\" must not have a selection since "
      "type \"Void\" has no subfields.");
  EXPECT_EQ(
      ValidateDocument(Schema::RunPod(),
                       "mutation { podStop(input: {id: \"p\"}) { id } }")
          .message(),
      "1:27: Field \"PodStopInput.podId\" of required type \"String!\" was "
      "not provided.\n"
      "1:28: Field \"id\" is not defined by type \"PodStopInput\".");
  EXPECT_EQ(
      ValidateDocument(Schema::RunPod(),
                       "mutation { podFindAndDeployOnDemand(input: {cloudType: "
                       "PRIVATE}) { id } }")
          .message(),
      "1:56: Value \"PRIVATE\" does not exist in \"CloudTypeEnum\" enum.");
}

// runpod-python builds its mutations with inline literals.
TEST(RunPodClientsTest, RunpodPythonInlineStyle) {
  Executor exec(Schema::RunPod());
  json seen;
  exec.SetResolver("Mutation.podFindAndDeployOnDemand",
                   [&](const ResolveInfo& info) {
                     seen = info.args;
                     return absl::StatusOr<json>(json::parse(R"({
      "id": "abc123xyz", "imageName": "runpod/pytorch", "env": ["A=b"],
      "machineId": "m-1", "machine": {"podHostId": "abc123xyz-64410f", "gpuDisplayName": "A6000"},
      "desiredStatus": "RUNNING", "costPerHr": 0.79})"));
                   });
  ExecutionResult r = exec.Execute(
      R"(mutation { podFindAndDeployOnDemand(input: { name: "x", imageName: "runpod/pytorch", cloudType: SECURE, gpuTypeId: "NVIDIA RTX A6000", gpuCount: 1, dataCenterId: null, env: [{ key: "A", value: "b" }], startSsh: true }) { id imageName env machineId machine { podHostId } } })",
      nullptr, "", nullptr);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(
      r.body.dump(),
      R"({"data":{"podFindAndDeployOnDemand":{"id":"abc123xyz","imageName":"runpod/pytorch",)"
      R"("env":["A=b"],"machineId":"m-1","machine":{"podHostId":"abc123xyz-64410f"}}}})");
  EXPECT_EQ(
      seen.dump(),
      R"({"input":{"cloudType":"SECURE","dataCenterId":null,"env":[{"key":"A","value":"b"}],)"
      R"("gpuCount":1,"gpuTypeId":"NVIDIA RTX A6000","imageName":"runpod/pytorch",)"
      R"("name":"x","startSsh":true}})");

  // The multi-line form runpod-python's generator emits.
  r = exec.Execute(R"(
      mutation {
        podFindAndDeployOnDemand(
          input: {
            name: "trainer"
            imageName: "runpod/pytorch:2.1.0"
            gpuTypeId: "NVIDIA GeForce RTX 4090"
            cloudType: SECURE
            startSsh: true
            supportPublicIp: true
            gpuCount: 1
            volumeInGb: 0
            containerDiskInGb: 20
            minVcpuCount: 2
            minMemoryInGb: 15
            dockerArgs: ""
            ports: "8888/http,22/tcp"
            volumeMountPath: "/workspace"
            networkVolumeId: "vol1"
            allowedCudaVersions: ["12.1", "12.2"]
            env: [{ key: "HF_HOME", value: "/workspace/hf" }, { key: "EMPTY", value: "" }]
          }
        ) {
          id
          desiredStatus
          imageName
          env
          machineId
          machine {
            podHostId
          }
        }
      })",
                   nullptr, "", nullptr);
  EXPECT_EQ(
      r.body.dump(),
      R"({"data":{"podFindAndDeployOnDemand":{"id":"abc123xyz","desiredStatus":"RUNNING",)"
      R"("imageName":"runpod/pytorch","env":["A=b"],"machineId":"m-1",)"
      R"("machine":{"podHostId":"abc123xyz-64410f"}}}})");
  EXPECT_EQ(
      seen["input"]["env"].dump(),
      R"([{"key":"HF_HOME","value":"/workspace/hf"},{"key":"EMPTY","value":""}])");
  EXPECT_EQ(seen["input"]["allowedCudaVersions"].dump(), R"(["12.1","12.2"])");
  EXPECT_EQ(seen["input"]["volumeInGb"], 0);
}

// The Pulumi provider sends named operations with variables.
TEST(RunPodClientsTest, PulumiNamedOperationWithVariables) {
  Executor exec(Schema::RunPod());
  json seen;
  exec.SetResolver("Mutation.createNetworkVolume",
                   [&](const ResolveInfo& info) {
                     seen = info.args;
                     json volume = info.args["input"];
                     volume["id"] = "agv6w2qcg7";
                     volume["storageType"] = "NETWORK";
                     return absl::StatusOr<json>(volume);
                   });
  ExecutionResult r = exec.ExecuteBody(
      R"({"query": "mutation CreateNetworkVolume($input: CreateNetworkVolumeInput!) { createNetworkVolume(input: $input) { id name size dataCenterId } }",)"
      R"( "variables": {"input": {"name": "models", "size": 50, "dataCenterId": "EU-RO-1"}},)"
      R"( "operationName": "CreateNetworkVolume"})",
      nullptr);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(
      r.body.dump(),
      R"({"data":{"createNetworkVolume":{"id":"agv6w2qcg7","name":"models","size":50,)"
      R"("dataCenterId":"EU-RO-1"}}})");
  EXPECT_EQ(
      seen.dump(),
      R"({"input":{"dataCenterId":"EU-RO-1","name":"models","size":50}})");

  // A missing required input field is the client's error, before anything
  // runs (dataCenterId is nullable, as the Pulumi provider declares it; the
  // sandbox's resolver requires it).
  seen = nullptr;
  r = exec.ExecuteBody(
      R"({"query": "mutation UpdateNetworkVolume($input: UpdateNetworkVolumeInput!) { updateNetworkVolume(input: $input) { id } }",)"
      R"( "variables": {"input": {"name": "models", "size": "50"}}})",
      nullptr);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(
      r.body.dump(),
      R"({"errors":[{"message":"Variable \"$input\" got invalid value { name: \"models\", size: \"50\" }; )"
      R"(Field \"id\" of required type \"String!\" was not provided.",)"
      R"("locations":[{"line":1,"column":30}],"extensions":{"code":"BAD_USER_INPUT"}},)"
      R"({"message":"Variable \"$input\" got invalid value \"50\" at \"input.size\"; )"
      R"(Int cannot represent non-integer value: \"50\"","locations":[{"line":1,"column":30}],)"
      R"("extensions":{"code":"BAD_USER_INPUT"}}]})");
  EXPECT_TRUE(seen.is_null());
}

TEST(RunPodClientsTest, ResolverErrorsComeBackAsRunPodSendsThem) {
  Executor exec(Schema::RunPod());
  exec.SetResolver("Mutation.deleteNetworkVolume", [](const ResolveInfo&) {
    return absl::StatusOr<json>(ResolverError(
        "You must remove this network volume from all pods before deleting it.",
        "RUNPOD"));
  });
  ExecutionResult r = exec.ExecuteBody(
      R"({"query": "mutation { deleteNetworkVolume(input: {id: \"v1\"}) }"})",
      nullptr);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(
      r.body.dump(),
      R"({"errors":[{"message":"You must remove this network volume from all pods )"
      R"(before deleting it.","locations":[{"line":1,"column":12}],)"
      R"("path":["deleteNetworkVolume"],"extensions":{"code":"RUNPOD"}}],)"
      R"("data":{"deleteNetworkVolume":null}})");
}

TEST(RunPodClientsTest, GpuTypesWithLowestPriceArguments) {
  Executor exec(Schema::RunPod());
  std::vector<std::string> calls;
  exec.SetResolver("Query.gpuTypes", [](const ResolveInfo& info) {
    json all = json::parse(
        R"([{"id": "NVIDIA RTX A6000", "displayName": "RTX A6000", "memoryInGb": 48},
                                {"id": "NVIDIA L40S", "displayName": "L40S", "memoryInGb": 48}])");
    if (!info.args.contains("input")) return absl::StatusOr<json>(all);
    json out = json::array();
    for (const json& g : all) {
      if (g["id"] == info.args["input"]["id"]) out.push_back(g);
    }
    return absl::StatusOr<json>(out);
  });
  exec.SetResolver("GpuType.lowestPrice", [&](const ResolveInfo& info) {
    calls.push_back(info.parent["id"].get<std::string>() + "/" +
                    info.args.dump());
    return absl::StatusOr<json>(
        json{{"minimumBidPrice", 0.25},
             {"uninterruptablePrice",
              0.5 * info.args["input"]["gpuCount"].get<int>()}});
  });
  ExecutionResult r = exec.Execute(
      "query ($n: Int) { gpuTypes { id lowestPrice(input: {gpuCount: $n}) { "
      "uninterruptablePrice } } "
      "one: gpuTypes(input: {id: \"NVIDIA L40S\"}) { displayName } }",
      {{"n", 2}}, "", nullptr);
  EXPECT_EQ(
      r.body.dump(),
      R"({"data":{"gpuTypes":[{"id":"NVIDIA RTX A6000","lowestPrice":{"uninterruptablePrice":1.0}},)"
      R"({"id":"NVIDIA L40S","lowestPrice":{"uninterruptablePrice":1.0}}],)"
      R"("one":[{"displayName":"L40S"}]}})");
  EXPECT_EQ(calls, (std::vector<std::string>{
                       R"(NVIDIA RTX A6000/{"input":{"gpuCount":2}})",
                       R"(NVIDIA L40S/{"input":{"gpuCount":2}})"}));
}

// The sandbox serves lists of this size; every pod is projected without
// copying the account.
TEST(RunPodClientsTest, ListsTenThousandPods) {
  const json pod = json::parse(R"({
      "name": "p", "imageName": "runpod/pytorch", "gpuCount": 1,
      "desiredStatus": "RUNNING", "costPerHr": 0.79, "env": ["A=b", "C=d"],
      "containerDiskInGb": 20, "volumeInGb": 0, "networkVolumeId": null,
      "volumeMountPath": "/workspace", "ports": "22/tcp",
      "machine": {"gpuDisplayName": "RTX 4090", "podHostId": "h"},
      "runtime": {"uptimeInSeconds": 5, "ports": [{"ip": "1.2.3.4", "isIpPublic": true,
                  "privatePort": 22, "publicPort": 40022, "type": "tcp"}]}})");
  json pods = json::array();
  for (int i = 0; i < 10000; ++i) {
    pods.push_back(pod);
    pods.back()["id"] = "pod" + std::to_string(i);
  }
  const json account = {{"id", "user1"}, {"pods", std::move(pods)}};
  Executor exec(Schema::RunPod());
  exec.SetResolver("Query.myself", [&](const ResolveInfo&) {
    return absl::StatusOr<json>(account);
  });
  const auto start = std::chrono::steady_clock::now();
  ExecutionResult r = exec.Execute(
      "query { myself { pods { id name imageName gpuCount desiredStatus "
      "costPerHr "
      "networkVolumeId volumeMountPath containerDiskInGb volumeInGb env ports "
      "machine { gpuDisplayName } runtime { ports { publicPort } } } } }",
      nullptr, "", nullptr);
  const std::string text = r.body.dump();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ASSERT_EQ(r.http_status, 200);
  ASSERT_EQ(r.body["data"]["myself"]["pods"].size(), 10000u);
  EXPECT_EQ(
      r.body["data"]["myself"]["pods"][9999].dump(),
      R"({"id":"pod9999","name":"p","imageName":"runpod/pytorch","gpuCount":1,)"
      R"("desiredStatus":"RUNNING","costPerHr":0.79,"networkVolumeId":null,)"
      R"("volumeMountPath":"/workspace","containerDiskInGb":20,"volumeInGb":0,)"
      R"("env":["A=b","C=d"],"ports":"22/tcp","machine":{"gpuDisplayName":"RTX 4090"},)"
      R"("runtime":{"ports":[{"publicPort":40022}]}})");
  EXPECT_FALSE(r.body.contains("errors"));
  std::printf("10000 pods: %.3f s, %zu bytes\n", seconds, text.size());
}

}  // namespace
}  // namespace podform::graphql
