#ifndef PODFORM_TESTS_SANDBOX_REST_TEST_UTIL_H_
#define PODFORM_TESTS_SANDBOX_REST_TEST_UTIL_H_

// A REST v2 harness over SandboxService::HandleRest, beside the GraphQL one
// (sandbox_test_util.h), on one service and one fake clock.

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/sandbox/service.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace podform::sandbox::testing {

struct RestResult {
  int status = 0;
  std::string content_type;
  std::string text;     // the body as sent
  nlohmann::json body;  // parsed (null when empty or not JSON)
  SandboxResponse response;
};

struct RestOptions {
  std::string data_path;  // "" = memory
  uint64_t seed = 42;
  FaultOptions faults;
  int provision_ms = 0;
  double provision_fail_rate = 0;
  std::string api_key;  // the service's --api-key
};

inline RestOptions Provisioning(int ms, double fail_rate = 0) {
  RestOptions options;
  options.provision_ms = ms;
  options.provision_fail_rate = fail_rate;
  return options;
}

inline RestOptions OnFile(const std::string& path, int provision_ms = 0) {
  RestOptions options;
  options.data_path = path;
  options.provision_ms = provision_ms;
  return options;
}

class RestHarness {
 public:
  explicit RestHarness(RestOptions o = {}) {
    ServiceOptions options;
    options.data_path = o.data_path;
    options.faults = o.faults;
    options.faults.seed = o.seed;
    options.clock = clock.AsClock();
    options.provision_ms = o.provision_ms;
    options.provision_fail_rate = o.provision_fail_rate;
    options.api_key = o.api_key;
    auto created = SandboxService::Create(std::move(options));
    EXPECT_TRUE(created.ok()) << created.status();
    if (created.ok()) service = std::move(created).value();
  }

  RestResult Call(const std::string& method, const std::string& target,
                  const std::string& body = "",
                  const std::string& key = "test-key") {
    RestResult out;
    out.response = service->HandleRest(method, target, key, body);
    out.status = out.response.status;
    out.content_type = out.response.content_type;
    out.text = out.response.body;
    out.body = nlohmann::json::parse(out.text, nullptr, false);
    if (out.body.is_discarded()) out.body = nullptr;
    return out;
  }
  RestResult Call(const std::string& method, const std::string& target,
                  const nlohmann::json& body) {
    return Call(method, target, body.dump());
  }

  // The body of a 200/201 answer (test failure otherwise).
  nlohmann::json Ok(const std::string& method, const std::string& target,
                    const nlohmann::json& body = nullptr) {
    RestResult r = Call(method, target, body.is_null() ? "" : body.dump());
    EXPECT_TRUE(r.status == 200 || r.status == 201)
        << method << " " << target << ": " << r.status << " " << r.text;
    return r.body;
  }

  // GraphQL on the same service.
  nlohmann::json GraphqlData(const std::string& query) {
    SandboxRequest request;
    request.body = nlohmann::json{{"query", query}}.dump();
    request.authorization = "Bearer test-key";
    SandboxResponse response = service->Handle(request);
    EXPECT_EQ(response.status, 200) << response.body;
    nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
    EXPECT_FALSE(body.contains("errors")) << response.body;
    return body.value("data", nlohmann::json());
  }

  FakeClock clock;
  std::unique_ptr<SandboxService> service;
};

// {"title", "status", "detail"} plus "errors" when given.
inline nlohmann::json ProblemBody(const std::string& title, int status,
                                  const std::string& detail,
                                  const nlohmann::json& errors = nullptr) {
  nlohmann::json out = {
      {"title", title}, {"status", status}, {"detail", detail}};
  if (!errors.is_null()) out["errors"] = errors;
  return out;
}

}  // namespace podform::sandbox::testing

#endif  // PODFORM_TESTS_SANDBOX_REST_TEST_UTIL_H_
