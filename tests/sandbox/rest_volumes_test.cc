// REST v2 /v2/network-volumes, authentication and the answers every route
// shares (problem+json, 401, 404, 405), and one world with GraphQL.

#include <regex>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/util/file.h"
#include "tests/sandbox/rest_test_util.h"

namespace podform::sandbox {
namespace {

using nlohmann::json;
using testing::ProblemBody;
using testing::RestHarness;
using testing::RestOptions;
using testing::RestResult;

json NewVolume(const std::string& name, int64_t size, const std::string& dc) {
  return {{"name", name}, {"size", size}, {"dataCenter", dc}};
}

TEST(RestVolumesTest, CreateAnswers201WithTheVolume) {
  RestHarness h;
  RestResult r = h.Call("POST", "/v2/network-volumes",
                        NewVolume("data", 50, "EU-RO-1"));
  EXPECT_EQ(r.status, 201) << r.text;
  EXPECT_EQ(r.content_type, "application/json");
  std::string id = r.body.value("id", "");
  EXPECT_TRUE(std::regex_match(id, std::regex("[a-z0-9]{10}"))) << id;
  EXPECT_EQ(r.text, R"({"id":")" + id +
                        R"(","name":"data","size":50,"dataCenter":"EU-RO-1",)"
                        R"("type":"STANDARD"})");
  EXPECT_EQ(h.Ok("GET", "/v2/network-volumes/" + id), r.body);
  EXPECT_EQ(h.Ok("GET", "/v2/network-volumes"),
            json({{"networkVolumes", {r.body}}}));
}

TEST(RestVolumesTest, RestAllowsUpTo4096GbWhereGraphqlStopsAt4000) {
  RestHarness h;
  EXPECT_EQ(h.Call("POST", "/v2/network-volumes",
                   NewVolume("big", 4096, "EU-RO-1"))
                .status,
            201);
  RestResult r = h.Call("POST", "/v2/network-volumes",
                        NewVolume("big", 4097, "EU-RO-1"));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(r.body, ProblemBody("Unprocessable Entity", 422,
                                "Request validation failed.",
                                {"$.size: must be <= 4096"}));
}

