// The sandbox through GraphQL documents, as RunPod's clients send them:
// inline literals (runpod-python) and named operations with variables
// (Pulumi, podform's own schema/operations).

#include <regex>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/core/catalog.h"
#include "reconciler/util/embedded.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace podform::sandbox {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using testing::Harness;
using testing::OnlyError;
using testing::RunPodError;

std::string Operation(const std::string& name) {
  std::string_view text =
      EmbeddedFile("schema/operations/" + name + ".graphql");
  EXPECT_FALSE(text.empty()) << name;
  return std::string(text);
}

std::string CreateVolumeDoc(const std::string& name, int size,
                            const std::string& dc) {
  return "mutation { createNetworkVolume(input: {name: \"" + name +
         "\", size: " + std::to_string(size) + ", dataCenterId: \"" + dc +
         "\"}) { id } }";
}

TEST(GraphqlApiTest, RunpodPythonInlineCreatePod) {
  Harness h;
  testing::GqlResult r = h.Post(
      R"(mutation { podFindAndDeployOnDemand(input: { name: "x", imageName: "runpod/pytorch", cloudType: SECURE, gpuTypeId: "NVIDIA RTX A6000", gpuCount: 1, dataCenterId: null, env: [{ key: "A", value: "b" }], startSsh: true }) { id imageName env machineId machine { podHostId } } })");
  ASSERT_EQ(r.status, 200) << r.text;
  const json& pod = r.body["data"]["podFindAndDeployOnDemand"];
  std::string id = pod.value("id", "");
  std::string machine_id = pod.value("machineId", "");
  std::string host = pod["machine"].value("podHostId", "");
  EXPECT_TRUE(std::regex_match(id, std::regex("[a-z0-9]{14}"))) << id;
  EXPECT_TRUE(std::regex_match(machine_id, std::regex("[a-z0-9]{12}")));
  EXPECT_TRUE(std::regex_match(host, std::regex(id + "-[0-9a-f]{8}")));
  // Exactly the selected fields, in selection order.
  ordered_json expected = {
      {"data",
       {{"podFindAndDeployOnDemand",
         {{"id", id},
          {"imageName", "runpod/pytorch"},
          {"env", {"A=b"}},
          {"machineId", machine_id},
          {"machine", {{"podHostId", host}}}}}}}};
  EXPECT_EQ(r.text, expected.dump());
}

TEST(GraphqlApiTest, PulumiNamedOperationWithVariables) {
  Harness h;
  testing::GqlResult r = h.Post(
      "mutation CreateNetworkVolume($input: CreateNetworkVolumeInput!) { "
      "createNetworkVolume(input: $input) { id name size dataCenterId } }",
      {{"input", {{"name", "models"}, {"size", 500}, {"dataCenterId",
                                                      "EU-RO-1"}}}},
      "CreateNetworkVolume");
  ASSERT_EQ(r.status, 200) << r.text;
  std::string id = r.body["data"]["createNetworkVolume"].value("id", "");
  EXPECT_TRUE(std::regex_match(id, std::regex("[a-z0-9]{10}"))) << id;
  ordered_json expected = {{"data",
                            {{"createNetworkVolume",
                              {{"id", id},
                               {"name", "models"},
                               {"size", 500},
                               {"dataCenterId", "EU-RO-1"}}}}}};
  EXPECT_EQ(r.text, expected.dump());
  EXPECT_EQ(h.Data("{ myself { networkVolumes { id name size dataCenterId "
                   "storageType storageClusterId } } }"),
            json::parse(R"({"myself": {"networkVolumes": [{"id": ")" + id +
                        R"(", "name": "models", "size": 500, "dataCenterId":
                        "EU-RO-1", "storageType": null,
                        "storageClusterId": null}]}})"));
}

