#ifndef PODFORM_TESTS_E2E_HARNESS_H_
#define PODFORM_TESTS_E2E_HARNESS_H_

// End-to-end harness: the shared one (tests/harness) with the e2e suite's API
// key, its starting config and lock-file helpers. The sandbox accepts any
// key; nothing here ever contacts a non-loopback address.

#include <string>
#include <utility>

#include "nlohmann/json.hpp"
#include "tests/harness/podform_test.h"
#include "tests/harness/process.h"
#include "tests/harness/sandbox.h"

namespace podform::e2e {

// The shared harness, under the names the e2e tests use.
using harness::Process;
using harness::ReadFileOrDie;
using harness::RunResult;
using harness::Sandbox;
using harness::WriteFileOrDie;

// The API key every podform run gets in RUNPOD_API_KEY; tests check that it
// never shows up in any output or file.
inline constexpr char kApiKey[] = "e2e-key-7f3a9c0d5b1e";

inline constexpr char kImage[] =
    "runpod/pytorch:2.4.0-py3.11-cuda12.4.1-devel-ubuntu22.04";
inline constexpr char kNewImage[] =
    "runpod/pytorch:2.5.1-py3.11-cuda12.4.1-devel-ubuntu22.04";

// The config most tests start from: volume.models in EU-RO-1 and, unless
// `pod` is false, pod.trainer mounting it.
struct TestConfig {
  int size = 50;
  bool pod = true;
  std::string image = kImage;
  std::string gpu = "NVIDIA RTX A6000";
  std::string status = "running";
  int gpu_count = 1;  // written as gpuCount only when not 1

  TestConfig& Size(int v) {
    size = v;
    return *this;
  }
  TestConfig& Pod(bool v) {
    pod = v;
    return *this;
  }
  TestConfig& Image(std::string v) {
    image = std::move(v);
    return *this;
  }
  TestConfig& Gpu(std::string v) {
    gpu = std::move(v);
    return *this;
  }
  TestConfig& Status(std::string v) {
    status = std::move(v);
    return *this;
  }
  TestConfig& GpuCount(int v) {
    gpu_count = v;
    return *this;
  }

  std::string Yaml() const;
};

// A temporary directory, a sandbox server (started without --api-key) and
// podform runs in it (harness::PodformTest), plus the config and lock file
// in that directory.
class E2eTest : public harness::PodformTest {
 protected:
  E2eTest()
      : PodformTest(
            {.name = "e2e", .api_key = kApiKey, .sandbox_checks_key = false}) {}

  // Writes DIR/podform.yaml.
  void WriteConfig(const std::string& yaml) const;

  // DIR/podform.lock.
  std::string LockPath() const { return Path("podform.lock"); }
  bool LockExists() const;
  std::string LockText() const;
  nlohmann::json Lock() const;
  // The recorded id of `address` ("volume.models"), "" if not recorded.
  std::string LockId(const std::string& address) const;
};

// The live volume / pod with `id` in `list` (a list of Sandbox::Live()), or
// null json when there is none.
nlohmann::json FindById(const nlohmann::json& list, const std::string& id);

// Index of the first occurrence of `needle` in `haystack`; fails the test
// (and returns npos) when absent.
size_t PositionOf(const std::string& haystack, const std::string& needle);

}  // namespace podform::e2e

#endif  // PODFORM_TESTS_E2E_HARNESS_H_
