// RunPod's rules on the account, without GraphQL.

#include "reconciler/sandbox/account.h"

#include <regex>
#include <set>

#include "gtest/gtest.h"
#include "reconciler/sandbox/views.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace podform::sandbox {
namespace {

using testing::FakeClock;
using testing::kT0;

constexpr char kA6000[] = "NVIDIA RTX A6000";

class AccountTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  Account account_{7, clock_.AsClock()};

  NetworkVolume MakeVolume(const std::string& dc = "EU-RO-1",
                           int64_t size = 100) {
    auto v = account_.CreateVolume({"models", size, dc});
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : NetworkVolume{};
  }

  DeployPodRequest PodRequest() {
    DeployPodRequest req;
    req.name = "trainer";
    req.image_name = "runpod/pytorch";
    req.gpu_type_id = kA6000;
    req.cloud_type = "SECURE";
    req.data_center_id = "EU-RO-1";
    return req;
  }

  Pod MakePod(DeployPodRequest req) {
    auto p = account_.DeployPod(req);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : Pod{};
  }
};

void ExpectError(const absl::Status& status, absl::StatusCode code,
                 const std::string& message) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_EQ(status.message(), message);
}

TEST_F(AccountTest, VolumeIdsLookLikeRunPodsAndNamesNeedNotBeUnique) {
  NetworkVolume a = MakeVolume();
  NetworkVolume b = MakeVolume();
  EXPECT_TRUE(std::regex_match(a.id, std::regex("[a-z0-9]{10}"))) << a.id;
  EXPECT_TRUE(std::regex_match(b.id, std::regex("[a-z0-9]{10}"))) << b.id;
  EXPECT_NE(a.id, b.id);
  EXPECT_EQ(a.name, "models");
  EXPECT_EQ(b.name, "models");
  EXPECT_EQ(a.size_gb, 100);
  EXPECT_EQ(a.data_center_id, "EU-RO-1");
  ASSERT_EQ(account_.volumes().size(), 2u);
  EXPECT_EQ(account_.volumes().front().id, a.id);  // creation order
}

TEST_F(AccountTest, VolumeSizeMustBeTenToFourThousand) {
  ExpectError(account_.CreateVolume({"v", 9, "EU-RO-1"}).status(),
              absl::StatusCode::kInvalidArgument,
              "Network volume size must be between 10 and 4000 GB (got 9).");
  ExpectError(account_.CreateVolume({"v", 4001, "EU-RO-1"}).status(),
              absl::StatusCode::kInvalidArgument,
              "Network volume size must be between 10 and 4000 GB (got "
              "4001).");
  ExpectError(account_.CreateVolume({"v", std::nullopt, "EU-RO-1"}).status(),
              absl::StatusCode::kInvalidArgument,
              "Network volume size is required (10 to 4000 GB).");
  EXPECT_TRUE(account_.CreateVolume({"v", 10, "EU-RO-1"}).ok());
  EXPECT_TRUE(account_.CreateVolume({"v", 4000, "EU-RO-1"}).ok());
  EXPECT_EQ(account_.volumes().size(), 2u);
}

TEST_F(AccountTest, UnknownDataCenterIsRefused) {
  ExpectError(account_.CreateVolume({"v", 10, "MARS-1"}).status(),
              absl::StatusCode::kInvalidArgument,
              "Data center MARS-1 does not exist.");
  DeployPodRequest req = PodRequest();
  req.data_center_id = "MARS-1";
  ExpectError(account_.DeployPod(req).status(),
              absl::StatusCode::kInvalidArgument,
              "Data center MARS-1 does not exist.");
  EXPECT_TRUE(account_.volumes().empty());
  EXPECT_TRUE(account_.pods().empty());
}

