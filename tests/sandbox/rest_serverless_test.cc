// REST v2 /v2/serverless and /v2/templates: endpoints, the templates bound
// to them, their rules, pagination and persistence.

#include <filesystem>
#include <regex>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/sandbox/account_json.h"
#include "reconciler/sandbox/serverless.h"
#include "reconciler/util/file.h"
#include "tests/sandbox/rest_test_util.h"

namespace podform::sandbox {
namespace {

using nlohmann::json;
using testing::ProblemBody;
using testing::RestHarness;
using testing::RestOptions;
using testing::RestResult;

constexpr char kCreatedAt[] = "2024-02-09T14:01:47Z";  // the fake clock's kT0

json Embed() {
  return {{"name", "embed"},
          {"type", "QUEUE"},
          {"image", "ghcr.io/acme/embed:1.4"},
          {"gpu", {{"pools", {"ADA_24"}}}},
          {"scaling", {{"type", "QUEUE_DELAY"}, {"queueDelay", 4}}}};
}

// `body` with the members of `patch` set (replaced whole, not merged).
json With(json body, const json& patch) {
  for (const auto& [key, value] : patch.items()) body[key] = value;
  return body;
}

std::string NewVolume(RestHarness& h, const std::string& dc,
                      const std::string& name = "models") {
  return h.Ok("POST", "/v2/network-volumes",
              {{"name", name}, {"size", 50}, {"dataCenter", dc}})["id"];
}

json Invalid(const json& errors) {
  return ProblemBody("Unprocessable Entity", 422, "Request validation failed.",
                     errors);
}

json BadRequest(const std::string& detail) {
  return ProblemBody("Bad Request", 400, detail);
}

TEST(RestServerlessTest, CreateAnswers201WithEveryFieldAndItsDefaults) {
  RestHarness h;
  RestResult r = h.Call("POST", "/v2/serverless", Embed());
  ASSERT_EQ(r.status, 201) << r.text;
  EXPECT_EQ(r.content_type, "application/json");
  const std::string id = r.body.value("id", "");
  EXPECT_TRUE(std::regex_match(id, std::regex("[a-z0-9]{14}"))) << id;
  const std::string urls = "https://api.runpod.ai/v2/" + id;
  json expected = {
      {"id", id},
      {"name", "embed"},
      {"type", "QUEUE"},
      {"image", "ghcr.io/acme/embed:1.4"},
      {"args", ""},
      {"disk", 20},
      {"env", json::object()},
      {"ports", json::array()},
      {"registry", nullptr},
      {"requestUrls",
       {{"run", urls + "/run"},
        {"runSync", urls + "/runsync"},
        {"status", urls + "/status/{job_id}"},
        {"stream", urls + "/stream/{job_id}"},
        {"cancel", urls + "/cancel/{job_id}"},
        {"retry", urls + "/retry/{job_id}"},
        {"purgeQueue", urls + "/purge-queue"},
        {"health", urls + "/health"}}},
      {"gpu",
       {{"pools", {"ADA_24"}},
        {"excludedTypes", json::array()},
        {"count", 1},
        {"allowedCudaVersions", json::array()},
        {"minCudaVersion", nullptr}}},
      {"workers", {{"min", 0}, {"max", 3}, {"idleTimeout", 10}}},
      {"scaling", {{"type", "QUEUE_DELAY"}, {"queueDelay", 4.0}}},
      {"dataCenterIds", json::array()},
      {"networkVolumes", json::array()},
      {"timeout", 300000},
      {"flashboot", "OFF"},
      {"createdAt", kCreatedAt}};
  EXPECT_EQ(r.body, expected);
  EXPECT_EQ(h.Ok("GET", "/v2/serverless/" + id), expected);
  EXPECT_EQ(h.Ok("GET", "/v2/serverless"),
            json({{"endpoints", {expected}},
                  {"pagination",
                   {{"nextCursor", nullptr}, {"hasNextPage", false}}}}));
}

TEST(RestServerlessTest, ALoadBalancerHasItsOwnUrlsAndEveryFieldIsKept) {
  RestHarness h;
  json body = {{"name", "lb"},
               {"type", "LOAD_BALANCER"},
               {"image", "img"},
               {"args", "python serve.py"},
               {"cmd", {"serve"}},
               {"disk", 30},
               {"env", {{"A", "1"}}},
               {"ports", {"8000/http"}},
               {"registry", "reg1"},
               {"gpu",
                {{"pools", {"AMPERE_48", "ADA_48_PRO"}},
                 {"excludedTypes", {" NVIDIA L40S"}},
                 {"count", 2},
                 {"minCudaVersion", "12.4"}}},
               {"scaling", {{"type", "REQUEST_COUNT"}, {"requestCount", 3}}},
               {"workers", {{"min", 1}, {"max", 5}, {"idleTimeout", 60}}},
               {"dataCenterIds", {"EU-RO-1"}},
               {"timeout", 600000},
               {"flashboot", "FLASHBOOT"}};
  json e = h.Ok("POST", "/v2/serverless", body);
  const std::string id = e["id"];
  EXPECT_EQ(e["requestUrls"],
            json({{"base", "https://" + id + ".api.runpod.ai"},
                  {"health", "https://" + id + ".api.runpod.ai/ping"}}));
  EXPECT_EQ(e["cmd"], json({"serve"}));
  EXPECT_FALSE(e.contains("entrypoint"));
  EXPECT_EQ(e["args"], "python serve.py");
  EXPECT_EQ(e["disk"], 30);
  EXPECT_EQ(e["env"], json({{"A", "1"}}));
  EXPECT_EQ(e["ports"], json({"8000/http"}));
  EXPECT_EQ(e["registry"], "reg1");
  EXPECT_EQ(e["gpu"], json({{"pools", {"AMPERE_48", "ADA_48_PRO"}},
                            {"excludedTypes", {"NVIDIA L40S"}},
                            {"count", 2},
                            {"allowedCudaVersions", json::array()},
                            {"minCudaVersion", "12.4"}}));
  EXPECT_EQ(e["scaling"], json({{"type", "REQUEST_COUNT"}, {"requestCount", 3}}));
  EXPECT_EQ(e["workers"], json({{"min", 1}, {"max", 5}, {"idleTimeout", 60}}));
  EXPECT_EQ(e["dataCenterIds"], json({"EU-RO-1"}));
  EXPECT_EQ(e["timeout"], 600000);
  EXPECT_EQ(e["flashboot"], "FLASHBOOT");
}

TEST(RestServerlessTest, CreateBindsANewServerlessTemplate) {
  RestHarness h;
  json e = h.Ok("POST", "/v2/serverless",
                With(Embed(), {{"env", {{"MODEL_DIR", "/runpod-volume"}}}}));
  json templates = h.Ok("GET", "/v2/templates")["templates"];
  ASSERT_EQ(templates.size(), 1u);
  const std::string tid = templates[0]["id"];
  EXPECT_TRUE(std::regex_match(tid, std::regex("[a-z0-9]{10}"))) << tid;
  EXPECT_EQ(templates[0],
            json({{"id", tid},
                  {"name", "embed__template__" + e["id"].get<std::string>()},
                  {"image", "ghcr.io/acme/embed:1.4"},
                  {"args", ""},
                  {"disk", 20},
                  {"env", {{"MODEL_DIR", "/runpod-volume"}}},
                  {"ports", json::array()},
                  {"registry", nullptr},
                  {"mounts", json::object()},
                  {"serverless", true},
                  {"public", false},
                  {"category", "NVIDIA"},
                  {"startSsh", false},
                  {"startJupyter", false},
                  {"allowedCudaVersions", json::array()}}));
}

TEST(RestServerlessTest, CreateRefusesWhatTheSchemaRefuses) {
  RestHarness h;
  struct Case {
    json body;
    json errors;
  };
  const Case cases[] = {
      {With(Embed(), {{"bogus", 1}}),
       {"$: additional properties 'bogus' not allowed"}},
      {json::object(),
       {"$: missing property 'name'", "$: missing property 'type'",
        "$: missing property 'scaling'", "$: missing property 'image'"}},
      {With(Embed(), {{"type", "BATCH"}}),
       {"$.type: must be one of QUEUE, LOAD_BALANCER"}},
      {With(Embed(), {{"name", ""}}), {"$.name: must not be empty"}},
      {With(Embed(), {{"scaling", {{"type", "QUEUE_DELAY"}, {"queueDelay", 0.4}}}}),
       {"$.scaling.queueDelay: must be >= 0.5"}},
      {With(Embed(),
            {{"scaling", {{"type", "REQUEST_COUNT"}, {"requestCount", 0}}}}),
       {"$.scaling.requestCount: must be >= 1"}},
      {With(Embed(), {{"scaling", {{"type", "REQUEST_COUNT"},
                                   {"requestCount", 2147483648}}}}),
       {"$.scaling.requestCount: must be <= 2147483647"}},
      {With(Embed(), {{"scaling", {{"type", "CPU"}}}}),
       {"$.scaling.type: must be one of QUEUE_DELAY, REQUEST_COUNT"}},
      {With(Embed(), {{"scaling", {{"queueDelay", 4}, {"requestCount", 2}}}}),
       {"$.scaling: missing property 'type'",
        "$.scaling: additional properties 'queueDelay', 'requestCount' not "
        "allowed"}},
      // A LOAD_BALANCER endpoint scales on REQUEST_COUNT (the schema's
      // if/then).
      {With(Embed(), {{"type", "LOAD_BALANCER"}}),
       {"$.scaling.type: must be one of REQUEST_COUNT",
        "$.scaling: additional properties 'queueDelay' not allowed"}},
      {With(Embed(), {{"workers", {{"min", -1}, {"idleTimeout", 3601}}}}),
       {"$.workers.min: must be >= 0", "$.workers.idleTimeout: must be <= 3600"}},
      {With(Embed(), {{"workers", {{"max", 2}, {"maxx", 3}}}}),
       {"$.workers: additional properties 'maxx' not allowed"}},
      {With(Embed(), {{"gpu", {{"pools", json::array()}}}}),
       {"$.gpu.pools: must have at least 1 items"}},
      {With(Embed(), {{"gpu", {{"count", 1}}}}),
       {"$.gpu: missing property 'pools'"}},
      {With(Embed(), {{"gpu", {{"pools", {"ADA_24"}}, {"count", 0}}}}),
       {"$.gpu.count: must be >= 1"}},
      {With(Embed(),
            {{"gpu",
              {{"pools", {"ADA_24"}},
               {"excludedTypes", {"-NVIDIA L4", "NVIDIA L4", "NVIDIA L4"}}}}}),
       {"$.gpu.excludedTypes: \"-NVIDIA L4\" does not match ^\\s*[^-\\s]",
        "$.gpu.excludedTypes: must have unique items"}},
      {With(Embed(), {{"gpu", {{"pools", {"ADA_24"}},
                               {"allowedCudaVersions", {"12"}}}}}),
       {"$.gpu.allowedCudaVersions: \"12\" does not match ^\\d+\\.\\d+$"}},
      {With(Embed(), {{"flashboot", "ON"}}),
       {"$.flashboot: must be one of OFF, FLASHBOOT, PRIORITY_FLASHBOOT"}},
      {With(Embed(), {{"networkVolumes", "abc"}}),
       {"$.networkVolumes: expected array, got string"}},
      {With(Embed(), {{"timeout", "300"}}),
       {"$.timeout: expected integer, got string"}},
      {With(Embed(), {{"templateId", ""}}),
       {"$.templateId: must not be empty"}},
      {With(Embed(), {{"cpu", {{{"id", "cpu3c"}, {"vcpuCount", 1}}}}}),
       {"$.cpu[0].vcpuCount: must be >= 2"}},
  };
  for (const Case& c : cases) {
    json body = c.body;
    if (c.body.is_object() && c.body.empty()) body = json::object();
    RestResult r = h.Call("POST", "/v2/serverless", body.dump());
    EXPECT_EQ(r.status, 422) << body.dump() << " " << r.text;
    EXPECT_EQ(r.body, Invalid(c.errors)) << body.dump();
  }
  json no_image = Embed();
  no_image.erase("image");
  EXPECT_EQ(h.Call("POST", "/v2/serverless", no_image).body,
            Invalid({"$: missing property 'image'"}));
  EXPECT_EQ(h.Ok("GET", "/v2/serverless")["endpoints"], json::array());
  EXPECT_EQ(h.Ok("GET", "/v2/templates")["templates"], json::array());
}

TEST(RestServerlessTest, CreateRules) {
  RestHarness h;
  const std::string eu = NewVolume(h, "EU-RO-1", "eu");
  const std::string eu2 = NewVolume(h, "EU-RO-1", "eu2");
  const std::string us = NewVolume(h, "US-KS-2", "us");
  struct Case {
    json patch;
    int status;
    std::string detail;
  };
  json no_gpu = Embed();
  no_gpu.erase("gpu");
  const Case cases[] = {
      {{{"cpu", {{{"id", "cpu3c"}, {"vcpuCount", 2}}}}}, 400,
       "Exactly one of gpu or cpu must be set."},
      {{{"gpu", {{"pools", {"ADA_25"}}}}}, 400,
       "GPU pool ADA_25 does not exist."},
      {{{"gpu", {{"pools", {"ADA_24"}}, {"excludedTypes", {"NVIDIA L40S"}}}}},
       400, "gpu.excludedTypes: NVIDIA L40S is not a GPU type in gpu.pools."},
      {{{"gpu",
         {{"pools", {"ADA_24"}},
          {"excludedTypes", {"NVIDIA L4", "NVIDIA GeForce RTX 4090"}}}}},
       400, "gpu.excludedTypes leaves no GPU type in gpu.pools."},
      {{{"gpu",
         {{"pools", {"ADA_24"}},
          {"allowedCudaVersions", {"12.4"}},
          {"minCudaVersion", "12.1"}}}},
       400,
       "gpu.allowedCudaVersions and gpu.minCudaVersion are mutually "
       "exclusive."},
      {{{"workers", {{"min", 4}}}}, 400,
       "workers.min (4) must not exceed workers.max (3)."},
      {{{"workers", {{"min", 2}, {"max", 1}}}}, 400,
       "workers.min (2) must not exceed workers.max (1)."},
      {{{"scaling", {{"type", "REQUEST_COUNT"}, {"requestCount", 2}}},
        {"workers", {{"idleTimeout", 5}}}},
       400,
       "workers.idleTimeout does not apply to a QUEUE endpoint scaling on "
       "REQUEST_COUNT."},
      {{{"networkVolumes", {"nosuchvol0"}}}, 404,
       "Network volume nosuchvol0 not found."},
      {{{"networkVolumes", {eu, us, eu2}}}, 400,
       "An endpoint takes at most one network volume per data center: " + eu +
           " and " + eu2 + " are both in EU-RO-1."},
      {{{"networkVolumes", {eu}}, {"dataCenterIds", {"US-KS-2"}}}, 400,
       "dataCenterIds must be the data centers of networkVolumes (EU-RO-1)."},
      {{{"networkVolumes", {eu, us}}, {"dataCenterIds", {"EU-RO-1"}}}, 400,
       "dataCenterIds must be the data centers of networkVolumes (EU-RO-1, "
       "US-KS-2)."},
      {{{"dataCenterIds", {"MARS-1"}}}, 400, "Data center MARS-1 does not exist."},
      {{{"templateId", "nosuchtmpl"}}, 404, "Template nosuchtmpl not found."},
  };
  for (const Case& c : cases) {
    RestResult r = h.Call("POST", "/v2/serverless", With(Embed(), c.patch));
    EXPECT_EQ(r.status, c.status) << c.patch.dump() << " " << r.text;
    EXPECT_EQ(r.body, ProblemBody(c.status == 404 ? "Not Found" : "Bad Request",
                                  c.status, c.detail))
        << c.patch.dump();
  }
  RestResult r = h.Call("POST", "/v2/serverless", no_gpu);
  EXPECT_EQ(r.body, BadRequest("Exactly one of gpu or cpu must be set."));
  no_gpu["cpu"] = {{{"id", "cpu3c"}, {"vcpuCount", 2}}};
  r = h.Call("POST", "/v2/serverless", no_gpu);
  EXPECT_EQ(r.body,
            BadRequest("CPU endpoints are not offered by the sandbox; set gpu."));
  EXPECT_EQ(h.Ok("GET", "/v2/serverless")["endpoints"], json::array());
  EXPECT_EQ(h.Ok("GET", "/v2/templates")["templates"], json::array());
}

TEST(RestServerlessTest, DataCentersFollowTheVolumes) {
  RestHarness h;
  const std::string eu = NewVolume(h, "EU-RO-1", "eu");
  const std::string us = NewVolume(h, "US-KS-2", "us");
  json e = h.Ok("POST", "/v2/serverless",
                With(Embed(), {{"networkVolumes", {us, eu}}}));
  EXPECT_EQ(e["networkVolumes"], json({us, eu}));
  EXPECT_EQ(e["dataCenterIds"], json({"US-KS-2", "EU-RO-1"}));
  const std::string path = "/v2/serverless/" + e["id"].get<std::string>();
  // The same data centers in another order are the volumes' data centers.
  e = h.Ok("PATCH", path, {{"dataCenterIds", {"EU-RO-1", "US-KS-2"}}});
  EXPECT_EQ(e["dataCenterIds"], json({"US-KS-2", "EU-RO-1"}));
  // Swapping the volumes moves the endpoint with them.
  e = h.Ok("PATCH", path, {{"networkVolumes", {eu}}});
  EXPECT_EQ(e["networkVolumes"], json::array({eu}));
  EXPECT_EQ(e["dataCenterIds"], json({"EU-RO-1"}));
  RestResult r = h.Call("PATCH", path, json{{"dataCenterIds", {"US-KS-2"}}});
  EXPECT_EQ(r.body, BadRequest("dataCenterIds must be the data centers of "
                               "networkVolumes (EU-RO-1)."));
  // Without volumes the endpoint keeps where it runs, or goes where told.
  e = h.Ok("PATCH", path, {{"networkVolumes", json::array()}});
  EXPECT_EQ(e["networkVolumes"], json::array());
  EXPECT_EQ(e["dataCenterIds"], json({"EU-RO-1"}));
  e = h.Ok("PATCH", path, {{"dataCenterIds", {"US-KS-2", "CA-MTL-1"}}});
  EXPECT_EQ(e["dataCenterIds"], json({"US-KS-2", "CA-MTL-1"}));
}

TEST(RestServerlessTest, PatchChangesOnlyWhatItNames) {
  RestHarness h;
  json created = h.Ok(
      "POST", "/v2/serverless",
      With(Embed(), {{"env", {{"A", "1"}, {"B", "2"}}},
                     {"gpu", {{"pools", {"ADA_24"}},
                              {"excludedTypes", {"NVIDIA L4"}}}}}));
  const std::string path = "/v2/serverless/" + created["id"].get<std::string>();
  // An empty body changes nothing.
  EXPECT_EQ(h.Ok("PATCH", path, json::object()), created);
  json e = h.Ok("PATCH", path,
                {{"workers", {{"max", 6}}},
                 {"env", {{"C", "3"}}},
                 {"image", "ghcr.io/acme/embed:1.5"}});
  json expected = created;
  expected["workers"]["max"] = 6;
  expected["env"] = {{"C", "3"}};  // env replaces the whole map
  expected["image"] = "ghcr.io/acme/embed:1.5";
  EXPECT_EQ(e, expected);
  EXPECT_EQ(h.Ok("GET", path), expected);
  // The bound template holds the new release's container settings.
  json bound = h.Ok("GET", "/v2/templates")["templates"][0];
  EXPECT_EQ(bound["image"], "ghcr.io/acme/embed:1.5");
  EXPECT_EQ(bound["env"], json({{"C", "3"}}));
  // CUDA constraints alone keep the pool selection; pools alone clear the
  // exclusions; "" clears the floor.
  e = h.Ok("PATCH", path, {{"gpu", {{"minCudaVersion", "12.1"}}}});
  EXPECT_EQ(e["gpu"]["excludedTypes"], json({"NVIDIA L4"}));
  EXPECT_EQ(e["gpu"]["minCudaVersion"], "12.1");
  e = h.Ok("PATCH", path,
           {{"gpu", {{"pools", {"ADA_24", "AMPERE_24"}},
                     {"minCudaVersion", ""}}}});
  EXPECT_EQ(e["gpu"]["pools"], json({"ADA_24", "AMPERE_24"}));
  EXPECT_EQ(e["gpu"]["excludedTypes"], json::array());
  EXPECT_EQ(e["gpu"]["minCudaVersion"], nullptr);
  // Switching the scaler to REQUEST_COUNT hides idleTimeout on a queue.
  e = h.Ok("PATCH", path,
           {{"scaling", {{"type", "REQUEST_COUNT"}, {"requestCount", 2}}},
            {"name", "embed2"},
            {"flashboot", "PRIORITY_FLASHBOOT"},
            {"timeout", 1000}});
  EXPECT_EQ(e["workers"], json({{"min", 0}, {"max", 6}}));
  EXPECT_EQ(e["scaling"], json({{"type", "REQUEST_COUNT"}, {"requestCount", 2}}));
  EXPECT_EQ(e["name"], "embed2");
  EXPECT_EQ(e["flashboot"], "PRIORITY_FLASHBOOT");
  EXPECT_EQ(e["timeout"], 1000);
}

TEST(RestServerlessTest, PatchRefusals) {
  RestHarness h;
  json lb = h.Ok("POST", "/v2/serverless",
                 With(Embed(), {{"type", "LOAD_BALANCER"},
                                {"scaling", {{"type", "REQUEST_COUNT"},
                                             {"requestCount", 2}}}}));
  const std::string path = "/v2/serverless/" + lb["id"].get<std::string>();
  struct Case {
    json body;
    int status;
    json answer;
  };
  const Case cases[] = {
      // `type` is fixed at creation: the PATCH schema does not name it.
      {{{"type", "QUEUE"}}, 422,
       Invalid({"$: additional properties 'type' not allowed"})},
      {{{"gpu", {{"excludedTypes", {"NVIDIA L4"}}}}}, 422,
       Invalid({"$.gpu: property 'excludedTypes' requires 'pools'"})},
      {{{"gpu", {{"minCudaVersion", "12"}}}}, 422,
       Invalid({"$.gpu.minCudaVersion: \"12\" does not match ^$|^\\d+\\.\\d+$"})},
      {{{"scaling", {{"type", "QUEUE_DELAY"}, {"queueDelay", 2}}}}, 400,
       BadRequest("QUEUE_DELAY scaling is for QUEUE endpoints only; a "
                  "LOAD_BALANCER endpoint scales on REQUEST_COUNT.")},
      {{{"workers", {{"min", 5}}}}, 400,
       BadRequest("workers.min (5) must not exceed workers.max (3).")},
      {{{"cpu", {{{"id", "cpu3c"}, {"vcpuCount", 2}}}}}, 400,
       BadRequest("The compute family of an endpoint cannot change: this "
                  "endpoint uses gpu.")},
      {{{"gpu", {{"pools", {"NOPE"}}}}}, 400,
       BadRequest("GPU pool NOPE does not exist.")},
      {{{"networkVolumes", {"nosuchvol0"}}}, 404,
       ProblemBody("Not Found", 404, "Network volume nosuchvol0 not found.")},
      {{{"templateId", "nosuchtmpl"}}, 404,
       ProblemBody("Not Found", 404, "Template nosuchtmpl not found.")},
  };
  for (const Case& c : cases) {
    RestResult r = h.Call("PATCH", path, c.body);
    EXPECT_EQ(r.status, c.status) << c.body.dump() << " " << r.text;
    EXPECT_EQ(r.body, c.answer) << c.body.dump();
  }
  EXPECT_EQ(h.Ok("GET", path), lb);  // nothing changed
  RestResult r = h.Call("PATCH", "/v2/serverless/nosuchendpoint",
                        json{{"name", "x"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            ProblemBody("Not Found", 404, "Endpoint nosuchendpoint not found."));
  EXPECT_EQ(h.Call("GET", "/v2/serverless/nosuchendpoint").status, 404);
  EXPECT_EQ(h.Call("DELETE", "/v2/serverless/nosuchendpoint").status, 404);
}

TEST(RestServerlessTest, AnEndpointFromATemplateCopiesItsSettings) {
  RestHarness h;
  json source = h.Ok("POST", "/v2/templates",
                     {{"name", "worker"},
                      {"image", "ghcr.io/acme/worker:2"},
                      {"args", "serve"},
                      {"env", {{"A", "template"}, {"B", "template"}}},
                      {"ports", {"8000/http"}},
                      {"allowedCudaVersions", {"12.4"}},
                      {"serverless", true}});
  const std::string sid = source["id"];
  json body = Embed();
  body.erase("image");
  body["templateId"] = sid;
  body["env"] = {{"B", "body"}};
  body["disk"] = 40;
  json e = h.Ok("POST", "/v2/serverless", body);
  EXPECT_EQ(e["image"], "ghcr.io/acme/worker:2");
  EXPECT_EQ(e["args"], "serve");
  EXPECT_EQ(e["disk"], 40);
  EXPECT_EQ(e["env"], json({{"A", "template"}, {"B", "body"}}));
  EXPECT_EQ(e["ports"], json({"8000/http"}));
  EXPECT_EQ(e["gpu"]["allowedCudaVersions"], json({"12.4"}));
  // The endpoint is bound to a template of its own: the source stays free.
  EXPECT_EQ(h.Ok("GET", "/v2/templates")["templates"].size(), 2u);
  h.Ok("PATCH", "/v2/templates/" + sid, {{"image", "ghcr.io/acme/worker:3"}});
  const std::string path = "/v2/serverless/" + e["id"].get<std::string>();
  EXPECT_EQ(h.Ok("GET", path)["image"], "ghcr.io/acme/worker:2");
  EXPECT_EQ(h.Call("DELETE", "/v2/templates/" + sid).status, 204);
  EXPECT_EQ(h.Ok("GET", path)["image"], "ghcr.io/acme/worker:2");

  // Only serverless templates serve endpoints.
  json pod_template = h.Ok("POST", "/v2/templates",
                           {{"name", "pod"}, {"image", "img"}});
  body["templateId"] = pod_template["id"];
  RestResult r = h.Call("POST", "/v2/serverless", body);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body, Invalid({"$.templateId: template " +
                             pod_template["id"].get<std::string>() +
                             " is not a serverless template"}));
  // A PATCH applies a template's settings once, env replacing the map.
  json other = h.Ok("POST", "/v2/templates",
                    {{"name", "v4"},
                     {"image", "ghcr.io/acme/worker:4"},
                     {"env", {{"C", "3"}}},
                     {"serverless", true}});
  e = h.Ok("PATCH", path, {{"templateId", other["id"]}, {"env", {{"D", "4"}}}});
  EXPECT_EQ(e["image"], "ghcr.io/acme/worker:4");
  EXPECT_EQ(e["env"], json({{"C", "3"}, {"D", "4"}}));
  EXPECT_EQ(e["args"], "");
}

TEST(RestServerlessTest, DeleteRemovesTheEndpointAndItsBoundTemplateOnly) {
  RestHarness h;
  const std::string vol = NewVolume(h, "EU-RO-1");
  json own = h.Ok("POST", "/v2/templates",
                  {{"name", "mine"}, {"image", "img"}, {"serverless", true}});
  json e = h.Ok("POST", "/v2/serverless",
                With(Embed(), {{"networkVolumes", {vol}}}));
  json other = h.Ok("POST", "/v2/serverless", With(Embed(), {{"name", "b"}}));
  ASSERT_EQ(h.Ok("GET", "/v2/templates")["templates"].size(), 3u);
  const std::string bound =
      h.Ok("GET", "/v2/templates")["templates"][1]["id"];
  // A bound template cannot be deleted on its own.
  RestResult r = h.Call("DELETE", "/v2/templates/" + bound);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, BadRequest("Template is in use by a pod or serverless "
                               "endpoint and cannot be deleted."));

  const std::string path = "/v2/serverless/" + e["id"].get<std::string>();
  r = h.Call("DELETE", path);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.text, "");
  EXPECT_EQ(h.Call("GET", path).status, 404);
  EXPECT_EQ(h.Call("DELETE", path).status, 404);
  EXPECT_EQ(h.Call("GET", "/v2/templates/" + bound).body,
            ProblemBody("Not Found", 404,
                        "Template " + bound + " not found."));
  // What it did not own is still there.
  json templates = h.Ok("GET", "/v2/templates")["templates"];
  ASSERT_EQ(templates.size(), 2u);
  EXPECT_EQ(templates[0], own);
  EXPECT_EQ(h.Ok("GET", "/v2/serverless")["endpoints"], json::array({other}));
  EXPECT_EQ(h.Ok("GET", "/v2/network-volumes/" + vol)["id"], vol);
}

TEST(RestServerlessTest, AVolumeAnEndpointMountsCannotBeDeleted) {
  RestHarness h;
  const std::string eu = NewVolume(h, "EU-RO-1");
  const std::string us = NewVolume(h, "US-KS-2");
  json e = h.Ok("POST", "/v2/serverless",
                With(Embed(), {{"networkVolumes", {eu, us}}}));
  const std::string id = e["id"];
  const std::string detail =
      "You must remove this network volume from all serverless endpoints "
      "before deleting it (endpoint " + id + " mounts it).";
  RestResult r = h.Call("DELETE", "/v2/network-volumes/" + eu);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, BadRequest(detail));
  // One account: GraphQL refuses it too.
  SandboxRequest request;
  request.body = json{{"query", "mutation { deleteNetworkVolume(input: {id: \"" +
                                    eu + "\"}) }"}}
                     .dump();
  request.authorization = "Bearer test-key";
  json answer = json::parse(h.service->Handle(request).body);
  EXPECT_EQ(answer["errors"][0]["message"], detail);
  // Once the endpoint stops mounting it, it goes.
  h.Ok("PATCH", "/v2/serverless/" + id, {{"networkVolumes", {us}}});
  EXPECT_EQ(h.Call("DELETE", "/v2/network-volumes/" + eu).status, 204);
  EXPECT_EQ(h.Call("DELETE", "/v2/network-volumes/" + us).status, 400);
  EXPECT_EQ(h.Call("DELETE", "/v2/serverless/" + id).status, 204);
  EXPECT_EQ(h.Call("DELETE", "/v2/network-volumes/" + us).status, 204);
}

