// Every examples/*/podform.yaml validates, applies on a fresh sandbox, and
// then plans no changes; once over HTTP (sandbox serve) and once with the
// in-process --sandbox.

#include <algorithm>
#include <filesystem>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace podform::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// What the examples read with ${env:...}.
const std::vector<std::string> kExampleEnv = {
    "HF_TOKEN=hf_e2e_example_token", "VLLM_API_KEY=vllm_e2e_example_key",
    "WANDB_API_KEY=wandb_e2e_example_key"};

std::vector<std::string> ExampleConfigs() {
  std::vector<std::string> configs;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::string(PODFORM_SOURCE_DIR) + "/examples")) {
    std::filesystem::path config = entry.path() / "podform.yaml";
    if (std::filesystem::exists(config)) configs.push_back(config.string());
  }
  std::sort(configs.begin(), configs.end());
  return configs;
}

using ExamplesE2eTest = E2eTest;

TEST_F(ExamplesE2eTest, EveryExampleValidatesAppliesAndThenPlansNothing) {
  std::vector<std::string> configs = ExampleConfigs();
  ASSERT_GE(configs.size(), 3u);
  for (const std::string& config : configs) {
    SCOPED_TRACE(config);
    std::string name = std::filesystem::path(config).parent_path().filename();
    // A fresh sandbox for each example; the lock file in the temporary
    // directory, never beside the example.
    // A balance the largest example does not run through within a day
    // (no short-runway warning in the way of "No changes").
    std::unique_ptr<Sandbox> server = Sandbox::Start(
        Path(name + "-sandbox.json"), {"--balance", "100000"}, kApiKey);
    ASSERT_NE(server, nullptr);
    const std::string lock = Path(name + ".lock");
    std::vector<std::string> state = {"--state", lock};

    RunResult validate =
        PodformRaw({"--file", config, "validate"}, kExampleEnv);
    EXPECT_EQ(validate.exit_code, 0) << validate;
    EXPECT_THAT(validate.out, StartsWith(config + ": valid ("));
    EXPECT_EQ(validate.err, "");

    std::vector<std::string> args = state;
    args.insert(args.end(), {"apply", "--auto-approve"});
    RunResult apply = PodformAt(*server, config, args, kExampleEnv);
    if (!harness::TestingRest() &&
        ReadFileOrDie(config).find("\nendpoints:") != std::string::npos) {
      // Serverless endpoints are managed over REST v2 only.
      EXPECT_EQ(apply.exit_code, 1) << apply;
      EXPECT_THAT(apply.err, HasSubstr("serverless endpoints are managed "
                                       "over RunPod's REST v2 API only"));
      EXPECT_EQ(server->Live()["networkVolumes"].size(), 0u);
      continue;
    }
    if (!harness::TestingRest() &&
        ReadFileOrDie(config).find("\n    type: ") != std::string::npos) {
      // A volume's type can only be chosen over REST v2.
      EXPECT_EQ(apply.exit_code, 1) << apply;
      EXPECT_THAT(apply.err, HasSubstr("cannot be chosen over RunPod's "
                                       "GraphQL API"));
      EXPECT_EQ(server->Live()["networkVolumes"].size(), 0u);
      continue;
    }
    EXPECT_EQ(apply.exit_code, 0) << apply;
    EXPECT_THAT(apply.out, HasSubstr("Apply complete! Resources: "));

    args = state;
    args.insert(args.end(), {"plan", "--detailed-exitcode"});
    RunResult plan = PodformAt(*server, config, args, kExampleEnv);
    EXPECT_EQ(plan.exit_code, 0) << plan;
    EXPECT_THAT(plan.out,
                StartsWith("No changes. Your infrastructure matches the "
                           "configuration.\n"));

    // Everything the config declares exists, under the recorded ids.
    json recorded = json::parse(ReadFileOrDie(lock), nullptr, false);
    ASSERT_FALSE(recorded.is_discarded());
    json live = server->Live();
    size_t volumes = 0, pods = 0, endpoints = 0;
    for (const auto& [address, resource] : recorded["resources"].items()) {
      if (address.rfind("endpoint.", 0) == 0) {
        ++endpoints;  // GraphQL's Live() lists none; REST v2 created them
        continue;
      }
      bool volume = address.rfind("volume.", 0) == 0;
      (volume ? volumes : pods)++;
      EXPECT_FALSE(FindById(live[volume ? "networkVolumes" : "pods"],
                            resource["id"].get<std::string>())
                       .is_null())
          << address;
    }
    EXPECT_EQ(live["networkVolumes"].size(), volumes);
    EXPECT_EQ(live["pods"].size(), pods);
    EXPECT_THAT(validate.out,
                HasSubstr("(" + std::to_string(volumes) + " volumes, " +
                          std::to_string(pods) + " pods" +
                          (endpoints > 0 ? ", " + std::to_string(endpoints) +
                                               " endpoints"
                                         : std::string()) +
                          ")"));
    EXPECT_EQ(server->Stop(), 0);
  }
  // Nothing was written beside the examples.
  for (const std::string& config : configs) {
    std::filesystem::path dir = std::filesystem::path(config).parent_path();
    EXPECT_FALSE(std::filesystem::exists(dir / "podform.lock")) << dir;
    EXPECT_FALSE(std::filesystem::exists(dir / ".podform")) << dir;
  }
}

TEST_F(ExamplesE2eTest, QuickstartWithTheInProcessSandbox) {
  const std::string config =
      std::string(PODFORM_SOURCE_DIR) + "/examples/quickstart/podform.yaml";
  const std::string data = Path("sb.json");
  std::vector<std::string> common = {"--file", config, "--state",
                                     Path("podform.lock"), "--sandbox=" + data,
                                     "--api", harness::TestApi()};
  std::vector<std::string> args = common;
  args.insert(args.end(), {"apply", "--auto-approve"});
  RunResult apply = PodformRaw(args);
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_THAT(apply.out,
              HasSubstr("Apply complete! Resources: 2 added, 0 changed, 0 "
                        "destroyed.\n"));
  EXPECT_TRUE(std::filesystem::exists(data));

  args = common;
  args.insert(args.end(), {"plan", "--detailed-exitcode"});
  RunResult plan = PodformRaw(args);
  EXPECT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, StartsWith("No changes."));

  // The data file is the same account a server would serve.
  std::unique_ptr<Sandbox> server = Sandbox::Start(data, {}, kApiKey);
  ASSERT_NE(server, nullptr);
  json live = server->Live();
  EXPECT_EQ(live["networkVolumes"].size(), 1u);
  EXPECT_EQ(live["pods"].size(), 1u);
  RunResult over_http = PodformAt(
      *server, config,
      {"--state", Path("podform.lock"), "plan", "--detailed-exitcode"});
  if (harness::TestApi() == "graphql") {
    // GraphQL names the account: the same account, so the same state.
    EXPECT_EQ(over_http.exit_code, 0) << over_http;
  } else {
    // REST v2 names no account, so podform cannot tell that the server
    // holds the very account the lock file belongs to: it refuses.
    EXPECT_EQ(over_http.exit_code, 1) << over_http;
    EXPECT_THAT(over_http.err, HasSubstr("belongs to sandbox:" + data));
  }
  EXPECT_EQ(server->Stop(), 0);
}

}  // namespace
}  // namespace podform::e2e