// podform's own documents (schema/operations), end to end.
TEST(GraphqlApiTest, PodformOperationsLifecycle) {
  Harness h;
  json created = h.Data(Operation("CreateNetworkVolume"),
                        {{"input", {{"name", "models"},
                                    {"size", 100},
                                    {"dataCenterId", "EU-RO-1"}}}});
  std::string volume_id = created["createNetworkVolume"]["id"];
  json updated = h.Data(Operation("UpdateNetworkVolume"),
                        {{"input", {{"id", volume_id}, {"size", 200}}}});
  EXPECT_EQ(updated, json::parse(R"({"updateNetworkVolume": {"id": ")" +
                                 volume_id + R"(", "name": "models", "size":
                                 200, "dataCenterId": "EU-RO-1"}})"));

  json deployed = h.Data(
      Operation("PodFindAndDeployOnDemand"),
      {{"input",
        {{"name", "trainer"},
         {"imageName", "runpod/pytorch:2.4"},
         {"gpuTypeId", "NVIDIA A100 80GB PCIe"},
         {"gpuCount", 2},
         {"cloudType", "SECURE"},
         {"networkVolumeId", volume_id},
         {"volumeMountPath", "/workspace"},
         {"containerDiskInGb", 20},
         {"env", {{{"key", "HF_HOME"}, {"value", "/workspace/hf"}}}},
         {"ports", "8888/http,22/tcp"}}}});
  std::string pod_id = deployed["podFindAndDeployOnDemand"]["id"];
  json pod = json::parse(R"({
      "id": ")" + pod_id + R"(", "name": "trainer",
      "imageName": "runpod/pytorch:2.4", "dockerArgs": "",
      "env": ["HF_HOME=/workspace/hf"], "gpuCount": 2,
      "containerDiskInGb": 20, "volumeInGb": 0, "volumeMountPath": "/workspace",
      "networkVolumeId": ")" + volume_id + R"(", "desiredStatus": "RUNNING",
      "costPerHr": 3.28, "ports": "8888/http,22/tcp",
      "machine": {"gpuDisplayName": "A100 PCIe"}})");
  EXPECT_EQ(deployed, json({{"podFindAndDeployOnDemand", pod}}));

  json edited = h.Data(Operation("PodEditJob"),
                       {{"input", {{"podId", pod_id},
                                   {"imageName", "runpod/pytorch:2.5"},
                                   {"containerDiskInGb", 30},
                                   {"dockerArgs", "sleep infinity"},
                                   {"env", json::array()},
                                   {"ports", "8888/http"}}}});
  pod["imageName"] = "runpod/pytorch:2.5";
  pod["containerDiskInGb"] = 30;
  pod["dockerArgs"] = "sleep infinity";
  pod["env"] = json::array();
  pod["ports"] = "8888/http";
  EXPECT_EQ(edited, json({{"podEditJob", pod}}));

  json stopped =
      h.Data(Operation("PodStop"), {{"input", {{"podId", pod_id}}}});
  pod["desiredStatus"] = "EXITED";
  EXPECT_EQ(stopped, json({{"podStop", pod}}));

  json resumed = h.Data(Operation("PodResume"),
                        {{"input", {{"podId", pod_id}, {"gpuCount", 1}}}});
  pod["desiredStatus"] = "RUNNING";
  pod["gpuCount"] = 1;
  pod["costPerHr"] = 1.64;
  EXPECT_EQ(resumed, json({{"podResume", pod}}));

  json refreshed = h.Data(Operation("Refresh"));
  // The account's id comes with everything else (a lock file records it).
  const json account = refreshed["myself"]["id"];
  ASSERT_TRUE(account.is_string());
  EXPECT_EQ(account.get<std::string>().rfind("user_", 0), 0u);
  refreshed["myself"].erase("id");
  EXPECT_EQ(refreshed["myself"],
            json::parse(R"({"networkVolumes": [{"id": ")" + volume_id +
                        R"(", "name": "models", "size": 200,
                        "dataCenterId": "EU-RO-1"}], "pods": [)" +
                        pod.dump() + "]}"));
  EXPECT_EQ(refreshed["gpuTypes"].size(), KnownGpuTypes().size());
  EXPECT_EQ(refreshed["gpuTypes"][1],
            json::parse(R"({"id": "NVIDIA A100 80GB PCIe",
                            "displayName": "A100 PCIe"})"));

  EXPECT_EQ(h.Data(Operation("PodTerminate"), {{"input", {{"podId", pod_id}}}}),
            json::parse(R"({"podTerminate": null})"));
  EXPECT_EQ(h.Data(Operation("DeleteNetworkVolume"),
                   {{"input", {{"id", volume_id}}}}),
            json::parse(R"({"deleteNetworkVolume": null})"));
  json empty = json::parse(R"({"networkVolumes": [], "pods": []})");
  empty["id"] = account;
  EXPECT_EQ(h.Data(Operation("Refresh"))["myself"], empty);
}

