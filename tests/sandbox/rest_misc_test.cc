// REST v2's catalog, rate limits and request limits (body size, nesting),
// and the same limits on GraphQL.

#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/core/catalog.h"
#include "reconciler/sandbox/limits.h"
#include "tests/sandbox/rest_test_util.h"

namespace podform::sandbox {
namespace {

using nlohmann::json;
using testing::ProblemBody;
using testing::RestHarness;
using testing::RestOptions;
using testing::RestResult;

TEST(RestCatalogTest, GpusListTheWholeCatalog) {
  RestHarness h;
  json gpus = h.Ok("GET", "/v2/catalog/gpus")["gpus"];
  // Every type RunPod lists, sorted by id as RunPod's table is.
  ASSERT_EQ(gpus.size(), 45u);
  EXPECT_EQ(gpus[0]["id"], "AMD Instinct MI300X OAM");
  EXPECT_EQ(gpus[44]["id"], "Tesla V100-SXM2-32GB");
  EXPECT_EQ(gpus[1], json::parse(R"({
      "id": "NVIDIA A100 80GB PCIe", "name": "A100 PCIe", "pool": "AMPERE_80",
      "manufacturer": "NVIDIA", "memory": 80, "secure": true,
      "community": true,
      "price": {"secure": 1.64, "community": 1.19, "serverless": 2.736},
      "maxCount": {"secure": 8, "community": 8}})"));
  json h100 = h.Ok("GET", "/v2/catalog/gpus/NVIDIA%20H100%2080GB%20HBM3");
  EXPECT_EQ(h100["name"], "H100 SXM");
  EXPECT_EQ(h100["pool"], "ADA_80_PRO");
  // No published price: null, not 0; in no documented pool: null.
  EXPECT_EQ(h.Ok("GET", "/v2/catalog/gpus/NVIDIA%20B300%20SXM6%20AC"),
            json::parse(R"({
      "id": "NVIDIA B300 SXM6 AC", "name": "B300", "pool": null,
      "manufacturer": "NVIDIA", "memory": 288, "secure": true,
      "community": false, "price": {"secure": null, "community": null},
      "maxCount": {"secure": 8, "community": 0}})"));
  // A pool RunPod lists no serverless price for: no "serverless" key (it
  // is optional in RunPod's schema).
  json rtx5090 = h.Ok("GET", "/v2/catalog/gpus/NVIDIA%20GeForce%20RTX%205090");
  EXPECT_EQ(rtx5090["pool"], "ADA_32_PRO");
  EXPECT_EQ(rtx5090["price"],
            json::parse(R"({"secure": null, "community": null})"));
  RestResult r = h.Call("GET", "/v2/catalog/gpus/NVIDIA%20Z1");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            ProblemBody("Not Found", 404, "GPU type NVIDIA Z1 not found."));
}

TEST(RestCatalogTest, GpuAvailabilityFollowsCapacity) {
  RestHarness h;
  Account& account = h.service->store().account();
  account.set_default_capacity(0);
  account.SetCapacity("EU-RO-1", "NVIDIA L4", 2);
  account.SetCapacity("US-KS-2", "NVIDIA L4", 20);
  json l4 = h.Ok("GET",
                 "/v2/catalog/gpus/NVIDIA%20L4?include=AVAILABILITY&product=POD");
  EXPECT_EQ(l4["availability"], "HIGH");
  EXPECT_EQ(l4["dataCenters"], json::parse(R"([
      {"id": "EU-RO-1", "name": "EU-RO-1", "availability": "LOW"},
      {"id": "US-KS-2", "name": "US-KS-2", "availability": "HIGH"}])"));
  RestResult r = h.Call("GET", "/v2/catalog/gpus?include=AVAILABILITY");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["detail"],
            "product is required with include=AVAILABILITY and valid only "
            "with it.");
  EXPECT_EQ(h.Call("GET", "/v2/catalog/gpus?product=POD").status, 400);
  // A Secure-only type has no Community Cloud stock.
  account.SetCapacity("EU-RO-1", "NVIDIA B200", 20);
  const std::string b200 =
      "/v2/catalog/gpus/NVIDIA%20B200?include=AVAILABILITY&product=POD";
  EXPECT_EQ(h.Ok("GET", b200 + "&cloud=SECURE")["availability"], "HIGH");
  json community = h.Ok("GET", b200 + "&cloud=COMMUNITY");
  EXPECT_EQ(community["availability"], "NONE");
  EXPECT_EQ(community["dataCenters"], json::array());
  EXPECT_EQ(h.Call("GET", b200 + "&cloud=MOON").status, 422);
  r = h.Call("GET", "/v2/catalog/gpus?include=PRICES&product=POD");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["errors"], json({"include: must be one of AVAILABILITY"}));
}