TEST_F(AccountTest, VolumesGrowAndRenameButNeverShrink) {
  NetworkVolume v = MakeVolume("EU-RO-1", 100);
  auto grown = account_.UpdateVolume({v.id, "renamed", 200});
  ASSERT_TRUE(grown.ok()) << grown.status();
  EXPECT_EQ(grown->size_gb, 200);
  EXPECT_EQ(grown->name, "renamed");
  EXPECT_EQ(grown->id, v.id);
  EXPECT_EQ(grown->data_center_id, "EU-RO-1");
  // Same size is fine; a shrink is refused and changes nothing (not even
  // the name sent along with it).
  EXPECT_TRUE(account_.UpdateVolume({v.id, std::nullopt, 200}).ok());
  ExpectError(account_.UpdateVolume({v.id, "other", 150}).status(),
              absl::StatusCode::kFailedPrecondition,
              "Network volume size can only be increased (from 200 GB to 150 "
              "GB requested).");
  ExpectError(account_.UpdateVolume({v.id, std::nullopt, 4001}).status(),
              absl::StatusCode::kInvalidArgument,
              "Network volume size must be between 10 and 4000 GB (got "
              "4001).");
  EXPECT_EQ(account_.FindVolume(v.id)->size_gb, 200);
  EXPECT_EQ(account_.FindVolume(v.id)->name, "renamed");
  ExpectError(account_.UpdateVolume({"nosuchvol1", "x", 20}).status(),
              absl::StatusCode::kNotFound,
              "Network volume nosuchvol1 not found.");
}

TEST_F(AccountTest, PodIdsLookLikeRunPodsAndFieldsAreFilledIn) {
  DeployPodRequest req = PodRequest();
  req.gpu_count = 2;
  req.env = std::vector<EnvVar>{{"A", "b"}, {"HF_HOME", "/workspace/hf"}};
  req.ports = "8888/http,22/tcp";
  Pod pod = MakePod(req);
  EXPECT_TRUE(std::regex_match(pod.id, std::regex("[a-z0-9]{14}"))) << pod.id;
  EXPECT_TRUE(std::regex_match(pod.machine_id, std::regex("[a-z0-9]{12}")));
  EXPECT_TRUE(std::regex_match(pod.pod_host_id,
                               std::regex(pod.id + "-[0-9a-f]{8}")));
  EXPECT_EQ(pod.desired_status, "RUNNING");
  EXPECT_EQ(pod.gpu_count, 2);
  EXPECT_EQ(pod.cloud_type, "SECURE");
  EXPECT_EQ(pod.data_center_id, "EU-RO-1");
  EXPECT_EQ(pod.volume_mount_path, "/workspace");
  EXPECT_EQ(pod.container_disk_in_gb, 20);
  EXPECT_EQ(pod.vcpu_count, 16);
  EXPECT_EQ(pod.memory_in_gb, 192);  // 2 x (2 x 48 GB)
  EXPECT_EQ(pod.ports, "8888/http,22/tcp");
  EXPECT_EQ(pod.last_status_change,
            "Rented by User: Fri Feb 09 2024 14:01:47 GMT+0000 (Coordinated "
            "Universal Time)");
  EXPECT_DOUBLE_EQ(PodCostPerHr(pod), 0.98);  // 2 x $0.49 Secure
  EXPECT_EQ(account_.GpusInUse("EU-RO-1", kA6000), 2);
}

TEST_F(AccountTest, CostPerHrUsesTheCloudTypesPrice) {
  DeployPodRequest req = PodRequest();
  req.cloud_type = "COMMUNITY";
  req.gpu_count = 3;
  EXPECT_DOUBLE_EQ(PodCostPerHr(MakePod(req)), 0.99);  // 3 x $0.33
  // ALL without a volume: the cheaper Community Cloud.
  req.cloud_type = "ALL";
  req.gpu_count = 1;
  Pod all = MakePod(req);
  EXPECT_EQ(all.cloud_type, "COMMUNITY");
  // null cloudType is ALL.
  req.cloud_type.reset();
  EXPECT_EQ(MakePod(req).cloud_type, "COMMUNITY");
}

TEST_F(AccountTest, PodWithVolumeTakesTheVolumesDataCenter) {
  NetworkVolume v = MakeVolume("US-TX-3");
  DeployPodRequest req = PodRequest();
  req.data_center_id.reset();
  req.network_volume_id = v.id;
  req.cloud_type = "ALL";
  Pod pod = MakePod(req);
  EXPECT_EQ(pod.data_center_id, "US-TX-3");
  EXPECT_EQ(pod.network_volume_id, v.id);
  EXPECT_EQ(pod.cloud_type, "SECURE");
  EXPECT_EQ(account_.PodsUsingVolume(v.id), 1);
}

