// The account's balance: RunPod's rule that a pod needs at least one hour
// of its cost in credit to be created (GraphQL error, REST v2 402), and
// --balance (ServiceOptions::client_balance), saved in the data file.

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/sandbox/service.h"
#include "tests/sandbox/rest_test_util.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace podform::sandbox {
namespace {

using nlohmann::json;

// An RTX A6000 costs $0.49/hour on Secure Cloud (catalog.cc).
constexpr char kDeploy[] =
    R"(mutation { podFindAndDeployOnDemand(input: {imageName: "i",
       gpuTypeId: "NVIDIA RTX A6000", cloudType: SECURE}) { id } })";
constexpr char kTooLow[] =
    "Your account balance is too low to deploy this pod: it needs at least "
    "$0.49 in credit (one hour of its cost), and the balance is $0.30.";

void SetBalance(SandboxService& service, double usd) {
  auto lock = service.store().Lock();
  service.store().account().mutable_profile().client_balance = usd;
}

TEST(BalanceTest, GraphQLRefusesAPodTheBalanceCannotCoverForAnHour) {
  testing::Harness h;
  SetBalance(*h.service, 0.30);
  testing::GqlResult r = h.Post(kDeploy);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["data"], json({{"podFindAndDeployOnDemand", nullptr}}));
  ASSERT_EQ(r.body["errors"].size(), 1u) << r.text;
  EXPECT_EQ(r.body["errors"][0]["message"], kTooLow);
  EXPECT_EQ(r.body["errors"][0]["extensions"]["code"], "RUNPOD");
  EXPECT_TRUE(h.service->store().account().pods().empty());
  // Exactly one hour is enough.
  SetBalance(*h.service, 0.49);
  r = h.Post(kDeploy);
  EXPECT_FALSE(r.body.contains("errors")) << r.text;
  EXPECT_EQ(h.service->store().account().pods().size(), 1u);
}

TEST(BalanceTest, RestAnswers402) {
  testing::RestHarness h;
  SetBalance(*h.service, 0.30);
  json body = {{"name", "p"},
               {"image", "i"},
               {"gpu", {{"id", "NVIDIA RTX A6000"}}},
               {"cloud", "SECURE"}};
  testing::RestResult r = h.Call("POST", "/v2/pods", body);
  EXPECT_EQ(r.status, 402) << r.text;
  EXPECT_EQ(r.response.content_type, "application/problem+json");
  EXPECT_EQ(r.body, testing::ProblemBody("Payment Required", 402, kTooLow));
  EXPECT_TRUE(h.service->store().account().pods().empty());
}

TEST(BalanceTest, TheBalanceOptionIsSavedInTheDataFile) {
  const std::string path = testing::MakeTempDir() + "/sandbox.json";
  {
    ServiceOptions options;
    options.data_path = path;
    options.client_balance = 7.5;
    auto service = SandboxService::Create(std::move(options));
    ASSERT_TRUE(service.ok()) << service.status();
  }
  ServiceOptions options;
  options.data_path = path;
  auto service = SandboxService::Create(std::move(options));
  ASSERT_TRUE(service.ok()) << service.status();
  auto lock = (*service)->store().Lock();
  EXPECT_EQ((*service)->store().account().profile().client_balance, 7.5);
}

}  // namespace
}  // namespace podform::sandbox