TEST(GraphqlApiTest, DeletingAVolumeInUseFailsWithRunPodsError) {
  Harness h;
  std::string volume_id =
      h.Data(CreateVolumeDoc("v", 10, "EU-RO-1"))["createNetworkVolume"]["id"];
  h.Data(R"(mutation { podFindAndDeployOnDemand(input: {name: "p",
      imageName: "img", gpuTypeId: "NVIDIA L40S", cloudType: SECURE,
      networkVolumeId: ")" + volume_id + R"("}) { id } })");
  testing::GqlResult r = h.Post(
      R"(mutation { deleteNetworkVolume(input: {id: ")" + volume_id + R"("}) })");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["data"], json::parse(R"({"deleteNetworkVolume": null})"));
  EXPECT_EQ(OnlyError(r),
            RunPodError("You must remove this network volume from all pods "
                        "before deleting it.",
                        {"deleteNetworkVolume"}));
  EXPECT_EQ(h.Data("{ myself { networkVolumes { id } } }"),
            json::parse(R"({"myself": {"networkVolumes": [{"id": ")" +
                        volume_id + R"("}]}})"));
}

TEST(GraphqlApiTest, TerminatingAnUnknownPod) {
  Harness h;
  testing::GqlResult r = h.Post(
      R"(mutation { podTerminate(input: {podId: "xedezhzb9la3ye"}) })");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["data"], json::parse(R"({"podTerminate": null})"));
  EXPECT_EQ(OnlyError(r),
            RunPodError("pod not found to terminate", {"podTerminate"}));
}

TEST(GraphqlApiTest, NoCapacityIsASupplyConstraint) {
  Harness h;
  {
    auto lock = h.service->store().Lock();
    h.service->store().account().SetCapacity("EU-RO-1", "NVIDIA H200", 1);
  }
  const std::string deploy = R"(mutation Deploy($in: PodFindAndDeployOnDemandInput) {
      podFindAndDeployOnDemand(input: $in) { id desiredStatus } })";
  json input = {{"in",
                 {{"name", "p"},
                  {"imageName", "img"},
                  {"gpuTypeId", "NVIDIA H200"},
                  {"cloudType", "SECURE"},
                  {"dataCenterId", "EU-RO-1"}}}};
  EXPECT_EQ(h.Data(deploy, input)["podFindAndDeployOnDemand"]["desiredStatus"],
            "RUNNING");
  testing::GqlResult r = h.Post(deploy, input);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["data"],
            json::parse(R"({"podFindAndDeployOnDemand": null})"));
  EXPECT_EQ(OnlyError(r),
            RunPodError("There are no longer any instances available with "
                        "the requested specifications. Please refresh and "
                        "try again.",
                        {"podFindAndDeployOnDemand"}, "SUPPLY_CONSTRAINT"));
}

TEST(GraphqlApiTest, PodsOfUnpricedTypesRunAndCommunityOnlyWhereOffered) {
  Harness h;
  const std::string deploy = R"(mutation Deploy($in: PodFindAndDeployOnDemandInput) {
      podFindAndDeployOnDemand(input: $in) { desiredStatus costPerHr
      machine { gpuDisplayName } } })";
  json input = {{"in",
                 {{"name", "p"},
                  {"imageName", "img"},
                  {"gpuTypeId", "NVIDIA B200"},
                  {"gpuCount", 2},
                  {"cloudType", "SECURE"}}}};
  // No published price: the sandbox bills it nothing (docs/SANDBOX.md).
  EXPECT_EQ(h.Data(deploy, input), json::parse(R"({"podFindAndDeployOnDemand":
      {"desiredStatus": "RUNNING", "costPerHr": 0.0,
       "machine": {"gpuDisplayName": "B200"}}})"));
  // A B200 is a Secure Cloud part: Community Cloud has none.
  input["in"]["cloudType"] = "COMMUNITY";
  testing::GqlResult r = h.Post(deploy, input);
  EXPECT_EQ(r.body["data"],
            json::parse(R"({"podFindAndDeployOnDemand": null})"));
  EXPECT_EQ(OnlyError(r),
            RunPodError("There are no longer any instances available with "
                        "the requested specifications. Please refresh and "
                        "try again.",
                        {"podFindAndDeployOnDemand"}, "SUPPLY_CONSTRAINT"));
  // ALL goes to Secure Cloud for it.
  input["in"]["cloudType"] = "ALL";
  EXPECT_EQ(h.Data(deploy, input)["podFindAndDeployOnDemand"]["desiredStatus"],
            "RUNNING");
}