TEST_F(AccountTest, PodWithVolumeMustBeInItsDataCenterAndSecure) {
  NetworkVolume v = MakeVolume("US-TX-3");
  DeployPodRequest req = PodRequest();  // EU-RO-1
  req.network_volume_id = v.id;
  ExpectError(account_.DeployPod(req).status(),
              absl::StatusCode::kInvalidArgument,
              "The pod's data center EU-RO-1 does not match its network "
              "volume's data center US-TX-3.");
  req.data_center_id = "US-TX-3";
  req.cloud_type = "COMMUNITY";
  ExpectError(account_.DeployPod(req).status(),
              absl::StatusCode::kInvalidArgument,
              "Network volumes are only available on Secure Cloud.");
  req.network_volume_id = "nosuchvol1";
  ExpectError(account_.DeployPod(req).status(), absl::StatusCode::kNotFound,
              "Network volume nosuchvol1 not found.");
  EXPECT_TRUE(account_.pods().empty());
  EXPECT_EQ(account_.PodsUsingVolume(v.id), 0);
}

TEST_F(AccountTest, PodInputIsChecked) {
  DeployPodRequest req = PodRequest();
  req.image_name.reset();
  ExpectError(account_.DeployPod(req).status(),
              absl::StatusCode::kInvalidArgument, "imageName is required.");
  req = PodRequest();
  req.gpu_type_id.reset();
  ExpectError(account_.DeployPod(req).status(),
              absl::StatusCode::kInvalidArgument, "gpuTypeId is required.");
  req = PodRequest();
  req.gpu_type_id = "NVIDIA Voodoo 2";
  ExpectError(account_.DeployPod(req).status(),
              absl::StatusCode::kInvalidArgument,
              "GPU type NVIDIA Voodoo 2 does not exist.");
  req = PodRequest();
  req.gpu_count = 0;
  ExpectError(account_.DeployPod(req).status(),
              absl::StatusCode::kInvalidArgument,
              "gpuCount must be between 1 and 8 (got 0).");
  req.gpu_count = 9;
  ExpectError(account_.DeployPod(req).status(),
              absl::StatusCode::kInvalidArgument,
              "gpuCount must be between 1 and 8 (got 9).");
  req = PodRequest();
  req.container_disk_in_gb = -1;
  ExpectError(account_.DeployPod(req).status(),
              absl::StatusCode::kInvalidArgument,
              "containerDiskInGb must not be negative (got -1).");
  req = PodRequest();
  req.ports = "8888/http,ssh";
  ExpectError(account_.DeployPod(req).status(),
              absl::StatusCode::kInvalidArgument,
              "Invalid ports \"8888/http,ssh\": expected a comma-separated "
              "list like \"8888/http,22/tcp\".");
  EXPECT_TRUE(account_.pods().empty());
  EXPECT_EQ(account_.GpusInUse("EU-RO-1", kA6000), 0);
}

TEST_F(AccountTest, DeletingAVolumeInUseIsRefusedUntilItsPodsAreGone) {
  NetworkVolume v = MakeVolume();
  DeployPodRequest req = PodRequest();
  req.network_volume_id = v.id;
  Pod a = MakePod(req);
  Pod b = MakePod(req);
  ASSERT_TRUE(account_.StopPod(b.id).ok());  // a stopped pod still mounts it
  ExpectError(account_.DeleteVolume(v.id),
              absl::StatusCode::kFailedPrecondition,
              "You must remove this network volume from all pods before "
              "deleting it.");
  ASSERT_TRUE(account_.TerminatePod(a.id).ok());
  ExpectError(account_.DeleteVolume(v.id),
              absl::StatusCode::kFailedPrecondition,
              "You must remove this network volume from all pods before "
              "deleting it.");
  ASSERT_TRUE(account_.TerminatePod(b.id).ok());
  EXPECT_TRUE(account_.DeleteVolume(v.id).ok());
  EXPECT_EQ(account_.FindVolume(v.id), nullptr);
  ExpectError(account_.DeleteVolume(v.id), absl::StatusCode::kNotFound,
              absl::StrCat("Network volume ", v.id, " not found."));
}

