// Every way a RunPod exchange can fail, and the status GraphQLProvider
// returns for it.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/client/graphql_provider.h"
#include "tests/client/client_test_util.h"

namespace podform {
namespace {

using ::podform::testing::ProviderFixture;

GraphQLProviderOptions FewAttempts() {
  GraphQLProviderOptions options;
  options.retry.max_attempts = 3;
  return options;
}

std::string Errors(const std::string& errors_json,
                   const std::string& data_json = "null") {
  return R"({"data": )" + data_json + R"(, "errors": )" + errors_json + "}";
}

TEST(ProviderErrorsTest, Http401) {
  ProviderFixture f;
  f.transport->Answer(401, "");
  EXPECT_EQ(f.provider->Refresh().status(),
            absl::UnauthenticatedError(
                "refresh: RunPod rejected the API key (HTTP 401): check "
                "RUNPOD_API_KEY"));
  EXPECT_EQ(f.transport->bodies().size(), 1u);
}

TEST(ProviderErrorsTest, Http403) {
  ProviderFixture f;
  f.transport->Answer(403, "Forbidden");
  EXPECT_EQ(f.provider->DeleteVolume("v"),
            absl::PermissionDeniedError(
                "deleteNetworkVolume: RunPod refused the request (HTTP 403): "
                "check that RUNPOD_API_KEY has read and write access"));
}

TEST(ProviderErrorsTest, Http400CarriesTheServersMessages) {
  ProviderFixture f;
  f.transport->Answer(400, R"({"errors": [
        {"message": "Cannot query field \"bogus\" on type \"NetworkVolume\".",
         "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}},
        {"message": "Unknown argument \"x\"."}]})");
  EXPECT_EQ(f.provider->CreateVolume({"v", 10, "EU-RO-1"}).status(),
            absl::InternalError(
                "createNetworkVolume: RunPod rejected the request (HTTP 400): "
                "Cannot query field \"bogus\" on type \"NetworkVolume\".; "
                "Unknown argument \"x\"."));
  f.transport->Answer(400, "<html>\nBad Request\n</html>");
  EXPECT_EQ(f.provider->CreateVolume({"v", 10, "EU-RO-1"}).status(),
            absl::InternalError(
                "createNetworkVolume: RunPod rejected the request (HTTP 400): "
                "<html> Bad Request </html>"));
}

TEST(ProviderErrorsTest, Http400BodyExcerptIsShortAndWholeCharacters) {
  ProviderFixture f;
  // A two-byte character straddles the 200-byte limit.
  f.transport->Answer(
      400, std::string(199, 'a') + "\xC3\xA9" + std::string(100, 'b'));
  EXPECT_EQ(
      f.provider->Refresh().status(),
      absl::InternalError("refresh: RunPod rejected the request (HTTP 400): " +
                          std::string(199, 'a') + "..."));
}

TEST(ProviderErrorsTest, UnexpectedHttpStatus) {
  ProviderFixture f;
  f.transport->Answer(404, "not here");
  EXPECT_EQ(f.provider->StopPod("p").status(),
            absl::InternalError("podStop: unexpected HTTP 404 from RunPod"));
}

TEST(ProviderErrorsTest, MutationWith500HasAnUnknownOutcome) {
  ProviderFixture f;
  f.transport->Answer(500, "Internal Server Error");
  EXPECT_EQ(f.provider->CreateVolume({"v", 10, "EU-RO-1"}).status(),
            absl::DeadlineExceededError(
                "createNetworkVolume: HTTP 500 from RunPod: the outcome is "
                "unknown"));
  EXPECT_EQ(f.transport->bodies().size(), 1u);
}

TEST(ProviderErrorsTest, ReadRetriedUntilItGivesUp) {
  ProviderFixture f(FewAttempts());
  f.transport->Answer(500, "");
  f.transport->Answer(503, "");
  f.transport->Answer(
      absl::DeadlineExceededError("POST u: Timeout was reached"));
  EXPECT_EQ(f.provider->Refresh().status(),
            absl::DeadlineExceededError(
                "refresh: POST u: Timeout was reached; gave up after 3 "
                "attempts"));
  f.transport->Answer(502, "");
  f.transport->Answer(502, "");
  f.transport->Answer(429, "", "1");
  EXPECT_EQ(f.provider->Refresh().status(),
            absl::UnavailableError(
                "refresh: HTTP 429 from RunPod (rate limited); gave up after 3 "
                "attempts"));
  EXPECT_EQ(f.transport->bodies().size(), 6u);
}

TEST(ProviderErrorsTest, MutationRetriedOnlyWhenNothingWasProcessed) {
  ProviderFixture f;
  f.transport->Answer(
      absl::UnavailableError("POST u: refused; nothing was sent"));
  f.transport->Answer(503, "");
  f.transport->Answer(absl::DeadlineExceededError(
      "POST u: Timeout was reached; the request was sent but no complete "
      "answer arrived, so its outcome is unknown"));
  EXPECT_EQ(f.provider->TerminatePod("p"),
            absl::DeadlineExceededError(
                "podTerminate: POST u: Timeout was reached; the request was "
                "sent but no complete answer arrived, so its outcome is "
                "unknown"));
  EXPECT_EQ(f.transport->bodies().size(), 3u);
}

TEST(ProviderErrorsTest, RunPodRefusal) {
  ProviderFixture f;
  f.transport->Answer(200, Errors(R"([{
      "message": "You must remove this network volume from all pods before deleting it.",
      "path": ["deleteNetworkVolume"], "extensions": {"code": "RUNPOD"}}])",
                                  R"({"deleteNetworkVolume": null})"));
  EXPECT_EQ(f.provider->DeleteVolume("vol-1"),
            absl::FailedPreconditionError(
                "deleteNetworkVolume: You must remove this network volume from "
                "all pods before deleting it."));
}

