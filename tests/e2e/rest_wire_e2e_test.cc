// What podform sends over REST v2, seen by a proxy between podform and
// `sandbox serve`: every request is one podform's REST client declares
// (schema/rest-requests.json, with unknown members refused as RunPod refuses
// them), RunPod never has to refuse one, and an apply larger than the rate
// limit's quota is paced so that none is answered 429.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/client/rest_schema.h"
#include "tests/e2e/harness.h"
#include "tests/harness/proxy.h"

namespace podform::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

using RestWireE2eTest = E2eTest;

constexpr char kFirst[] = R"(version: 1
defaults:
  dataCenter: US-TX-3
volumes:
  fast: {size: 20, type: HIGH_PERFORMANCE, protect: false}
  plain: {size: 10, protect: false}
pods:
  trainer:
    image: runpod/pytorch:2.4.0
    gpuType: NVIDIA RTX A6000
    volume: fast
    mountPath: /data
    ports: [8888/http, 22/tcp]
    env: {HF_HOME: /data/hf, TOKEN: "${env:WIRE_TOKEN}"}
    containerDiskGb: 30
    dockerArgs: sleep infinity
  idle: {image: runpod/pytorch:2.4.0, gpuType: NVIDIA RTX A5000, status: stopped}
  bare: {image: runpod/pytorch:2.4.0, gpuType: NVIDIA RTX A5000, cloudType: COMMUNITY}
)";

// Every kind of change: a rename and a growth, edits with and without the
// volume, a start, a replacement, a delete.
constexpr char kSecond[] = R"(version: 1
defaults:
  dataCenter: US-TX-3
volumes:
  fast: {name: faster, size: 40, type: HIGH_PERFORMANCE, protect: false}
pods:
  trainer:
    image: runpod/pytorch:2.5.1
    gpuType: NVIDIA RTX A6000
    volume: fast
    mountPath: /mnt/data
    ports: [8888/http]
    env: {HF_HOME: /mnt/data/hf, TOKEN: "${env:WIRE_TOKEN}"}
    containerDiskGb: 40
  idle: {image: runpod/pytorch:2.5.1, gpuType: NVIDIA RTX A5000, status: running}
  bare: {image: runpod/pytorch:2.4.0, gpuType: NVIDIA RTX A6000, cloudType: COMMUNITY}
)";

// Every request through `proxy` so far is REST v2, declared, and was not
// refused; returns them as "METHOD PATH" with the query left out.
std::vector<std::string> CheckEveryRequest(
    const harness::RecordingProxy& proxy) {
  std::vector<std::string> seen;
  for (const harness::Exchange& e : proxy.exchanges()) {
    SCOPED_TRACE(e.method + " " + e.path + " " + e.body);
    // The account's balance has no REST v2 route: one GraphQL read per plan
    // (docs/GUARDS.md).
    if (e.path == "/graphql" && e.operation == "Account") {
      EXPECT_LT(e.status, 300) << "answered " << e.status;
      continue;
    }
    EXPECT_EQ(e.path.rfind("/v2/", 0), 0u);
    HttpRequest request;
    request.method = e.method;
    request.path = e.path.substr(3);  // relative to the base URL, .../v2
    request.body = e.body;
    EXPECT_EQ(CheckRestRequest(request), absl::OkStatus());
    EXPECT_LT(e.status, 300) << "answered " << e.status;
    seen.push_back(e.method + " " + request.path.substr(
                                        0, request.path.find('?')));
  }
  return seen;
}

TEST_F(RestWireE2eTest, EveryRequestIsDeclaredAndNoneIsRefused) {
  if (!harness::TestingRest()) GTEST_SKIP() << "REST v2 only";
  harness::RecordingProxy proxy(harness::PortOf(sandbox().url()));
  const std::vector<std::string> env = {"WIRE_TOKEN=wire-secret-1"};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(),
                {"--endpoint", proxy.rest_url(), "--file", Path("podform.yaml")});
    return PodformRaw(args, env);
  };

  WriteConfig(kFirst);
  RunResult first = run({"apply", "--auto-approve"});
  ASSERT_EQ(first.exit_code, 0) << first;
  WriteConfig(kSecond);
  RunResult second = run({"apply", "--auto-approve"});
  ASSERT_EQ(second.exit_code, 0) << second;
  EXPECT_THAT(second.out, HasSubstr("Plan: 0 to add, 3 to change, 1 to "
                                    "replace, 1 to destroy.\n"));
  RunResult destroy = run({"destroy", "--auto-approve"});
  ASSERT_EQ(destroy.exit_code, 0) << destroy;

  std::vector<std::string> seen = CheckEveryRequest(proxy);
  // Each kind of request podform makes was made (and so checked).
  for (const char* request :
       {"GET /network-volumes", "POST /network-volumes",
        "PATCH /network-volumes/", "DELETE /network-volumes/", "GET /pods",
        "POST /pods", "PATCH /pods/", "POST /pods/", "DELETE /pods/",
        "GET /serverless"}) {
    bool made = false;
    for (const std::string& s : seen) made |= s.rfind(request, 0) == 0;
    EXPECT_TRUE(made) << request;
  }
  json live = sandbox().Live();
  EXPECT_EQ(live["networkVolumes"].size(), 0u) << live.dump(2);
  EXPECT_EQ(live["pods"].size(), 0u) << live.dump(2);
}

TEST_F(RestWireE2eTest, AnApplyLargerThanTheQuotaIsPacedWithoutA429) {
  if (!harness::TestingRest()) GTEST_SKIP() << "REST v2 rate limits only";
  // 10 requests a second; the apply needs more than three times that (a
  // refresh of three lists, then 30 creates).
  StartSandbox({"--rate-limit", "10/s"});
  harness::RecordingProxy proxy(harness::PortOf(sandbox().url()));
  std::string yaml = "version: 1\nvolumes:\n";
  for (int i = 0; i < 30; ++i) {
    yaml += "  v" + std::to_string(i) +
            ": {size: 10, dataCenter: EU-RO-1, protect: false}\n";
  }
  WriteConfig(yaml);
  RunResult apply = PodformRaw({"--endpoint", proxy.rest_url(), "--file",
                                Path("podform.yaml"), "apply",
                                "--auto-approve", "--parallelism", "8"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_THAT(apply.out, HasSubstr("Resources: 30 added"));
  std::vector<harness::Exchange> exchanges = proxy.exchanges();
  ASSERT_GE(exchanges.size(), 33u);
  int refused = 0;
  for (const harness::Exchange& e : exchanges) refused += e.status == 429;
  EXPECT_EQ(refused, 0);
  // Paced, not merely lucky: 33 REST requests at 10 a second need 4
  // windows, so they span more than 2 s.
  EXPECT_GE(exchanges.back().start - exchanges.front().start, 2.0);
  EXPECT_EQ(sandbox().Live()["networkVolumes"].size(), 30u);
}

}  // namespace
}  // namespace podform::e2e
