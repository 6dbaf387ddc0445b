#ifndef PODFORM_TESTS_RELIABILITY_HARNESS_H_
#define PODFORM_TESTS_RELIABILITY_HARNESS_H_

// Fault-injection harness: the shared one (tests/harness), whose sandbox here
// checks the suite's API key, plus fleets of resources and the end check of
// every fault test. The tests run the real podform binary against
// `podform sandbox serve` with its fault flags, kill or signal it, and read
// back what RunPod (the sandbox) holds. Nothing here contacts a non-loopback
// address.

#include <map>
#include <ostream>
#include <string>

#include "nlohmann/json.hpp"
#include "tests/harness/podform_test.h"
#include "tests/harness/process.h"
#include "tests/harness/sandbox.h"

namespace podform::reliability {

// The shared harness, under the names the reliability tests use.
using harness::BaseEnv;
using harness::Now;
using harness::Process;
using harness::ReadFileOrEmpty;
using harness::RunResult;
using harness::Sandbox;
using harness::TestingRest;
using harness::WaitFor;
using harness::WriteFileOrDie;

// The API key the sandbox accepts (sandbox serve --api-key) and every podform
// run gets in RUNPOD_API_KEY. Distinctive, so that a grep for it is exact.
inline constexpr char kApiKey[] = "rel-apikey-Q7ZK4W9XJ2MV";

// How many live volumes / pods / serverless endpoints carry each name.
struct LiveCounts {
  std::map<std::string, int> volumes;
  std::map<std::string, int> pods;
  std::map<std::string, int> endpoints;
  bool operator==(const LiveCounts&) const = default;
};
// Counts the lists of `live` (Sandbox::Live() or LiveNames()).
LiveCounts CountNames(const nlohmann::json& live);
std::ostream& operator<<(std::ostream& os, const LiveCounts& c);

// A config of `volumes` volumes (v0.., 10 GB each, EU-RO-1, unprotected)
// and `pods` pods (p0..); pod i mounts volume i when i < `mounted` (and i <
// volumes), the others have no volume; the last `stopped` pods are declared
// `status: stopped`, and `endpoints` serverless endpoints (e0..), endpoint i
// mounting volume i % volumes read-only (so that several endpoints share a
// volume when there are more endpoints than volumes; without volumes it
// runs in EU-RO-1). Endpoints are managed over REST v2 only: a fleet with
// endpoints is for TestingRest(); they are `type: queue`, or with
// `load_balancer` `type: load-balancer` scaling on request count. Every
// RunPod name starts with `prefix`. `pod_extra` is appended under every pod
// ("    key: value\n").
struct Fleet {
  std::string prefix = "rel-";
  int volumes = 3;
  int pods = 4;
  int mounted = 2;
  int stopped = 0;
  int endpoints = 0;
  bool load_balancer = false;
  std::string pod_extra;

  static Fleet Of(std::string prefix, int volumes, int pods, int mounted,
                  int stopped = 0);

  std::string Yaml() const;
  // The live names the config declares, each once.
  LiveCounts Declared() const;
  int Resources() const { return volumes + pods + endpoints; }
};

// What `sandbox` holds, by id and name, in one GraphQL query:
// {"networkVolumes": [{id name}], "pods": [{id name}], "endpoints": [{id
// name templateId}]} (Sandbox::Live() does not ask for endpoints); empty
// lists, with a test failure, when the query fails.
nlohmann::json LiveNames(const Sandbox& sandbox);

// The templates `sandbox` holds, as REST v2's GET /v2/templates lists them
// (every endpoint's bound template among them: the sandbox makes one with
// each endpoint and deletes it with it); an empty array, with a test
// failure, when the request fails.
nlohmann::json LiveTemplates(const Sandbox& sandbox);

// The number of creates the lock file at `path` announces and has not
// recorded yet (0 when there is no such file or it is not JSON).
int PendingIntents(const std::string& path);

// How many times `needle` occurs in `text`.
int Occurrences(const std::string& text, const std::string& needle);

// A temporary directory (kept when the test failed), a sandbox that checks
// kApiKey, and podform runs in it (harness::PodformTest).
class ReliabilityTest : public harness::PodformTest {
 protected:
  ReliabilityTest()
      : PodformTest(
            {.name = "rel", .api_key = kApiKey, .sandbox_checks_key = true}) {}

  // The end check of every fault test: the sandbox holds exactly `fleet`
  // (live names counted: no orphan, no duplicate) and exactly one template
  // per live endpoint, the one bound to it (no orphan template), the lock
  // file beside CONFIG records each declared address with a live id and no
  // intent, and `plan --detailed-exitcode` exits 0. CONFIG defaults to
  // DIR/podform.yaml.
  void ExpectExactly(const Fleet& fleet, const std::string& config = "");

  // Against a sandbox started with `latency_ms` (at least a few hundred)
  // and `fleet` as the config: starts `apply --auto-approve` and returns it
  // once it has printed at least `creates` "ADDRESS: creating..." lines
  // (their requests go out at once) with the lock file announcing their
  // intents (null, with a test failure, if that does not happen within
  // 60 s).
  std::unique_ptr<Process> ApplyUntilCreatesStarted(const Fleet& fleet,
                                                    int latency_ms,
                                                    int creates);
};

}  // namespace podform::reliability

#endif  // PODFORM_TESTS_RELIABILITY_HARNESS_H_