TEST(ProviderErrorsTest, NoCapacity) {
  ProviderFixture f;
  // RunPod's message, with and without the (unconfirmed) code.
  constexpr char kMessage[] =
      "There are no longer any instances available with the requested "
      "specifications. Please refresh and try again.";
  f.transport->Answer(
      200, Errors(std::string(R"([{"message": ")") + kMessage + R"("}])",
                  R"({"podFindAndDeployOnDemand": null})"));
  f.transport->Answer(200, Errors(R"([{"message": "No capacity.",
                       "extensions": {"code": "SUPPLY_CONSTRAINT"}}])"));
  PodSpec spec;
  EXPECT_EQ(f.provider->CreatePod(spec).status(),
            absl::ResourceExhaustedError(
                std::string("podFindAndDeployOnDemand: ") + kMessage));
  EXPECT_EQ(
      f.provider->CreatePod(spec).status(),
      absl::ResourceExhaustedError("podFindAndDeployOnDemand: No capacity."));
}

TEST(ProviderErrorsTest, NotFoundOnlyForOperationsOnAnId) {
  ProviderFixture f;
  f.transport->Answer(200, Errors(R"([{"message": "pod not found to terminate",
                       "extensions": {"code": "RUNPOD"}}])"));
  f.transport->Answer(200,
                      Errors(R"([{"message": "Network volume not found"}])"));
  f.transport->Answer(
      200,
      Errors(
          R"([{"message": "no such pod", "extensions": {"code": "NOT_FOUND"}}])"));
  f.transport->Answer(200, Errors(R"([{"message": "GPU type not found"}])"));
  EXPECT_EQ(f.provider->TerminatePod("p"),
            absl::NotFoundError("podTerminate: pod not found to terminate"));
  EXPECT_EQ(
      f.provider->UpdateVolume("v", {"v", 20, "X"}).status(),
      absl::NotFoundError("updateNetworkVolume: Network volume not found"));
  EXPECT_EQ(f.provider->ResumePod("p", 1).status(),
            absl::NotFoundError("podResume: no such pod"));
  // Creating something is not about an existing id.
  EXPECT_EQ(f.provider->CreatePod(PodSpec()).status(),
            absl::FailedPreconditionError(
                "podFindAndDeployOnDemand: GPU type not found"));
}

