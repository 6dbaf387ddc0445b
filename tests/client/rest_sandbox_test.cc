// RestProvider against the sandbox's REST v2 front-end, in process: the
// whole life of a volume, a pod and a serverless endpoint, every request
// checked against the requests podform declares
// (schema/rest-requests.json), and not one answered 422 but the one sent
// to see RunPod's answer.

#include <algorithm>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/client/rest_provider.h"
#include "reconciler/client/rest_schema.h"
#include "reconciler/sandbox/in_process_transport.h"
#include "reconciler/sandbox/service.h"

namespace podform {
namespace {

constexpr char kKey[] = "rest-sandbox-key-3c1d";

// Records every request and the status of every answer.
class RecordingTransport : public Transport {
 public:
  explicit RecordingTransport(std::unique_ptr<Transport> inner)
      : inner_(std::move(inner)) {}

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    absl::StatusOr<HttpResponse> response = inner_->Send(request);
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(request);
    statuses_.push_back(response.ok() ? response->status : 0);
    return response;
  }

  std::vector<HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  std::vector<int> statuses() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return statuses_;
  }

 private:
  std::unique_ptr<Transport> inner_;
  mutable std::mutex mutex_;
  std::vector<HttpRequest> requests_;
  std::vector<int> statuses_;
};

struct RestSandbox {
  RestSandbox() {
    sandbox::ServiceOptions options;
    options.api_key = kKey;
    options.faults.seed = 4321;
    absl::StatusOr<std::unique_ptr<sandbox::SandboxService>> made =
        sandbox::SandboxService::Create(std::move(options));
    EXPECT_TRUE(made.ok()) << made.status();
    service = std::move(*made);
    auto recording = std::make_unique<RecordingTransport>(
        std::make_unique<sandbox::InProcessTransport>(
            service, kKey, sandbox::kRestBasePath));
    recorder = recording.get();
    RestProviderOptions provider_options;
    provider_options.retry.sleep = [](absl::Duration) {};
    absl::StatusOr<std::unique_ptr<RestProvider>> p =
        MakeRestProvider(std::move(recording), provider_options);
    EXPECT_TRUE(p.ok()) << p.status();
    provider = std::move(*p);
  }

  std::shared_ptr<sandbox::SandboxService> service;
  RecordingTransport* recorder = nullptr;  // owned by provider
  std::unique_ptr<RestProvider> provider;
};

TEST(RestSandboxTest, AVolumeAndAPodFromCreateToDelete) {
  RestSandbox s;
  ASSERT_NE(s.provider, nullptr);
  absl::StatusOr<LiveState> empty = s.provider->Refresh();
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->volumes.empty());
  EXPECT_TRUE(empty->pods.empty());

  absl::StatusOr<LiveVolume> volume =
      s.provider->CreateVolume({"models", 50, "EU-RO-1"});
  ASSERT_TRUE(volume.ok()) << volume.status();
  EXPECT_EQ(volume->spec, (VolumeSpec{"models", 50, "EU-RO-1", "STANDARD"}));
  absl::StatusOr<LiveVolume> grown =
      s.provider->UpdateVolume(volume->id, {"models", 80, "EU-RO-1"});
  ASSERT_TRUE(grown.ok()) << grown.status();
  EXPECT_EQ(grown->spec.size_gb, 80);

  PodSpec spec;
  spec.name = "trainer";
  spec.image = "runpod/pytorch:2.4.0";
  spec.gpu_type = "NVIDIA RTX A6000";
  spec.gpu_count = 1;
  spec.cloud_type = "SECURE";
  spec.data_center = "EU-RO-1";
  spec.network_volume_id = volume->id;
  spec.mount_path = "/models";
  spec.container_disk_gb = 20;
  spec.ports = {"8888/http", "22/tcp"};
  spec.env = {{"HF_HOME", "/models/hf"}};
  spec.docker_args = "sleep infinity";
  absl::StatusOr<LivePod> pod = s.provider->CreatePod(spec);
  ASSERT_TRUE(pod.ok()) << pod.status();
  EXPECT_EQ(pod->spec.network_volume_id, volume->id);
  EXPECT_EQ(pod->spec.mount_path, "/models");
  EXPECT_EQ(pod->spec.data_center, "EU-RO-1");
  EXPECT_EQ(pod->spec.cloud_type, "SECURE");
  EXPECT_EQ(pod->spec.gpu_type, "NVIDIA RTX A6000");
  EXPECT_EQ(pod->spec.docker_args, "sleep infinity");
  EXPECT_EQ(pod->status, PodStatus::kRunning);

  PodSpec edited = spec;
  edited.image = "runpod/pytorch:2.5.1";
  edited.env = {{"A", "1"}};
  absl::StatusOr<LivePod> after_edit = s.provider->EditPod(pod->id, edited);
  ASSERT_TRUE(after_edit.ok()) << after_edit.status();
  EXPECT_EQ(after_edit->spec.image, "runpod/pytorch:2.5.1");
  EXPECT_EQ(after_edit->spec.env, edited.env);

  absl::StatusOr<LivePod> stopped = s.provider->StopPod(pod->id);
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(stopped->status, PodStatus::kExited);
  // Stopping again: RunPod answers 409, and the pod read back is stopped.
  absl::StatusOr<LivePod> again = s.provider->StopPod(pod->id);
  ASSERT_TRUE(again.ok()) << again.status();
  absl::StatusOr<LivePod> started = s.provider->ResumePod(pod->id, 1);
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(started->status, PodStatus::kRunning);

  absl::StatusOr<LiveState> live = s.provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  ASSERT_EQ(live->pods.size(), 1u);
  EXPECT_EQ(live->pods[0].spec.image, "runpod/pytorch:2.5.1");
  ASSERT_EQ(live->volumes.size(), 1u);

  EXPECT_TRUE(s.provider->TerminatePod(pod->id).ok());
  EXPECT_EQ(s.provider->TerminatePod(pod->id).code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(s.provider->DeleteVolume(volume->id).ok());
  absl::StatusOr<LiveState> gone = s.provider->Refresh();
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_TRUE(gone->volumes.empty());
  EXPECT_TRUE(gone->pods.empty());

  // Every request matches what podform declares, and RunPod's schema (the
  // sandbox's) refused none of them.
  for (const HttpRequest& r : s.recorder->requests()) {
    EXPECT_EQ(CheckRestRequest(r), absl::OkStatus());
  }
  for (int status : s.recorder->statuses()) EXPECT_NE(status, 422);
}