TEST_F(AccountTest, CapacityIsFiniteAndReleasedByStopAndTerminate) {
  account_.SetCapacity("EU-RO-1", kA6000, 3);
  DeployPodRequest req = PodRequest();
  req.gpu_count = 2;
  Pod a = MakePod(req);
  req.gpu_count = 1;
  Pod b = MakePod(req);
  EXPECT_EQ(account_.GpusInUse("EU-RO-1", kA6000), 3);
  ExpectError(account_.DeployPod(req).status(),
              absl::StatusCode::kResourceExhausted,
              "There are no longer any instances available with the "
              "requested specifications. Please refresh and try again.");
  // Other GPU types and data centers are unaffected.
  req.data_center_id = "EU-SE-1";
  EXPECT_TRUE(account_.DeployPod(req).ok());
  req.data_center_id = "EU-RO-1";

  ASSERT_TRUE(account_.StopPod(a.id).ok());
  EXPECT_EQ(account_.GpusInUse("EU-RO-1", kA6000), 1);
  Pod c = MakePod(req);  // takes one of the two freed GPUs
  // a needs 2 GPUs, only 1 is free.
  ExpectError(account_.ResumePod(a.id, std::nullopt).status(),
              absl::StatusCode::kResourceExhausted,
              "There are not enough free GPUs on the host machine to start "
              "this pod.");
  EXPECT_EQ(account_.FindPod(a.id)->desired_status, "EXITED");
  // With one GPU it fits.
  auto resumed = account_.ResumePod(a.id, 1);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->gpu_count, 1);
  EXPECT_EQ(resumed->vcpu_count, 8);
  EXPECT_EQ(account_.GpusInUse("EU-RO-1", kA6000), 3);
  ASSERT_TRUE(account_.TerminatePod(b.id).ok());
  ASSERT_TRUE(account_.TerminatePod(c.id).ok());
  EXPECT_EQ(account_.GpusInUse("EU-RO-1", kA6000), 1);
}

TEST_F(AccountTest, UnnamedDataCenterIsOneWithFreeGpus) {
  for (const DataCenterInfo& dc : KnownDataCenters()) {
    account_.SetCapacity(std::string(dc.id), kA6000, 0);
  }
  account_.SetCapacity("EU-CZ-1", kA6000, 1);
  DeployPodRequest req = PodRequest();
  req.data_center_id.reset();
  EXPECT_EQ(MakePod(req).data_center_id, "EU-CZ-1");
  ExpectError(account_.DeployPod(req).status(),
              absl::StatusCode::kResourceExhausted,
              "There are no longer any instances available with the "
              "requested specifications. Please refresh and try again.");
}

TEST_F(AccountTest, StopAndResumeChangeStatus) {
  Pod pod = MakePod(PodRequest());
  clock_.Advance(absl::Minutes(5));
  auto stopped = account_.StopPod(pod.id);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->desired_status, "EXITED");
  EXPECT_EQ(stopped->last_status_change,
            "Exited by User: Fri Feb 09 2024 14:06:47 GMT+0000 (Coordinated "
            "Universal Time)");
  EXPECT_EQ(account_.GpusInUse("EU-RO-1", kA6000), 0);
  // Stopping again changes nothing.
  EXPECT_EQ(account_.StopPod(pod.id)->last_status_change,
            stopped->last_status_change);
  clock_.Advance(absl::Minutes(1));
  auto resumed = account_.ResumePod(pod.id, std::nullopt);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->desired_status, "RUNNING");
  EXPECT_EQ(resumed->started_at, kT0 + absl::Minutes(6));
  EXPECT_EQ(account_.GpusInUse("EU-RO-1", kA6000), 1);
  ExpectError(account_.StopPod("nosuchpod00000").status(),
              absl::StatusCode::kNotFound, "pod not found");
  ExpectError(account_.ResumePod("nosuchpod00000", 1).status(),
              absl::StatusCode::kNotFound, "pod not found");
}