// Each refusal: the document, the field's path and RunPod's message/code.
TEST(GraphqlApiTest, EveryRuleRefusesWithItsMessage) {
  Harness h;
  std::string vol =
      h.Data(CreateVolumeDoc("v", 100, "US-TX-3"))["createNetworkVolume"]["id"];
  std::string pod = h.Data(R"(mutation { podFindAndDeployOnDemand(input: {
      imageName: "img", gpuTypeId: "NVIDIA L4", cloudType: SECURE,
      dataCenterId: "US-TX-3"}) { id } })")["podFindAndDeployOnDemand"]["id"];
  struct Case {
    std::string document;
    std::string field;
    std::string message;
  };
  const std::string deploy_prefix =
      R"(mutation { podFindAndDeployOnDemand(input: {imageName: "img", )";
  const Case cases[] = {
      {CreateVolumeDoc("v", 9, "EU-RO-1"), "createNetworkVolume",
       "Network volume size must be between 10 and 4000 GB (got 9)."},
      {CreateVolumeDoc("v", 4001, "EU-RO-1"), "createNetworkVolume",
       "Network volume size must be between 10 and 4000 GB (got 4001)."},
      {CreateVolumeDoc("v", 10, "XX-1"), "createNetworkVolume",
       "Data center XX-1 does not exist."},
      {R"(mutation { createNetworkVolume(input: {name: "v", dataCenterId: "EU-RO-1"}) { id } })",
       "createNetworkVolume",
       "Network volume size is required (10 to 4000 GB)."},
      {R"(mutation { updateNetworkVolume(input: {id: ")" + vol +
           R"(", size: 50}) { id } })",
       "updateNetworkVolume",
       "Network volume size can only be increased (from 100 GB to 50 GB "
       "requested)."},
      {R"(mutation { updateNetworkVolume(input: {id: "nosuchvol1", size: 500}) { id } })",
       "updateNetworkVolume", "Network volume nosuchvol1 not found."},
      {R"(mutation { deleteNetworkVolume(input: {id: "nosuchvol1"}) })",
       "deleteNetworkVolume", "Network volume nosuchvol1 not found."},
      {deploy_prefix + R"(gpuTypeId: "NVIDIA Voodoo"}) { id } })",
       "podFindAndDeployOnDemand", "GPU type NVIDIA Voodoo does not exist."},
      {deploy_prefix + R"(gpuTypeId: "NVIDIA L4", dataCenterId: "XX-1"}) { id } })",
       "podFindAndDeployOnDemand", "Data center XX-1 does not exist."},
      {deploy_prefix + R"(gpuTypeId: "NVIDIA L4", networkVolumeId: ")" + vol +
           R"(", dataCenterId: "EU-RO-1"}) { id } })",
       "podFindAndDeployOnDemand",
       "The pod's data center EU-RO-1 does not match its network volume's "
       "data center US-TX-3."},
      {deploy_prefix + R"(gpuTypeId: "NVIDIA L4", networkVolumeId: ")" + vol +
           R"(", cloudType: COMMUNITY}) { id } })",
       "podFindAndDeployOnDemand",
       "Network volumes are only available on Secure Cloud."},
      {deploy_prefix + R"(gpuTypeId: "NVIDIA L4", networkVolumeId: "nosuchvol1"}) { id } })",
       "podFindAndDeployOnDemand", "Network volume nosuchvol1 not found."},
      {deploy_prefix + R"(gpuTypeId: "NVIDIA L4", gpuCount: 16}) { id } })",
       "podFindAndDeployOnDemand",
       "gpuCount must be between 1 and 8 (got 16)."},
      {R"(mutation { podFindAndDeployOnDemand(input: {gpuTypeId: "NVIDIA L4"}) { id } })",
       "podFindAndDeployOnDemand", "imageName is required."},
      {R"(mutation { podStop(input: {podId: "nosuchpod00000"}) { id } })",
       "podStop", "pod not found"},
      {R"(mutation { podResume(input: {podId: "nosuchpod00000", gpuCount: 1}) { id } })",
       "podResume", "pod not found"},
      {R"(mutation { podEditJob(input: {podId: "nosuchpod00000", imageName: "i", containerDiskInGb: 5}) { id } })",
       "podEditJob", "pod not found"},
      {R"(mutation { podEditJob(input: {podId: ")" + pod +
           R"(", imageName: "i", containerDiskInGb: 5, ports: "80"}) { id } })",
       "podEditJob",
       "Invalid ports \"80\": expected a comma-separated list like "
       "\"8888/http,22/tcp\"."},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.document);
    testing::GqlResult r = h.Post(c.document);
    EXPECT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["data"], json({{c.field, nullptr}}));
    EXPECT_EQ(OnlyError(r), RunPodError(c.message, {c.field}));
  }
  // Nothing changed.
  EXPECT_EQ(h.Data("{ myself { networkVolumes { id size } pods { id } } }"),
            json::parse(R"({"myself": {"networkVolumes": [{"id": ")" + vol +
                        R"(", "size": 100}], "pods": [{"id": ")" + pod +
                        R"("}]}})"));
}