EndpointSpec EmbedEndpoint() {
  EndpointSpec spec;
  spec.name = "embed";
  spec.image = "ghcr.io/acme/embed:1.4";
  spec.type = kEndpointTypeQueue;
  spec.gpu_pools = {"ADA_24", "AMPERE_48"};
  spec.gpu_count = 1;
  spec.workers_min = 0;
  spec.workers_max = 3;
  spec.idle_timeout = 10;
  spec.scaler_type = kScalerQueueDelay;
  spec.scaler_value = 0.5;
  spec.timeout_ms = 600000;
  spec.flashboot = kFlashbootOn;
  spec.env = {{"MODEL_DIR", "/runpod-volume/models"}, {"HF_TOKEN", "hf_x"}};
  return spec;
}

// The sandbox answers every endpoint request as RunPod would, and what
// comes back (create, update, refresh) is exactly what was sent.
TEST(RestSandboxTest, AnEndpointFromCreateToDelete) {
  RestSandbox s;
  ASSERT_NE(s.provider, nullptr);
  absl::StatusOr<LiveVolume> eu =
      s.provider->CreateVolume({"models-eu", 50, "EU-RO-1"});
  ASSERT_TRUE(eu.ok()) << eu.status();
  absl::StatusOr<LiveVolume> us =
      s.provider->CreateVolume({"models-us", 50, "US-KS-2"});
  ASSERT_TRUE(us.ok()) << us.status();

  EndpointSpec spec = EmbedEndpoint();
  spec.network_volume_ids = {us->id, eu->id};
  spec.data_centers = {"US-KS-2", "EU-RO-1"};
  absl::StatusOr<LiveEndpoint> made = s.provider->CreateEndpoint(spec);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_FALSE(made->id.empty());
  EXPECT_EQ(made->spec, spec);
  absl::StatusOr<LiveState> live = s.provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  ASSERT_EQ(live->endpoints.size(), 1u);
  EXPECT_EQ(live->endpoints[0], *made);

  // Everything PATCH can change, changed at once; the volumes' data centers
  // follow the volumes.
  EndpointSpec changed = spec;
  changed.name = "embed-2";
  changed.image = "ghcr.io/acme/embed:1.5";
  changed.env = {{"A", "1"}};
  changed.gpu_pools = {"ADA_24"};
  changed.gpu_count = 2;
  changed.workers_min = 1;
  changed.workers_max = 5;
  changed.idle_timeout = 0;
  changed.scaler_type = kScalerRequestCount;
  changed.scaler_value = 3;
  changed.network_volume_ids = {eu->id};
  changed.data_centers = {"EU-RO-1"};
  changed.timeout_ms = 1000;
  changed.flashboot = kFlashbootOff;
  absl::StatusOr<LiveEndpoint> updated =
      s.provider->UpdateEndpoint(made->id, changed);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(*updated, (LiveEndpoint{made->id, changed}));
  // No volume and no data center: it runs where RunPod places it.
  EndpointSpec loose = changed;
  loose.scaler_type = kScalerQueueDelay;
  loose.scaler_value = 2.5;
  loose.idle_timeout = 30;
  loose.network_volume_ids = {};
  loose.data_centers = {};
  updated = s.provider->UpdateEndpoint(made->id, loose);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(*updated, (LiveEndpoint{made->id, loose}));
  live = s.provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  ASSERT_EQ(live->endpoints.size(), 1u);
  EXPECT_EQ(live->endpoints[0], *updated);

  // RunPod's refusals, in the provider's words.
  absl::StatusOr<LiveVolume> eu2 =
      s.provider->CreateVolume({"models-eu-2", 50, "EU-RO-1"});
  ASSERT_TRUE(eu2.ok()) << eu2.status();
  EndpointSpec twice = spec;
  twice.network_volume_ids = {eu->id, eu2->id};
  twice.data_centers = {"EU-RO-1"};
  EXPECT_EQ(s.provider->CreateEndpoint(twice).status(),
            absl::FailedPreconditionError(
                "createEndpoint: RunPod refused the request (HTTP 400): An "
                "endpoint takes at most one network volume per data center: " +
                eu->id + " and " + eu2->id + " are both in EU-RO-1."));
  EndpointSpec too_eager = spec;
  too_eager.scaler_value = 0.25;
  EXPECT_EQ(s.provider->CreateEndpoint(too_eager).status(),
            absl::InvalidArgumentError(
                "createEndpoint: RunPod found the request invalid (HTTP 422): "
                "Request validation failed.; $.scaling.queueDelay: must be >= "
                "0.5"));
  EXPECT_EQ(s.provider->UpdateEndpoint("nosuchendpoint", spec).status(),
            absl::NotFoundError("updateEndpoint: not found (HTTP 404): "
                                "Endpoint nosuchendpoint not found."));

  EXPECT_TRUE(s.provider->DeleteEndpoint(made->id).ok());
  EXPECT_EQ(s.provider->DeleteEndpoint(made->id),
            absl::NotFoundError("deleteEndpoint: not found (HTTP 404): "
                                "Endpoint " +
                                made->id + " not found."));
  live = s.provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_TRUE(live->endpoints.empty());
  // Its volumes are free to go.
  EXPECT_TRUE(s.provider->DeleteVolume(eu->id).ok());
  EXPECT_TRUE(s.provider->DeleteVolume(us->id).ok());
  EXPECT_TRUE(s.provider->DeleteVolume(eu2->id).ok());

  // Every request but the one podform's declaration also refuses (a queue
  // delay below 0.5) is declared.
  int undeclared = 0;
  for (const HttpRequest& r : s.recorder->requests()) {
    undeclared += !CheckRestRequest(r).ok();
  }
  EXPECT_EQ(undeclared, 1);
}

