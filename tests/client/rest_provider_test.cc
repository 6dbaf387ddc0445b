// RestProvider over a recording fake transport: the exact requests it sends
// (method, path, body) and how it reads RunPod-shaped answers.

#include "reconciler/client/rest_provider.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/client/rest_schema.h"
#include "tests/client/client_test_util.h"

namespace podform {
namespace {

using ::podform::testing::FakeClock;
using ::podform::testing::FakeTransport;
using ::testing::ElementsAre;
using json = nlohmann::json;

constexpr char kSecret[] = "rpa_SECRET_KEY_123";

struct RestFixture {
  RestFixture() {
    RestProviderOptions options;
    clock.Install(options.retry);
    options.secrets = {kSecret};
    auto owned = std::make_unique<FakeTransport>();
    transport = owned.get();
    absl::StatusOr<std::unique_ptr<RestProvider>> made =
        MakeRestProvider(std::move(owned), std::move(options));
    if (made.ok()) provider = std::move(*made);
  }

  // Each request as "METHOD PATH BODY" (body only when there is one).
  std::vector<std::string> Sent() const {
    std::vector<std::string> out;
    for (const HttpRequest& r : transport->requests()) {
      out.push_back(absl::StrCat(r.method, " ", r.path,
                                 r.body.empty() ? "" : " ", r.body));
    }
    return out;
  }

  void Json(int status, const json& body) {
    HttpResponse response;
    response.status = status;
    response.body = body.dump();
    response.content_type = "application/json";
    transport->Answer(std::move(response));
  }
  void ProblemAnswer(int status, const std::string& title,
                     const std::string& detail,
                     std::vector<std::string> errors = {},
                     std::string retry_after = "") {
    json body = {{"title", title}, {"status", status}, {"detail", detail}};
    if (!errors.empty()) body["errors"] = errors;
    HttpResponse response;
    response.status = status;
    response.body = body.dump();
    response.content_type = "application/problem+json";
    response.retry_after = std::move(retry_after);
    transport->Answer(std::move(response));
  }
  void NoContent() {
    HttpResponse response;
    response.status = 204;
    transport->Answer(std::move(response));
  }

