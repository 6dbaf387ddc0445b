#ifndef PODFORM_TESTS_SANDBOX_SANDBOX_TEST_UTIL_H_
#define PODFORM_TESTS_SANDBOX_SANDBOX_TEST_UTIL_H_

// Helpers shared by the sandbox tests: temporary directories, a fake clock,
// and a GraphQL harness over SandboxService::Handle.

#include <stdlib.h>

#include <memory>
#include <mutex>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/sandbox/service.h"
#include "reconciler/sandbox/store.h"

namespace podform::sandbox::testing {

// Fri Feb 09 2024 14:01:47 UTC.
inline const absl::Time kT0 = absl::FromUnixSeconds(1707487307);

// A fresh directory under the test temp dir.
inline std::string MakeTempDir() {
  std::string dir = ::testing::TempDir() + "/sandbox_test_XXXXXX";
  return mkdtemp(dir.data());
}

// The sandbox state on disk at `path` (the data file with its journal
// replayed), as text; "null" (and a test failure) when it cannot be read.
inline std::string OnDisk(const std::string& path) {
  absl::StatusOr<std::string> text = SandboxStore::StateOnDisk(path);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.value_or("null");
}

// A clock that moves only when told to. Thread-safe.
class FakeClock {
 public:
  absl::Time Now() {
    std::lock_guard<std::mutex> lock(mutex_);
    return now_;
  }
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mutex_);
    now_ += d;
  }
  Clock AsClock() {
    return [this] { return Now(); };
  }

 private:
  std::mutex mutex_;
  absl::Time now_ = kT0;
};

struct GqlResult {
  int status = 0;
  std::string text;     // the body as sent
  nlohmann::json body;  // parsed (null when not JSON)
};

// Sends GraphQL requests to a SandboxService with a valid API key.
class Harness {
 public:
  // A service on `data_path` ("" = memory) with `seed` and the fake clock.
  explicit Harness(const std::string& data_path = "", uint64_t seed = 42,
                   FaultOptions faults = {}) {
    ServiceOptions options;
    options.data_path = data_path;
    options.faults = faults;
    options.faults.seed = seed;
    options.clock = clock.AsClock();
    auto created = SandboxService::Create(std::move(options));
    EXPECT_TRUE(created.ok()) << created.status();
    if (created.ok()) service = std::move(created).value();
  }

  GqlResult Post(const std::string& query,
                 const nlohmann::json& variables = nullptr,
                 const std::string& operation_name = "") {
    nlohmann::json body = {{"query", query}};
    if (!variables.is_null()) body["variables"] = variables;
    if (!operation_name.empty()) body["operationName"] = operation_name;
    return PostBody(body.dump());
  }

  GqlResult PostBody(const std::string& body) {
    SandboxRequest request;
    request.body = body;
    request.authorization = "Bearer test-key";
    SandboxResponse response = service->Handle(request);
    GqlResult out;
    out.status = response.status;
    out.text = response.body;
    out.body = nlohmann::json::parse(response.body, nullptr, false);
    if (out.body.is_discarded()) out.body = nullptr;
    return out;
  }

  // data of a 200 answer without errors (test failure otherwise).
  nlohmann::json Data(const std::string& query,
                      const nlohmann::json& variables = nullptr) {
    GqlResult r = Post(query, variables);
    EXPECT_EQ(r.status, 200) << r.text;
    EXPECT_FALSE(r.body.contains("errors")) << r.text;
    return r.body.value("data", nlohmann::json());
  }

  FakeClock clock;
  std::unique_ptr<SandboxService> service;
};

// The single error of a GraphQL answer, without "locations" (the executor's
// business): {"message", "path", "extensions"}.
inline nlohmann::json OnlyError(const GqlResult& r) {
  const nlohmann::json& errors = r.body.at("errors");
  EXPECT_EQ(errors.size(), 1u) << r.text;
  nlohmann::json e = errors.at(0);
  e.erase("locations");
  return e;
}

inline nlohmann::json RunPodError(const std::string& message,
                                  const nlohmann::json& path,
                                  const std::string& code = "RUNPOD") {
  return {{"message", message},
          {"path", path},
          {"extensions", {{"code", code}}}};
}

}  // namespace podform::sandbox::testing

#endif  // PODFORM_TESTS_SANDBOX_SANDBOX_TEST_UTIL_H_