TEST(RestCatalogTest, DataCentersWithTheirVolumeTypes) {
  RestHarness h;
  json dcs = h.Ok("GET", "/v2/catalog/datacenters")["dataCenters"];
  ASSERT_EQ(dcs.size(), KnownDataCenters().size());
  EXPECT_EQ(dcs[0], json::parse(R"({
      "id": "EU-RO-1", "name": "EU-RO-1", "region": "EUROPE",
      "globalNetwork": true,
      "networkVolumeTypes": ["STANDARD", "HIGH_PERFORMANCE"],
      "compliance": ["GDPR", "ISO_IEC_27001"]})"));
  std::vector<std::string> fast;
  const json both = h.Ok("GET",
                         "/v2/catalog/datacenters?networkVolumeTypes="
                         "STANDARD,HIGH_PERFORMANCE");
  for (const json& dc : both["dataCenters"]) fast.push_back(dc["id"]);
  EXPECT_EQ(fast, (std::vector<std::string>{"EU-RO-1", "CA-MTL-1", "US-TX-3",
                                            "US-KS-2"}));
  json asia = h.Ok("GET", "/v2/catalog/datacenters?regions=ASIA");
  EXPECT_EQ(asia["dataCenters"].size(), 1u);
  EXPECT_EQ(asia["dataCenters"][0]["id"], "AP-JP-1");
  EXPECT_EQ(h.Ok("GET", "/v2/catalog/datacenters/EU-SE-1")
                ["networkVolumeTypes"],
            json({"STANDARD"}));
  EXPECT_EQ(h.Call("GET", "/v2/catalog/datacenters/XX-1").status, 404);
  RestResult r = h.Call("GET", "/v2/catalog/datacenters?regions=MARS");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["errors"][0],
            "regions: \"MARS\" must be one of NORTH_AMERICA, SOUTH_AMERICA, "
            "EUROPE, ASIA, MIDDLE_EAST, AFRICA, OCEANIA, ANTARCTICA, "
            "UNKNOWN");
}

TEST(RateLimitFlagTest, ParsesPerSecondAndPerMinute) {
  struct Case {
    std::string text;
    double rate;
    int window;
  };
  for (const Case& c : {Case{"10", 10, 1}, Case{"10/s", 10, 1},
                        Case{"0.25", 0.25, 1}, Case{"60/min", 60, 60},
                        Case{"0", 0, 1}}) {
    FaultOptions options;
    ASSERT_TRUE(ParseRateLimit(c.text, &options).ok()) << c.text;
    EXPECT_EQ(options.rate_limit, c.rate) << c.text;
    EXPECT_EQ(options.rate_window_seconds, c.window) << c.text;
  }
  for (const std::string bad : {"", "x", "-1", "10/h", "nan", "5/min/s"}) {
    FaultOptions options;
    absl::Status status = ParseRateLimit(bad, &options);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  FaultOptions options;
  EXPECT_EQ(ParseRateLimit("x", &options).message(),
            "--rate-limit x: expected N, N/s or N/min with N >= 0 (e.g. "
            "10/s, 60/min)");
}

TEST(RestRateLimitTest, HeadersOnEveryAnswerAnd429PerKey) {
  RestOptions options;
  ASSERT_TRUE(ParseRateLimit("2/min", &options.faults).ok());
  RestHarness h(options);
  RestResult r = h.Call("GET", "/v2/network-volumes");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.response.Header("RateLimit-Policy"), R"("minute";q=2;w=60)");
  EXPECT_EQ(r.response.Header("RateLimit"), R"("minute";r=1;t=60)");
  // An error answer counts and carries the headers too.
  r = h.Call("GET", "/v2/network-volumes/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.response.Header("RateLimit"), R"("minute";r=0;t=60)");
  r = h.Call("GET", "/v2/network-volumes");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, ProblemBody("Too Many Requests", 429,
                                "rate limit exceeded for the minute window"));
  EXPECT_EQ(r.response.Header("Retry-After"), "60");
  EXPECT_EQ(r.response.Header("RateLimit"), R"("minute";r=0;t=60)");
  // Another key has its own window.
  r = h.Call("GET", "/v2/network-volumes", "", "other-key");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.response.Header("RateLimit"), R"("minute";r=1;t=60)");
  // No limit: no headers.
  RestHarness unlimited;
  EXPECT_TRUE(unlimited.Call("GET", "/v2/network-volumes")
                  .response.headers.empty());
}

