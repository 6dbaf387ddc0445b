// GraphQLProvider against the sandbox: in process, and over loopback HTTP
// with the libcurl transport.

#include <atomic>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/client/curl_transport.h"
#include "reconciler/client/graphql_provider.h"
#include "reconciler/sandbox/in_process_transport.h"
#include "reconciler/sandbox/server.h"
#include "reconciler/sandbox/service.h"

namespace podform {
namespace {

using ::testing::ElementsAre;

constexpr char kGpu[] = "NVIDIA A100 80GB PCIe";
constexpr char kKey[] = "sandbox-key-7f3a";

std::shared_ptr<sandbox::SandboxService> NewService(
    sandbox::FaultOptions faults = {}, std::string api_key = kKey) {
  sandbox::ServiceOptions options;
  options.api_key = std::move(api_key);
  options.faults = faults;
  if (!options.faults.seed) options.faults.seed = 1234;
  absl::StatusOr<std::unique_ptr<sandbox::SandboxService>> service =
      sandbox::SandboxService::Create(std::move(options));
  EXPECT_TRUE(service.ok()) << service.status();
  return service.ok()
             ? std::shared_ptr<sandbox::SandboxService>(std::move(*service))
             : nullptr;
}

// Retries without real waiting.
GraphQLProviderOptions NoWaiting() {
  GraphQLProviderOptions options;
  options.retry.sleep = [](absl::Duration) {};
  options.retry.seed = 99;
  options.retry.max_attempts = 50;
  return options;
}

std::unique_ptr<Provider> InProcess(
    std::shared_ptr<sandbox::SandboxService> service,
    GraphQLProviderOptions options = NoWaiting(),
    const std::string& key = kKey) {
  absl::StatusOr<std::unique_ptr<Provider>> provider = MakeGraphQLProvider(
      std::make_unique<sandbox::InProcessTransport>(std::move(service), key),
      std::move(options));
  EXPECT_TRUE(provider.ok()) << provider.status();
  return provider.ok() ? std::move(*provider) : nullptr;
}

PodSpec Trainer(const std::string& volume_id) {
  PodSpec spec;
  spec.name = "trainer";
  spec.image = "runpod/pytorch:2.4.0";
  spec.gpu_type = kGpu;
  spec.gpu_count = 1;
  spec.cloud_type = "SECURE";
  spec.data_center = "EU-RO-1";
  spec.network_volume_id = volume_id;
  spec.mount_path = "/models";
  spec.container_disk_gb = 30;
  spec.ports = {"8888/http", "22/tcp"};
  spec.env = {{"HF_HOME", "/models/hf"}, {"TOKEN", "a=b"}};
  spec.docker_args = "sleep infinity";
  return spec;
}

// What a live pod reports of `spec` (RunPod does not report the data center
// or cloud type).
PodSpec Reported(PodSpec spec) {
  spec.data_center.clear();
  spec.cloud_type.clear();
  return spec;
}

TEST(SandboxTest, CreateListUpdateDeleteRoundTrip) {
  std::unique_ptr<Provider> provider = InProcess(NewService());
  ASSERT_NE(provider, nullptr);

  absl::StatusOr<LiveState> live = provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_TRUE(live->volumes.empty());
  EXPECT_TRUE(live->pods.empty());

  absl::StatusOr<LiveVolume> volume =
      provider->CreateVolume({"models", 100, "EU-RO-1"});
  ASSERT_TRUE(volume.ok()) << volume.status();
  EXPECT_FALSE(volume->id.empty());
  EXPECT_EQ(volume->spec, (VolumeSpec{"models", 100, "EU-RO-1"}));

  absl::StatusOr<LiveVolume> grown =
      provider->UpdateVolume(volume->id, {"ml-models", 250, "EU-RO-1"});
  ASSERT_TRUE(grown.ok()) << grown.status();
  EXPECT_EQ(*grown, (LiveVolume{volume->id, {"ml-models", 250, "EU-RO-1"}}));

  EXPECT_EQ(provider->UpdateVolume(volume->id, {"ml-models", 200, "EU-RO-1"})
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);

  PodSpec spec = Trainer(volume->id);
  absl::StatusOr<LivePod> pod = provider->CreatePod(spec);
  ASSERT_TRUE(pod.ok()) << pod.status();
  EXPECT_EQ(pod->spec, Reported(spec));
  EXPECT_EQ(pod->status, PodStatus::kRunning);

  live = provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_THAT(live->volumes, ElementsAre(*grown));
  ASSERT_EQ(live->pods.size(), 1u);
  EXPECT_EQ(live->pods[0].id, pod->id);
  EXPECT_EQ(live->pods[0].spec, Reported(spec));
  EXPECT_GT(live->pods[0].cost_per_hr, 0);

  PodSpec edited = spec;
  edited.image = "runpod/pytorch:2.5.0";
  edited.env = {{"HF_HOME", "/models/cache"}};
  edited.ports = {"22/tcp"};
  edited.container_disk_gb = 40;
  edited.docker_args = "";
  edited.mount_path = "/data";
  absl::StatusOr<LivePod> after_edit = provider->EditPod(pod->id, edited);
  ASSERT_TRUE(after_edit.ok()) << after_edit.status();
  EXPECT_EQ(after_edit->spec, Reported(edited));

  absl::StatusOr<LivePod> stopped = provider->StopPod(pod->id);
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(stopped->status, PodStatus::kExited);
  EXPECT_FALSE(stopped->spec.running);
  absl::StatusOr<LivePod> resumed = provider->ResumePod(pod->id, 1);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->status, PodStatus::kRunning);
  EXPECT_TRUE(resumed->spec.running);