  FakeClock clock;
  FakeTransport* transport = nullptr;  // owned by provider
  std::unique_ptr<RestProvider> provider;
};

json VolumeJson(const std::string& id, const std::string& name, int size,
                const std::string& dc = "EU-RO-1") {
  return {{"id", id},
          {"name", name},
          {"size", size},
          {"dataCenter", dc},
          {"type", "STANDARD"}};
}

// A Pod as RunPod's REST API v2 returns it (every required member).
json PodJson(const std::string& id, const std::string& name,
             const std::string& status = "RUNNING",
             const std::string& volume_id = "vol1") {
  json pod = {
      {"id", id},
      {"name", name},
      {"image", "runpod/pytorch:2.4.0"},
      {"args", "python train.py"},
      {"disk", 30},
      {"env", {{"A", "1"}, {"B", "x=y"}}},
      {"ports", {"8888/http", "22/tcp"}},
      {"registry", nullptr},
      {"status", status},
      {"actions", json::array({"stop", "terminate"})},
      {"mounts", json::object()},
      {"gpu",
       {{"id", "NVIDIA A100 80GB PCIe"},
        {"count", 2},
        {"vcpuCount", 16},
        {"memory", 125}}},
      {"cloud", "SECURE"},
      {"dataCenterId", "EU-RO-1"},
      {"cudaVersion", nullptr},
      {"ssh", {{"proxy", nullptr}, {"direct", nullptr}}},
      {"template", nullptr},
      {"cost", 3.28},
      {"locked", false},
      {"globalNetworking", {{"enabled", false}}},
      {"runtime", nullptr},
      {"createdAt", "2026-12-05T10:00:00Z"},
      {"startedAt", nullptr}};
  if (!volume_id.empty()) {
    pod["mounts"] = {
        {"network", json::array({{{"volumeId", volume_id},
                                  {"path", "/models"}}})}};
  }
  return pod;
}

json Page(std::vector<json> pods, const std::string& next) {
  return {{"pods", pods},
          {"pagination",
           {{"nextCursor", next.empty() ? json(nullptr) : json(next)},
            {"hasNextPage", !next.empty()}}}};
}

// An Endpoint as RunPod's REST API v2 returns it: its bound template's
// container settings inline, every required member, and members podform
// does not manage (args, ports, requestUrls, excludedTypes, ...).
json EndpointJson(const std::string& id, const std::string& name) {
  return {{"id", id},
          {"name", name},
          {"type", "QUEUE"},
          {"image", "ghcr.io/acme/embed:1.4"},
          {"args", ""},
          {"disk", 20},
          {"env", {{"MODEL_DIR", "/runpod-volume/models"}, {"TOKEN", "t0k"}}},
          {"ports", json::array()},
          {"registry", nullptr},
          {"requestUrls",
           {{"run", "https://api.runpod.ai/v2/" + id + "/run"},
            {"health", "https://api.runpod.ai/v2/" + id + "/health"}}},
          {"gpu",
           {{"pools", {"ADA_24", "AMPERE_48"}},
            {"excludedTypes", json::array()},
            {"count", 2},
            {"allowedCudaVersions", json::array()},
            {"minCudaVersion", nullptr}}},
          {"workers", {{"min", 1}, {"max", 3}, {"idleTimeout", 10}}},
          {"scaling", {{"type", "QUEUE_DELAY"}, {"queueDelay", 0.5}}},
          {"dataCenterIds", {"US-KS-2", "EU-RO-1"}},
          {"networkVolumes", {"vol2", "vol1"}},
          {"timeout", 600000},
          {"flashboot", "FLASHBOOT"},
          {"createdAt", "2026-12-05T10:00:00Z"}};
}

// What EndpointJson describes, in podform's model.
EndpointSpec Embed() {
  EndpointSpec spec;
  spec.name = "embed";
  spec.image = "ghcr.io/acme/embed:1.4";
  spec.type = "QUEUE";
  spec.gpu_pools = {"ADA_24", "AMPERE_48"};
  spec.gpu_count = 2;
  spec.workers_min = 1;
  spec.workers_max = 3;
  spec.idle_timeout = 10;
  spec.scaler_type = "QUEUE_DELAY";
  spec.scaler_value = 0.5;
  spec.network_volume_ids = {"vol2", "vol1"};
  spec.data_centers = {"US-KS-2", "EU-RO-1"};
  spec.timeout_ms = 600000;
  spec.flashboot = "FLASHBOOT";
  spec.env = {{"MODEL_DIR", "/runpod-volume/models"}, {"TOKEN", "t0k"}};
  return spec;
}

json EndpointPage(std::vector<json> endpoints, const std::string& next) {
  return {{"endpoints", endpoints},
          {"pagination",
           {{"nextCursor", next.empty() ? json(nullptr) : json(next)},
            {"hasNextPage", !next.empty()}}}};
}

PodSpec Trainer() {
  PodSpec spec;
  spec.name = "trainer";
  spec.image = "runpod/pytorch:2.4.0";
  spec.gpu_type = "NVIDIA A100 80GB PCIe";
  spec.gpu_count = 2;
  spec.cloud_type = "SECURE";
  spec.data_center = "EU-RO-1";
  spec.network_volume_id = "vol1";
  spec.mount_path = "/models";
  spec.container_disk_gb = 30;
  spec.ports = {"8888/http", "22/tcp"};
  spec.env = {{"B", "x=y"}, {"A", "1"}};
  spec.docker_args = "python train.py";
  return spec;
}

TEST(RestProviderTest, RefreshListsVolumesAndFollowsPodPages) {
  RestFixture f;
  ASSERT_NE(f.provider, nullptr);
  // The two lists go out at the same time: answer by path.
  f.transport->AnswerBy([](const HttpRequest& r) -> HttpResponse {
    HttpResponse response;
    response.status = 200;
    if (r.path == "/network-volumes") {
      response.body = json{{"networkVolumes",
                            {VolumeJson("vol1", "models", 500),
                             VolumeJson("vol2", "data", 20, "EU-SE-1")}}}
                          .dump();
    } else if (r.path == "/pods?limit=1000") {
      response.body = Page({PodJson("p1", "trainer")}, "c/2+").dump();
    } else if (r.path == "/pods?limit=1000&cursor=c%2F2%2B") {
      response.body =
          Page({PodJson("p2", "idle", "EXITED", "")}, "").dump();
    } else if (r.path == "/serverless?limit=1000") {
      response.body = EndpointPage({EndpointJson("ep1", "embed")}, "").dump();
    } else {
      response.status = 404;
    }
    return response;
  });
  absl::StatusOr<LiveState> live = f.provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  std::vector<std::string> sent = f.Sent();
  std::sort(sent.begin(), sent.end());
  EXPECT_THAT(sent, ElementsAre("GET /network-volumes", "GET /pods?limit=1000",
                                "GET /pods?limit=1000&cursor=c%2F2%2B",
                                "GET /serverless?limit=1000"));
  for (const HttpRequest& r : f.transport->requests()) {
    EXPECT_EQ(r.replay, Replay::kHarmless) << r.path;
    EXPECT_TRUE(CheckRestRequest(r).ok()) << CheckRestRequest(r);
  }
  ASSERT_EQ(live->volumes.size(), 2u);
  EXPECT_EQ(live->volumes[1],
            (LiveVolume{"vol2", VolumeSpec{"data", 20, "EU-SE-1", "STANDARD"}}));
  ASSERT_EQ(live->pods.size(), 2u);
  const LivePod& p1 = live->pods[0];
  EXPECT_EQ(p1.id, "p1");
  EXPECT_EQ(p1.spec, Trainer());
  EXPECT_EQ(p1.status, PodStatus::kRunning);
  EXPECT_EQ(PodPhaseWord(p1.phase), "RUNNING");
  EXPECT_DOUBLE_EQ(p1.cost_per_hr, 3.28);
  const LivePod& p2 = live->pods[1];
  EXPECT_EQ(p2.status, PodStatus::kExited);
  EXPECT_FALSE(p2.spec.running);
  EXPECT_EQ(p2.spec.network_volume_id, "");
  EXPECT_EQ(p2.spec.mount_path, "");
  ASSERT_EQ(live->endpoints.size(), 1u);
  EXPECT_EQ(live->endpoints[0], (LiveEndpoint{"ep1", Embed()}));
}

TEST(RestProviderTest, PodStatusesInPodformWords) {
  struct Case {
    const char* phase;
    const char* desired;
  };
  for (const Case& c : {Case{"PROVISIONING", "RUNNING"},
                        Case{"STARTING", "RUNNING"},
                        Case{"RUNNING", "RUNNING"}, Case{"EXITED", "EXITED"},
                        Case{"ERROR", "EXITED"},
                        Case{"TERMINATED", "TERMINATED"}}) {
    RestFixture f;
    f.Json(200, PodJson("p1", "trainer", c.phase));
    absl::StatusOr<LivePod> pod = f.provider->GetPod("p1");
    ASSERT_TRUE(pod.ok()) << pod.status();
    EXPECT_EQ(pod->StatusWord(), c.desired) << c.phase;
    EXPECT_EQ(PodPhaseWord(pod->phase), c.phase);
  }
  RestFixture f;
  f.Json(200, PodJson("p1", "trainer", "PAUSED"));
  EXPECT_EQ(f.provider->GetPod("p1").status(),
            absl::InternalError(
                "getPod: malformed response from RunPod: body.status is "
                "\"PAUSED\", not a pod status podform knows"));
}

TEST(RestProviderTest, VolumeRequests) {
  RestFixture f;
  f.Json(201, VolumeJson("vol1", "models", 500));
  f.Json(200, VolumeJson("vol1", "weights", 600));
  f.NoContent();
  absl::StatusOr<LiveVolume> made =
      f.provider->CreateVolume({"models", 500, "EU-RO-1"});
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(*made, (LiveVolume{"vol1",
                               VolumeSpec{"models", 500, "EU-RO-1", "STANDARD"}}));
  absl::StatusOr<LiveVolume> updated =
      f.provider->UpdateVolume("vol1", {"weights", 600, "EU-RO-1"});
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->spec.size_gb, 600);
  EXPECT_TRUE(f.provider->DeleteVolume("vol1").ok());
  json fast = VolumeJson("vol2", "fast", 100);
  fast["type"] = "HIGH_PERFORMANCE";
  f.Json(201, fast);
  absl::StatusOr<LiveVolume> typed = f.provider->CreateVolume(
      {"fast", 100, "EU-RO-1", "HIGH_PERFORMANCE"});
  ASSERT_TRUE(typed.ok()) << typed.status();
  EXPECT_EQ(typed->spec.type, "HIGH_PERFORMANCE");
  // A tier podform does not know is reported as none.
  json later = VolumeJson("vol3", "later", 100);
  later["type"] = "ULTRA";
  f.Json(200, later);
  absl::StatusOr<LiveVolume> unknown =
      f.provider->UpdateVolume("vol3", {"later", 100, "EU-RO-1"});
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_EQ(unknown->spec.type, "");
  EXPECT_THAT(
      f.Sent(),
      ElementsAre(
          R"(POST /network-volumes {"dataCenter":"EU-RO-1","name":"models","size":500})",
          R"(PATCH /network-volumes/vol1 {"name":"weights","size":600})",
          "DELETE /network-volumes/vol1",
          R"(POST /network-volumes {"dataCenter":"EU-RO-1","name":"fast","size":100,"type":"HIGH_PERFORMANCE"})",
          R"(PATCH /network-volumes/vol3 {"name":"later","size":100})"));
  EXPECT_THAT(f.transport->replays(),
              ElementsAre(Replay::kForbidden, Replay::kForbidden,
                          Replay::kForbidden, Replay::kForbidden,
                          Replay::kForbidden));
}

TEST(RestProviderTest, PodRequests) {
  RestFixture f;
  f.Json(201, PodJson("p1", "trainer", "PROVISIONING"));
  f.Json(200, PodJson("p1", "trainer"));
  f.Json(200, PodJson("p1", "trainer", "EXITED"));
  f.Json(200, PodJson("p1", "trainer", "PROVISIONING"));
  f.NoContent();
  absl::StatusOr<LivePod> made = f.provider->CreatePod(Trainer());
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(PodPhaseWord(made->phase), "PROVISIONING");
  PodSpec edited = Trainer();
  edited.env = {{"C", "3"}};
  edited.docker_args = "";
  ASSERT_TRUE(f.provider->EditPod("p1", edited).ok());
  ASSERT_TRUE(f.provider->StopPod("p1").ok());
  ASSERT_TRUE(f.provider->ResumePod("p1", 2).ok());
  ASSERT_TRUE(f.provider->TerminatePod("p1").ok());
  EXPECT_THAT(
      f.Sent(),
      ElementsAre(
          R"(POST /pods {"args":"python train.py","cloud":"SECURE","dataCenterIds":["EU-RO-1"],"disk":30,"env":{"A":"1","B":"x=y"},"gpu":{"count":2,"id":"NVIDIA A100 80GB PCIe"},"image":"runpod/pytorch:2.4.0","mounts":{"network":[{"path":"/models","volumeId":"vol1"}]},"name":"trainer","ports":["8888/http","22/tcp"]})",
          R"(PATCH /pods/p1 {"args":"","disk":30,"env":{"C":"3"},"image":"runpod/pytorch:2.4.0","mounts":{"network":[{"path":"/models","volumeId":"vol1"}]},"ports":["8888/http","22/tcp"]})",
          R"(POST /pods/p1/action {"action":"stop"})",
          R"(POST /pods/p1/action {"action":"start"})", "DELETE /pods/p1"));
  for (const HttpRequest& r : f.transport->requests()) {
    EXPECT_EQ(r.replay, Replay::kForbidden) << r.path;
  }
}

TEST(RestProviderTest, PodWithoutVolumeOrDataCenterOmitsThem) {
  RestFixture f;
  f.Json(201, PodJson("p1", "web", "PROVISIONING", ""));
  PodSpec spec = Trainer();
  spec.name = "web";
  spec.network_volume_id = "";
  spec.data_center = "";
  spec.cloud_type = "COMMUNITY";
  spec.env = {};
  spec.ports = {};
  ASSERT_TRUE(f.provider->CreatePod(spec).ok());
  EXPECT_THAT(
      f.Sent(),
      ElementsAre(
          R"(POST /pods {"args":"python train.py","cloud":"COMMUNITY","disk":30,"env":{},"gpu":{"count":2,"id":"NVIDIA A100 80GB PCIe"},"image":"runpod/pytorch:2.4.0","name":"web","ports":[]})"));
  spec.cloud_type = "ALL";
  EXPECT_EQ(f.provider->CreatePod(spec).status(),
            absl::InvalidArgumentError(
                "createPod: cloud type \"ALL\" is not SECURE or COMMUNITY"));
}

TEST(RestProviderTest, ProblemAnswersMapToProviderCodes) {
  RestFixture f;
  f.ProblemAnswer(400, "Bad Request", "volume size cannot decrease");
  EXPECT_EQ(f.provider->UpdateVolume("vol1", {"m", 10, "EU-RO-1"}).status(),
            absl::FailedPreconditionError(
                "updateNetworkVolume: RunPod refused the request (HTTP 400): "
                "volume size cannot decrease"));
  f.ProblemAnswer(400, "Bad Request",
                  "There are no longer any instances available with the "
                  "requested specifications.");
  EXPECT_EQ(f.provider->CreatePod(Trainer()).status().code(),
            absl::StatusCode::kResourceExhausted);
  f.ProblemAnswer(422, "Unprocessable Entity", "Request validation failed.",
                  {"$: additional properties 'bogus' not allowed",
                   "$.size: must be >= 10"});
  EXPECT_EQ(f.provider->CreateVolume({"m", 5, "EU-RO-1"}).status(),
            absl::InvalidArgumentError(
                "createNetworkVolume: RunPod found the request invalid (HTTP "
                "422): Request validation failed.; $: additional properties "
                "'bogus' not allowed; $.size: must be >= 10"));
  f.ProblemAnswer(402, "Payment Required", "Insufficient balance.");
  EXPECT_EQ(f.provider->CreatePod(Trainer()).status(),
            absl::FailedPreconditionError(
                "createPod: insufficient balance (HTTP 402): Insufficient "
                "balance.; add credit to the RunPod account"));
  f.ProblemAnswer(404, "Not Found", "resource not found");
  EXPECT_EQ(f.provider->TerminatePod("gone"),
            absl::NotFoundError(
                "deletePod: not found (HTTP 404): resource not found"));
  f.ProblemAnswer(413, "Content Too Large", "body exceeds 102400 bytes");
  EXPECT_EQ(f.provider->CreatePod(Trainer()).status().code(),
            absl::StatusCode::kInvalidArgument);
  f.ProblemAnswer(401, "Unauthorized", "invalid key " + std::string(kSecret));
  EXPECT_EQ(f.provider->DeleteVolume("vol1"),
            absl::UnauthenticatedError(
                "deleteNetworkVolume: RunPod rejected the API key (HTTP 401): "
                "check RUNPOD_API_KEY"));
  f.ProblemAnswer(403, "Forbidden", "key " + std::string(kSecret));
  absl::Status forbidden = f.provider->DeleteVolume("vol1");
  EXPECT_EQ(forbidden.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(forbidden.message()),
              ::testing::HasSubstr("key [REDACTED]"));
  // None of these was sent twice: 4xx answers are final.
  EXPECT_EQ(f.transport->requests().size(), 8u);
  EXPECT_EQ(f.transport->unanswered(), 0u);
}

TEST(RestProviderTest, RateLimitedThenServedHonoursRetryAfter) {
  RestFixture f;
  f.ProblemAnswer(429, "Too Many Requests",
                  "rate limit exceeded for the minute window", {}, "12");
  f.Json(201, VolumeJson("vol1", "models", 500));
  ASSERT_TRUE(f.provider->CreateVolume({"models", 500, "EU-RO-1"}).ok());
  EXPECT_THAT(f.clock.sleeps(), ElementsAre(absl::Seconds(12)));
  EXPECT_EQ(f.transport->requests().size(), 2u);
}

TEST(RestProviderTest, LostOrServerFailedCreateIsUnknownNotResent) {
  RestFixture f;
  f.transport->Answer(absl::DeadlineExceededError("connection reset"));
  EXPECT_EQ(f.provider->CreatePod(Trainer()).status(),
            absl::DeadlineExceededError("createPod: connection reset"));
  f.ProblemAnswer(500, "Internal Server Error", "boom");
  EXPECT_EQ(f.provider->CreateVolume({"m", 10, "EU-RO-1"}).status(),
            absl::DeadlineExceededError(
                "createNetworkVolume: HTTP 500 from RunPod: the outcome is "
                "unknown"));
  EXPECT_EQ(f.transport->requests().size(), 2u);
}

TEST(RestProviderTest, ConflictOnActionIsSettledByReadingThePod) {
  RestFixture f;
  // Stop: 409, and the pod is already EXITED: done.
  f.ProblemAnswer(409, "Conflict", "Action not valid for current pod status");
  f.Json(200, PodJson("p1", "trainer", "EXITED"));
  absl::StatusOr<LivePod> stopped = f.provider->StopPod("p1");
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(PodPhaseWord(stopped->phase), "EXITED");
  // Start: 409, and the pod is in ERROR: RunPod's refusal stands.
  f.ProblemAnswer(409, "Conflict", "Action not valid for current pod status");
  f.Json(200, PodJson("p1", "trainer", "TERMINATED"));
  EXPECT_EQ(f.provider->ResumePod("p1", 1).status(),
            absl::FailedPreconditionError(
                "podAction start: RunPod refused the request (HTTP 409): "
                "Action not valid for current pod status (the pod is "
                "TERMINATED)"));
  EXPECT_THAT(f.Sent(), ElementsAre(R"(POST /pods/p1/action {"action":"stop"})",
                                    "GET /pods/p1",
                                    R"(POST /pods/p1/action {"action":"start"})",
                                    "GET /pods/p1"));
}

TEST(RestProviderTest, MalformedAnswers) {
  RestFixture f;
  f.Json(200, json{{"pods", json::array()}});
  EXPECT_EQ(f.provider->GetPod("p1").status().code(),
            absl::StatusCode::kInternal);
  f.transport->Answer(201, "not json");
  EXPECT_EQ(f.provider->CreateVolume({"m", 10, "EU-RO-1"}).status(),
            absl::InternalError("createNetworkVolume: malformed response from "
                                "RunPod: the body is not JSON"));
  json pod = PodJson("p1", "trainer");
  pod["env"] = json::array({"A=1"});
  f.Json(200, pod);
  EXPECT_EQ(f.provider->GetPod("p1").status(),
            absl::InternalError("getPod: malformed response from RunPod: "
                                "body.env is array, expected an object"));
}

TEST(RestProviderTest, PaginationThatDoesNotAdvanceIsRefused) {
  RestFixture f;
  f.transport->AnswerBy([](const HttpRequest& r) {
    HttpResponse response;
    response.status = 200;
    if (r.path == "/network-volumes") {
      response.body = json{{"networkVolumes", json::array()}}.dump();
    } else if (r.path.rfind("/serverless?", 0) == 0) {
      response.body = EndpointPage({}, "").dump();
    } else {
      response.body = Page({}, "same").dump();
    }
    return response;
  });
  absl::Status status = f.provider->Refresh().status();
  EXPECT_EQ(status,
            absl::InternalError(
                "listPods: malformed response from RunPod: "
                "body.pagination.nextCursor is not a new cursor although "
                "hasNextPage is true"));
  // The volumes, the endpoints, and the first pod page and the one its
  // cursor named, never an endless loop.
  EXPECT_EQ(f.transport->requests().size(), 4u);
}

TEST(RestSchemaTest, RefusesWhatRunPodWouldRefuse) {
  auto request = [](std::string method, std::string path, std::string body) {
    HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    return r;
  };
  EXPECT_TRUE(CheckRestRequest(request(
                                   "POST", "/network-volumes",
                                   R"({"name":"m","size":10,"dataCenter":"X"})"))
                  .ok());
  EXPECT_EQ(
      CheckRestRequest(request(
          "POST", "/pods",
          R"({"name":"p","image":"i","gpu":{"id":"g","memory":4},"bogus":1,"disk":"20"})")),
      absl::InvalidArgumentError(
          "POST /pods: $: unknown member \"bogus\"; $.disk: expected an "
          "integer; $.gpu: unknown member \"memory\""));
  EXPECT_EQ(CheckRestRequest(request("GET", "/pods?limit=5000&page=2", "")),
            absl::InvalidArgumentError(
                "GET /pods: query.limit: 5000 is above 1000; query: unknown "
                "parameter \"page\""));
  EXPECT_EQ(CheckRestRequest(request("PUT", "/pods/p1", "{}")),
            absl::InvalidArgumentError("PUT /pods/p1: not a declared operation"));
  EXPECT_EQ(CheckRestRequest(request("POST", "/pods/p1/action",
                                     R"({"action":"resume"})")),
            absl::InvalidArgumentError(
                "POST /pods/p1/action: $.action: \"resume\" is not one of "
                "[\"start\",\"stop\",\"restart\",\"terminate\"]"));
  EXPECT_EQ(CheckRestRequest(request("PATCH", "/network-volumes/v", "{}")),
            absl::InvalidArgumentError(
                "PATCH /network-volumes/v: $: has too few members"));
}

// Every request the provider sends, through every method, matches the
// declaration (so RunPod's strict bodies never answer 422).
TEST(RestSchemaTest, EveryRequestThePodformClientSendsIsDeclared) {
  RestFixture f;
  f.transport->AnswerBy([](const HttpRequest& r) {
    HttpResponse response;
    response.status = 200;
    if (r.path == "/network-volumes") {
      response.body = json{{"networkVolumes", json::array()}}.dump();
      if (r.method == "POST") {
        response.status = 201;
        response.body = VolumeJson("vol1", "m", 10).dump();
      }
    } else if (r.path.rfind("/network-volumes/", 0) == 0) {
      response.body = VolumeJson("vol1", "m", 10).dump();
      if (r.method == "DELETE") response.status = 204;
    } else if (r.path.rfind("/catalog/gpus?", 0) == 0) {
      response.body = json{{"gpus", json::array()}}.dump();
    } else if (r.path.rfind("/pods?", 0) == 0) {
      response.body = Page({}, r.path.find("cursor") == std::string::npos
                                   ? "next"
                                   : "")
                          .dump();
    } else if (r.path.rfind("/serverless?", 0) == 0) {
      response.body =
          EndpointPage({}, r.path.find("cursor") == std::string::npos ? "n2"
                                                                      : "")
              .dump();
    } else if (r.path.rfind("/serverless", 0) == 0) {
      response.body = EndpointJson("ep1", "embed").dump();
      if (r.method == "POST") response.status = 201;
      if (r.method == "DELETE") response.status = 204;
    } else {
      response.body = PodJson("p1", "trainer").dump();
      if (r.method == "DELETE") response.status = 204;
      if (r.method == "POST" && r.path == "/pods") response.status = 201;
    }
    return response;
  });
  ASSERT_TRUE(f.provider->Refresh().ok());
  ASSERT_TRUE(f.provider->CreateVolume({"m", 10, "EU-RO-1"}).ok());
  ASSERT_TRUE(f.provider->UpdateVolume("vol1", {"n", 20, "EU-RO-1"}).ok());
  ASSERT_TRUE(f.provider->DeleteVolume("vol1").ok());
  ASSERT_TRUE(f.provider->CreatePod(Trainer()).ok());
  PodSpec bare = Trainer();
  bare.network_volume_id = "";
  bare.data_center = "";
  ASSERT_TRUE(f.provider->CreatePod(bare).ok());
  ASSERT_TRUE(f.provider->EditPod("p1", Trainer()).ok());
  ASSERT_TRUE(f.provider->EditPod("p1", bare).ok());
  ASSERT_TRUE(f.provider->StopPod("p1").ok());
  ASSERT_TRUE(f.provider->ResumePod("p1", 1).ok());
  ASSERT_TRUE(f.provider->GetPod("p1").ok());
  ASSERT_TRUE(f.provider->TerminatePod("p1").ok());
  ASSERT_TRUE(f.provider->PodGpuAvailability("SECURE").ok());
  ASSERT_TRUE(f.provider->PodGpuAvailability("COMMUNITY").ok());
  EndpointSpec balancer = Embed();
  balancer.type = "LOAD_BALANCER";
  balancer.scaler_type = "REQUEST_COUNT";
  balancer.scaler_value = 3;
  balancer.network_volume_ids.clear();
  balancer.data_centers.clear();
  for (const EndpointSpec& spec : {Embed(), balancer}) {
    ASSERT_TRUE(f.provider->CreateEndpoint(spec).ok());
    ASSERT_TRUE(f.provider->UpdateEndpoint("ep1", spec).ok());
  }
  ASSERT_TRUE(f.provider->DeleteEndpoint("ep1").ok());
  std::vector<HttpRequest> sent = f.transport->requests();
  // Refresh: 1 volume list, 2 pod pages, 2 endpoint pages.
  EXPECT_EQ(sent.size(), 23u);
  for (const HttpRequest& r : sent) {
    EXPECT_EQ(CheckRestRequest(r), absl::OkStatus());
  }
}

TEST(RestProviderTest, GpuAvailabilityKeepsTheDataCentersThatHaveSome) {
  RestFixture f;
  f.Json(200,
         json{{"gpus",
               {{{"id", "NVIDIA L4"},
                 {"name", "L4"},
                 {"availability", "LOW"},
                 {"dataCenters",
                  {{{"id", "EU-RO-1"}, {"name", "Romania"},
                    {"availability", "LOW"}},
                   {{"id", "US-TX-3"}, {"name", "Texas"},
                    {"availability", "NONE"}}}}},
                {{"id", "NVIDIA H100 80GB HBM3"},
                 {"name", "H100"},
                 {"dataCenters", json::array()}}}}});
  absl::StatusOr<GpuAvailability> got = f.provider->PodGpuAvailability("SECURE");
  ASSERT_TRUE(got.ok()) << got.status();
  GpuAvailability want;
  want.data_centers["NVIDIA L4"] = {"EU-RO-1"};
  want.data_centers["NVIDIA H100 80GB HBM3"] = {};
  EXPECT_EQ(*got, want);
  EXPECT_THAT(f.Sent(),
              ElementsAre("GET /catalog/gpus?include=AVAILABILITY&product=POD"
                          "&cloud=SECURE"));

  f.Json(200, json{{"gpus", {{{"id", "NVIDIA L4"},
                              {"dataCenters", {{{"id", "EU-RO-1"}}}}}}}});
  EXPECT_EQ(f.provider->PodGpuAvailability("SECURE").status(),
            absl::InternalError("listGpuTypes: malformed response from "
                                "RunPod: body.gpus[0].dataCenters[0] lacks id "
                                "or availability"));
}

TEST(RestProviderTest, EndpointRequests) {
  RestFixture f;
  f.Json(201, EndpointJson("ep1", "embed"));
  f.Json(200, EndpointJson("ep1", "embed"));
  f.NoContent();
  absl::StatusOr<LiveEndpoint> made = f.provider->CreateEndpoint(Embed());
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(*made, (LiveEndpoint{"ep1", Embed()}));
  EndpointSpec changed = Embed();
  changed.image = "ghcr.io/acme/embed:1.5";
  changed.env = {{"A", "1"}};
  changed.workers_max = 6;
  changed.gpu_pools = {"ADA_24"};
  changed.gpu_count = 1;
  changed.scaler_value = 4;
  changed.network_volume_ids = {"vol1"};
  changed.data_centers = {"EU-RO-1"};
  changed.timeout_ms = 1000;
  changed.flashboot = "OFF";
  absl::StatusOr<LiveEndpoint> updated =
      f.provider->UpdateEndpoint("ep1", changed);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_TRUE(f.provider->DeleteEndpoint("ep1").ok());
  EXPECT_THAT(
      f.Sent(),
      ElementsAre(
          R"(POST /serverless {"dataCenterIds":["US-KS-2","EU-RO-1"],"env":{"MODEL_DIR":"/runpod-volume/models","TOKEN":"t0k"},"flashboot":"FLASHBOOT","gpu":{"count":2,"pools":["ADA_24","AMPERE_48"]},"image":"ghcr.io/acme/embed:1.4","name":"embed","networkVolumes":["vol2","vol1"],"scaling":{"queueDelay":0.5,"type":"QUEUE_DELAY"},"timeout":600000,"type":"QUEUE","workers":{"idleTimeout":10,"max":3,"min":1}})",
          R"(PATCH /serverless/ep1 {"dataCenterIds":["EU-RO-1"],"env":{"A":"1"},"flashboot":"OFF","gpu":{"count":1,"pools":["ADA_24"]},"image":"ghcr.io/acme/embed:1.5","name":"embed","networkVolumes":["vol1"],"scaling":{"queueDelay":4.0,"type":"QUEUE_DELAY"},"timeout":1000,"workers":{"idleTimeout":10,"max":6,"min":1}})",
          "DELETE /serverless/ep1"));
  EXPECT_THAT(f.transport->replays(),
              ElementsAre(Replay::kForbidden, Replay::kForbidden,
                          Replay::kForbidden));
  for (const HttpRequest& r : f.transport->requests()) {
    EXPECT_EQ(CheckRestRequest(r), absl::OkStatus());
  }
}

TEST(RestProviderTest, EndpointBodiesLeaveOutWhatRunPodWouldRefuse) {
  RestFixture f;
  // A load balancer scaling on request count, without volumes or data
  // centers: created without networkVolumes and dataCenterIds (RunPod
  // places it anywhere); an update clears both with empty lists.
  EndpointSpec balancer = Embed();
  balancer.type = "LOAD_BALANCER";
  balancer.scaler_type = "REQUEST_COUNT";
  balancer.scaler_value = 3;
  balancer.network_volume_ids.clear();
  balancer.data_centers.clear();
  balancer.env.clear();
  // A queue scaling on request count has no idle timeout.
  EndpointSpec queue = balancer;
  queue.type = "QUEUE";
  queue.idle_timeout = 0;
  for (int i = 0; i < 4; ++i) f.Json(200, EndpointJson("ep1", "embed"));
  ASSERT_TRUE(f.provider->CreateEndpoint(balancer).ok());
  ASSERT_TRUE(f.provider->UpdateEndpoint("ep1", balancer).ok());
  ASSERT_TRUE(f.provider->CreateEndpoint(queue).ok());
  ASSERT_TRUE(f.provider->UpdateEndpoint("e/1", queue).ok());
  EXPECT_THAT(
      f.Sent(),
      ElementsAre(
          R"(POST /serverless {"env":{},"flashboot":"FLASHBOOT","gpu":{"count":2,"pools":["ADA_24","AMPERE_48"]},"image":"ghcr.io/acme/embed:1.4","name":"embed","scaling":{"requestCount":3,"type":"REQUEST_COUNT"},"timeout":600000,"type":"LOAD_BALANCER","workers":{"idleTimeout":10,"max":3,"min":1}})",
          R"(PATCH /serverless/ep1 {"dataCenterIds":[],"env":{},"flashboot":"FLASHBOOT","gpu":{"count":2,"pools":["ADA_24","AMPERE_48"]},"image":"ghcr.io/acme/embed:1.4","name":"embed","networkVolumes":[],"scaling":{"requestCount":3,"type":"REQUEST_COUNT"},"timeout":600000,"workers":{"idleTimeout":10,"max":3,"min":1}})",
          R"(POST /serverless {"env":{},"flashboot":"FLASHBOOT","gpu":{"count":2,"pools":["ADA_24","AMPERE_48"]},"image":"ghcr.io/acme/embed:1.4","name":"embed","scaling":{"requestCount":3,"type":"REQUEST_COUNT"},"timeout":600000,"type":"QUEUE","workers":{"max":3,"min":1}})",
          R"(PATCH /serverless/e%2F1 {"dataCenterIds":[],"env":{},"flashboot":"FLASHBOOT","gpu":{"count":2,"pools":["ADA_24","AMPERE_48"]},"image":"ghcr.io/acme/embed:1.4","name":"embed","networkVolumes":[],"scaling":{"requestCount":3,"type":"REQUEST_COUNT"},"timeout":600000,"workers":{"max":3,"min":1}})"));
  for (const HttpRequest& r : f.transport->requests()) {
    EXPECT_EQ(CheckRestRequest(r), absl::OkStatus());
  }
  // What podform cannot say in RunPod's words is refused before sending.
  EndpointSpec bad = Embed();
  bad.scaler_type = "CPU";
  EXPECT_EQ(f.provider->CreateEndpoint(bad).status(),
            absl::InvalidArgumentError(
                "createEndpoint: scaler \"CPU\" is not QUEUE_DELAY or "
                "REQUEST_COUNT"));
  bad = Embed();
  bad.type = "queue";
  EXPECT_EQ(f.provider->UpdateEndpoint("ep1", bad).status(),
            absl::InvalidArgumentError(
                "updateEndpoint: endpoint type \"queue\" is not QUEUE or "
                "LOAD_BALANCER"));
  bad = Embed();
  bad.scaler_type = "REQUEST_COUNT";
  bad.scaler_value = 2.5;
  EXPECT_EQ(f.provider->CreateEndpoint(bad).status(),
            absl::InvalidArgumentError(
                "createEndpoint: REQUEST_COUNT scaling value 2.5 is not a "
                "whole number of requests from 1"));
  bad.scaler_value = 1e300;
  EXPECT_EQ(f.provider->UpdateEndpoint("ep1", bad).status(),
            absl::InvalidArgumentError(
                "updateEndpoint: REQUEST_COUNT scaling value 1e+300 is not a "
                "whole number of requests from 1"));
  bad.scaler_value = 0;
  EXPECT_EQ(f.provider->UpdateEndpoint("ep1", bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad.scaler_type = "QUEUE_DELAY";
  bad.scaler_value = std::nan("");
  EXPECT_EQ(f.provider->CreateEndpoint(bad).status(),
            absl::InvalidArgumentError(
                "createEndpoint: QUEUE_DELAY scaling value nan is not a "
                "number of seconds"));
  EXPECT_EQ(f.transport->requests().size(), 4u);
}

TEST(RestProviderTest, EndpointsInPodformWords) {
  RestFixture f;
  // A load balancer scaling on request count, as RunPod reports one.
  json balancer = EndpointJson("ep2", "lb");
  balancer["type"] = "LOAD_BALANCER";
  balancer["scaling"] = {{"type", "REQUEST_COUNT"}, {"requestCount", 3}};
  balancer["networkVolumes"] = json::array();
  balancer["dataCenterIds"] = json::array();
  balancer["flashboot"] = "PRIORITY_FLASHBOOT";
  f.Json(200, balancer);
  absl::StatusOr<LiveEndpoint> got = f.provider->UpdateEndpoint("ep2", Embed());
  ASSERT_TRUE(got.ok()) << got.status();
  EndpointSpec want = Embed();
  want.name = "lb";
  want.type = "LOAD_BALANCER";
  want.scaler_type = "REQUEST_COUNT";
  want.scaler_value = 3;
  want.network_volume_ids = {};
  want.data_centers = {};
  want.flashboot = "PRIORITY_FLASHBOOT";
  EXPECT_EQ(*got, (LiveEndpoint{"ep2", want}));

  // Only the required members: no type (an endpoint older than types), no
  // container settings, no gpu (a CPU endpoint), no idle timeout (a queue
  // scaling on request count).
  json bare = {{"id", "ep3"},
               {"name", "old"},
               {"workers", {{"min", 0}, {"max", 2}}},
               {"scaling", {{"type", "REQUEST_COUNT"}, {"requestCount", 1}}},
               {"dataCenterIds", json::array()},
               {"networkVolumes", json::array()},
               {"timeout", 300000},
               {"flashboot", "OFF"},
               {"createdAt", "2026-12-05T10:00:00Z"}};
  f.Json(201, bare);
  got = f.provider->CreateEndpoint(Embed());
  ASSERT_TRUE(got.ok()) << got.status();
  EndpointSpec old;
  old.name = "old";
  old.image = "";
  old.type = "QUEUE";
  old.gpu_pools = {};
  old.gpu_count = 0;
  old.workers_min = 0;
  old.workers_max = 2;
  old.idle_timeout = 0;
  old.scaler_type = "REQUEST_COUNT";
  old.scaler_value = 1;
  old.timeout_ms = 300000;
  old.flashboot = "OFF";
  EXPECT_EQ(*got, (LiveEndpoint{"ep3", old}));
  bare["gpu"] = nullptr;
  f.Json(201, bare);
  got = f.provider->CreateEndpoint(Embed());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, (LiveEndpoint{"ep3", old}));
  json counted = bare;
  counted["gpu"] = {{"pools", {"ADA_24"}}};
  f.Json(201, counted);
  got = f.provider->CreateEndpoint(Embed());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->spec.gpu_pools, std::vector<std::string>{"ADA_24"});
  EXPECT_EQ(got->spec.gpu_count, 1);
}

TEST(RestProviderTest, MalformedEndpointsNameWhereTheyAre) {
  struct Case {
    std::function<void(json&)> edit;
    const char* message;
  };
  const Case cases[] = {
      {[](json& e) { e.erase("workers"); },
       "body.endpoints[1].workers is missing"},
      {[](json& e) { e["scaling"] = {{"type", "CPU_UTILIZATION"}}; },
       "body.endpoints[1].scaling.type is \"CPU_UTILIZATION\", not a "
       "scaler podform knows"},
      {[](json& e) { e["scaling"]["queueDelay"] = "4"; },
       "body.endpoints[1].scaling.queueDelay is string, expected a number"},
      {[](json& e) { e["networkVolumes"] = {"vol1", 7}; },
       "body.endpoints[1].networkVolumes[1] is number, expected a string"},
      {[](json& e) { e["timeout"] = 1.5; },
       "body.endpoints[1].timeout is number, expected an integer"},
      {[](json& e) { e["env"]["A"] = 1; },
       "body.endpoints[1].env.A is number, expected a string"},
      {[](json& e) { e["gpu"]["pools"] = "ADA_24"; },
       "body.endpoints[1].gpu.pools is string, expected a list"},
  };
  for (const Case& c : cases) {
    RestFixture f;
    json broken = EndpointJson("ep2", "b");
    c.edit(broken);
    f.transport->AnswerBy([&](const HttpRequest& r) {
      HttpResponse response;
      response.status = 200;
      if (r.path == "/network-volumes") {
        response.body = json{{"networkVolumes", json::array()}}.dump();
      } else if (r.path.rfind("/pods?", 0) == 0) {
        response.body = Page({}, "").dump();
      } else {
        response.body =
            EndpointPage({EndpointJson("ep1", "a"), broken}, "").dump();
      }
      return response;
    });
    EXPECT_EQ(f.provider->Refresh().status(),
              absl::InternalError(absl::StrCat(
                  "listEndpoints: malformed response from RunPod: ",
                  c.message)));
  }
}

TEST(RestProviderTest, RefreshFollowsEndpointPages) {
  RestFixture f;
  f.transport->AnswerBy([](const HttpRequest& r) -> HttpResponse {
    HttpResponse response;
    response.status = 200;
    if (r.path == "/network-volumes") {
      response.body = json{{"networkVolumes", json::array()}}.dump();
    } else if (r.path == "/pods?limit=1000") {
      response.body = Page({}, "").dump();
    } else if (r.path == "/serverless?limit=1000") {
      response.body = EndpointPage({EndpointJson("ep3", "c"),
                                    EndpointJson("ep2", "b")},
                                   "ZW5kcG9pbnRzOjI=")
                          .dump();
    } else if (r.path == "/serverless?limit=1000&cursor=ZW5kcG9pbnRzOjI%3D") {
      response.body =
          EndpointPage({EndpointJson("ep1", "a")}, "ZW5kcG9pbnRzOjE=").dump();
    } else if (r.path == "/serverless?limit=1000&cursor=ZW5kcG9pbnRzOjE%3D") {
      response.body = EndpointPage({}, "").dump();
    } else {
      response.status = 404;
    }
    return response;
  });
  absl::StatusOr<LiveState> live = f.provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  std::vector<std::string> ids;
  for (const LiveEndpoint& e : live->endpoints) ids.push_back(e.id);
  EXPECT_THAT(ids, ElementsAre("ep3", "ep2", "ep1"));
  std::vector<std::string> sent = f.Sent();
  std::sort(sent.begin(), sent.end());
  EXPECT_THAT(
      sent,
      ElementsAre("GET /network-volumes", "GET /pods?limit=1000",
                  "GET /serverless?limit=1000",
                  "GET /serverless?limit=1000&cursor=ZW5kcG9pbnRzOjE%3D",
                  "GET /serverless?limit=1000&cursor=ZW5kcG9pbnRzOjI%3D"));
  for (const HttpRequest& r : f.transport->requests()) {
    EXPECT_EQ(CheckRestRequest(r), absl::OkStatus());
  }
}

TEST(RestProviderTest, EndpointErrorsMapAsPodErrorsDo) {
  RestFixture f;
  f.ProblemAnswer(404, "Not Found", "Endpoint nosuch not found.");
  EXPECT_EQ(f.provider->DeleteEndpoint("nosuch"),
            absl::NotFoundError("deleteEndpoint: not found (HTTP 404): "
                                "Endpoint nosuch not found."));
  f.ProblemAnswer(404, "Not Found", "Endpoint nosuch not found.");
  EXPECT_EQ(f.provider->UpdateEndpoint("nosuch", Embed()).status(),
            absl::NotFoundError("updateEndpoint: not found (HTTP 404): "
                                "Endpoint nosuch not found."));
  f.ProblemAnswer(422, "Unprocessable Entity", "Request validation failed.",
                  {"$.scaling.queueDelay: must be >= 0.5"});
  EXPECT_EQ(f.provider->CreateEndpoint(Embed()).status(),
            absl::InvalidArgumentError(
                "createEndpoint: RunPod found the request invalid (HTTP "
                "422): Request validation failed.; $.scaling.queueDelay: "
                "must be >= 0.5"));
  f.ProblemAnswer(400, "Bad Request",
                  "An endpoint takes at most one network volume per data "
                  "center: vol1 and vol3 are both in EU-RO-1.");
  EXPECT_EQ(f.provider->CreateEndpoint(Embed()).status(),
            absl::FailedPreconditionError(
                "createEndpoint: RunPod refused the request (HTTP 400): An "
                "endpoint takes at most one network volume per data center: "
                "vol1 and vol3 are both in EU-RO-1."));
  f.ProblemAnswer(401, "Unauthorized", "invalid key " + std::string(kSecret));
  EXPECT_EQ(f.provider->DeleteEndpoint("ep1"),
            absl::UnauthenticatedError(
                "deleteEndpoint: RunPod rejected the API key (HTTP 401): "
                "check RUNPOD_API_KEY"));
  // 4xx answers are final: none was sent twice.
  EXPECT_EQ(f.transport->requests().size(), 5u);
  EXPECT_EQ(f.transport->unanswered(), 0u);
}

TEST(RestProviderTest, EndpointRateLimitedIsResentAndUnknownOutcomeIsNot) {
  RestFixture f;
  // 429: certainly not processed, sent again after Retry-After.
  f.ProblemAnswer(429, "Too Many Requests",
                  "rate limit exceeded for the minute window", {}, "7");
  f.Json(201, EndpointJson("ep1", "embed"));
  absl::StatusOr<LiveEndpoint> made = f.provider->CreateEndpoint(Embed());
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_THAT(f.clock.sleeps(), ElementsAre(absl::Seconds(7)));
  EXPECT_EQ(f.transport->requests().size(), 2u);
  EXPECT_EQ(f.transport->requests()[0].body, f.transport->requests()[1].body);
  // A lost answer or a 500 leaves the outcome unknown: never resent.
  f.transport->Answer(absl::DeadlineExceededError("connection reset"));
  EXPECT_EQ(f.provider->CreateEndpoint(Embed()).status(),
            absl::DeadlineExceededError("createEndpoint: connection reset"));
  f.ProblemAnswer(500, "Internal Server Error", "boom");
  EXPECT_EQ(f.provider->UpdateEndpoint("ep1", Embed()).status(),
            absl::DeadlineExceededError(
                "updateEndpoint: HTTP 500 from RunPod: the outcome is "
                "unknown"));
  f.ProblemAnswer(500, "Internal Server Error", "boom");
  EXPECT_EQ(f.provider->DeleteEndpoint("ep1"),
            absl::DeadlineExceededError(
                "deleteEndpoint: HTTP 500 from RunPod: the outcome is "
                "unknown"));
  EXPECT_EQ(f.transport->requests().size(), 5u);
}

// As for pods, no message holds what was sent: a secret env value never
// leaves the provider in an error, and the API key is redacted wherever
// RunPod quotes it.
TEST(RestProviderTest, EndpointErrorsHoldNoSecret) {
  RestFixture f;
  EndpointSpec spec = Embed();
  spec.env["HF_TOKEN"] = "hf_ENV_SECRET_9";
  f.ProblemAnswer(422, "Unprocessable Entity", "Request validation failed.",
                  {"$.gpu.pools: must have at least 1 items"});
  f.ProblemAnswer(400, "Bad Request", "bad key " + std::string(kSecret));
  f.transport->Answer(absl::DeadlineExceededError("timed out"));
  f.ProblemAnswer(500, "Internal Server Error", "boom");
  std::vector<absl::Status> errors = {
      f.provider->CreateEndpoint(spec).status(),
      f.provider->UpdateEndpoint("ep1", spec).status(),
      f.provider->CreateEndpoint(spec).status(),
      f.provider->UpdateEndpoint("ep1", spec).status()};
  EXPECT_EQ(errors[1], absl::FailedPreconditionError(
                           "updateEndpoint: RunPod refused the request (HTTP "
                           "400): bad key [REDACTED]"));
  for (const absl::Status& error : errors) {
    EXPECT_FALSE(error.ok());
    EXPECT_THAT(std::string(error.message()),
                ::testing::Not(::testing::HasSubstr("hf_ENV_SECRET_9")));
    EXPECT_THAT(std::string(error.message()),
                ::testing::Not(::testing::HasSubstr(kSecret)));
  }
  // The secret was sent, where it belongs.
  EXPECT_THAT(f.transport->requests()[0].body,
              ::testing::HasSubstr(R"("HF_TOKEN":"hf_ENV_SECRET_9")"));
}

TEST(RestSchemaTest, ScalerValuesAreNumbers) {
  auto patch = [](const std::string& scaling) {
    HttpRequest r;
    r.method = "PATCH";
    r.path = "/serverless/ep1";
    r.body = R"({"scaling":)" + scaling + "}";
    return r;
  };
  EXPECT_EQ(CheckRestRequest(patch(R"({"type":"QUEUE_DELAY","queueDelay":0.5})")),
            absl::OkStatus());
  EXPECT_EQ(CheckRestRequest(patch(R"({"type":"QUEUE_DELAY","queueDelay":4})")),
            absl::OkStatus());
  EXPECT_EQ(
      CheckRestRequest(patch(R"({"type":"QUEUE_DELAY","queueDelay":0.25})")),
      absl::InvalidArgumentError(
          "PATCH /serverless/ep1: $.scaling.queueDelay: 0.25 is below 0.5"));
  EXPECT_EQ(
      CheckRestRequest(patch(R"({"type":"QUEUE_DELAY","queueDelay":"4"})")),
      absl::InvalidArgumentError(
          "PATCH /serverless/ep1: $.scaling.queueDelay: expected a number"));
  EXPECT_EQ(
      CheckRestRequest(
          patch(R"({"type":"REQUEST_COUNT","requestCount":2.5})")),
      absl::InvalidArgumentError("PATCH /serverless/ep1: "
                                 "$.scaling.requestCount: expected an "
                                 "integer"));
  HttpRequest create;
  create.method = "POST";
  create.path = "/serverless";
  create.body =
      R"({"name":"e","type":"QUEUE","image":"i","gpu":{"pools":[]},"scaling":{"type":"QUEUE_DELAY","queueDelay":1}})";
  EXPECT_EQ(CheckRestRequest(create),
            absl::InvalidArgumentError(
                "POST /serverless: $.gpu.pools: fewer than 1 items"));
  create.body = R"({"name":"e","image":"i","scaling":{"type":"QUEUE_DELAY","queueDelay":1}})";
  EXPECT_EQ(CheckRestRequest(create),
            absl::InvalidArgumentError(
                "POST /serverless: $: missing member \"type\""));
}

TEST(RestProviderTest, MakeRestProviderNeedsATransport) {
  EXPECT_EQ(MakeRestProvider(nullptr).status(),
            absl::InvalidArgumentError("MakeRestProvider: no transport"));
}

}  // namespace
}  // namespace podform
