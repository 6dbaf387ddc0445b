// Fault injection, at the injector and through the service and the
// in-process transport.

#include "reconciler/sandbox/faults.h"

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/sandbox/in_process_transport.h"
#include "reconciler/util/file.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace podform::sandbox {
namespace {

using nlohmann::json;

// A GraphQL POST of `body`.
HttpRequest PostOf(std::string body, Replay replay) {
  HttpRequest request;
  request.body = std::move(body);
  request.replay = replay;
  return request;
}
using testing::Harness;
using testing::MakeTempDir;

constexpr char kCreate[] =
    R"({"query": "mutation { createNetworkVolume(input: {name: \"v\", size: 10, dataCenterId: \"EU-RO-1\"}) { id } }"})";
constexpr char kList[] = R"({"query": "{ myself { networkVolumes { id } } }"})";

class FakeSteadyClock {
 public:
  std::chrono::steady_clock::time_point now{};
  FaultInjector::SteadyClock AsClock() {
    return [this] { return now; };
  }
};

TEST(FaultInjectorTest, RateLimitIsATokenBucket) {
  FakeSteadyClock clock;
  FaultOptions options;
  options.rate_limit = 2;
  FaultInjector faults(options, 1, clock.AsClock());
  EXPECT_EQ(faults.TakeToken(), std::nullopt);
  EXPECT_EQ(faults.TakeToken(), std::nullopt);
  EXPECT_EQ(faults.TakeToken(), 1);  // empty: one token takes 0.5 s
  clock.now += std::chrono::milliseconds(500);
  EXPECT_EQ(faults.TakeToken(), std::nullopt);
  EXPECT_EQ(faults.TakeToken(), 1);
  clock.now += std::chrono::seconds(10);  // refills to capacity, no more
  EXPECT_EQ(faults.TakeToken(), std::nullopt);
  EXPECT_EQ(faults.TakeToken(), std::nullopt);
  EXPECT_EQ(faults.TakeToken(), 1);
}

TEST(FaultInjectorTest, SlowRateLimitsWaitWholeSeconds) {
  FakeSteadyClock clock;
  FaultOptions options;
  options.rate_limit = 0.25;  // one request per 4 s
  FaultInjector faults(options, 1, clock.AsClock());
  EXPECT_EQ(faults.TakeToken(), std::nullopt);
  EXPECT_EQ(faults.TakeToken(), 4);
  clock.now += std::chrono::milliseconds(2500);
  EXPECT_EQ(faults.TakeToken(), 2);  // 1.5 s left, rounded up
  clock.now += std::chrono::milliseconds(1500);
  EXPECT_EQ(faults.TakeToken(), std::nullopt);
}

TEST(FaultInjectorTest, NoFaultsByDefault) {
  FaultInjector faults(FaultOptions{}, 1);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(faults.DrawFailure(), 0);
    EXPECT_EQ(faults.TakeToken(), std::nullopt);
    EXPECT_FALSE(faults.DrawDrop());
  }
}

TEST(FaultInjectorTest, DecisionsFollowTheSeed) {
  FaultOptions options;
  options.fail_rate = 0.5;
  options.drop_after_commit = 0.5;
  auto draw = [&](uint64_t seed) {
    FaultInjector faults(options, seed);
    std::vector<std::pair<int, bool>> out;
    for (int i = 0; i < 64; ++i) {
      int failure = faults.DrawFailure();
      out.emplace_back(failure, faults.DrawDrop());
    }
    return out;
  };
  EXPECT_EQ(draw(3), draw(3));
  EXPECT_NE(draw(3), draw(4));
  // Every outcome occurs: success, 502, 503; dropped and answered.
  std::set<int> failures;
  std::set<bool> drops;
  for (const auto& [failure, drop] : draw(3)) {
    failures.insert(failure);
    drops.insert(drop);
  }
  EXPECT_EQ(failures, (std::set<int>{0, 502, 503}));
  EXPECT_EQ(drops, (std::set<bool>{false, true}));
}

TEST(ServiceFaultsTest, FailRateOneFailsEveryRequestAndChangesNothing) {
  std::string path = MakeTempDir() + "/sandbox.json";
  FaultOptions faults;
  faults.fail_rate = 1.0;
  std::string before;
  std::set<int> statuses;
  {
    Harness h(path, 9, faults);
    before = *ReadFile(path);
    for (int i = 0; i < 20; ++i) {
      testing::GqlResult r = h.PostBody(kCreate);
      statuses.insert(r.status);
      EXPECT_TRUE(r.status == 502 || r.status == 503) << r.status;
      EXPECT_EQ(r.text, r.status == 502
                            ? "502 Bad Gateway\n"
                            : "503 Service Temporarily Unavailable\n");
    }
  }
  EXPECT_EQ(statuses, (std::set<int>{502, 503}));
  EXPECT_EQ(*ReadFile(path), before);
  Harness h(path);
  EXPECT_EQ(h.Data("{ myself { networkVolumes { id } } }"),
            json::parse(R"({"myself": {"networkVolumes": []}})"));
}

TEST(ServiceFaultsTest, RateLimitAnswers429WithRetryAfter) {
  FaultOptions faults;
  faults.rate_limit = 1;
  Harness h("", 1, faults);
  EXPECT_EQ(h.PostBody(kList).status, 200);
  SandboxRequest request;
  request.body = kList;
  request.authorization = "Bearer k";
  SandboxResponse response = h.service->Handle(request);
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.Header("Retry-After"), "1");
  EXPECT_EQ(response.Header("RateLimit-Policy"), "1;w=1");
  EXPECT_EQ(
      response.body,
      R"({"errors":[{"message":"Too many requests, please slow down.","extensions":{"code":"RATE_LIMITED"}}]})");
}

