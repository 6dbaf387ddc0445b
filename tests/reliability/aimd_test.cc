// Rate limits and AIMD, end to end: under HTTP 429 `podform apply` lowers
// how many steps it runs at once (multiplicative decrease) and raises it
// again as steps succeed (additive increase), so a large apply finishes
// instead of hammering RunPod. Observed from outside: a recording proxy
// between podform and the sandbox sees which creates are in flight.

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/proxy.h"
#include "tests/reliability/harness.h"

namespace podform::reliability {
namespace {

using nlohmann::json;

using AimdTest = ReliabilityTest;

// 12 volumes with --parallelism 8 against a sandbox that allows 2 requests
// a second (answering 429 with Retry-After beyond, at once) and takes 300
// ms per request it handles. So the first wave of 8 creates meets its 429s
// before any of them succeeds, and they stay in
// flight while they wait and retry. Without AIMD the 9th create starts as
// soon as one of them succeeds, with the 7 others still in flight (in
// flight: from its first request to its successful answer). With AIMD the
// first 429 halves the limit to 4 at most; a create starts only while
// fewer steps than the limit hold a slot, and the limit grows by about
// 1/limit per success, so the 11 successes there can be before the last
// create starts cannot bring it back to 8 (that needs l*l to grow from 16
// to 64, at most 3 per success): the later creates start with at most 6
// others in flight.
TEST_F(AimdTest, AfterA429NewStepsStartOnlyUnderTheLoweredLimit) {
  // Over REST v2 podform paces itself by RunPod's RateLimit headers and
  // meets no 429 to react to (RestWireE2eTest.
  // AnApplyLargerThanTheQuotaIsPacedWithoutA429); the sandbox's GraphQL
  // front-end refuses by a token bucket, which only AIMD answers.
  if (harness::TestingRest()) GTEST_SKIP() << "GraphQL only";
  StartSandbox({"--latency-ms", "300", "--rate-limit", "2", "--seed", "5"});
  harness::RecordingProxy proxy(harness::PortOf(sandbox().url()));

  Fleet fleet = Fleet::Of("aimd-", 12, 0, 0);
  WriteFileOrDie(Path("podform.yaml"), fleet.Yaml());
  RunResult r =
      PodformRaw({"--endpoint", proxy.url(), "--file", Path("podform.yaml"),
                  "apply", "--auto-approve", "--parallelism", "8"});
  ASSERT_EQ(r.exit_code, 0) << r;

  std::vector<harness::Exchange> exchanges = proxy.exchanges();
  double first_429 = 1e300;
  std::map<std::string, double> first_start, done;
  for (const harness::Exchange& e : exchanges) {
    if (e.status == 429) first_429 = std::min(first_429, e.end);
    if (e.operation != "CreateNetworkVolume") continue;
    const std::string volume = e.variables["input"].value("name", "");
    auto [it, inserted] = first_start.emplace(volume, e.start);
    if (!inserted) it->second = std::min(it->second, e.start);
    if (e.status == 200) done[volume] = e.end;
  }
  ASSERT_LT(first_429, 1e300) << "the sandbox never answered 429";
  ASSERT_EQ(first_start.size(), 12u);
  ASSERT_EQ(done.size(), 12u);
  // The first wave: the 8 steps the 8 workers took at once, the first 8
  // "creating..." lines (a step is announced before it waits for a slot).
  std::set<std::string> first_wave;
  for (absl::string_view line : absl::StrSplit(r.out, '\n')) {
    if (first_wave.size() == 8) break;
    if (absl::ConsumePrefix(&line, "volume.v") &&
        absl::ConsumeSuffix(&line, ": creating...")) {
      first_wave.insert("aimd-vol-" + std::string(line));
    }
  }
  ASSERT_EQ(first_wave.size(), 8u) << r;
  int starts_after_429 = 0, most_in_flight = 0;
  for (const auto& [volume, start] : first_start) {
    if (first_wave.count(volume) > 0) continue;
    EXPECT_GT(start, first_429) << volume << " started before any 429";
    ++starts_after_429;
    int in_flight = 0;
    for (const auto& [other, other_start] : first_start) {
      if (other != volume && other_start <= start && start < done[other]) {
        ++in_flight;
      }
    }
    most_in_flight = std::max(most_in_flight, in_flight);
    EXPECT_LE(in_flight, 6)
        << volume << " started after the first 429 "
        << "while " << in_flight << " other creates were in flight";
  }
  std::cout << "[ aimd ] " << exchanges.size() << " requests, "
            << starts_after_429 << " creates started after the first wave, "
            << "with at most " << most_in_flight << " others in flight\n";
  ExpectExactly(fleet);
}

}  // namespace
}  // namespace podform::reliability
