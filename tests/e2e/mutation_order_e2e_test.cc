// The mutations one apply of a mixed plan sends, recorded by a proxy between
// podform and `sandbox serve`: exactly the expected set, each once, and in
// the order the dependencies demand, while independent steps run at once.

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "tests/harness/proxy.h"

namespace podform::e2e {
namespace {

using nlohmann::json;
using ::testing::ElementsAreArray;
using ::testing::UnorderedElementsAre;

using MutationOrderE2eTest = E2eTest;

constexpr char kBefore[] = R"(version: 1
volumes:
  keep: {size: 10, dataCenter: EU-RO-1, protect: false}
  old: {size: 10, dataCenter: EU-RO-1, protect: false}
pods:
  editor: {image: runpod/pytorch:2.4.0, gpuType: NVIDIA RTX A6000, volume: keep}
  leaving: {image: runpod/pytorch:2.4.0, gpuType: NVIDIA RTX A6000, volume: old}
  regpu: {image: runpod/pytorch:2.4.0, gpuType: NVIDIA RTX A6000}
  sleeper: {image: runpod/pytorch:2.4.0, gpuType: NVIDIA RTX A6000}
)";

// keep grows, old goes, fresh is new; editor gets a new image, leaving goes,
// regpu changes GPU (replace), sleeper stops, newcomer mounts fresh.
constexpr char kAfter[] = R"(version: 1
volumes:
  keep: {size: 20, dataCenter: EU-RO-1, protect: false}
  fresh: {size: 10, dataCenter: EU-RO-1, protect: false}
pods:
  editor: {image: runpod/pytorch:2.5.1, gpuType: NVIDIA RTX A6000, volume: keep}
  regpu: {image: runpod/pytorch:2.4.0, gpuType: NVIDIA RTX A5000}
  sleeper: {image: runpod/pytorch:2.4.0, gpuType: NVIDIA RTX A6000, status: stopped}
  newcomer: {image: runpod/pytorch:2.4.0, gpuType: NVIDIA RTX A6000, volume: fresh}
)";

TEST_F(MutationOrderE2eTest, AMixedPlanSendsEachMutationOnceInDependencyOrder) {
  // The recording proxy reads GraphQL documents; the REST requests are
  // checked in tests/client/rest_provider_test.cc and rest_sandbox_test.cc.
  if (harness::TestingRest()) GTEST_SKIP() << "GraphQL only";
  // Each request takes 200 ms, so that steps running at once overlap.
  StartSandbox({"--latency-ms", "200"});
  WriteConfig(kBefore);
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  std::map<std::string, std::string> address_of;  // RunPod id -> address
  const json lock = Lock();
  for (const auto& [address, entry] : lock["resources"].items()) {
    address_of[entry["id"].get<std::string>()] = address;
  }

  WriteConfig(kAfter);
  harness::RecordingProxy proxy(harness::PortOf(sandbox().url()));
  RunResult apply =
      PodformRaw({"--endpoint", proxy.url(), "--file", Path("podform.yaml"),
                  "apply", "--auto-approve", "--parallelism", "8"});
  ASSERT_EQ(apply.exit_code, 0) << apply;

  // Each mutation as "Operation address", with its time at the proxy.
  struct Sent {
    std::string what;
    double start, end;
  };
  std::vector<Sent> sent;
  std::vector<std::string> queries;
  for (const harness::Exchange& e : proxy.exchanges()) {
    ASSERT_EQ(e.status, 200) << e.operation;
    const json& input =
        e.variables.contains("input") ? e.variables["input"] : json::object();
    if (e.operation == "Refresh" || e.operation == "Account") {
      queries.push_back(e.operation);
      continue;
    }
    std::string target;
    if (e.operation == "CreateNetworkVolume") {
      target = "volume." + input.value("name", "");
    } else if (e.operation == "PodFindAndDeployOnDemand") {
      target = "pod." + input.value("name", "");
    } else {
      std::string id = input.value("id", input.value("podId", ""));
      target = address_of.count(id) ? address_of[id] : "unknown id " + id;
    }
    sent.push_back({e.operation + " " + target, e.start, e.end});
  }
  // One read of the account and of the balance (docs/GUARDS.md), which go
  // out together.
  EXPECT_THAT(queries, UnorderedElementsAre("Refresh", "Account"));

  std::vector<std::string> what;
  for (const Sent& s : sent) what.push_back(s.what);
  std::vector<std::string> sorted = what;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_THAT(sorted, ElementsAreArray({
                          "CreateNetworkVolume volume.fresh",
                          "DeleteNetworkVolume volume.old",
                          "PodEditJob pod.editor",
                          "PodFindAndDeployOnDemand pod.newcomer",
                          "PodFindAndDeployOnDemand pod.regpu",
                          "PodStop pod.sleeper",
                          "PodTerminate pod.leaving",
                          "PodTerminate pod.regpu",
                          "UpdateNetworkVolume volume.keep",
                      }))
      << "in the order sent: " << ::testing::PrintToString(what);

  auto find = [&](const std::string& w) -> const Sent* {
    for (const Sent& s : sent) {
      if (s.what == w) return &s;
    }
    ADD_FAILURE() << w << " was not sent";
    return nullptr;
  };
  // `first` was answered before `then` was sent.
  auto expect_before = [&](const std::string& first, const std::string& then) {
    const Sent* a = find(first);
    const Sent* b = find(then);
    if (a != nullptr && b != nullptr) {
      EXPECT_LT(a->end, b->start) << first << " must finish before " << then;
    }
  };
  // A pod is terminated before the volume it mounts is deleted.
  expect_before("PodTerminate pod.leaving", "DeleteNetworkVolume volume.old");
  // A volume exists before the pod that mounts it is created.
  expect_before("CreateNetworkVolume volume.fresh",
                "PodFindAndDeployOnDemand pod.newcomer");
  // A pod's replacement creates the new pod, then terminates the old one.
  expect_before("PodFindAndDeployOnDemand pod.regpu", "PodTerminate pod.regpu");

  // Independent steps overlapped: the first wave was in flight together.
  double first_end = 1e300;
  for (const Sent& s : sent) first_end = std::min(first_end, s.end);
  int started_before_any_answer = 0;
  for (const Sent& s : sent) {
    if (s.start < first_end) ++started_before_any_answer;
  }
  EXPECT_GE(started_before_any_answer, 2)
      << "in the order sent: " << ::testing::PrintToString(what);

  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan;
}

}  // namespace
}  // namespace podform::e2e