TEST(GraphqlApiTest, InvalidDocumentIs400AndRunsNothing) {
  Harness h;
  testing::GqlResult r = h.Post(
      R"(mutation { createNetworkVolume(input: {name: "x", size: 10, dataCenterId: "EU-RO-1"}) { id bogus } })");
  EXPECT_EQ(r.status, 400) << r.text;
  ASSERT_TRUE(r.body.contains("errors")) << r.text;
  EXPECT_FALSE(r.body.contains("data")) << r.text;
  r = h.Post(R"(mutation { createNetworkVolume(input: {name: "x", size: "ten", dataCenterId: "EU-RO-1"}) { id } })");
  EXPECT_EQ(r.status, 400) << r.text;
  r = h.PostBody("{not json");
  EXPECT_EQ(r.status, 400) << r.text;
  EXPECT_EQ(h.Data("{ myself { networkVolumes { id } } }"),
            json::parse(R"({"myself": {"networkVolumes": []}})"));
}

TEST(GraphqlApiTest, SinglePodReadWithRuntime) {
  Harness h;
  std::string id = h.Data(R"(mutation { podFindAndDeployOnDemand(input: {
      name: "web", imageName: "nginx", gpuTypeId: "NVIDIA GeForce RTX 4090",
      gpuCount: 2, cloudType: COMMUNITY, dataCenterId: "EU-SE-1",
      ports: "8888/http,22/tcp,9000/udp", templateId: "tpl1"}) { id } })")
                       ["podFindAndDeployOnDemand"]["id"];
  h.clock.Advance(absl::Seconds(90));
  const std::string query = R"(query Pod($id: String!) { pod(input: {podId: $id}) {
      id desiredStatus uptimeSeconds podType port templateId dockerId costPerHr
      vcpuCount memoryInGb lastStatusChange
      runtime { uptimeInSeconds ports { ip isIpPublic privatePort publicPort type }
                gpus { id gpuUtilPercent memoryUtilPercent }
                container { cpuPercent memoryPercent } }
      machine { gpuDisplayName } } })";
  json pod = h.Data(query, {{"id", id}})["pod"];
  ASSERT_TRUE(pod.is_object()) << pod;
  json runtime = pod["runtime"];
  ASSERT_EQ(runtime["ports"].size(), 3u);
  std::string ip = runtime["ports"][1]["ip"];
  int base = runtime["ports"][1]["publicPort"];
  EXPECT_TRUE(std::regex_match(ip, std::regex(R"(213\.173\.\d+\.\d+)"))) << ip;
  EXPECT_GE(base, 10000);
  std::string gpu0 = runtime["gpus"][0]["id"];
  EXPECT_TRUE(std::regex_match(gpu0, std::regex("GPU-[0-9a-f]{8}-0"))) << gpu0;
  json expected = {
      {"id", id},
      {"desiredStatus", "RUNNING"},
      {"uptimeSeconds", 90},
      {"podType", "RESERVED"},
      {"port", nullptr},
      {"templateId", "tpl1"},
      {"dockerId", nullptr},
      {"costPerHr", 0.68},
      {"vcpuCount", 16},
      {"memoryInGb", 96},
      {"lastStatusChange",
       "Rented by User: Fri Feb 09 2024 14:01:47 GMT+0000 (Coordinated "
       "Universal Time)"},
      {"runtime",
       {{"uptimeInSeconds", 90},
        {"ports",
         {{{"ip", "100.65.0.2"}, {"isIpPublic", false}, {"privatePort", 8888},
           {"publicPort", 8888}, {"type", "http"}},
          {{"ip", ip}, {"isIpPublic", true}, {"privatePort", 22},
           {"publicPort", base}, {"type", "tcp"}},
          {{"ip", ip}, {"isIpPublic", true}, {"privatePort", 9000},
           {"publicPort", base + 1}, {"type", "udp"}}}},
        {"gpus",
         {{{"id", gpu0}, {"gpuUtilPercent", 0}, {"memoryUtilPercent", 0}},
          {{"id", gpu0.substr(0, gpu0.size() - 1) + "1"},
           {"gpuUtilPercent", 0},
           {"memoryUtilPercent", 0}}}},
        {"container", {{"cpuPercent", 0}, {"memoryPercent", 0}}}}},
      {"machine", {{"gpuDisplayName", "RTX 4090"}}}};
  EXPECT_EQ(pod, expected);

  // Stopped: no runtime, no uptime.
  h.Data(R"(mutation { podStop(input: {podId: ")" + id + R"("}) { id } })");
  json stopped = h.Data(R"({ pod(input: {podId: ")" + id +
                        R"("}) { desiredStatus uptimeSeconds runtime { uptimeInSeconds } } })");
  EXPECT_EQ(stopped, json::parse(R"({"pod": {"desiredStatus": "EXITED",
      "uptimeSeconds": 0, "runtime": null}})"));
  // Unknown: null, no error.
  testing::GqlResult unknown =
      h.Post(R"({ pod(input: {podId: "nosuchpod00000"}) { id } })");
  EXPECT_EQ(unknown.text, R"({"data":{"pod":null}})");
}