TEST(RestVolumesTest, CreateRefusesBodiesTheSchemaRefuses) {
  RestHarness h;
  struct Case {
    std::string body;
    json errors;
  };
  const Case cases[] = {
      {R"({"name":"v","size":9,"dataCenter":"EU-RO-1"})",
       {"$.size: must be >= 10"}},
      {R"({"name":"v","size":"10","dataCenter":"EU-RO-1"})",
       {"$.size: expected integer, got string"}},
      {R"({"name":"v","size":10.5,"dataCenter":"EU-RO-1"})",
       {"$.size: expected integer, got number"}},
      {R"({"size":10,"dataCenter":"EU-RO-1"})",
       {"$: missing property 'name'"}},
      {R"({"name":"","size":10,"dataCenter":"EU-RO-1"})",
       {"$.name: must not be empty"}},
      {R"({"name":"v","size":10,"dataCenter":"EU-RO-1","bogus":1})",
       {"$: additional properties 'bogus' not allowed"}},
      {R"({"name":"v","size":10,"dataCenter":"EU-RO-1","type":"FAST"})",
       {"$.type: must be one of STANDARD, HIGH_PERFORMANCE"}},
      {R"({})",
       {"$: missing property 'dataCenter'", "$: missing property 'name'",
        "$: missing property 'size'"}},
      {R"([1])", {"$: expected object, got array"}},
  };
  for (const Case& c : cases) {
    RestResult r = h.Call("POST", "/v2/network-volumes", c.body);
    EXPECT_EQ(r.status, 422) << c.body;
    EXPECT_EQ(r.body, ProblemBody("Unprocessable Entity", 422,
                                  "Request validation failed.", c.errors))
        << c.body;
  }
  RestResult r = h.Call("POST", "/v2/network-volumes", std::string("{nope"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["title"], "Bad Request");
  EXPECT_EQ(h.Ok("GET", "/v2/network-volumes"),
            json::parse(R"({"networkVolumes": []})"));
}

TEST(RestVolumesTest, TypeMustBeOfferedByTheDataCenter) {
  RestHarness h;
  json body = NewVolume("fast", 10, "EU-SE-1");
  body["type"] = "HIGH_PERFORMANCE";
  RestResult r = h.Call("POST", "/v2/network-volumes", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, ProblemBody("Bad Request", 400,
                                "Data center EU-SE-1 does not offer "
                                "HIGH_PERFORMANCE network volumes."));
  body["dataCenter"] = "EU-RO-1";
  r = h.Call("POST", "/v2/network-volumes", body);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body["type"], "HIGH_PERFORMANCE");
  r = h.Call("POST", "/v2/network-volumes", NewVolume("v", 10, "XX-1"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, ProblemBody("Bad Request", 400,
                                "Data center XX-1 does not exist."));
}

TEST(RestVolumesTest, PatchRenamesAndGrowsOnly) {
  RestHarness h;
  std::string id = h.Ok("POST", "/v2/network-volumes",
                        NewVolume("a", 20, "EU-RO-1"))["id"];
  const std::string url = "/v2/network-volumes/" + id;
  json renamed = h.Ok("PATCH", url, {{"name", "b"}, {"size", 30}});
  EXPECT_EQ(renamed, json({{"id", id},
                           {"name", "b"},
                           {"size", 30},
                           {"dataCenter", "EU-RO-1"},
                           {"type", "STANDARD"}}));
  RestResult r = h.Call("PATCH", url, json{{"size", 20}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, ProblemBody("Bad Request", 400,
                                "Network volume size can only be increased "
                                "(from 30 GB to 20 GB requested)."));
  // dataCenter and type are immutable: the update schema does not have them.
  r = h.Call("PATCH", url, json{{"dataCenter", "EU-SE-1"}, {"type", "STANDARD"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["errors"],
            json({"$: additional properties 'dataCenter', 'type' not "
                  "allowed"}));
  r = h.Call("PATCH", url, json::object());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["errors"], json({"$: must have at least 1 properties"}));
  r = h.Call("PATCH", url, json{{"size", 5000}});
  EXPECT_EQ(r.body["errors"], json({"$.size: must be <= 4096"}));
  r = h.Call("PATCH", "/v2/network-volumes/nope", json{{"size", 50}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, ProblemBody("Not Found", 404,
                                "Network volume nope not found."));
  EXPECT_EQ(h.Ok("GET", url), renamed);
}

TEST(RestVolumesTest, DeleteAnswers204ThenTheVolumeIsGone) {
  RestHarness h;
  std::string id = h.Ok("POST", "/v2/network-volumes",
                        NewVolume("a", 20, "EU-RO-1"))["id"];
  RestResult r = h.Call("DELETE", "/v2/network-volumes/" + id);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.text, "");
  r = h.Call("DELETE", "/v2/network-volumes/" + id);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, ProblemBody("Not Found", 404,
                                "Network volume " + id + " not found."));
  EXPECT_EQ(h.Call("GET", "/v2/network-volumes/" + id).status, 404);
}

TEST(RestVolumesTest, AVolumeAPodMountsCannotBeDeleted) {
  RestHarness h;
  std::string id = h.Ok("POST", "/v2/network-volumes",
                        NewVolume("a", 20, "EU-RO-1"))["id"];
  json pod = h.Ok("POST", "/v2/pods",
                  {{"name", "p"},
                   {"image", "img"},
                   {"gpu", {{"id", "NVIDIA RTX A6000"}}},
                   {"mounts",
                    {{"network", {{{"volumeId", id}, {"path", "/data"}}}}}}});
  RestResult r = h.Call("DELETE", "/v2/network-volumes/" + id);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, ProblemBody("Bad Request", 400,
                                "You must remove this network volume from "
                                "all pods before deleting it."));
  EXPECT_EQ(h.Call("DELETE", "/v2/pods/" + pod["id"].get<std::string>())
                .status,
            204);
  EXPECT_EQ(h.Call("DELETE", "/v2/network-volumes/" + id).status, 204);
}

TEST(RestVolumesTest, OneWorldWithGraphql) {
  RestHarness h;
  json rest = h.Ok("POST", "/v2/network-volumes",
                   NewVolume("from-rest", 20, "EU-RO-1"));
  json gql = h.GraphqlData(
      R"(mutation { createNetworkVolume(input: {name: "from-graphql", size: 30, dataCenterId: "US-KS-2"}) { id } })");
  std::string gql_id = gql["createNetworkVolume"]["id"];
  EXPECT_EQ(h.GraphqlData("{ myself { networkVolumes { id name size "
                          "dataCenterId } } }"),
            json({{"myself",
                   {{"networkVolumes",
                     {{{"id", rest["id"]},
                       {"name", "from-rest"},
                       {"size", 20},
                       {"dataCenterId", "EU-RO-1"}},
                      {{"id", gql_id},
                       {"name", "from-graphql"},
                       {"size", 30},
                       {"dataCenterId", "US-KS-2"}}}}}}}));
  EXPECT_EQ(h.Ok("GET", "/v2/network-volumes/" + gql_id),
            json({{"id", gql_id},
                  {"name", "from-graphql"},
                  {"size", 30},
                  {"dataCenter", "US-KS-2"},
                  {"type", "STANDARD"}}));
  EXPECT_EQ(h.Call("DELETE", "/v2/network-volumes/" + gql_id).status, 204);
  EXPECT_EQ(h.GraphqlData("{ myself { networkVolumes { id } } }"),
            json({{"myself", {{"networkVolumes", {{{"id", rest["id"]}}}}}}}));
}

TEST(RestVolumesTest, TypesSurviveARestartAndOldFilesReadAsStandard) {
  std::string path = testing::MakeTempDir() + "/sandbox.json";
  std::string id;
  {
    RestHarness h(testing::OnFile(path));
    json body = NewVolume("fast", 10, "EU-RO-1");
    body["type"] = "HIGH_PERFORMANCE";
    id = h.Ok("POST", "/v2/network-volumes", body)["id"];
  }
  {
    RestHarness h(testing::OnFile(path));
    EXPECT_EQ(h.Ok("GET", "/v2/network-volumes/" + id)["type"],
              "HIGH_PERFORMANCE");
  }
  // A data file written before volume types: every volume is STANDARD.
  std::string old_path = testing::MakeTempDir() + "/old.json";
  ASSERT_TRUE(WriteFileAtomically(
                  old_path,
                  R"({"version": 1, "networkVolumes": [{"id": "abcdefghij", "name": "old", "size": 10, "dataCenterId": "EU-RO-1"}]})",
                  0600, Survives::kProcessDeath)
                  .ok());
  RestHarness h(testing::OnFile(old_path));
  EXPECT_EQ(h.Ok("GET", "/v2/network-volumes"),
            json::parse(R"({"networkVolumes": [{"id": "abcdefghij",
              "name": "old", "size": 10, "dataCenter": "EU-RO-1",
              "type": "STANDARD"}]})"));
}

