// Serverless endpoints end to end: validate accepts them; over GraphQL,
// plan, apply, destroy and import refuse a config that declares any, naming
// them, before a single request (RunPod manages endpoints over REST v2
// only): never planned as if they were absent.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "tests/harness/proxy.h"

namespace podform::e2e {
namespace {

using ::testing::HasSubstr;

using EndpointsE2eTest = E2eTest;

constexpr char kConfig[] =
    "version: 1\n"
    "volumes:\n"
    "  models-eu: {size: 50, dataCenter: EU-RO-1}\n"
    "  models-us: {size: 50, dataCenter: US-TX-3}\n"
    "endpoints:\n"
    "  embed:\n"
    "    image: ghcr.io/acme/embed-worker:1.4\n"
    "    gpu: {pools: [ADA_24]}\n"
    "    volumes: [models-eu, models-us]\n"
    "    access: read-only\n"
    "  rank:\n"
    "    image: ghcr.io/acme/rank-worker:1.0\n"
    "    type: load-balancer\n"
    "    gpu: {pools: [AMPERE_48]}\n"
    "    scaling: {requestCount: 2}\n";

TEST_F(EndpointsE2eTest, OverGraphQlPlanApplyDestroyImportRefuseUnsent) {
  if (harness::TestingRest()) {
    GTEST_SKIP() << "the refusal is GraphQL's; REST v2 plans endpoints";
  }
  WriteConfig(kConfig);
  RunResult validate = Podform({"validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate;
  EXPECT_EQ(validate.err, "");
  EXPECT_THAT(validate.out, HasSubstr(": valid (2 volumes, 0 pods, 2 "
                                      "endpoints)\n"));

  harness::RecordingProxy proxy(harness::PortOf(sandbox().url()));
  const std::string endpoint = proxy.url();
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(),
                {"--endpoint", endpoint, "--file", Path("podform.yaml")});
    return PodformRaw(args);
  };
  const std::string refusal =
      "endpoint.embed, endpoint.rank: serverless endpoints are managed "
      "over RunPod's REST v2 API only; use REST v2 (the default, "
      "without --api graphql) or remove the endpoints: section. "
      "Nothing was read or changed.";
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"plan"},
                                             {"plan", "--json"},
                                             {"apply", "--auto-approve"},
                                             {"destroy", "--auto-approve"}}) {
    RunResult result = run(command);
    EXPECT_EQ(result.exit_code, 1) << command[0] << "\n" << result;
    EXPECT_THAT(result.err + result.out, HasSubstr(refusal)) << command[0];
  }
  RunResult import = run({"import", "endpoint.embed", "abc123"});
  EXPECT_EQ(import.exit_code, 1) << import;
  EXPECT_THAT(import.err, HasSubstr(refusal));
  // Not one request reached RunPod, nothing was created or recorded.
  EXPECT_TRUE(proxy.exchanges().empty()) << proxy.exchanges().size();
  nlohmann::json live = sandbox().Live();
  EXPECT_TRUE(live["networkVolumes"].empty()) << live.dump(2);
  EXPECT_FALSE(LockExists());

  // Without endpoints the same volumes plan and apply.
  std::string volumes_only = kConfig;
  volumes_only.resize(volumes_only.find("endpoints:"));
  WriteConfig(volumes_only);
  RunResult apply = run({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 0) << apply;
  EXPECT_EQ(sandbox().Live()["networkVolumes"].size(), 2u);
}

}  // namespace
}  // namespace podform::e2e
