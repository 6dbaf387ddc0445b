// Serverless endpoints over GraphQL (saveEndpoint, deleteEndpoint,
// myself { endpoints }) over the same account as REST v2's /v2/serverless:
// what one API creates the other lists, and the rules are the account's.

#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/sandbox/rest_test_util.h"

namespace podform::sandbox {
namespace {

using nlohmann::json;
using testing::RestHarness;

constexpr char kCreatedAt[] = "2024-02-09T14:01:47Z";  // the fake clock's kT0

// The whole GraphQL answer {data, errors?} to `query` with `variables`.
json Graphql(RestHarness& h, const std::string& query,
             const json& variables = nullptr) {
  json body = {{"query", query}};
  if (!variables.is_null()) body["variables"] = variables;
  SandboxRequest request;
  request.body = body.dump();
  request.authorization = "Bearer test-key";
  SandboxResponse response = h.service->Handle(request);
  EXPECT_EQ(response.status, 200) << response.body;
  return json::parse(response.body, nullptr, false);
}

json GraphqlData(RestHarness& h, const std::string& query,
                 const json& variables = nullptr) {
  json answer = Graphql(h, query, variables);
  EXPECT_FALSE(answer.contains("errors")) << answer.dump();
  return answer.value("data", json());
}

// The id of the template bound to endpoint `id` (REST does not show it).
std::string BoundTemplate(RestHarness& h, const std::string& id) {
  const Endpoint* e = h.service->store().account().FindEndpoint(id);
  return e != nullptr ? e->template_id : "";
}

std::string FirstError(const json& answer) {
  if (!answer.contains("errors")) return "";
  return answer["errors"][0].value("message", "");
}

// A serverless template made through REST (GraphQL has no saveTemplate in
// the sandbox).
std::string ServerlessTemplate(RestHarness& h) {
  return h.Ok("POST", "/v2/templates",
              {{"name", "worker"},
               {"image", "ghcr.io/acme/embed:1.4"},
               {"serverless", true},
               {"env", {{"MODEL", "small"}}}})["id"];
}

std::string NewVolume(RestHarness& h, const std::string& dc) {
  return h.Ok("POST", "/v2/network-volumes",
              {{"name", "models"}, {"size", 50}, {"dataCenter", dc}})["id"];
}

constexpr char kSelection[] =
    "id name templateId gpuIds gpuCount instanceIds idleTimeout locations "
    "networkVolumeId networkVolumeIds { networkVolumeId dataCenterId } "
    "scalerType scalerValue workersMin workersMax executionTimeoutMs "
    "minCudaVersion allowedCudaVersions flashBootType modelReferences "
    "env { key value } createdAt";

// runpod-python's create: inline literals, "" for no volume and no
// locations; REST lists what GraphQL made.
TEST(GraphqlEndpointsTest, SaveEndpointCreatesWhatRestLists) {
  RestHarness h;
  const std::string source = ServerlessTemplate(h);
  const std::string volume = NewVolume(h, "EU-RO-1");
  json created = GraphqlData(
      h, "mutation { saveEndpoint(input: { flashBootType: FLASHBOOT, "
         "name: \"embed\", templateId: \"" + source + "\", "
         "gpuIds: \"ADA_24,AMPERE_24,-NVIDIA L4\", networkVolumeId: \"" +
         volume + "\", locations: \"\", idleTimeout: 5, "
         "scalerType: \"QUEUE_DELAY\", scalerValue: 4, workersMin: 0, "
         "workersMax: 3, gpuCount: 2 }) { " + kSelection + " } }")
      ["saveEndpoint"];
  const std::string id = created["id"];
  const std::string bound = created["templateId"];
  EXPECT_NE(bound, source);  // the endpoint's own bound template
  EXPECT_EQ(created, json::parse(R"({"id": ")" + id + R"(", "name": "embed",
      "templateId": ")" + bound + R"(",
      "gpuIds": "ADA_24,AMPERE_24,-NVIDIA L4", "gpuCount": 2,
      "instanceIds": [], "idleTimeout": 5, "locations": "EU-RO-1",
      "networkVolumeId": ")" + volume + R"(", "networkVolumeIds": [
        {"networkVolumeId": ")" + volume + R"(", "dataCenterId": "EU-RO-1"}],
      "scalerType": "QUEUE_DELAY", "scalerValue": 4, "workersMin": 0,
      "workersMax": 3, "executionTimeoutMs": 300000, "minCudaVersion": null,
      "allowedCudaVersions": "", "flashBootType": "FLASHBOOT",
      "modelReferences": [], "env": [{"key": "MODEL", "value": "small"}],
      "createdAt": ")" + std::string(kCreatedAt) + R"("})"));

  json rest = h.Ok("GET", "/v2/serverless/" + id);
  EXPECT_EQ(rest["name"], "embed");
  EXPECT_EQ(rest["gpu"]["pools"], json({"ADA_24", "AMPERE_24"}));
  EXPECT_EQ(rest["gpu"]["excludedTypes"], json::array({"NVIDIA L4"}));
  EXPECT_EQ(rest["gpu"]["count"], 2);
  EXPECT_EQ(rest["workers"],
            json({{"min", 0}, {"max", 3}, {"idleTimeout", 5}}));
  EXPECT_EQ(rest["networkVolumes"], json::array({volume}));
  EXPECT_EQ(rest["dataCenterIds"], json::array({"EU-RO-1"}));
  EXPECT_EQ(rest["flashboot"], "FLASHBOOT");
  EXPECT_EQ(rest["image"], "ghcr.io/acme/embed:1.4");
  EXPECT_EQ(h.Ok("GET", "/v2/serverless")["endpoints"].size(), 1u);
}

// An endpoint REST created is in myself { endpoints }.
TEST(GraphqlEndpointsTest, MyselfListsEndpointsRestCreated) {
  RestHarness h;
  json e = h.Ok("POST", "/v2/serverless",
                {{"name", "lb"},
                 {"type", "LOAD_BALANCER"},
                 {"image", "img"},
                 {"gpu", {{"pools", {"HOPPER_141"}}}},
                 {"scaling", {{"type", "REQUEST_COUNT"}, {"requestCount", 8}}},
                 {"env", {{"A", "1"}}}});
  json listed = GraphqlData(h, R"({ myself { endpoints { id name type gpuIds
      scalerType scalerValue templateId env { key value } } } })");
  EXPECT_EQ(listed, json::parse(R"({"myself": {"endpoints": [{"id": ")" +
                                e["id"].get<std::string>() + R"(",
      "name": "lb", "type": "LOAD_BALANCER", "gpuIds": "HOPPER_141",
      "scalerType": "REQUEST_COUNT", "scalerValue": 8, "templateId": ")" +
                                BoundTemplate(h, e["id"]) + R"(",
      "env": [{"key": "A", "value": "1"}]}]}})"));
}