  EXPECT_EQ(provider->DeleteVolume(volume->id),
            absl::FailedPreconditionError(
                "deleteNetworkVolume: You must remove this network volume "
                "from all pods before deleting it."));

  EXPECT_TRUE(provider->TerminatePod(pod->id).ok());
  EXPECT_EQ(provider->TerminatePod(pod->id),
            absl::NotFoundError("podTerminate: pod not found to terminate"));
  EXPECT_EQ(provider->StopPod(pod->id).status().code(),
            absl::StatusCode::kNotFound);

  EXPECT_TRUE(provider->DeleteVolume(volume->id).ok());
  EXPECT_EQ(provider->DeleteVolume(volume->id).code(),
            absl::StatusCode::kNotFound);
  live = provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_TRUE(live->volumes.empty());
  EXPECT_TRUE(live->pods.empty());
}

TEST(SandboxTest, ConcurrentCallsFromSeveralThreads) {
  std::unique_ptr<Provider> provider = InProcess(NewService());
  constexpr int kThreads = 8;
  std::vector<std::string> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      absl::StatusOr<LiveVolume> volume =
          provider->CreateVolume({"v" + std::to_string(t), 10 + t, "EU-RO-1"});
      if (volume.ok()) ids[t] = volume->id;
      PodSpec spec = Trainer("");
      spec.name = "p" + std::to_string(t);
      absl::StatusOr<LivePod> pod = provider->CreatePod(spec);
      if (pod.ok()) provider->StopPod(pod->id).IgnoreError();
    });
  }
  for (std::thread& thread : threads) thread.join();
  absl::StatusOr<LiveState> live = provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  ASSERT_EQ(live->volumes.size(), size_t{kThreads});
  ASSERT_EQ(live->pods.size(), size_t{kThreads});
  std::set<std::string> distinct(ids.begin(), ids.end());
  EXPECT_EQ(distinct.size(), size_t{kThreads});
  for (const LivePod& pod : live->pods) {
    EXPECT_EQ(pod.status, PodStatus::kExited) << pod.id;
    EXPECT_EQ(pod.spec.gpu_type, kGpu) << pod.id;
  }
}

TEST(SandboxTest, NoCapacityIsResourceExhausted) {
  std::shared_ptr<sandbox::SandboxService> service = NewService();
  {
    auto lock = service->store().Lock();
    service->store().account().SetCapacity("EU-RO-1", kGpu, 1);
  }
  std::unique_ptr<Provider> provider = InProcess(service);
  PodSpec spec = Trainer("");
  ASSERT_TRUE(provider->CreatePod(spec).ok());
  spec.name = "second";
  EXPECT_EQ(provider->CreatePod(spec).status(),
            absl::ResourceExhaustedError(
                "podFindAndDeployOnDemand: There are no longer any instances "
                "available with the requested specifications. Please refresh "
                "and try again."));
}