TEST(GraphqlApiTest, RunpodPythonPodListQuery) {
  Harness h;
  std::string id = h.Data(R"(mutation { podFindAndDeployOnDemand(input: {
      name: "x", imageName: "img", gpuTypeId: "NVIDIA L4", cloudType: SECURE,
      dataCenterId: "EU-RO-1", env: [{key: "K", value: "V=1"}],
      volumeInGb: 15, dockerArgs: "bash"}) { id } })")
                       ["podFindAndDeployOnDemand"]["id"];
  testing::GqlResult r = h.Post(
      "query myPods { myself { pods { id containerDiskInGb costPerHr "
      "desiredStatus dockerArgs env gpuCount imageName name volumeInGb "
      "volumeMountPath ports machine { gpuDisplayName } } } }");
  ordered_json expected = {
      {"data",
       {{"myself",
         {{"pods",
           {{{"id", id},
             {"containerDiskInGb", 20},
             {"costPerHr", 0.43},
             {"desiredStatus", "RUNNING"},
             {"dockerArgs", "bash"},
             {"env", {"K=V=1"}},
             {"gpuCount", 1},
             {"imageName", "img"},
             {"name", "x"},
             {"volumeInGb", 15},
             {"volumeMountPath", "/workspace"},
             {"ports", nullptr},
             {"machine", {{"gpuDisplayName", "L4"}}}}}}}}}}};
  EXPECT_EQ(r.text, expected.dump());
}