// runpod-python's endpoint list, every field it selects.
TEST(GraphqlEndpointsTest, RunpodPythonEndpointQuery) {
  RestHarness h;
  const std::string volume = NewVolume(h, "US-KS-2");
  json e = h.Ok("POST", "/v2/serverless",
                {{"name", "embed"},
                 {"type", "QUEUE"},
                 {"image", "img"},
                 {"gpu", {{"pools", {"AMPERE_80"}}, {"count", 1}}},
                 {"scaling", {{"type", "QUEUE_DELAY"}, {"queueDelay", 4}}},
                 {"networkVolumes", {volume}},
                 {"env", {{"B", "2"}}}});
  const std::string id = e["id"];
  const std::string user = GraphqlData(h, "{ myself { id } }")["myself"]["id"];
  json listed = GraphqlData(h, R"(query Query { myself { endpoints { aiKey
      gpuIds id idleTimeout name networkVolumeId locations scalerType
      scalerValue templateId type userId version workersMax workersMin
      workersStandby gpuCount env { key value } createdAt
      networkVolume { id dataCenterId } } } })");
  EXPECT_EQ(listed, json::parse(R"({"myself": {"endpoints": [{"aiKey": null,
      "gpuIds": "AMPERE_80", "id": ")" + id + R"(", "idleTimeout": 10,
      "name": "embed", "networkVolumeId": ")" + volume + R"(",
      "locations": "US-KS-2", "scalerType": "QUEUE_DELAY", "scalerValue": 4,
      "templateId": ")" + BoundTemplate(h, id) + R"(", "type": "QUEUE",
      "userId": ")" + user + R"(", "version": null, "workersMax": 3,
      "workersMin": 0, "workersStandby": null, "gpuCount": 1,
      "env": [{"key": "B", "value": "2"}], "createdAt": ")" +
                                    std::string(kCreatedAt) + R"(",
      "networkVolume": {"id": ")" + volume + R"(",
                        "dataCenterId": "US-KS-2"}}]}})"));
}