TEST(RestRateLimitTest, PerSecondWindows) {
  RestOptions options;
  options.faults.rate_limit = 1;
  RestHarness h(options);
  RestResult r = h.Call("GET", "/v2/pods");
  EXPECT_EQ(r.response.Header("RateLimit-Policy"), R"("second";q=1;w=1)");
  r = h.Call("GET", "/v2/pods");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.response.Header("Retry-After"), "1");
  EXPECT_EQ(r.body["detail"], "rate limit exceeded for the second window");
}

TEST(RestFaultsTest, FailRateAndDropAfterCommitApplyToRest) {
  RestOptions failing;
  failing.faults.fail_rate = 1.0;
  RestHarness h(failing);
  RestResult r = h.Call("POST", "/v2/network-volumes",
                        json{{"name", "v"}, {"size", 10},
                             {"dataCenter", "EU-RO-1"}});
  EXPECT_TRUE(r.status == 502 || r.status == 503) << r.status;
  RestOptions dropping;
  dropping.faults.drop_after_commit = 1.0;
  RestHarness d(dropping);
  r = d.Call("POST", "/v2/network-volumes",
             json{{"name", "v"}, {"size", 10}, {"dataCenter", "EU-RO-1"}});
  EXPECT_TRUE(r.response.dropped);
  EXPECT_FALSE(d.Call("GET", "/v2/network-volumes").response.dropped);
  EXPECT_EQ(d.Ok("GET", "/v2/network-volumes")["networkVolumes"].size(), 1u);
}

TEST(JsonDepthTest, CountsArraysAndObjectsOutsideStrings) {
  EXPECT_FALSE(JsonNestedDeeperThan("[[[]]]", 3));
  EXPECT_TRUE(JsonNestedDeeperThan("[[[[]]]]", 3));
  EXPECT_TRUE(JsonNestedDeeperThan(R"({"a":{"b":[{}]}})", 3));
  EXPECT_FALSE(JsonNestedDeeperThan(R"({"a":"[[[[[[\"[[[["})", 1));
  EXPECT_FALSE(JsonNestedDeeperThan("[][][][][]", 1));
  EXPECT_TRUE(JsonNestedDeeperThan(std::string(401, '['), kMaxJsonDepth));
  EXPECT_FALSE(JsonNestedDeeperThan(std::string(400, '['), kMaxJsonDepth));
}

// {"a": [[[ ... ]]]} nested `depth` levels in all.
std::string Nested(int depth) {
  return R"({"name": )" + std::string(depth - 1, '[') +
         std::string(depth - 1, ']') + "}";
}

TEST(RestLimitsTest, DeepBodiesAre400AndLargeOnes413BeforeTheKey) {
  RestHarness h;
  RestResult r = h.Call("POST", "/v2/network-volumes", Nested(401));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, ProblemBody("Bad Request", 400,
                                "The request body nests arrays and objects "
                                "deeper than 400 levels."));
  // 400 levels are read (and refused by the schema).
  EXPECT_EQ(h.Call("POST", "/v2/network-volumes", Nested(400)).status, 422);
  std::string large = R"({"name": ")" + std::string(kMaxRestBodyBytes, 'x') +
                      R"(", "size": 10, "dataCenter": "EU-RO-1"})";
  r = h.Call("POST", "/v2/network-volumes", large, "");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.body, ProblemBody("Content Too Large", 413,
                                "The request body exceeds the 102400 byte "
                                "limit."));
  EXPECT_EQ(h.Ok("GET", "/v2/network-volumes")["networkVolumes"].size(), 0u);
}

TEST(GraphqlLimitsTest, DeepVariablesAre400NotACrash) {
  RestHarness h;
  // The body that crashed `sandbox serve`: variables nested 55,000 deep.
  std::string body =
      R"({"query": "query Q($v: String) { myself { id } }", "variables": {"v": )" +
      std::string(55000, '[') + std::string(55000, ']') + "}}";
  SandboxRequest request;
  request.body = body;
  request.authorization = "Bearer k";
  SandboxResponse response = h.service->Handle(request);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.body,
            R"({"errors":[{"message":"The request body nests arrays and objects deeper than 400 levels.","extensions":{"code":"BAD_REQUEST"}}]})");
  request.body = std::string(kMaxGraphqlBodyBytes + 1, ' ');
  request.authorization = "";
  response = h.service->Handle(request);
  EXPECT_EQ(response.status, 413);
}

}  // namespace
}  // namespace podform::sandbox