TEST(SandboxTest, WrongKeyIsUnauthenticated) {
  std::unique_ptr<Provider> provider =
      InProcess(NewService(), NoWaiting(), "not-the-key");
  EXPECT_EQ(provider->Refresh().status(),
            absl::UnauthenticatedError(
                "refresh: RunPod rejected the API key (HTTP 401): check "
                "RUNPOD_API_KEY"));
}

TEST(SandboxTest, RetriesThroughFailuresAndRateLimits) {
  sandbox::FaultOptions faults;
  faults.fail_rate = 0.4;
  faults.seed = 5;
  std::shared_ptr<sandbox::SandboxService> service = NewService(faults);
  std::atomic<int> rate_limited{0};
  GraphQLProviderOptions options = NoWaiting();
  options.retry.on_rate_limited = [&] { rate_limited++; };
  std::unique_ptr<Provider> provider = InProcess(service, options);
  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<LiveVolume> volume =
        provider->CreateVolume({"v" + std::to_string(i), 10, "EU-RO-1"});
    ASSERT_TRUE(volume.ok()) << volume.status();
  }
  absl::StatusOr<LiveState> live = provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(live->volumes.size(), 10u);  // none lost, none duplicated
  EXPECT_EQ(rate_limited.load(), 0);

  sandbox::FaultOptions limited;
  limited.rate_limit = 1;
  std::shared_ptr<sandbox::SandboxService> slow = NewService(limited);
  // Real (short) waits: the sandbox's bucket refills in real time.
  GraphQLProviderOptions waiting;
  waiting.retry.on_rate_limited = [&] { rate_limited++; };
  waiting.retry.seed = 3;
  std::unique_ptr<Provider> patient = InProcess(slow, waiting);
  ASSERT_TRUE(patient->Refresh().ok());
  absl::StatusOr<LiveState> second = patient->Refresh();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_GE(rate_limited.load(), 1);
}

TEST(SandboxTest, DroppedAnswerIsNeverResent) {
  sandbox::FaultOptions faults;
  faults.drop_after_commit = 1.0;
  std::unique_ptr<Provider> provider = InProcess(NewService(faults));
  absl::StatusOr<LiveVolume> volume =
      provider->CreateVolume({"once", 10, "EU-RO-1"});
  EXPECT_EQ(volume.status().code(), absl::StatusCode::kDeadlineExceeded)
      << volume.status();
  absl::StatusOr<LiveState> live = provider->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  ASSERT_EQ(live->volumes.size(), 1u);  // created exactly once
  EXPECT_EQ(live->volumes[0].spec, (VolumeSpec{"once", 10, "EU-RO-1"}));
}

TEST(SandboxTest, OverLoopbackHttpWithCurl) {
  sandbox::FaultOptions faults;
  faults.drop_after_commit = 1.0;
  std::shared_ptr<sandbox::SandboxService> service = NewService(faults);
  sandbox::SandboxServer server(service.get());
  ASSERT_TRUE(server.Bind("127.0.0.1", 0).ok());
  server.Start();
  std::string url =
      "http://127.0.0.1:" + std::to_string(server.port()) + "/graphql";
  absl::StatusOr<std::unique_ptr<Transport>> transport =
      MakeCurlTransport(url, kKey);
  ASSERT_TRUE(transport.ok()) << transport.status();
  absl::StatusOr<std::unique_ptr<Provider>> provider =
      MakeGraphQLProvider(std::move(*transport), NoWaiting());
  ASSERT_TRUE(provider.ok()) << provider.status();

  // The server closes the connection instead of answering the committed
  // mutation: the outcome is unknown, and the mutation is not resent.
  EXPECT_EQ((*provider)->CreateVolume({"http", 20, "EU-SE-1"}).status(),
            absl::DeadlineExceededError(
                "createNetworkVolume: POST " + url +
                ": Server returned nothing (no headers, no data); the request "
                "was sent but no complete answer arrived, so its outcome is "
                "unknown"));
  absl::StatusOr<LiveState> live = (*provider)->Refresh();
  ASSERT_TRUE(live.ok()) << live.status();
  ASSERT_EQ(live->volumes.size(), 1u);
  EXPECT_EQ(live->volumes[0].spec, (VolumeSpec{"http", 20, "EU-SE-1"}));
  // Close the client's kept-alive connection first, so the server stops at
  // once instead of waiting for it to time out.
  provider->reset();
  server.Stop();
}

}  // namespace
}  // namespace podform