TEST(ServiceFaultsTest, LatencyDelaysEveryRequest) {
  FaultOptions faults;
  faults.latency_ms = 60;
  Harness h("", 1, faults);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(h.PostBody(kList).status, 200);
  EXPECT_EQ(h.PostBody(kList).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(120));
}

// The request travels for half the latency, is carried out and persisted,
// and the answer travels for the other half: the data file holds the
// mutation before the answer arrives, and the answer still takes the whole
// latency.
TEST(ServiceFaultsTest, AMutationIsCarriedOutHalfwayThroughItsLatency) {
  std::string path = MakeTempDir() + "/sandbox.json";
  ServiceOptions options;
  options.data_path = path;
  options.faults.latency_ms = 1000;
  auto service = SandboxService::Create(options);
  ASSERT_TRUE(service.ok()) << service.status();
  InProcessTransport transport(std::move(service).value(), "key");
  const auto start = std::chrono::steady_clock::now();
  std::atomic<bool> answered{false};
  std::thread create([&] {
    absl::StatusOr<HttpResponse> made =
        transport.Send(PostOf(kCreate, Replay::kHarmless));
    EXPECT_TRUE(made.ok()) << made.status();
    answered = true;
  });
  auto persisted = [&] {
    return testing::OnDisk(path).find("\"name\":\"v\"") != std::string::npos;
  };
  while (!persisted() && !answered) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto seen = std::chrono::steady_clock::now();
  EXPECT_FALSE(answered) << "answered before the data file held the volume";
  EXPECT_GE(seen - start, std::chrono::milliseconds(500));
  // Not at the end of the latency: halfway (with a margin for a slow
  // machine).
  EXPECT_LT(seen - start, std::chrono::milliseconds(950));
  create.join();
  EXPECT_GE(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(1000));
}