TEST(ProviderErrorsTest, OtherGraphQLErrorCodes) {
  ProviderFixture f;
  f.transport->Answer(
      200,
      Errors(
          R"([{"message": "Something went wrong. Please try again later or contact support.",
                       "extensions": {"code": "INTERNAL_SERVER_ERROR"}}])"));
  f.transport->Answer(
      200,
      Errors(
          R"([{"message": "Invalid API key", "extensions": {"code": "UNAUTHENTICATED"}}])"));
  f.transport->Answer(200, Errors(R"([{"message": "size must be at least 10",
                       "extensions": {"code": "BAD_USER_INPUT"}}])"));
  f.transport->Answer(200, Errors(R"([{"message": "Unknown type \"Foo\"",
                       "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}])"));
  f.transport->Answer(
      200,
      Errors(
          R"([{"message": "first"}, {"extensions": {"code": "RUNPOD"}}, {}])"));
  VolumeSpec spec{"v", 5, "EU-RO-1"};
  EXPECT_EQ(f.provider->CreateVolume(spec).status(),
            absl::FailedPreconditionError(
                "createNetworkVolume: Something went wrong. Please try again "
                "later or contact support."));
  EXPECT_EQ(f.provider->CreateVolume(spec).status(),
            absl::UnauthenticatedError("createNetworkVolume: Invalid API key"));
  EXPECT_EQ(f.provider->CreateVolume(spec).status(),
            absl::InvalidArgumentError(
                "createNetworkVolume: size must be at least 10"));
  EXPECT_EQ(f.provider->CreateVolume(spec).status(),
            absl::InternalError("createNetworkVolume: Unknown type \"Foo\""));
  EXPECT_EQ(f.provider->CreateVolume(spec).status(),
            absl::FailedPreconditionError(
                "createNetworkVolume: first; RUNPOD; (no message)"));
}

TEST(ProviderErrorsTest, ErrorsWinOverPartialData) {
  ProviderFixture f;
  f.transport->Answer(
      200,
      Errors(
          R"([{"message": "boom", "path": ["gpuTypes"]}])",
          R"({"myself": {"networkVolumes": [], "pods": []}, "gpuTypes": null})"));
  EXPECT_EQ(f.provider->Refresh().status(),
            absl::FailedPreconditionError("refresh: boom"));
}

TEST(ProviderErrorsTest, MalformedResponses) {
  struct Case {
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"<html>oops</html>", "the body is not JSON"},
      {"", "the body is not JSON"},
      {R"({"data": {"myself": )", "the body is not JSON"},
      {"[1, 2]", "the body is not a JSON object"},
      {"{}", "data is null and no errors were reported"},
      {R"({"data": null})", "data is null and no errors were reported"},
      {R"({"data": null, "errors": []})",
       "data is null and no errors were reported"},
      {R"({"data": 7})", "data is number, expected an object"},
      {R"({"data": null, "errors": {"message": "x"}})",
       "errors is object, expected a list"},
      {R"({"data": null, "errors": ["x"]})",
       "errors[0] is string, expected an object"},
      {R"({"data": {"gpuTypes": []}})", "data.myself is missing"},
      {R"({"data": {"myself": null, "gpuTypes": []}})", "data.myself is null"},
      {R"({"data": {"myself": {"pods": []}, "gpuTypes": []}})",
       "data.myself.networkVolumes is missing"},
      {R"({"data": {"myself": {"networkVolumes": [], "pods": {}}, "gpuTypes": []}})",
       "data.myself.pods is object, expected a list"},
      {R"({"data": {"myself": {"networkVolumes": [], "pods": []}}})",
       "data.gpuTypes is missing"},
      {R"({"data": {"myself": {"networkVolumes": [{"id": "v", "name": "n",
          "dataCenterId": "X"}], "pods": []}, "gpuTypes": []}})",
       "data.myself.networkVolumes[0].size is missing"},
      {R"({"data": {"myself": {"networkVolumes": [{"id": "v", "name": "n",
          "size": "10", "dataCenterId": "X"}], "pods": []}, "gpuTypes": []}})",
       "data.myself.networkVolumes[0].size is string, expected an integer"},
      {R"({"data": {"myself": {"networkVolumes": [{"id": "v", "name": "n",
          "size": 10.5, "dataCenterId": "X"}], "pods": []}, "gpuTypes": []}})",
       "data.myself.networkVolumes[0].size is number, expected an integer"},
      {R"({"data": {"myself": {"networkVolumes": [{"id": "", "name": "n",
          "size": 10, "dataCenterId": "X"}], "pods": []}, "gpuTypes": []}})",
       "data.myself.networkVolumes[0].id is empty"},
      {R"({"data": {"myself": {"networkVolumes": [{"id": null, "name": "n",
          "size": 10, "dataCenterId": "X"}], "pods": []}, "gpuTypes": []}})",
       "data.myself.networkVolumes[0].id is null, expected a non-empty string"},
      {R"({"data": {"myself": {"networkVolumes": [7], "pods": []}, "gpuTypes": []}})",
       "data.myself.networkVolumes[0] is number, expected an object"},
      {R"({"data": {"myself": {"networkVolumes": [], "pods": [{"id": "p"}]},
          "gpuTypes": []}})",
       "data.myself.pods[0].name is missing"},
      {R"({"data": {"myself": {"networkVolumes": [], "pods": []},
          "gpuTypes": [{"id": "g", "displayName": 3}]}})",
       "data.gpuTypes[0].displayName is number, expected a string"},
      {R"({"data": {"myself": {"networkVolumes": [], "pods": []},
          "gpuTypes": "all"}})",
       "data.gpuTypes is string, expected a list"},
  };
  for (const Case& c : cases) {
    ProviderFixture f;
    f.transport->Answer(200, c.body);
    EXPECT_EQ(f.provider->Refresh().status(),
              absl::InternalError("refresh: malformed response from RunPod: " +
                                  c.message))
        << c.body;
  }
}

