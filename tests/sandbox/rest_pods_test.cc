// REST v2 /v2/pods: create, read, list with cursors, PATCH, DELETE and
// actions, with asynchronous provisioning on the fake clock.

#include <set>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/sandbox/rest_test_util.h"

namespace podform::sandbox {
namespace {

using nlohmann::json;
using testing::ProblemBody;
using testing::RestHarness;
using testing::RestOptions;
using testing::RestResult;

constexpr char kA6000[] = "NVIDIA RTX A6000";

json NewPod(const std::string& name) {
  return {{"name", name}, {"image", "runpod/pytorch"}, {"gpu", {{"id", kA6000}}}};
}

std::string Id(const json& j) { return j.value("id", ""); }

json NetworkMount(const std::string& volume_id, const std::string& path) {
  json mount = {{"volumeId", volume_id}, {"path", path}};
  return {{"network", json::array({mount})}};
}

TEST(RestPodsTest, ARunningPodAnswersEveryField) {
  RestHarness h;
  json body = NewPod("trainer");
  body["dataCenterIds"] = {"EU-RO-1"};
  body["env"] = {{"A", "1"}};
  body["ports"] = {"8888/http", "22/tcp"};
  body["args"] = "sleep infinity";
  body["disk"] = 30;
  RestResult r = h.Call("POST", "/v2/pods", body);
  ASSERT_EQ(r.status, 201) << r.text;
  const json& pod = r.body;
  std::string id = Id(pod);
  ASSERT_EQ(id.size(), 14u);
  std::string host = pod["ssh"]["proxy"]["username"];
  EXPECT_EQ(host.substr(0, 15), id + "-");
  json direct = pod["ssh"]["direct"];
  ASSERT_TRUE(direct.is_object()) << pod.dump();
  json expected = {
      {"id", id},
      {"name", "trainer"},
      {"image", "runpod/pytorch"},
      {"args", "sleep infinity"},
      {"disk", 30},
      {"env", {{"A", "1"}}},
      {"ports", {"8888/http", "22/tcp"}},
      {"registry", nullptr},
      {"status", "RUNNING"},
      {"actions", {"stop", "restart", "terminate"}},
      {"mounts", json::object()},
      {"gpu",
       {{"id", kA6000}, {"count", 1}, {"vcpuCount", 8}, {"memory", 96}}},
      {"cloud", "SECURE"},
      {"dataCenterId", "EU-RO-1"},
      {"cudaVersion", "12.4"},
      {"ssh",
       {{"proxy",
         {{"host", "ssh.runpod.io"},
          {"port", 22},
          {"username", host},
          {"command", "ssh " + host + "@ssh.runpod.io"}}},
        {"direct",
         {{"host", direct["host"]},
          {"port", direct["port"]},
          {"username", "root"},
          {"command", "ssh root@" + direct["host"].get<std::string>() +
                          " -p " + std::to_string(direct["port"].get<int>())}}}}},
      {"template", nullptr},
      {"cost", 0.49},
      {"locked", false},
      {"globalNetworking", {{"enabled", false}}},
      {"runtime",
       {{"uptime", 0},
        {"gpus", {{{"util", 0}, {"memoryUtil", 0}}}},
        {"cpu", {{"util", 0}}},
        {"memory", {{"util", 0}}},
        {"ports",
         {{{"private", 8888}, {"public", 8888}, {"type", "http"},
           {"ip", "100.65.0.2"}},
          {{"private", 22}, {"public", direct["port"]}, {"type", "tcp"},
           {"ip", direct["host"]}}}}}},
      {"createdAt", "2024-02-09T14:01:47Z"},
      {"startedAt", "2024-02-09T14:01:47Z"}};
  EXPECT_EQ(pod, expected);
  EXPECT_EQ(h.Ok("GET", "/v2/pods/" + id), expected);
}

TEST(RestPodsTest, ProvisioningThenStartingThenRunning) {
  RestHarness h(testing::Provisioning(1000));
  json pod = h.Ok("POST", "/v2/pods", NewPod("p"));
  const std::string url = "/v2/pods/" + Id(pod);
  EXPECT_EQ(pod["status"], "PROVISIONING");
  EXPECT_EQ(pod["actions"], json({"stop", "terminate"}));
  EXPECT_EQ(pod["runtime"], nullptr);
  EXPECT_EQ(pod["startedAt"], nullptr);
  EXPECT_EQ(pod["cost"], 0.49);
  h.clock.Advance(absl::Milliseconds(500));
  pod = h.Ok("GET", url);
  EXPECT_EQ(pod["status"], "STARTING");
  EXPECT_EQ(pod["runtime"], nullptr);
  h.clock.Advance(absl::Milliseconds(500));
  pod = h.Ok("GET", url);
  EXPECT_EQ(pod["status"], "RUNNING");
  EXPECT_EQ(pod["actions"], json({"stop", "restart", "terminate"}));
  EXPECT_EQ(pod["runtime"]["uptime"], 0);
  EXPECT_EQ(pod["startedAt"], "2024-02-09T14:01:48Z");
  h.clock.Advance(absl::Seconds(10));
  EXPECT_EQ(h.Ok("GET", url)["runtime"]["uptime"], 10);
  // A restart skips PROVISIONING: the pod keeps its machine.
  pod = h.Ok("POST", url + "/action", {{"action", "restart"}});
  EXPECT_EQ(pod["status"], "STARTING");
  h.clock.Advance(absl::Seconds(1));
  EXPECT_EQ(h.Ok("GET", url)["status"], "RUNNING");
}

TEST(RestPodsTest, AFailedProvisioningIsErrorAndCanBeStartedAgain) {
  RestHarness h(testing::Provisioning(100, 1.0));
  json pod = h.Ok("POST", "/v2/pods", NewPod("p"));
  const std::string url = "/v2/pods/" + Id(pod);
  h.clock.Advance(absl::Milliseconds(100));
  pod = h.Ok("GET", url);
  EXPECT_EQ(pod["status"], "ERROR");
  EXPECT_EQ(pod["actions"], json({"start", "terminate"}));
  EXPECT_EQ(pod["runtime"], nullptr);
  RestResult r = h.Call("POST", url + "/action", json{{"action", "stop"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body,
            ProblemBody("Conflict", 409, "Cannot stop a pod that is ERROR."));
  EXPECT_EQ(h.Ok("POST", url + "/action", {{"action", "start"}})["status"],
            "PROVISIONING");
}

TEST(RestPodsTest, ActionsFollowTheStatus) {
  RestHarness h;
  json pod = h.Ok("POST", "/v2/pods", NewPod("p"));
  const std::string url = "/v2/pods/" + Id(pod);
  pod = h.Ok("POST", url + "/action", {{"action", "stop"}});
  EXPECT_EQ(pod["status"], "EXITED");
  EXPECT_EQ(pod["actions"], json({"start", "terminate"}));
  EXPECT_EQ(pod["cost"], 0.0);
  EXPECT_EQ(pod["runtime"], nullptr);
  EXPECT_EQ(pod["ssh"]["direct"], nullptr);
  for (const char* action : {"stop", "restart"}) {
    RestResult r = h.Call("POST", url + "/action", json{{"action", action}});
    EXPECT_EQ(r.status, 409) << action;
    EXPECT_EQ(r.body["detail"],
              std::string("Cannot ") + action + " a pod that is EXITED.");
  }
  // GraphQL sees the same pod stopped.
  EXPECT_EQ(h.GraphqlData("{ pod(input: {podId: \"" + Id(pod) +
                          "\"}) { desiredStatus } }"),
            json({{"pod", {{"desiredStatus", "EXITED"}}}}));
  pod = h.Ok("POST", url + "/action", {{"action", "start"}});
  EXPECT_EQ(pod["status"], "RUNNING");
  RestResult r = h.Call("POST", url + "/action", json{{"action", "terminate"}});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.text, "");
  r = h.Call("GET", url);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, ProblemBody("Not Found", 404, "pod not found"));
  EXPECT_EQ(h.Call("POST", url + "/action", json{{"action", "start"}}).status,
            404);
}

TEST(RestPodsTest, ActionBodiesAreStrict) {
  RestHarness h;
  const std::string url = "/v2/pods/" + Id(h.Ok("POST", "/v2/pods", NewPod("p")));
  RestResult r = h.Call("POST", url + "/action", json{{"action", "resume"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["errors"],
            json({"$.action: must be one of start, stop, restart, terminate"}));
  r = h.Call("POST", url + "/action",
             json{{"action", "stop"}, {"gpuCount", 1}});
  EXPECT_EQ(r.body["errors"],
            json({"$: additional properties 'gpuCount' not allowed"}));
  r = h.Call("POST", url + "/action", json::object());
  EXPECT_EQ(r.body["errors"], json({"$: missing property 'action'"}));
}

TEST(RestPodsTest, ALockedPodCannotBeStoppedOrRestarted) {
  RestHarness h;
  const std::string url = "/v2/pods/" + Id(h.Ok("POST", "/v2/pods", NewPod("p")));
  EXPECT_EQ(h.Ok("PATCH", url, {{"locked", true}})["locked"], true);
  RestResult r = h.Call("POST", url + "/action", json{{"action", "stop"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body, ProblemBody("Conflict", 409,
                                "Cannot stop a locked pod; unlock it first."));
  EXPECT_EQ(h.Ok("PATCH", url, {{"locked", false}})["locked"], false);
  EXPECT_EQ(h.Ok("POST", url + "/action", {{"action", "stop"}})["status"],
            "EXITED");
}

TEST(RestPodsTest, CreateRefusesWhatTheSchemaRefuses) {
  RestHarness h;
  struct Case {
    json body;
    json errors;
  };
  json no_image = NewPod("p");
  no_image.erase("image");
  json bad_gpu = NewPod("p");
  bad_gpu["gpu"]["vcpuCount"] = 4;
  bad_gpu["gpu"]["count"] = 0;
  json bad_cuda = NewPod("p");
  bad_cuda["gpu"]["minCudaVersion"] = "12";
  json two_mounts = NewPod("p");
  two_mounts["mounts"] = {
      {"network", {{{"volumeId", "a"}, {"path", "/a"}},
                   {{"volumeId", "b"}, {"path", "/b"}}}}};
  json no_path = NewPod("p");
  no_path["mounts"] = {{"network", json::array({{{"volumeId", "a"}}})}};
  json bad_env = NewPod("p");
  bad_env["env"] = {{"A", 1}};
  const Case cases[] = {
      {no_image, {"$: missing property 'image'"}},
      {bad_gpu,
       {"$.gpu.count: must be >= 1",
        "$.gpu: additional properties 'vcpuCount' not allowed"}},
      {bad_cuda, {R"($.gpu.minCudaVersion: "12" does not match ^\d+\.\d+$)"}},
      {two_mounts, {"$.mounts.network: must have at most 1 items"}},
      {no_path, {"$.mounts.network[0]: missing property 'path'"}},
      {bad_env, {"$.env.A: expected string, got integer"}},
      {json{{"name", "p"}, {"image", "i"}, {"gpu", {{"id", kA6000}}},
            {"cloud", "ALL"}},
       {"$.cloud: must be one of SECURE, COMMUNITY"}},
  };
  for (const Case& c : cases) {
    RestResult r = h.Call("POST", "/v2/pods", c.body);
    EXPECT_EQ(r.status, 422) << c.body;
    EXPECT_EQ(r.body, ProblemBody("Unprocessable Entity", 422,
                                  "Request validation failed.", c.errors))
        << c.body;
  }
  EXPECT_EQ(h.Ok("GET", "/v2/pods")["pods"], json::array());
}

TEST(RestPodsTest, CreateRules) {
  RestHarness h;
  std::string volume = Id(h.Ok("POST", "/v2/network-volumes",
                               {{"name", "v"},
                                {"size", 10},
                                {"dataCenter", "EU-RO-1"}}));
  struct Case {
    json body;
    int status;
    std::string detail;
  };
  json both = NewPod("p");
  both["cpu"] = {{"id", "cpu3c"}, {"vcpuCount", 2}};
  json neither = NewPod("p");
  neither.erase("gpu");
  json cpu = neither;
  cpu["cpu"] = {{"id", "cpu3c"}, {"vcpuCount", 2}};
  json other_dc = NewPod("p");
  other_dc["dataCenterIds"] = {"EU-SE-1"};
  other_dc["mounts"] = NetworkMount(volume, "/data");
  json community = NewPod("p");
  community["cloud"] = "COMMUNITY";
  community["mounts"] = NetworkMount(volume, "/data");
  json empty_network = NewPod("p");
  empty_network["mounts"] = {{"network", json::array()}};
  json exclusive = NewPod("p");
  exclusive["mounts"] = NetworkMount(volume, "/data");
  exclusive["mounts"]["persistent"] = {{"size", 20}, {"path", "/p"}};
  json missing_volume = NewPod("p");
  missing_volume["mounts"] = NetworkMount("nope", "/data");
  json bad_ports = NewPod("p");
  bad_ports["ports"] = {"eighty/http"};
  json templated = NewPod("p");
  templated["templateId"] = "tpl";
  json too_many_gpus = NewPod("p");
  too_many_gpus["gpu"]["count"] = 9;
  const Case cases[] = {
      {both, 400, "Exactly one of gpu or cpu must be set."},
      {neither, 400, "Exactly one of gpu or cpu must be set."},
      {cpu, 400, "CPU pods are not offered by the sandbox; set gpu."},
      {other_dc, 400,
       "The pod's data center EU-SE-1 does not match its network volume's "
       "data center EU-RO-1."},
      {community, 400, "Network volumes are only available on Secure Cloud."},
      {empty_network, 400,
       "mounts.network must not be empty: clearing mounts is not supported."},
      {exclusive, 400,
       "mounts.persistent and mounts.network are mutually exclusive."},
      {missing_volume, 404, "Network volume nope not found."},
      {bad_ports, 400,
       "Invalid ports \"eighty/http\": expected a comma-separated list like "
       "\"8888/http,22/tcp\"."},
      {templated, 404, "Template tpl not found."},
      {too_many_gpus, 400, "gpuCount must be between 1 and 8 (got 9)."},
  };
  for (const Case& c : cases) {
    RestResult r = h.Call("POST", "/v2/pods", c.body);
    EXPECT_EQ(r.status, c.status) << c.body;
    EXPECT_EQ(r.body["detail"], c.detail) << c.body;
  }
  // With the volume, the pod lands in its data center, on SECURE cloud.
  json ok = NewPod("p");
  ok["mounts"] = NetworkMount(volume, "/data");
  json pod = h.Ok("POST", "/v2/pods", ok);
  EXPECT_EQ(pod["dataCenterId"], "EU-RO-1");
  EXPECT_EQ(pod["cloud"], "SECURE");
  EXPECT_EQ(pod["mounts"], NetworkMount(volume, "/data"));
}

TEST(RestPodsTest, DataCenterIdsArePreferencesInOrder) {
  RestHarness h;
  h.service->store().account().SetCapacity("EU-SE-1", kA6000, 0);
  json body = NewPod("p");
  body["dataCenterIds"] = {"EU-SE-1", "US-KS-2"};
  EXPECT_EQ(h.Ok("POST", "/v2/pods", body)["dataCenterId"], "US-KS-2");
  body["dataCenterIds"] = {"EU-SE-1"};
  RestResult r = h.Call("POST", "/v2/pods", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["detail"],
            "There are no longer any instances available with the requested "
            "specifications. Please refresh and try again.");
}

TEST(RestPodsTest, PatchEnvReplacesTheWholeMap) {
  RestHarness h;
  json body = NewPod("p");
  body["env"] = {{"A", "1"}, {"B", "2"}};
  const std::string url = "/v2/pods/" + Id(h.Ok("POST", "/v2/pods", body));
  json pod = h.Ok("PATCH", url,
                  {{"env", {{"C", "3"}}}, {"name", "q"}, {"image", "img:2"}});
  EXPECT_EQ(pod["env"], json({{"C", "3"}}));
  EXPECT_EQ(pod["name"], "q");
  EXPECT_EQ(pod["image"], "img:2");
  EXPECT_EQ(h.Ok("GET", url)["env"], json({{"C", "3"}}));
  // GraphQL reads the same env.
  EXPECT_EQ(h.GraphqlData("{ myself { pods { env imageName } } }"),
            json({{"myself",
                   {{"pods", {{{"env", {"C=3"}}, {"imageName", "img:2"}}}}}}}));
  RestResult r = h.Call("PATCH", url, json{{"gpu", {{"id", kA6000}}}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["errors"],
            json({"$: additional properties 'gpu' not allowed"}));
  r = h.Call("PATCH", "/v2/pods/nope", json{{"name", "x"}});
  EXPECT_EQ(r.status, 404);
}

TEST(RestPodsTest, PatchMountsKeepKindAndVolume) {
  RestHarness h;
  std::string volume = Id(h.Ok("POST", "/v2/network-volumes",
                               {{"name", "v"},
                                {"size", 10},
                                {"dataCenter", "EU-RO-1"}}));
  std::string other = Id(h.Ok("POST", "/v2/network-volumes",
                              {{"name", "w"},
                               {"size", 10},
                               {"dataCenter", "EU-RO-1"}}));
  json body = NewPod("p");
  body["mounts"] = NetworkMount(volume, "/data");
  const std::string url = "/v2/pods/" + Id(h.Ok("POST", "/v2/pods", body));
  EXPECT_EQ(h.Ok("PATCH", url, {{"mounts", NetworkMount(volume, "/new")}})
                ["mounts"],
            NetworkMount(volume, "/new"));
  EXPECT_EQ(h.Ok("PATCH", url, {{"mounts", json::object()}})["mounts"],
            NetworkMount(volume, "/new"));
  struct Case {
    json mounts;
    std::string detail;
  };
  const Case cases[] = {
      {NetworkMount(other, "/new"),
       "Cannot change the network volume of a pod's mount to " + other +
           ": volumeId is fixed at creation."},
      {{{"persistent", {{"size", 20}, {"path", "/p"}}}},
       "Cannot add a persistent mount: a pod's mount kind is fixed at "
       "creation."},
      {{{"network", json::array()}},
       "mounts.network must not be empty: clearing mounts is not supported."},
  };
  for (const Case& c : cases) {
    RestResult r = h.Call("PATCH", url, json{{"mounts", c.mounts}});
    EXPECT_EQ(r.status, 400) << c.mounts;
    EXPECT_EQ(r.body["detail"], c.detail);
  }
  // A pod without mounts cannot get one.
  const std::string bare = "/v2/pods/" + Id(h.Ok("POST", "/v2/pods", NewPod("b")));
  RestResult r =
      h.Call("PATCH", bare, json{{"mounts", NetworkMount(volume, "/d")}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["detail"],
            "Cannot add a network mount: a pod's mount kind is fixed at "
            "creation.");
}

TEST(RestPodsTest, ListPagesWithCursors) {
  RestHarness h;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(Id(h.Ok("POST", "/v2/pods", NewPod("p" + std::to_string(i)))));
  }
  std::vector<std::string> seen;
  std::string target = "/v2/pods?limit=2";
  int pages = 0;
  while (true) {
    json page = h.Ok("GET", target);
    ++pages;
    for (const json& pod : page["pods"]) seen.push_back(Id(pod));
    if (!page["pagination"]["hasNextPage"].get<bool>()) {
      EXPECT_EQ(page["pagination"]["nextCursor"], nullptr);
      break;
    }
    EXPECT_EQ(page["pods"].size(), 2u);
    target = "/v2/pods?limit=2&cursor=" +
             page["pagination"]["nextCursor"].get<std::string>();
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, ids);
  json all = h.Ok("GET", "/v2/pods");
  EXPECT_EQ(all["pods"].size(), 5u);
  EXPECT_EQ(all["pagination"],
            json({{"nextCursor", nullptr}, {"hasNextPage", false}}));
  // A page cut where a pod is then deleted continues after it.
  json first = h.Ok("GET", "/v2/pods?limit=2");
  ASSERT_EQ(h.Call("DELETE", "/v2/pods/" + ids[1]).status, 204);
  json next = h.Ok("GET", "/v2/pods?limit=2&cursor=" +
                              first["pagination"]["nextCursor"]
                                  .get<std::string>());
  EXPECT_EQ(Id(next["pods"][0]), ids[2]);
  struct Case {
    std::string query;
    std::string error;
  };
  const Case cases[] = {
      {"limit=0", "limit: must be between 1 and 1000"},
      {"limit=1001", "limit: must be between 1 and 1000"},
      {"limit=ten", "limit: expected integer"},
      {"cursor=bm9wZQ", "cursor: malformed or foreign cursor"},
      {"cursor=", "cursor: malformed or foreign cursor"},
      {"includeClusterPods=yes", "includeClusterPods: expected boolean"},
  };
  for (const Case& c : cases) {
    RestResult r = h.Call("GET", "/v2/pods?" + c.query);
    EXPECT_EQ(r.status, 422) << c.query;
    EXPECT_EQ(r.body, ProblemBody("Unprocessable Entity", 422,
                                  "Request validation failed.", {c.error}))
        << c.query;
  }
  EXPECT_EQ(h.Ok("GET", "/v2/pods?limit=1000&includeClusterPods=false")
                ["pods"].size(),
            4u);
}

TEST(RestPodsTest, GraphqlPodsAreListedAndProvisioningSurvivesARestart) {
  std::string path = testing::MakeTempDir() + "/sandbox.json";
  std::string id;
  {
    RestHarness h(testing::OnFile(path, 2000));
    id = h.GraphqlData(
        R"(mutation { podFindAndDeployOnDemand(input: {name: "g", imageName: "img", gpuTypeId: "NVIDIA RTX A6000", cloudType: SECURE}) { id } })")
        ["podFindAndDeployOnDemand"]["id"];
    json pod = h.Ok("GET", "/v2/pods/" + id);
    EXPECT_EQ(pod["status"], "PROVISIONING");
    EXPECT_EQ(pod["name"], "g");
    EXPECT_EQ(h.Ok("PATCH", "/v2/pods/" + id, {{"cmd", {"a", "b"}}})["cmd"],
              json({"a", "b"}));
  }
  RestHarness h(testing::OnFile(path));
  json pod = h.Ok("GET", "/v2/pods/" + id);
  EXPECT_EQ(pod["status"], "STARTING");  // the fake clock restarts at kT0
  EXPECT_EQ(pod["cmd"], json({"a", "b"}));
  h.clock.Advance(absl::Seconds(2));
  EXPECT_EQ(h.Ok("GET", "/v2/pods/" + id)["status"], "RUNNING");
}

}  // namespace
}  // namespace podform::sandbox