TEST(ServiceFaultsTest, DropAfterCommitPersistsTheMutationButLosesTheAnswer) {
  std::string path = MakeTempDir() + "/sandbox.json";
  FaultOptions faults;
  faults.drop_after_commit = 1.0;
  faults.seed = 4;
  ServiceOptions options;
  options.data_path = path;
  options.faults = faults;
  auto service = SandboxService::Create(options);
  ASSERT_TRUE(service.ok()) << service.status();
  InProcessTransport transport(std::move(service).value(), "key");

  absl::StatusOr<HttpResponse> created =
      transport.Send(PostOf(kCreate, Replay::kHarmless));
  EXPECT_EQ(created.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(created.status().message(),
            "sandbox: the connection was lost before an answer arrived "
            "(--drop-after-commit); the request may have taken effect");
  // Queries commit nothing and are answered; the volume exists.
  absl::StatusOr<HttpResponse> listed =
      transport.Send(PostOf(kList, Replay::kHarmless));
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->status, 200);
  json volumes = json::parse(listed->body)["data"]["myself"]["networkVolumes"];
  ASSERT_EQ(volumes.size(), 1u);
  EXPECT_EQ(json::parse(testing::OnDisk(path))["networkVolumes"][0]["id"],
            volumes[0]["id"]);
  // A refused mutation commits nothing and is answered.
  absl::StatusOr<HttpResponse> refused = transport.Send(PostOf(
      R"({"query": "mutation { podTerminate(input: {podId: \"nope\"}) }"})",
      Replay::kHarmless));
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(json::parse(refused->body)["errors"][0]["message"],
            "pod not found to terminate");
}

TEST(InProcessTransportTest, OpenCreatesTheFileAndAnswersLikeTheServer) {
  std::string path = MakeTempDir() + "/.podform/sandbox.json";
  auto transport = InProcessTransport::Open(path);
  ASSERT_TRUE(transport.ok()) << transport.status();
  absl::StatusOr<HttpResponse> r =
      (*transport)->Send(PostOf(kCreate, Replay::kHarmless));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->retry_after, "");
  std::string id = json::parse(r->body)["data"]["createNetworkVolume"]["id"];
  EXPECT_EQ(json::parse(testing::OnDisk(path))["networkVolumes"][0]["id"], id);
  // Invalid documents are a 400 answer, not an error.
  absl::StatusOr<HttpResponse> bad =
      (*transport)
          ->Send(PostOf(R"({"query": "{ nope }"})", Replay::kHarmless));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
}

TEST(InProcessTransportTest, RateLimitedAnswerCarriesRetryAfter) {
  ServiceOptions options;
  options.faults.rate_limit = 1;
  auto service = SandboxService::Create(options);
  ASSERT_TRUE(service.ok());
  InProcessTransport transport(std::move(service).value(), "key");
  EXPECT_EQ(transport.Send(PostOf(kList, Replay::kHarmless))->status, 200);
  absl::StatusOr<HttpResponse> limited =
      transport.Send(PostOf(kList, Replay::kHarmless));
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->retry_after, "1");
}

TEST(ServiceTest, AuthAndRouting) {
  ServiceOptions options;
  options.api_key = "secret";
  auto created = SandboxService::Create(options);
  ASSERT_TRUE(created.ok());
  SandboxService& service = **created;
  SandboxRequest request;
  request.body = kList;

  SandboxResponse r = service.Handle(request);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(
      r.body,
      R"({"errors":[{"message":"Unauthorized: send the API key as \"Authorization: Bearer KEY\" or ?api_key=KEY.","extensions":{"code":"UNAUTHENTICATED"}}]})");
  request.authorization = "Bearer wrong";
  r = service.Handle(request);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(
      r.body,
      R"({"errors":[{"message":"Unauthorized: invalid API key.","extensions":{"code":"UNAUTHENTICATED"}}]})");
  request.authorization = "secret";  // not a Bearer credential
  EXPECT_EQ(service.Handle(request).status, 401);
  request.authorization = "bearer  secret ";
  EXPECT_EQ(service.Handle(request).status, 200);
  request.authorization = "";
  request.api_key_param = "secret";
  EXPECT_EQ(service.Handle(request).status, 200);

  request.path = "/v1/pods";
  r = service.Handle(request);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(
      r.body,
      R"({"errors":[{"message":"Cannot POST /v1/pods","extensions":{"code":"NOT_FOUND"}}]})");
  // /v2 is REST v2 (rest_*_test.cc), which takes the key as a Bearer token
  // only.
  request.path = "/v2/pods";
  EXPECT_EQ(service.Handle(request).status, 401);
  request.path = "/graphql";
  request.method = "GET";
  r = service.Handle(request);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("Allow"), "POST");
}

TEST(ServiceTest, AnyKeyIsAcceptedWithoutAConfiguredKey) {
  Harness h;
  SandboxRequest request;
  request.body = kList;
  request.api_key_param = "anything";
  EXPECT_EQ(h.service->Handle(request).status, 200);
  request.api_key_param = "";
  request.authorization = "Bearer ";
  EXPECT_EQ(h.service->Handle(request).status, 401);
}

}  // namespace
}  // namespace podform::sandbox