TEST(ProviderErrorsTest, MalformedPods) {
  const std::string good = R"("id": "p", "name": "n", "imageName": "i",
      "dockerArgs": "", "gpuCount": 1, "containerDiskInGb": 20,
      "volumeInGb": 0, "volumeMountPath": "", "networkVolumeId": "",
      "desiredStatus": "RUNNING", "costPerHr": 0, "ports": "")";
  struct Case {
    std::string fields;
    std::string message;
  };
  const std::vector<Case> cases = {
      {good + R"(, "env": "A=1", "machine": null)",
       "data.podStop.env is string, expected a list"},
      {good + R"(, "env": [1], "machine": null)",
       "data.podStop.env[0] is number, expected a string"},
      {good + R"(, "env": [], "machine": "A100")",
       "data.podStop.machine is string, expected an object"},
      {good + R"(, "env": [], "machine": {})",
       "data.podStop.machine.gpuDisplayName is missing"},
      {good + R"(, "env": [])", "data.podStop.machine is missing"},
  };
  for (const Case& c : cases) {
    ProviderFixture f;
    f.transport->AnswerData(R"({"podStop": {)" + c.fields + "}}");
    EXPECT_EQ(f.provider->StopPod("p").status(),
              absl::InternalError("podStop: malformed response from RunPod: " +
                                  c.message))
        << c.fields;
  }
  ProviderFixture f;
  f.transport->AnswerData(R"({"podStop": null})");
  f.transport->AnswerData(R"({})");
  f.transport->AnswerData(R"({"podTerminate": 1, "x": 2})");
  f.transport->AnswerData(R"({})");
  EXPECT_EQ(
      f.provider->StopPod("p").status(),
      absl::InternalError(
          "podStop: malformed response from RunPod: data.podStop is null"));
  EXPECT_EQ(f.provider->StopPod("p").status(),
            absl::InternalError("podStop: malformed response from RunPod: "
                                "data.podStop is missing"));
  EXPECT_TRUE(f.provider->TerminatePod("p").ok());
  EXPECT_EQ(f.provider->TerminatePod("p"),
            absl::InternalError("podTerminate: malformed response from RunPod: "
                                "data.podTerminate is missing"));
}

TEST(ProviderErrorsTest, SecretsNeverAppearInErrors) {
  const std::string key = "rpa_SECRETKEY0123456789";
  GraphQLProviderOptions options;
  options.secrets = {key, ""};
  options.retry.max_attempts = 3;
  ProviderFixture f(options);
  // A server (or proxy) that echoes the key back in every kind of answer.
  f.transport->Answer(200,
                      Errors(R"([{"message": "bad key )" + key + R"("}])"));
  f.transport->Answer(400, "invalid token " + key);
  for (int i = 0; i < 3; ++i) {
    f.transport->Answer(absl::UnavailableError("POST u: " + key));
  }
  std::vector<absl::Status> statuses = {
      f.provider->DeleteVolume("v"),
      f.provider->DeleteVolume("v"),
      f.provider->Refresh().status(),
  };
  for (const absl::Status& status : statuses) {
    EXPECT_EQ(std::string(status.message()).find(key), std::string::npos)
        << status;
  }
  EXPECT_EQ(statuses[0], absl::FailedPreconditionError(
                             "deleteNetworkVolume: bad key [REDACTED]"));
  EXPECT_EQ(statuses[1], absl::InternalError(
                             "deleteNetworkVolume: RunPod rejected the "
                             "request (HTTP 400): invalid token [REDACTED]"));
  EXPECT_EQ(statuses[2],
            absl::UnavailableError(
                "refresh: POST u: [REDACTED]; gave up after 3 attempts"));
}

}  // namespace
}  // namespace podform