// More endpoints than one page holds: Refresh follows the sandbox's cursors
// and reads each endpoint once.
TEST(RestSandboxTest, RefreshReadsEveryPageOfEndpoints) {
  RestSandbox s;
  ASSERT_NE(s.provider, nullptr);
  constexpr int kEndpoints = 1001;
  EndpointSpec spec = EmbedEndpoint();
  std::set<std::string> made;
  for (int i = 0; i < kEndpoints; ++i) {
    spec.name = "e" + std::to_string(i);
    absl::StatusOr<LiveEndpoint> e = s.provider->CreateEndpoint(spec);
    ASSERT_TRUE(e.ok()) << e.status();
    made.insert(e->id);
  }
  const size_t before = s.recorder->requests().size();
  absl::StatusOr<LiveState> live = s.provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  std::set<std::string> read;
  for (const LiveEndpoint& e : live->endpoints) read.insert(e.id);
  EXPECT_EQ(live->endpoints.size(), static_cast<size_t>(kEndpoints));
  EXPECT_EQ(read, made);
  // Newest first: the last one made comes first.
  EXPECT_EQ(live->endpoints.front().spec.name, "e1000");
  EXPECT_EQ(live->endpoints.back().spec.name, "e0");
  // The volume list, one page of pods, two pages of endpoints.
  std::vector<std::string> paths;
  std::vector<HttpRequest> sent = s.recorder->requests();
  for (size_t i = before; i < sent.size(); ++i) {
    paths.push_back(sent[i].path.substr(0, sent[i].path.find("&cursor=")));
  }
  std::sort(paths.begin(), paths.end());
  EXPECT_THAT(paths, ::testing::ElementsAre(
                         "/network-volumes", "/pods?limit=1000",
                         "/serverless?limit=1000", "/serverless?limit=1000"));
}

}  // namespace
}  // namespace podform
