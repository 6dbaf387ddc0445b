#include "reconciler/client/account_reader.h"

#include <map>
#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/sandbox/in_process_transport.h"
#include "tests/client/client_test_util.h"

namespace podform {
namespace {

using nlohmann::json;

EnvGetter Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(AccountReaderTest, SendsOneReadAndReadsTheFigures) {
  testing::FakeTransport transport;
  transport.AnswerData(
      R"({"myself": {"clientBalance": 42.1, "currentSpendPerHr": 0.2875,
          "spendLimit": 80}})");
  absl::StatusOr<AccountFigures> figures = ReadAccountFigures(transport);
  ASSERT_TRUE(figures.ok()) << figures.status();
  EXPECT_EQ(*figures, (AccountFigures{42.1, 0.2875, 80}));
  ASSERT_EQ(transport.requests().size(), 1u);
  const HttpRequest request = transport.requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "");
  EXPECT_EQ(request.replay, Replay::kHarmless);
  EXPECT_EQ(json::parse(request.body),
            (json{{"operationName", "Account"},
                  {"query", kAccountQuery},
                  {"variables", json::object()}}));
}

TEST(AccountReaderTest, ANullSpendLimitReadsAsNone) {
  testing::FakeTransport transport;
  transport.AnswerData(
      R"({"myself": {"clientBalance": 5, "currentSpendPerHr": 0,
          "spendLimit": null}})");
  EXPECT_EQ(*ReadAccountFigures(transport), (AccountFigures{5, 0, 0}));
}

TEST(AccountReaderTest, EachFailureIsOneLineAndNeverRetried) {
  testing::FakeTransport transport;
  transport.Answer(absl::UnavailableError(
      "POST http://127.0.0.1:1/graphql: Couldn't connect to server"));
  EXPECT_EQ(ReadAccountFigures(transport).status(),
            absl::UnavailableError(
                "POST http://127.0.0.1:1/graphql: Couldn't connect to server"));
  EXPECT_EQ(transport.requests().size(), 1u);

  transport.Answer(403, R"({"errors": [{"message": "forbidden"}]})");
  EXPECT_EQ(ReadAccountFigures(transport).status(),
            absl::PermissionDeniedError(
                "RunPod refused to show the balance (HTTP 403); the API key "
                "may lack permission to read the account"));
  transport.Answer(503, "busy");
  EXPECT_EQ(ReadAccountFigures(transport).status(),
            absl::UnavailableError("HTTP 503 from RunPod's GraphQL API"));
  EXPECT_EQ(transport.requests().size(), 3u);

  transport.Answer(200,
                   R"({"data": null, "errors": [{"message": "Cannot query\nfield \"clientBalance\" with key sk_123"}, {"message": "two"}]})");
  EXPECT_EQ(ReadAccountFigures(transport, {"sk_123"}).status(),
            absl::FailedPreconditionError(
                "GraphQL: Cannot query field \"clientBalance\" with key "
                "[REDACTED]; two"));
  transport.Answer(200, "<html>");
  EXPECT_EQ(ReadAccountFigures(transport).status(),
            absl::InternalError(
                "malformed answer to myself: the body is not a JSON object"));
  transport.AnswerData(R"({"myself": null})");
  EXPECT_EQ(ReadAccountFigures(transport).status(),
            absl::InternalError(
                "malformed answer to myself: myself is missing or null"));
  transport.AnswerData(R"({"myself": {"clientBalance": "1",
      "currentSpendPerHr": 0}})");
  EXPECT_EQ(ReadAccountFigures(transport).status(),
            absl::InternalError(
                "malformed answer to myself: clientBalance is not a number"));
}

TEST(AccountReaderTest, ReadsTheSandboxOverItsGraphQLEndpoint) {
  sandbox::ServiceOptions options;
  options.client_balance = 12.5;
  absl::StatusOr<std::unique_ptr<sandbox::SandboxService>> service =
      sandbox::SandboxService::Create(std::move(options));
  ASSERT_TRUE(service.ok()) << service.status();
  sandbox::InProcessTransport transport(std::move(*service), "key",
                                        sandbox::kGraphQLBasePath);
  EXPECT_EQ(*ReadAccountFigures(transport), (AccountFigures{12.5, 0, 80}));
}

TEST(AccountGraphQLUrlTest, OverGraphQLItIsTheEndpoint) {
  EXPECT_EQ(*AccountGraphQLUrl({Api::kGraphQL, "http://127.0.0.1:9/graphql"},
                               Env({{"RUNPOD_GRAPHQL_URL",
                                     "https://elsewhere.invalid/graphql"}})),
            "http://127.0.0.1:9/graphql");
}

TEST(AccountGraphQLUrlTest, OverRestTheOriginPlusGraphQLUnlessSet) {
  EXPECT_EQ(*AccountGraphQLUrl({Api::kRest, kDefaultRestBaseUrl}, Env({})),
            kDefaultGraphQLUrl);
  EXPECT_EQ(*AccountGraphQLUrl({Api::kRest, "http://127.0.0.1:8787/v2?x=1"},
                               Env({})),
            "http://127.0.0.1:8787/graphql");
  EXPECT_EQ(*AccountGraphQLUrl({Api::kRest, "http://[::1]:8787/v2"}, Env({})),
            "http://[::1]:8787/graphql");
  EXPECT_EQ(*AccountGraphQLUrl(
                {Api::kRest, kDefaultRestBaseUrl},
                Env({{"RUNPOD_GRAPHQL_URL", "http://127.0.0.1:5/graphql"}})),
            "http://127.0.0.1:5/graphql");
  EXPECT_EQ(AccountGraphQLUrl({Api::kRest, kDefaultRestBaseUrl},
                              Env({{"RUNPOD_GRAPHQL_URL", ""}}))
                .status(),
            absl::InvalidArgumentError("RUNPOD_GRAPHQL_URL is set but empty; "
                                       "set it to a URL, or unset it"));
  // Never the key in clear text to another host.
  EXPECT_EQ(AccountGraphQLUrl(
                {Api::kRest, kDefaultRestBaseUrl},
                Env({{"RUNPOD_GRAPHQL_URL", "http://example.com/graphql"}}))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace podform