TEST(RestTemplatesTest, CreateGetListPatchDelete) {
  RestHarness h;
  RestResult r = h.Call("POST", "/v2/templates",
                        json{{"name", "torch"},
                             {"image", "runpod/pytorch:2.4"},
                             {"entrypoint", {"bash", "-c"}},
                             {"env", {{"A", "1"}}},
                             {"ports", {"8888/http", "22/tcp"}},
                             {"mounts", {{"persistent",
                                          {{"size", 20}, {"path", "/data"}}}}},
                             {"category", "AMD"},
                             {"public", true},
                             {"startSsh", false}});
  ASSERT_EQ(r.status, 201) << r.text;
  const std::string id = r.body["id"];
  json expected = {{"id", id},
                   {"name", "torch"},
                   {"image", "runpod/pytorch:2.4"},
                   {"args", ""},
                   {"entrypoint", {"bash", "-c"}},
                   {"disk", 20},
                   {"env", {{"A", "1"}}},
                   {"ports", {"8888/http", "22/tcp"}},
                   {"registry", nullptr},
                   {"mounts", {{"persistent", {{"size", 20}, {"path", "/data"}}}}},
                   {"serverless", false},
                   {"public", true},
                   {"category", "AMD"},
                   {"startSsh", false},
                   {"startJupyter", true},
                   {"allowedCudaVersions", json::array()}};
  EXPECT_EQ(r.body, expected);
  EXPECT_EQ(h.Ok("GET", "/v2/templates/" + id), expected);
  EXPECT_EQ(h.Ok("GET", "/v2/templates"),
            json({{"templates", {expected}},
                  {"pagination",
                   {{"nextCursor", nullptr}, {"hasNextPage", false}}}}));
  // PATCH: only what it names; env replaces the map; {} changes nothing.
  EXPECT_EQ(h.Ok("PATCH", "/v2/templates/" + id, json::object()), expected);
  json patched = h.Ok("PATCH", "/v2/templates/" + id,
                      {{"name", "torch2"},
                       {"env", {{"B", "2"}}},
                       {"registry", "cred"},
                       {"mounts", {{"persistent",
                                    {{"size", 30}, {"path", "/d"}}}}}});
  expected["name"] = "torch2";
  expected["env"] = {{"B", "2"}};
  expected["registry"] = "cred";
  expected["mounts"]["persistent"] = {{"size", 30}, {"path", "/d"}};
  EXPECT_EQ(patched, expected);
  patched = h.Ok("PATCH", "/v2/templates/" + id, {{"registry", nullptr}});
  EXPECT_EQ(patched["registry"], nullptr);

  r = h.Call("DELETE", "/v2/templates/" + id);
  EXPECT_EQ(r.status, 204);
  r = h.Call("GET", "/v2/templates/" + id);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            ProblemBody("Not Found", 404, "Template " + id + " not found."));
  EXPECT_EQ(h.Call("DELETE", "/v2/templates/" + id).status, 404);
  EXPECT_EQ(h.Call("PATCH", "/v2/templates/" + id, json{{"name", "x"}}).status,
            404);
}

