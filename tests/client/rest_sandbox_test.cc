// RestProvider against the sandbox's REST v2 front-end, in process: the
// whole life of a volume and a pod, every request checked against the
// requests podform declares (schema/rest-requests.json), and not one
// answered 422.

#include <memory>
#include <mutex>
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
  EXPECT_EQ(pod->desired_status, "RUNNING");

  PodSpec edited = spec;
  edited.image = "runpod/pytorch:2.5.1";
  edited.env = {{"A", "1"}};
  absl::StatusOr<LivePod> after_edit = s.provider->EditPod(pod->id, edited);
  ASSERT_TRUE(after_edit.ok()) << after_edit.status();
  EXPECT_EQ(after_edit->spec.image, "runpod/pytorch:2.5.1");
  EXPECT_EQ(after_edit->spec.env, edited.env);

  absl::StatusOr<LivePod> stopped = s.provider->StopPod(pod->id);
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(stopped->desired_status, "EXITED");
  // Stopping again: RunPod answers 409, and the pod read back is stopped.
  absl::StatusOr<LivePod> again = s.provider->StopPod(pod->id);
  ASSERT_TRUE(again.ok()) << again.status();
  absl::StatusOr<LivePod> started = s.provider->ResumePod(pod->id, 1);
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(started->desired_status, "RUNNING");

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

}  // namespace
}  // namespace podform