TEST_F(AccountTest, EditChangesThePodInPlaceAndRestartsIt) {
  NetworkVolume v = MakeVolume();
  DeployPodRequest req = PodRequest();
  req.network_volume_id = v.id;
  req.env = std::vector<EnvVar>{{"A", "1"}};
  req.ports = "8888/http";
  Pod pod = MakePod(req);
  clock_.Advance(absl::Hours(1));
  EditPodRequest edit;
  edit.pod_id = pod.id;
  edit.image_name = "runpod/pytorch:2.4";
  edit.container_disk_in_gb = 50;
  edit.docker_args = "sleep infinity";
  edit.env = std::vector<EnvVar>{{"B", "2"}, {"C", "x=y"}};
  edit.ports = "8888/http,22/tcp";
  edit.volume_mount_path = "/data";
  auto edited = account_.EditPod(edit);
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_EQ(edited->id, pod.id);
  EXPECT_EQ(edited->image_name, "runpod/pytorch:2.4");
  EXPECT_EQ(edited->container_disk_in_gb, 50);
  EXPECT_EQ(edited->docker_args, "sleep infinity");
  EXPECT_EQ(edited->env, (std::vector<EnvVar>{{"B", "2"}, {"C", "x=y"}}));
  EXPECT_EQ(edited->ports, "8888/http,22/tcp");
  EXPECT_EQ(edited->volume_mount_path, "/data");
  // Not editable: GPU, cloud, data center, volume.
  EXPECT_EQ(edited->gpu_type_id, kA6000);
  EXPECT_EQ(edited->network_volume_id, v.id);
  EXPECT_EQ(edited->desired_status, "RUNNING");
  EXPECT_EQ(edited->started_at, kT0 + absl::Hours(1));
  EXPECT_EQ(edited->last_status_change,
            "Edited by User: Fri Feb 09 2024 15:01:47 GMT+0000 (Coordinated "
            "Universal Time)");
  // Fields left out keep their values.
  EditPodRequest minimal;
  minimal.pod_id = pod.id;
  minimal.image_name = "runpod/pytorch:2.5";
  minimal.container_disk_in_gb = 40;
  auto again = account_.EditPod(minimal);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->docker_args, "sleep infinity");
  EXPECT_EQ(again->ports, "8888/http,22/tcp");
  EXPECT_EQ(again->env.size(), 2u);
  // A stopped pod is edited but stays stopped.
  ASSERT_TRUE(account_.StopPod(pod.id).ok());
  auto stopped_edit = account_.EditPod(edit);
  ASSERT_TRUE(stopped_edit.ok());
  EXPECT_EQ(stopped_edit->desired_status, "EXITED");
  EXPECT_EQ(stopped_edit->image_name, "runpod/pytorch:2.4");
  edit.pod_id = "nosuchpod00000";
  ExpectError(account_.EditPod(edit).status(), absl::StatusCode::kNotFound,
              "pod not found");
  edit.pod_id = pod.id;
  edit.image_name = "";
  ExpectError(account_.EditPod(edit).status(),
              absl::StatusCode::kInvalidArgument, "imageName is required.");
}

TEST_F(AccountTest, TerminateRemovesThePodAndFreesItsGpus) {
  Pod pod = MakePod(PodRequest());
  ASSERT_TRUE(account_.TerminatePod(pod.id).ok());
  EXPECT_EQ(account_.FindPod(pod.id), nullptr);
  EXPECT_TRUE(account_.pods().empty());
  EXPECT_EQ(account_.GpusInUse("EU-RO-1", kA6000), 0);
  ExpectError(account_.TerminatePod(pod.id), absl::StatusCode::kNotFound,
              "pod not found to terminate");
}

TEST_F(AccountTest, TheSameSeedGivesTheSameIds) {
  FakeClock clock;
  Account a(99, clock.AsClock()), b(99, clock.AsClock()),
      c(100, clock.AsClock());
  EXPECT_EQ(a.profile().id, b.profile().id);
  EXPECT_TRUE(std::regex_match(a.profile().id,
                               std::regex("user_[A-Za-z0-9]{27}")));
  EXPECT_EQ(a.CreateVolume({"v", 10, "EU-RO-1"})->id,
            b.CreateVolume({"v", 10, "EU-RO-1"})->id);
  EXPECT_NE(a.CreateVolume({"v", 10, "EU-RO-1"})->id,
            c.CreateVolume({"v", 10, "EU-RO-1"})->id);
}

TEST_F(AccountTest, ManyIdsAreUnique) {
  std::set<std::string> ids;
  for (int i = 0; i < 2000; ++i) ids.insert(MakeVolume().id);
  EXPECT_EQ(ids.size(), 2000u);
}

}  // namespace
}  // namespace podform::sandbox