TEST(RestAuthTest, AMissingOrBadKeyIs401WithoutRateLimitHeaders) {
  RestOptions options;
  options.api_key = "secret";
  options.faults.rate_limit = 100;
  RestHarness h(options);
  RestResult r = h.Call("GET", "/v2/network-volumes", "", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(r.text,
            R"({"title":"Unauthorized","status":401,"detail":"missing bearer token"})");
  EXPECT_TRUE(r.response.headers.empty());
  r = h.Call("GET", "/v2/network-volumes", "", "wrong");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, ProblemBody("Unauthorized", 401, "invalid bearer token"));
  EXPECT_TRUE(r.response.headers.empty());
  r = h.Call("GET", "/v2/network-volumes", "", "secret");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.response.Header("RateLimit"), "");
}

TEST(RestAuthTest, HandleRoutesV2WithTheBearerKeyOnly) {
  RestHarness h;
  SandboxRequest request;
  request.method = "GET";
  request.path = "/v2/network-volumes";
  request.api_key_param = "k";  // GraphQL's ?api_key= is not REST's
  EXPECT_EQ(h.service->Handle(request).status, 401);
  request.authorization = "Bearer k";
  SandboxResponse response = h.service->Handle(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"networkVolumes":[]})");
}

TEST(RestRoutesTest, UnknownRoutesAre404AndWrongMethods405) {
  RestHarness h;
  RestResult r = h.Call("GET", "/v2/nothing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, ProblemBody("Not Found", 404, "resource not found"));
  EXPECT_EQ(h.Call("GET", "/v2/network-volumes/a/b").status, 404);
  r = h.Call("DELETE", "/v2/network-volumes");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.response.Header("Allow"), "GET, POST");
  EXPECT_EQ(r.body,
            ProblemBody("Method Not Allowed", 405,
                        "The requested method is not allowed for this path."));
  EXPECT_EQ(h.Call("PUT", "/v2/pods/x").response.Header("Allow"),
            "GET, PATCH, DELETE");
  EXPECT_EQ(h.Call("GET", "/v2/pods/x/action").response.Header("Allow"),
            "POST");
  EXPECT_EQ(h.Call("POST", "/v2/catalog/gpus").response.Header("Allow"),
            "GET");
}

}  // namespace
}  // namespace podform::sandbox