TEST(GraphqlApiTest, MyselfDataCentersAndGpuTypes) {
  Harness h;
  h.Data(CreateVolumeDoc("v", 100, "EU-RO-1"));
  h.Data(R"(mutation { podFindAndDeployOnDemand(input: {imageName: "i",
      gpuTypeId: "NVIDIA RTX A6000", cloudType: SECURE}) { id } })");
  json me = h.Data("{ myself { id email pubKey clientBalance "
                   "currentSpendPerHr spendLimit } }")["myself"];
  std::string user = me["id"];
  EXPECT_TRUE(std::regex_match(user, std::regex("user_[A-Za-z0-9]{27}")));
  // 0.49/h for the pod plus 100 GB x $0.07/month over 730 hours.
  EXPECT_EQ(me, json({{"id", user},
                      {"email", "sandbox@podform.invalid"},
                      {"pubKey", nullptr},
                      {"clientBalance", 100.0},
                      {"currentSpendPerHr", 0.499589},
                      {"spendLimit", 80}}));

  json dcs = h.Data("{ dataCenters { id name location storageSupport } }");
  ASSERT_EQ(dcs["dataCenters"].size(), KnownDataCenters().size());
  EXPECT_EQ(dcs["dataCenters"][0],
            json::parse(R"({"id": "EU-RO-1", "name": "EU-RO-1",
                "location": "Romania", "storageSupport": true})"));

  json gpus = h.Data(R"({ gpuTypes(input: {id: "NVIDIA RTX A6000"}) {
      id displayName manufacturer memoryInGb cudaCores secureCloud
      communityCloud securePrice communityPrice secureSpotPrice
      communitySpotPrice oneMonthPrice threeMonthPrice oneWeekPrice maxGpuCount
      lowestPrice(input: {gpuCount: 1}) { minimumBidPrice uninterruptablePrice }
      many: lowestPrice(input: {gpuCount: 9}) { uninterruptablePrice } } })");
  EXPECT_EQ(gpus, json::parse(R"({"gpuTypes": [{
      "id": "NVIDIA RTX A6000", "displayName": "RTX A6000",
      "manufacturer": "Nvidia", "memoryInGb": 48, "cudaCores": 10752,
      "secureCloud": true, "communityCloud": true, "securePrice": 0.49,
      "communityPrice": 0.33, "secureSpotPrice": 0.245,
      "communitySpotPrice": 0.165, "oneMonthPrice": null,
      "threeMonthPrice": null, "oneWeekPrice": null, "maxGpuCount": 8,
      "lowestPrice": {"minimumBidPrice": 0.165, "uninterruptablePrice": 0.33},
      "many": {"uninterruptablePrice": null}}]})"));
  EXPECT_EQ(h.Data(R"({ gpuTypes(input: {id: "nope"}) { id } })"),
            json::parse(R"({"gpuTypes": []})"));
  EXPECT_EQ(h.Data("{ gpuTypes { id } }")["gpuTypes"].size(), 45u);
}

TEST(GraphqlApiTest, GpuTypesWithoutAPublishedPriceAnswerNullPrices) {
  Harness h;
  json gpus = h.Data(R"({ gpuTypes(input: {id: "NVIDIA B200"}) {
      id displayName manufacturer memoryInGb cudaCores secureCloud
      communityCloud securePrice communityPrice secureSpotPrice
      communitySpotPrice maxGpuCount
      lowestPrice(input: {gpuCount: 1}) { minimumBidPrice uninterruptablePrice }
      } })");
  EXPECT_EQ(gpus, json::parse(R"({"gpuTypes": [{
      "id": "NVIDIA B200", "displayName": "B200", "manufacturer": "Nvidia",
      "memoryInGb": 180, "cudaCores": null, "secureCloud": true,
      "communityCloud": false, "securePrice": null, "communityPrice": null,
      "secureSpotPrice": null, "communitySpotPrice": null, "maxGpuCount": 8,
      "lowestPrice": {"minimumBidPrice": null,
                      "uninterruptablePrice": null}}]})"));
}

TEST(GraphqlApiTest, AliasesAndFragmentsSelectFromTheSameObjects) {
  Harness h;
  std::string id =
      h.Data(CreateVolumeDoc("v", 10, "EU-RO-1"))["createNetworkVolume"]["id"];
  testing::GqlResult r = h.Post(
      "query Q { me: myself { vols: networkVolumes { ...V __typename } } } "
      "fragment V on NetworkVolume { gb: size id }");
  EXPECT_EQ(r.text, R"({"data":{"me":{"vols":[{"gb":10,"id":")" + id +
                        R"(","__typename":"NetworkVolume"}]}}})");
}

}  // namespace
}  // namespace podform::sandbox
