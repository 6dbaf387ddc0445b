#ifndef PODFORM_TESTS_HARNESS_PODFORM_TEST_H_
#define PODFORM_TESTS_HARNESS_PODFORM_TEST_H_

// The fixture the e2e and reliability suites build on: every test in a fresh
// temporary directory (kept when the test failed), a sandbox server, and the
// real podform binary (PODFORM_BINARY) run against it.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/harness/process.h"
#include "tests/harness/sandbox.h"

namespace podform::harness {

// What sets one suite's runs apart.
struct SuiteOptions {
  // In the temporary directory's name (podform-NAME-XXXXXX) and messages.
  std::string name;
  // RUNPOD_API_KEY of every run; what Sandbox::GraphQL() authenticates with.
  std::string api_key;
  // Whether StartSandbox() makes the server check it (--api-key API_KEY).
  bool sandbox_checks_key = false;
};

// The RunPod API the suites speak to the sandbox: $PODFORM_TEST_API, "rest"
// or "graphql" (ctest runs each suite once per API); "graphql" when unset.
std::string TestApi();
// True when TestApi() is "rest".
bool TestingRest();

// `server`'s URL for podform's --endpoint in TestApi(): its /graphql URL, or
// its REST base URL (".../v2").
std::string EndpointOf(const Sandbox& server);

// A fresh temporary directory per test, the current sandbox, and podform
// runs against it; the e2e and reliability fixtures derive from it.
class PodformTest : public ::testing::Test {
 protected:
  explicit PodformTest(SuiteOptions options) : options_(std::move(options)) {}

  void SetUp() override;
  // Stops the sandbox if running (expecting exit 0) and removes the
  // directory, unless the test failed.
  void TearDown() override;

  // DIR/name.
  std::string Path(const std::string& name) const;

  // Starts a sandbox on DIR/data_name with `flags` (e.g. --latency-ms 300)
  // and makes it the one Podform() talks to; the previous one is stopped.
  // Ends the test (an exception) when it does not come up.
  Sandbox& StartSandbox(const std::vector<std::string>& flags = {},
                        const std::string& data_name = "sandbox.json");
  // The current sandbox; the first call without StartSandbox() starts one
  // without flags.
  Sandbox& sandbox();

  // BaseEnv() changed by env_, then by `extra_env` (see WithEnv).
  std::vector<std::string> RunEnv(
      const std::vector<std::string>& extra_env = {}) const;

  // `podform --endpoint URL --file CONFIG ARGS...` against sandbox() (URL
  // per EndpointOf) in
  // RunEnv(extra_env), started in the background; CONFIG defaults to
  // DIR/podform.yaml. Output goes to DIR/runs/N.{out,err}.
  std::unique_ptr<Process> StartPodform(
      const std::vector<std::string>& args,
      const std::vector<std::string>& extra_env = {},
      const std::string& config = "");
  // The same, waited for.
  RunResult Podform(const std::vector<std::string>& args,
                    const std::vector<std::string>& extra_env = {},
                    const std::string& config = "");
  // The same against `server` (not necessarily sandbox()).
  RunResult PodformAt(const Sandbox& server, const std::string& config,
                      const std::vector<std::string>& args,
                      const std::vector<std::string>& extra_env = {});
  // podform with exactly `args` (no --endpoint / --file added), in the same
  // environment.
  RunResult PodformRaw(const std::vector<std::string>& args,
                       const std::vector<std::string>& extra_env = {});

  // The stdout and stderr of every Podform(), PodformAt() and PodformRaw()
  // run so far, for checks that a value never appeared anywhere.
  const std::string& transcript() const { return transcript_; }

  std::string dir_;
  std::unique_ptr<Sandbox> sandbox_;
  std::vector<std::string> env_;  // changes applied to every podform run
  std::string transcript_;
  int runs_ = 0;

 private:
  std::unique_ptr<Process> Spawn(const std::vector<std::string>& args,
                                 const std::vector<std::string>& extra_env);
  RunResult Finish(std::unique_ptr<Process> process);

  SuiteOptions options_;
};

}  // namespace podform::harness

#endif  // PODFORM_TESTS_HARNESS_PODFORM_TEST_H_