TEST(RestTemplatesTest, BodiesTheSchemaRefuses) {
  RestHarness h;
  const json ok = {{"name", "t"}, {"image", "img"}};
  struct Case {
    json body;
    json errors;
  };
  const Case cases[] = {
      {json::object(),
       {"$: missing property 'image'", "$: missing property 'name'"}},
      {With(ok, {{"bogus", true}}),
       {"$: additional properties 'bogus' not allowed"}},
      // Templates take no network mount.
      {With(ok, {{"mounts", {{"network", {{{"volumeId", "v"},
                                            {"path", "/p"}}}}}}}),
       {"$.mounts: additional properties 'network' not allowed"}},
      {With(ok, {{"mounts", {{"persistent", {{"size", 5}}}}}}),
       {"$.mounts.persistent.size: must be >= 10",
        "$.mounts.persistent: missing property 'path'"}},
      {With(ok, {{"category", "INTEL"}}),
       {"$.category: must be one of CPU, NVIDIA, AMD"}},
      {With(ok, {{"allowedCudaVersions", {"12.x"}}}),
       {"$.allowedCudaVersions: \"12.x\" does not match ^\\d+\\.\\d+$"}},
      {With(ok, {{"disk", 0}}), {"$.disk: must be >= 1"}},
      {With(ok, {{"env", {{"A", 1}}}}), {"$.env.A: expected string, got integer"}},
      {With(ok, {{"serverless", "yes"}}),
       {"$.serverless: expected boolean, got string"}},
  };
  for (const Case& c : cases) {
    RestResult r = h.Call("POST", "/v2/templates", c.body.dump());
    EXPECT_EQ(r.status, 422) << c.body.dump() << " " << r.text;
    EXPECT_EQ(r.body, Invalid(c.errors)) << c.body.dump();
  }
  RestResult r = h.Call("POST", "/v2/templates", With(ok, {{"ports", {"80"}}}));
  EXPECT_EQ(r.body, BadRequest("Invalid ports \"80\": expected a "
                               "comma-separated list like "
                               "\"8888/http,22/tcp\"."));
  json t = h.Ok("POST", "/v2/templates", ok);
  r = h.Call("PATCH", "/v2/templates/" + t["id"].get<std::string>(),
             json{{"mounts", {{"network", json::array()}}}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body,
            Invalid({"$.mounts: additional properties 'network' not allowed"}));
  EXPECT_EQ(h.Ok("GET", "/v2/templates")["templates"], json::array({t}));
}

TEST(RestTemplatesTest, APodTakesATemplatesSettingsOnceAndKeepsNoLink) {
  RestHarness h;
  const std::string tid =
      h.Ok("POST", "/v2/templates",
           {{"name", "pod"},
            {"image", "runpod/pytorch:2.4"},
            {"args", "sleep infinity"},
            {"disk", 35},
            {"env", {{"A", "1"}}},
            {"ports", {"8888/http"}},
            {"registry", "cred"},
            {"mounts", {{"persistent", {{"size", 40}, {"path", "/data"}}}}}})
          ["id"];
  json pod = h.Ok("POST", "/v2/pods",
                  {{"name", "p"},
                   {"templateId", tid},
                   {"env", {{"B", "2"}}},
                   {"gpu", {{"id", "NVIDIA RTX A6000"}}}});
  EXPECT_EQ(pod["image"], "runpod/pytorch:2.4");
  EXPECT_EQ(pod["args"], "sleep infinity");
  EXPECT_EQ(pod["disk"], 35);
  EXPECT_EQ(pod["env"], json({{"B", "2"}}));  // the body's own wins
  EXPECT_EQ(pod["ports"], json({"8888/http"}));
  EXPECT_EQ(pod["registry"], "cred");
  EXPECT_EQ(pod["mounts"],
            json({{"persistent", {{"size", 40}, {"path", "/data"}}}}));
  EXPECT_EQ(pod["template"], nullptr);
  // A PATCH applies the settings as if the body held them; mounts stay.
  h.Ok("PATCH", "/v2/templates/" + tid,
       {{"image", "runpod/pytorch:2.5"}, {"env", {{"C", "3"}}}});
  const std::string path = "/v2/pods/" + pod["id"].get<std::string>();
  EXPECT_EQ(h.Ok("GET", path)["image"], "runpod/pytorch:2.4");
  json patched = h.Ok("PATCH", path, {{"templateId", tid}});
  EXPECT_EQ(patched["image"], "runpod/pytorch:2.5");
  EXPECT_EQ(patched["env"], json({{"C", "3"}}));
  EXPECT_EQ(patched["mounts"], pod["mounts"]);
  // Nothing binds the template: it can be deleted.
  EXPECT_EQ(h.Call("DELETE", "/v2/templates/" + tid).status, 204);

  json serverless = h.Ok("POST", "/v2/templates",
                         {{"name", "s"}, {"image", "i"}, {"serverless", true}});
  const std::string sid = serverless["id"];
  RestResult r = h.Call("POST", "/v2/pods",
                        json{{"name", "p"},
                             {"templateId", sid},
                             {"gpu", {{"id", "NVIDIA RTX A6000"}}}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body, Invalid({"$.templateId: template " + sid +
                             " is a serverless template"}));
  r = h.Call("PATCH", path, json{{"templateId", tid}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            ProblemBody("Not Found", 404, "Template " + tid + " not found."));
}

TEST(RestServerlessTest, ListsPageWithCursorsEndpointsNewestFirst) {
  RestHarness h;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(h.Ok("POST", "/v2/serverless",
                       With(Embed(), {{"name", "e" + std::to_string(i)}}))["id"]);
  }
  json page = h.Ok("GET", "/v2/serverless?limit=2");
  ASSERT_EQ(page["endpoints"].size(), 2u);
  EXPECT_EQ(page["endpoints"][0]["id"], ids[2]);
  EXPECT_EQ(page["endpoints"][1]["id"], ids[1]);
  EXPECT_EQ(page["pagination"]["hasNextPage"], true);
  const std::string cursor = page["pagination"]["nextCursor"];
  page = h.Ok("GET", "/v2/serverless?limit=2&cursor=" + cursor);
  ASSERT_EQ(page["endpoints"].size(), 1u);
  EXPECT_EQ(page["endpoints"][0]["id"], ids[0]);
  EXPECT_EQ(page["pagination"],
            json({{"nextCursor", nullptr}, {"hasNextPage", false}}));
  // Templates (the three bound ones) in creation order.
  page = h.Ok("GET", "/v2/templates?limit=1");
  EXPECT_EQ(page["templates"][0]["name"], "e0__template__" + ids[0]);
  page = h.Ok("GET", "/v2/templates?limit=5&cursor=" +
                         page["pagination"]["nextCursor"].get<std::string>());
  ASSERT_EQ(page["templates"].size(), 2u);
  EXPECT_EQ(page["templates"][1]["name"], "e2__template__" + ids[2]);

  // A cursor is valid only for the list that issued it.
  RestResult r = h.Call("GET", "/v2/templates?cursor=" + cursor);
  EXPECT_EQ(r.body, Invalid({"cursor: malformed or foreign cursor"}));
  r = h.Call("GET", "/v2/serverless?limit=0&cursor=x");
  EXPECT_EQ(r.body, Invalid({"limit: must be between 1 and 1000",
                             "cursor: malformed or foreign cursor"}));
  r = h.Call("GET", "/v2/templates?limit=1001");
  EXPECT_EQ(r.body, Invalid({"limit: must be between 1 and 1000"}));
}

TEST(RestServerlessTest, RoutesAndMethods) {
  RestHarness h;
  RestResult r = h.Call("PUT", "/v2/serverless", std::string("{}"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.response.Header("Allow"), "GET, POST");
  r = h.Call("POST", "/v2/templates/abc", std::string("{}"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.response.Header("Allow"), "GET, PATCH, DELETE");
  EXPECT_EQ(h.Call("GET", "/v2/serverless/a/b").status, 404);
  r = h.Call("POST", "/v2/serverless", std::string("{not json"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(h.Call("GET", "/v2/serverless", std::string(), std::string()).status, 401);
}

TEST(RestServerlessTest, EndpointsAndTemplatesSurviveARestart) {
  const std::string path = testing::MakeTempDir() + "/sandbox.json";
  json endpoint, templates;
  std::string vol, own;
  {
    RestHarness h(testing::OnFile(path));
    vol = NewVolume(h, "EU-RO-1");
    own = h.Ok("POST", "/v2/templates",
               {{"name", "mine"}, {"image", "img"}, {"cmd", {"a"}},
                {"mounts", {{"persistent", {{"size", 10}, {"path", "/p"}}}}},
                {"allowedCudaVersions", {"12.4"}}})["id"];
    endpoint = h.Ok("POST", "/v2/serverless",
                    With(Embed(), {{"networkVolumes", {vol}},
                                   {"env", {{"K", "V"}}},
                                   // No minimum in RunPod's schema.
                                   {"timeout", -5},
                                   {"gpu", {{"pools", {"ADA_24"}},
                                            {"minCudaVersion", "12.2"}}},
                                   {"scaling", {{"type", "REQUEST_COUNT"},
                                                {"requestCount", 3}}}}));
    json doomed = h.Ok("POST", "/v2/serverless", With(Embed(), {{"name", "x"}}));
    EXPECT_EQ(h.Call("DELETE", "/v2/serverless/" +
                                   doomed["id"].get<std::string>())
                  .status,
              204);
    templates = h.Ok("GET", "/v2/templates")["templates"];
    ASSERT_EQ(templates.size(), 2u);
    // The journal holds them before the data file is rewritten.
    absl::StatusOr<std::string> journal = ReadFile(path + ".journal");
    ASSERT_TRUE(journal.ok()) << journal.status();
    EXPECT_NE(journal->find("\"deletedEndpoints\":[\"" +
                            doomed["id"].get<std::string>() + "\"]"),
              std::string::npos);
  }
  RestHarness h(testing::OnFile(path));
  EXPECT_EQ(h.Ok("GET", "/v2/serverless")["endpoints"], json::array({endpoint}));
  EXPECT_EQ(h.Ok("GET", "/v2/templates")["templates"], templates);
  // The rules hold after the restart.
  EXPECT_EQ(h.Call("DELETE", "/v2/network-volumes/" + vol).status, 400);
  EXPECT_EQ(h.Call("DELETE", "/v2/templates/" +
                                 templates[1]["id"].get<std::string>())
                .status,
            400);
  {
    auto lock = h.service->store().Lock();
    const std::string text = AccountToJsonText(h.service->store().account());
    absl::StatusOr<Account> again =
        AccountFromJsonText(text, 0, h.clock.AsClock());
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(AccountToJsonText(*again), text);
  }
}

TEST(RestServerlessTest, AFailedWriteUndoesADeleteOfEndpointAndTemplate) {
  const std::string path = testing::MakeTempDir() + "/sandbox.json";
  json e, templates;
  {
    RestHarness h(testing::OnFile(path));
    e = h.Ok("POST", "/v2/serverless", Embed());
    templates = h.Ok("GET", "/v2/templates");
  }
  // A sandbox opens its journal at its first write: make that one fail.
  RestHarness h(testing::OnFile(path));
  std::filesystem::remove(path + ".journal");
  std::filesystem::create_symlink("/dev/full", path + ".journal");
  const std::string endpoint = "/v2/serverless/" + e["id"].get<std::string>();
  RestResult r = h.Call("DELETE", endpoint);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, ProblemBody("Internal Server Error", 500,
                                "Something went wrong. Please try again "
                                "later or contact support."));
  EXPECT_EQ(h.Ok("GET", endpoint), e);
  EXPECT_EQ(h.Ok("GET", "/v2/templates"), templates);
}

TEST(RestServerlessTest, ADataFileRefusesBrokenLinks) {
  struct Case {
    std::string contents;
    std::string problem;
  };
  const std::string endpoint =
      R"({"id":"ep1","name":"e","templateId":"t1","gpuPools":["ADA_24"],)"
      R"("networkVolumes":["v1"]})";
  const Case cases[] = {
      {R"({"version":1,"endpoints":[)" + endpoint + "]}",
       "endpoints[0].templateId: no template \"t1\" bound to this endpoint"},
      {R"({"version":1,"templates":[{"id":"t1","image":"i","endpointId":"ep1"}],)"
       R"("endpoints":[)" + endpoint + "]}",
       "endpoints[0].networkVolumes: no network volume \"v1\""},
      {R"({"version":1,"templates":[{"id":"t1","image":"i","endpointId":"ep9"}]})",
       "templates: template t1 is bound to endpoint ep9, which does not exist"},
      {R"({"version":1,"templates":[{"id":"t1","image":"i","color":"red"}]})",
       "templates[0].color: unknown key"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Account> account =
        AccountFromJsonText(c.contents, 0, [] { return absl::UnixEpoch(); });
    ASSERT_FALSE(account.ok()) << c.contents;
    EXPECT_EQ(account.status().message(), c.problem);
  }
  // A file that never held endpoints or templates has no such lists.
  absl::StatusOr<Account> empty =
      AccountFromJsonText(R"({"version":1})", 0, [] { return absl::UnixEpoch(); });
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(AccountToJsonText(*empty).find("templates"), std::string::npos);
  EXPECT_EQ(AccountToJsonText(*empty).find("endpoints"), std::string::npos);
}

TEST(RestServerlessTest, FaultsApplyToServerlessRoutes) {
  RestOptions dropping;
  dropping.faults.drop_after_commit = 1.0;
  RestHarness h(dropping);
  RestResult r = h.Call("POST", "/v2/serverless", Embed());
  EXPECT_TRUE(r.response.dropped);
  // The mutation took effect although its answer was lost.
  EXPECT_EQ(h.Ok("GET", "/v2/serverless")["endpoints"].size(), 1u);
}

}  // namespace
}  // namespace podform::sandbox