// The Pulumi provider's create, update (saveEndpoint with id) and
// deleteEndpoint(id:); deleting removes the bound template only.
TEST(GraphqlEndpointsTest, PulumiSaveUpdateAndDelete) {
  RestHarness h;
  const std::string source = ServerlessTemplate(h);
  const std::string save = R"(mutation SaveEndpoint($gpuIds: String!,
      $templateId: String!, $name: String!, $idleTimeout: Int,
      $locations: String, $networkVolumeId: String, $scalerType: String,
      $scalerValue: Int, $workersMax: Int, $workersMin: Int,
      $instanceIds: [String], $modelReferences: [String]) {
    saveEndpoint(input: {gpuIds: $gpuIds, templateId: $templateId,
        name: $name, idleTimeout: $idleTimeout, locations: $locations,
        networkVolumeId: $networkVolumeId, scalerType: $scalerType,
        scalerValue: $scalerValue, workersMax: $workersMax,
        workersMin: $workersMin, instanceIds: $instanceIds,
        modelReferences: $modelReferences}) { id name workersMax } })";
  json vars = {{"gpuIds", "AMPERE_16"}, {"templateId", source},
               {"name", "p"},           {"idleTimeout", nullptr},
               {"locations", nullptr},  {"networkVolumeId", nullptr},
               {"scalerType", nullptr}, {"scalerValue", nullptr},
               {"workersMax", 2},       {"workersMin", 0},
               {"instanceIds", nullptr}, {"modelReferences", nullptr}};
  json created = GraphqlData(h, save, vars)["saveEndpoint"];
  const std::string id = created["id"];
  EXPECT_EQ(created, json({{"id", id}, {"name", "p"}, {"workersMax", 2}}));
  const std::string bound = BoundTemplate(h, id);
  ASSERT_FALSE(bound.empty());

  json updated = GraphqlData(h, R"(mutation UpdateEndpoint($id: String!,
      $gpuIds: String!, $templateId: String!, $name: String!,
      $workersMax: Int) { saveEndpoint(input: {id: $id, gpuIds: $gpuIds,
      templateId: $templateId, name: $name, workersMax: $workersMax})
      { id name gpuIds workersMax } })",
                             {{"id", id}, {"gpuIds", "ADA_24"},
                              {"templateId", source}, {"name", "q"},
                              {"workersMax", 5}})["saveEndpoint"];
  EXPECT_EQ(updated, json({{"id", id}, {"name", "q"}, {"gpuIds", "ADA_24"},
                           {"workersMax", 5}}));
  EXPECT_EQ(h.Ok("GET", "/v2/serverless/" + id)["workers"]["max"], 5);

  EXPECT_EQ(GraphqlData(h, R"(mutation DeleteEndpoint($id: String!) {
      deleteEndpoint(id: $id) })",
                        {{"id", id}}),
            json::parse(R"({"deleteEndpoint": null})"));
  EXPECT_EQ(h.Call("GET", "/v2/serverless/" + id).status, 404);
  EXPECT_EQ(h.Call("GET", "/v2/templates/" + bound).status, 404);
  EXPECT_EQ(h.Call("GET", "/v2/templates/" + source).status, 200);
  // Deleting it again: RunPod's error, no data.
  json again = Graphql(h, R"(mutation { deleteEndpoint(id: ")" + id + R"(") })");
  EXPECT_EQ(FirstError(again), "Endpoint " + id + " not found.");
  EXPECT_EQ(again["errors"][0]["path"], json::array({"deleteEndpoint"}));
}

// The account's rules, once for both APIs.
TEST(GraphqlEndpointsTest, TheAccountsRulesRefuse) {
  RestHarness h;
  const std::string source = ServerlessTemplate(h);
  const std::string a = NewVolume(h, "EU-RO-1");
  const std::string b = NewVolume(h, "EU-RO-1");
  auto save = [&](const std::string& fields) {
    return Graphql(h, "mutation { saveEndpoint(input: { name: \"e\", "
                      "templateId: \"" + source + "\", " + fields +
                      " }) { id } }");
  };
  EXPECT_EQ(FirstError(save("gpuIds: \"ADA_24\", networkVolumeIds: ["
                            "{networkVolumeId: \"" + a + "\"}, "
                            "{networkVolumeId: \"" + b + "\"}]")),
            "An endpoint takes at most one network volume per data center: " +
                a + " and " + b + " are both in EU-RO-1.");
  EXPECT_EQ(FirstError(save("gpuIds: \"ADA_25\"")),
            "GPU pool ADA_25 does not exist.");
  EXPECT_EQ(FirstError(save("gpuIds: \"ADA_24\", scalerType: \"FAST\"")),
            "scalerType must be QUEUE_DELAY or REQUEST_COUNT, not FAST.");
  EXPECT_EQ(FirstError(save("gpuIds: \"ADA_24\", instanceIds: [\"cpu3c\"]")),
            "Exactly one of gpu or cpu must be set.");
  EXPECT_EQ(FirstError(Graphql(h, R"(mutation { saveEndpoint(input: {
      name: "e", templateId: "nope", gpuIds: "ADA_24" }) { id } })")),
            "Template nope not found.");
  EXPECT_EQ(h.Ok("GET", "/v2/serverless")["endpoints"], json::array());

  // A volume an endpoint (made over GraphQL) mounts cannot be deleted,
  // over either API.
  const std::string id =
      save("gpuIds: \"ADA_24\", networkVolumeId: \"" + a + "\"")
          ["data"]["saveEndpoint"]["id"];
  const std::string detail =
      "You must remove this network volume from all serverless endpoints "
      "before deleting it (endpoint " + id + " mounts it).";
  EXPECT_EQ(FirstError(Graphql(h, "mutation { deleteNetworkVolume(input: "
                                  "{id: \"" + a + "\"}) }")),
            detail);
  EXPECT_EQ(h.Call("DELETE", "/v2/network-volumes/" + a).status, 400);
  EXPECT_EQ(h.Call("DELETE", "/v2/serverless/" + id).status, 204);
  EXPECT_EQ(GraphqlData(h, "{ myself { endpoints { id } } }"),
            json::parse(R"({"myself": {"endpoints": []}})"));
  EXPECT_EQ(h.Call("DELETE", "/v2/network-volumes/" + a).status, 204);
}

}  // namespace
}  // namespace podform::sandbox
