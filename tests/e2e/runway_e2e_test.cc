// Issue 17, "Balance runway", end to end against `podform sandbox serve
// --balance USD`: the runway line, the --min-runway guard refusing before
// any mutation, a balance that cannot be read, and RunPod's rule that a pod
// needs one hour of its cost in credit (402 over REST v2).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "tests/harness/proxy.h"

namespace podform::e2e {
namespace {

// The line under the cost lines, above the runway.
const std::string kAssumptions =
    "Prices as of 2026-12 (RunPod's published list); volumes bill hourly "
    "whether or not a pod runs; a stopped pod costs no GPU time.\n";

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

using RunwayE2eTest = E2eTest;

// The starting config (TestConfig) costs $0.49/hour (one RTX A6000 on
// Secure Cloud) plus 50 GB x $0.07 = $3.50/month: 11.76 + 3.50 x 24 / 730
// = $11.875068/day.

// A loopback port nothing listens on (bound, then closed).
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(
      ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// The requests through `proxy` that change something on RunPod: REST v2
// POST/PATCH/DELETE under /v2, GraphQL mutations.
std::vector<std::string> Mutations(const harness::RecordingProxy& proxy) {
  std::vector<std::string> out;
  for (const harness::Exchange& e : proxy.exchanges()) {
    if (e.path.rfind("/v2", 0) == 0 ? e.method != "GET"
                                    : e.body.find("mutation") !=
                                          std::string::npos) {
      out.push_back(e.method + " " + e.path + " " + e.operation);
    }
  }
  return out;
}

// The requests through `proxy` that read the account.
int AccountReads(const harness::RecordingProxy& proxy) {
  int n = 0;
  for (const harness::Exchange& e : proxy.exchanges()) {
    if (e.operation == "Account") ++n;
  }
  return n;
}

std::string ProxyEndpoint(const harness::RecordingProxy& proxy) {
  return harness::TestingRest() ? proxy.rest_url() : proxy.url();
}

TEST_F(RunwayE2eTest, PlanShowsTheRunwayBelowTheCostLinesInEveryFormat) {
  StartSandbox({"--balance", "42.10"});
  WriteConfig(TestConfig().Yaml());
  const std::string line =
      "Balance $42.10: lasts indefinitely at today's $0.00/day; 3.5 days "
      "after this plan ($11.88/day).\n";

  RunResult text = Podform({"plan"});
  ASSERT_EQ(text.exit_code, 0) << text;
  EXPECT_EQ(text.err, "");
  EXPECT_THAT(text.out, HasSubstr("Pods: $0.00/hour -> $0.49/hour\n" +
                                  kAssumptions + line));
  EXPECT_THAT(text.out, Not(HasSubstr("Warnings:")));

  RunResult markdown = Podform({"plan", "--markdown"});
  ASSERT_EQ(markdown.exit_code, 0) << markdown;
  EXPECT_THAT(markdown.out, HasSubstr("\n\n" + line));

  RunResult machine = Podform({"plan", "--json"});
  ASSERT_EQ(machine.exit_code, 0) << machine;
  json runway = json::parse(machine.out)["runway"];
  EXPECT_EQ(runway["known"], true);
  EXPECT_EQ(runway["balance"], 42.10);
  EXPECT_EQ(runway["spend_daily_now"], 0.0);
  EXPECT_NEAR(runway["spend_daily_after"].get<double>(), 11.875068, 1e-6);
  EXPECT_EQ(runway["days_now"], nullptr);
  EXPECT_NEAR(runway["days_after"].get<double>(), 42.10 / 11.875068, 1e-6);
  EXPECT_EQ(runway["spend_limit_hourly"], 80.0);
  EXPECT_EQ(runway["message"], line.substr(0, line.size() - 1));

  // Once applied, today's spend is the sandbox's currentSpendPerHr, which
  // follows the pod and the volume; a plan that changes nothing keeps it.
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  RunResult after = Podform({"plan", "--json"});
  ASSERT_EQ(after.exit_code, 0) << after;
  EXPECT_EQ(json::parse(after.out)["runway"]["message"],
            "Balance $42.10: 3.5 days at today's $11.88/day; 3.5 days after "
            "this plan ($11.88/day).");
  // Stopping the pod leaves the storage: $0.115068/day.
  WriteConfig(TestConfig().Status("stopped").Yaml());
  RunResult stop = Podform({"plan"});
  ASSERT_EQ(stop.exit_code, 0) << stop;
  EXPECT_THAT(stop.out, HasSubstr("Balance $42.10: 3.5 days at today's "
                                  "$11.88/day; 365.8 days after this plan "
                                  "($0.12/day).\n"));
}

// An endpoint's active workers bill whether or not requests come: the plan
// prices them at the dearest of its pools, the runway counts them, and once
// applied they are in the account's spend (the sandbox places them in the
// first pool). REST v2 only, as endpoints are.
TEST_F(RunwayE2eTest, AnEndpointsActiveWorkersCountInTheRunway) {
  if (!harness::TestingRest()) {
    GTEST_SKIP() << "endpoints are managed over REST v2 only";
  }
  StartSandbox({"--balance", "42.10"});
  // 2 workers x 1 GPU; ADA_24 $1.116/GPU-hour, AMPERE_48 $1.224.
  const auto config = [](const std::string& pools) {
    return "version: 1\n"
           "endpoints:\n"
           "  embed:\n"
           "    image: ghcr.io/acme/embed-worker:1.4\n"
           "    gpu: {pools: [" + pools + "]}\n"
           "    workers: {min: 2, max: 3}\n"
           "    dataCenters: [EU-RO-1]\n";
  };
  WriteConfig(config("ADA_24, AMPERE_48"));
  RunResult text = Podform({"plan"});
  ASSERT_EQ(text.exit_code, 0) << text;
  EXPECT_THAT(text.out,
              HasSubstr("Pods: $0.00/hour -> $0.00/hour\n"
                        "Endpoints: $0.00/hour -> $2.45/hour (active "
                        "workers, each endpoint at its dearest pool; use "
                        "beyond them billed by the second, not included: "
                        "endpoint.embed)\n" +
                        kAssumptions +
                        "Balance $42.10: lasts indefinitely at today's "
                        "$0.00/day; 0.7 days after this plan ($58.75/day).\n"));
  RunResult machine = Podform({"plan", "--json"});
  ASSERT_EQ(machine.exit_code, 0) << machine;
  json doc = json::parse(machine.out);
  EXPECT_EQ(doc["cost"]["endpoints_hourly_before"], 0.0);
  EXPECT_EQ(doc["cost"]["endpoints_hourly_after"], 2.448);
  EXPECT_EQ(doc["cost"]["unpriced_active_endpoints"], json::array());
  EXPECT_NEAR(doc["runway"]["spend_daily_after"].get<double>(), 2.448 * 24,
              1e-9);
  EXPECT_FALSE(doc["runway"].contains("unpriced_changes"));

  // A guard counts them as it counts pods.
  RunResult guarded = Podform({"apply", "--auto-approve", "--min-runway", "1"});
  EXPECT_EQ(guarded.exit_code, 1) << guarded;
  EXPECT_THAT(guarded.err, HasSubstr("0.7 days"));
  RunResult still = Podform({"plan"});
  ASSERT_EQ(still.exit_code, 0) << still;
  EXPECT_THAT(still.out, HasSubstr("Plan: 1 to add, 0 to change"));
  EXPECT_THAT(still.out, Not(HasSubstr("Unmanaged")));

  // Applied with its preferred pool first, the account spends 2 x $1.116.
  WriteConfig(config("ADA_24"));
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  RunResult after = Podform({"plan", "--json"});
  ASSERT_EQ(after.exit_code, 0) << after;
  json runway = json::parse(after.out)["runway"];
  EXPECT_NEAR(runway["spend_daily_now"].get<double>(), 2.232 * 24, 1e-9);
  EXPECT_NEAR(runway["spend_daily_after"].get<double>(), 2.232 * 24, 1e-9);
}

// A pod of a GPU type RunPod publishes no price for: the runway after the
// plan is an upper bound, and a guard cannot trust it.
TEST_F(RunwayE2eTest, APodWithoutAPublishedPriceMakesTheGuardFailClosed) {
  StartSandbox({"--balance", "42.10"});
  WriteConfig(TestConfig().Gpu("NVIDIA B200").Yaml());
  RunResult text = Podform({"plan"});
  ASSERT_EQ(text.exit_code, 0) << text;
  EXPECT_THAT(text.out,
              HasSubstr("Balance $42.10: lasts indefinitely at today's "
                        "$0.00/day; at most 365.9 days after this plan "
                        "($0.12/day without pod.trainer, whose price RunPod "
                        "does not publish).\n"));
  RunResult machine = Podform({"plan", "--json"});
  ASSERT_EQ(machine.exit_code, 0) << machine;
  EXPECT_EQ(json::parse(machine.out)["runway"]["unpriced_changes"],
            json::array({"pod.trainer"}));

  RunResult guarded = Podform({"apply", "--auto-approve", "--min-runway", "1"});
  EXPECT_EQ(guarded.exit_code, 1) << guarded;
  EXPECT_EQ(guarded.err,
            "podform: cannot check the 1 day --min-runway asks for: RunPod "
            "publishes no price for pod.trainer, which this plan creates or "
            "changes; the balance ($42.10) lasts at most 365.9 days after "
            "it\n");
  EXPECT_EQ(sandbox().Live()["pods"].size(), 0u);
  EXPECT_EQ(sandbox().Live()["networkVolumes"].size(), 0u);
}

TEST_F(RunwayE2eTest, AShortRunwayWithoutTheGuardIsAWarning) {
  StartSandbox({"--balance", "10"});
  WriteConfig(TestConfig().Yaml());
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan;
  EXPECT_THAT(plan.out,
              HasSubstr("Warnings:\n  - the balance ($10.00) lasts 0.8 days "
                        "after this plan at $11.88/day: at $0 RunPod stops "
                        "every pod and may then delete network volumes for "
                        "good; add credit (--min-runway DAYS makes this an "
                        "error)\n"));
}

TEST_F(RunwayE2eTest, TheGuardRefusesPlanAndApplyBeforeAnyMutation) {
  StartSandbox({"--balance", "10"});
  WriteConfig(TestConfig().Yaml());
  const std::string refusal =
      "podform: the balance ($10.00) lasts 0.8 days after this plan, 2.2 "
      "days short of the 3 days --min-runway asks for; add at least $25.63 "
      "of credit, or plan less\n";

  RunResult plan = Podform({"plan", "--min-runway", "3"});
  EXPECT_EQ(plan.exit_code, 1) << plan;
  EXPECT_EQ(plan.err, refusal);
  EXPECT_THAT(plan.out, HasSubstr("Balance $10.00: "));
  // Enough runway: the same plan passes.
  EXPECT_EQ(Podform({"plan", "--min-runway", "0.5"}).exit_code, 0);

  RunResult machine = Podform({"plan", "--json", "--min-runway", "3"});
  EXPECT_EQ(machine.exit_code, 1) << machine;
  json failure = json::parse(machine.out);
  EXPECT_EQ(failure["ok"], false);
  EXPECT_EQ(failure["diagnostics"][0]["message"],
            refusal.substr(9, refusal.size() - 10));

  harness::RecordingProxy proxy(harness::PortOf(sandbox().url()));
  RunResult apply =
      PodformRaw({"--endpoint", ProxyEndpoint(proxy), "--file",
                  Path("podform.yaml"), "apply", "--auto-approve",
                  "--min-runway", "3"});
  EXPECT_EQ(apply.exit_code, 1) << apply;
  EXPECT_EQ(apply.err, refusal);
  EXPECT_THAT(Mutations(proxy), ::testing::IsEmpty());
  EXPECT_EQ(AccountReads(proxy), 1);
  EXPECT_EQ(sandbox().Live()["networkVolumes"].size(), 0u);
  EXPECT_EQ(sandbox().Live()["pods"].size(), 0u);

  // The same guard set once in podform.yaml.
  WriteConfig("guards: {minRunwayDays: 3}\n" + TestConfig().Yaml());
  RunResult guarded = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(guarded.exit_code, 1) << guarded;
  EXPECT_THAT(guarded.err,
              HasSubstr("2.2 days short of the 3 days guards.minRunwayDays "
                        "asks for"));
  // The flag overrides it.
  EXPECT_EQ(Podform({"plan", "--min-runway", "0"}).exit_code, 0);
  EXPECT_EQ(sandbox().Live()["pods"].size(), 0u);
}

TEST_F(RunwayE2eTest, ASavedPlanIsCheckedAgainstTheGuardWhenApplied) {
  StartSandbox({"--balance", "10"});
  WriteConfig(TestConfig().Yaml());
  harness::RecordingProxy proxy(harness::PortOf(sandbox().url()));
  RunResult saved =
      PodformRaw({"--endpoint", ProxyEndpoint(proxy), "--file",
                  Path("podform.yaml"), "plan", "--out", Path("p.plan")});
  ASSERT_EQ(saved.exit_code, 0) << saved;
  RunResult apply =
      PodformRaw({"--endpoint", ProxyEndpoint(proxy), "--file",
                  Path("podform.yaml"), "apply", Path("p.plan"),
                  "--min-runway", "3"});
  EXPECT_EQ(apply.exit_code, 1) << apply;
  EXPECT_THAT(apply.err, HasSubstr("2.2 days short of the 3 days "
                                   "--min-runway asks for"));
  EXPECT_THAT(Mutations(proxy), ::testing::IsEmpty());
  EXPECT_EQ(sandbox().Live()["pods"].size(), 0u);
  // A plan that fails the guard is not saved.
  RunResult refused =
      Podform({"plan", "--out", Path("q.plan"), "--min-runway", "3"});
  EXPECT_EQ(refused.exit_code, 1) << refused;
  EXPECT_FALSE(std::ifstream(Path("q.plan")).good());
}

TEST_F(RunwayE2eTest, AnUnreachableGraphQLMakesTheBalanceUnknown) {
  // Over GraphQL an unreachable GraphQL fails the refresh itself.
  if (!harness::TestingRest()) GTEST_SKIP() << "REST v2 only";
  WriteConfig(TestConfig().Yaml());
  const std::string graphql =
      "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/graphql";
  const std::vector<std::string> env = {"RUNPOD_GRAPHQL_URL=" + graphql};

  RunResult plan = Podform({"plan"}, env);
  ASSERT_EQ(plan.exit_code, 0) << plan;
  EXPECT_EQ(plan.err, "");
  const std::string reason =
      "POST " + graphql + ": Couldn't connect to server; nothing was sent";
  EXPECT_THAT(plan.out, HasSubstr("/hour\n" + kAssumptions +
                                  "Balance unknown: " + reason + ".\n"));

  RunResult guarded = Podform({"plan", "--min-runway", "1"}, env);
  EXPECT_EQ(guarded.exit_code, 1) << guarded;
  EXPECT_EQ(guarded.err, "podform: balance unknown (" + reason +
                             "): cannot check the 1 day --min-runway asks "
                             "for\n");
  RunResult apply = Podform({"apply", "--auto-approve", "--min-runway", "1"},
                            env);
  EXPECT_EQ(apply.exit_code, 1) << apply;
  EXPECT_EQ(sandbox().Live()["networkVolumes"].size(), 0u);
}

TEST_F(RunwayE2eTest, APodTheBalanceCannotCoverIsRefusedOnce) {
  // The volume ($3.50/month) fits; the pod needs $0.49.
  StartSandbox({"--balance", "0.30"});
  WriteConfig(TestConfig().Yaml());
  harness::RecordingProxy proxy(harness::PortOf(sandbox().url()));
  RunResult apply =
      PodformRaw({"--endpoint", ProxyEndpoint(proxy), "--file",
                  Path("podform.yaml"), "apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply;
  const std::string sandbox_says =
      "Your account balance is too low to deploy this pod: it needs at "
      "least $0.49 in credit (one hour of its cost), and the balance is "
      "$0.30.";
  EXPECT_THAT(apply.out + apply.err,
              HasSubstr(harness::TestingRest()
                            ? "pod.trainer: createPod: insufficient balance "
                              "(HTTP 402): " +
                                  sandbox_says
                            : "pod.trainer: podFindAndDeployOnDemand: " +
                                  sandbox_says));
  // Sent once, not retried: the volume's create and the pod's.
  std::vector<std::string> mutations = Mutations(proxy);
  ASSERT_EQ(mutations.size(), 2u) << ::testing::PrintToString(mutations);
  int refused = 0;
  for (const harness::Exchange& e : proxy.exchanges()) {
    if (e.status == 402 ||
        e.operation == "PodFindAndDeployOnDemand" ||
        e.body.find("podFindAndDeployOnDemand") != std::string::npos) {
      ++refused;
      if (harness::TestingRest()) {
        EXPECT_EQ(e.status, 402);
      }
    }
  }
  EXPECT_EQ(refused, 1);
  EXPECT_EQ(sandbox().Live()["pods"].size(), 0u);
  EXPECT_EQ(sandbox().Live()["networkVolumes"].size(), 1u);
}

}  // namespace
}  // namespace podform::e2e
