// RestProvider over a recording fake transport: the exact requests it sends
// (method, path, body) and how it reads RunPod-shaped answers.

#include "reconciler/client/rest_provider.h"

#include <algorithm>
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
                                "GET /pods?limit=1000&cursor=c%2F2%2B"));
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
  EXPECT_EQ(p1.desired_status, "RUNNING");
  EXPECT_EQ(p1.phase, "RUNNING");
  EXPECT_DOUBLE_EQ(p1.cost_per_hr, 3.28);
  const LivePod& p2 = live->pods[1];
  EXPECT_EQ(p2.desired_status, "EXITED");
  EXPECT_FALSE(p2.spec.running);
  EXPECT_EQ(p2.spec.network_volume_id, "");
  EXPECT_EQ(p2.spec.mount_path, "");
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
    EXPECT_EQ(pod->desired_status, c.desired) << c.phase;
    EXPECT_EQ(pod->phase, c.phase);
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
  EXPECT_EQ(made->phase, "PROVISIONING");
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
  EXPECT_EQ(stopped->phase, "EXITED");
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
    response.body = r.path == "/network-volumes"
                        ? json{{"networkVolumes", json::array()}}.dump()
                        : Page({}, "same").dump();
    return response;
  });
  absl::Status status = f.provider->Refresh().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  // The first page and the one its cursor named, never an endless loop.
  EXPECT_EQ(f.transport->requests().size(), 3u);
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
  std::vector<HttpRequest> sent = f.transport->requests();
  EXPECT_EQ(sent.size(), 16u);
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

TEST(RestProviderTest, MakeRestProviderNeedsATransport) {
  EXPECT_EQ(MakeRestProvider(nullptr).status(),
            absl::InvalidArgumentError("MakeRestProvider: no transport"));
}

}  // namespace
}  // namespace podform
