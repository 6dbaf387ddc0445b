#include "reconciler/plan/planner.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/plan/steps.h"
#include "reconciler/util/digest.h"
#include "tests/plan/fixtures.h"

namespace podform::testing {
namespace {

using ::testing::ElementsAre;

Plan MustPlan(const World& w, const PlanOptions& options = {}) {
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, options);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *plan : Plan{};
}

absl::Status PlanError(const World& w, const PlanOptions& options = {}) {
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, options);
  EXPECT_FALSE(plan.ok());
  return plan.status();
}

const Change& ChangeFor(const Plan& plan, const Address& address) {
  for (const Change& c : plan.changes) {
    if (c.address == address) return c;
  }
  ADD_FAILURE() << "no change for " << address.ToString();
  static const Change kNone;
  return kNone;
}

// --- creates and no-ops ----------------------------------------------------

TEST(PlannerTest, CreatesVolumesBeforeThePodsThatMountThem) {
  World w;
  w.Desire(MakeVolume("models", 500));
  w.Desire(MakePod("trainer", "models"));
  w.Desire(MakePod("idle", ""));
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan),
              ElementsAre("create volume.models", "create pod.idle",
                          "create pod.trainer deps=volume.models"));
  const Change& trainer = ChangeFor(plan, PodAt("trainer"));
  EXPECT_FALSE(trainer.before.has_value());
  ASSERT_TRUE(trainer.after.has_value());
  Resource expected;
  expected.address = PodAt("trainer");
  expected.pod = MakePod("trainer", "models").spec;
  expected.pod.env.erase("HF_TOKEN");  // a secret is only marked
  expected.pod.network_volume_id = "";
  expected.volume_key = "models";
  expected.secret_env = {"HF_TOKEN"};
  EXPECT_EQ(*trainer.after, expected);
  EXPECT_EQ(trainer.live_fingerprint, "");
  EXPECT_EQ(plan.lineage, kLineage);
  EXPECT_EQ(plan.serial, 7);
  EXPECT_EQ(plan.config_digest, std::string(64, 'c'));
  EXPECT_FALSE(plan.destroy);
  EXPECT_TRUE(plan.HasChanges());
  EXPECT_FALSE(plan.DestroysData());
  EXPECT_EQ(plan.Counts()[Action::kCreate], 3);
  EXPECT_EQ(plan.Counts()[Action::kDelete], 0);
  EXPECT_TRUE(plan.unmanaged.empty());
  EXPECT_TRUE(plan.warnings.empty());
}

TEST(PlannerTest, ConvergedWorldPlansOnlyNoOps) {
  World w;
  w.Converged(MakeVolume("models", 500), "vol-1");
  w.Converged(MakePod("trainer", "models"), "pod-1");
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan), ElementsAre("no-op volume.models id=vol-1",
                                          "no-op pod.trainer id=pod-1"));
  EXPECT_FALSE(plan.HasChanges());
  const Change& trainer = ChangeFor(plan, PodAt("trainer"));
  ASSERT_TRUE(trainer.before.has_value());
  EXPECT_EQ(*trainer.before, *trainer.after);
  EXPECT_EQ(trainer.after->pod.network_volume_id, "vol-1");
  EXPECT_EQ(trainer.live_fingerprint,
            Fingerprint(w.LivePodWithId("pod-1"), {"HF_HOME"}));
  EXPECT_EQ(FingerprintedEnvKeys(trainer), std::set<std::string>{"HF_HOME"});
  EXPECT_THAT(trainer.secret_env_changes, ::testing::IsEmpty());
  EXPECT_EQ(ChangeFor(plan, Vol("models")).live_fingerprint,
            Fingerprint(w.LiveVolumeWithId("vol-1")));
}

// The changes, by address: each change's line of Describe with the reason
// lines under it.
std::map<std::string, std::vector<std::string>> ByAddress(
    const std::vector<std::string>& described) {
  std::map<std::string, std::vector<std::string>> out;
  std::vector<std::string>* last = nullptr;
  for (const std::string& line : described) {
    if (line.rfind("  ", 0) == 0 && last != nullptr) {
      last->push_back(line);
      continue;
    }
    const size_t from = line.find(' ') + 1;
    last = &out[line.substr(from, line.find(' ', from) - from)];
    last->push_back(line);
  }
  return out;
}

// A kind of 512 addresses or more is planned on several threads: the plan
// of 600 volumes and 600 pods, some of them changed, says of each address
// what the plan of that one volume and its pod says alone.
TEST(PlannerTest, ALargePlanSaysOfEachAddressWhatItsOwnPlanSays) {
  constexpr int kPairs = 600;
  auto add_pair = [](World& w, int i) {
    const std::string volume_key = absl::StrCat("v", i);
    DesiredVolume volume = MakeVolume(volume_key, 100);
    DesiredPod pod = MakePod(absl::StrCat("p", i), volume_key);
    w.Converged(volume, absl::StrCat("vol-", i));
    w.Converged(pod, absl::StrCat("pod-", i));
    if (i % 7 == 0) {
      volume.spec.size_gb = 200;  // grows in place
      w.Desire(volume);
    }
    if (i % 11 == 0) {
      pod.spec.image = "runpod/pytorch:2.5.0";  // an update
      w.Desire(pod);
    }
    if (i % 13 == 0) w.RemoveLive(absl::StrCat("pod-", i));  // created again
  };
  World large;
  for (int i = 0; i < kPairs; ++i) add_pair(large, i);
  const std::map<std::string, std::vector<std::string>> planned =
      ByAddress(Describe(MustPlan(large)));
  ASSERT_EQ(planned.size(), 2u * kPairs);
  int changed = 0;
  for (int i = 0; i < kPairs; ++i) {
    World alone;
    add_pair(alone, i);
    for (const auto& [address, lines] : ByAddress(Describe(MustPlan(alone)))) {
      ASSERT_EQ(planned.count(address), 1u) << address;
      EXPECT_EQ(planned.at(address), lines) << address;
      if (lines.front().rfind("no-op ", 0) != 0) ++changed;
    }
  }
  // 86 grown volumes; 55 pod updates and 47 pods gone, 5 of them both.
  EXPECT_EQ(changed, 86 + 55 + 47 - 5);
}

// --- volumes -----------------------------------------------------------------

TEST(PlannerTest, VolumeGrowsInPlace) {
  World w;
  w.Exists(MakeVolume("models", 100), "vol-1");
  w.Desire(MakeVolume("models", 200));
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan),
              ElementsAre("update volume.models id=vol-1",
                          "  # size grows 100 -> 200 GB in place"));
  const Change& c = plan.changes[0];
  EXPECT_EQ(c.before->volume.size_gb, 100);
  EXPECT_EQ(c.after->volume.size_gb, 200);
  EXPECT_FALSE(c.destroys_data);
}

TEST(PlannerTest, VolumeShrinkIsAnErrorNeverAReplacement) {
  World w;
  w.Exists(MakeVolume("models", 500), "vol-1");
  w.Desire(MakeVolume("models", 100));
  absl::Status status = PlanError(w);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "volume.models: size cannot shrink from 500 to 100 GB (RunPod "
            "volumes only grow)");
}

TEST(PlannerTest, VolumeGrownOutsidePodformAsksToSetTheSize) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.LiveVolumeWithId("vol-1").spec.size_gb = 300;
  absl::Status status = PlanError(w);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "volume.models: size is 300 GB live (grown outside podform) but "
            "100 GB in the configuration; RunPod volumes only grow: set "
            "size: 300");

  w.Desire(MakeVolume("models", 300));
  EXPECT_THAT(Describe(MustPlan(w)),
              ElementsAre("no-op volume.models id=vol-1",
                          "  # size changed outside podform (was 300 live)"));
}

TEST(PlannerTest, VolumeRenameIsInPlace) {
  World w;
  w.Exists(MakeVolume("models", 100), "vol-1");
  DesiredVolume renamed = MakeVolume("models", 100);
  renamed.spec.name = "ml-models-v2";
  w.Desire(renamed);
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan),
              ElementsAre("update volume.models id=vol-1",
                          "  # renamed models -> ml-models-v2 in place"));
}

TEST(PlannerTest, ProtectChangeIsRecordedInPlace) {
  World w;
  w.Exists(MakeVolume("models", 100, "EU-RO-1", true), "vol-1");
  w.Desire(MakeVolume("models", 100, "EU-RO-1", false));
  EXPECT_THAT(Describe(MustPlan(w)),
              ElementsAre("update volume.models id=vol-1",
                          "  # protect true -> false (recorded in the lock "
                          "file only)"));
}

TEST(PlannerTest, DataCenterChangeReplacesAnUnprotectedVolume) {
  World w;
  w.Exists(MakeVolume("models", 100, "EU-RO-1", false), "vol-1");
  w.Desire(MakeVolume("models", 100, "EU-SE-1", false));
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan), ElementsAre("replace volume.models id=vol-1 data "
                                          "replace=dataCenter",
                                          "  # dataCenter forces replacement"));
  EXPECT_TRUE(plan.DestroysData());
}

TEST(PlannerTest, AVolumeTypeChangeReplacesTheVolume) {
  World w;
  DesiredVolume fast = MakeVolume("models", 100, "EU-RO-1", false);
  fast.spec.type = "HIGH_PERFORMANCE";
  w.Exists(fast, "vol-1");
  DesiredVolume standard = fast;
  standard.spec.type = "STANDARD";
  w.Desire(standard);
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan),
              ElementsAre("replace volume.models id=vol-1 data replace=type",
                          "  # type forces replacement (a volume's storage "
                          "tier is set when it is created)"));
}

TEST(PlannerTest, AnUndeclaredVolumeTypeTakesWhateverRunPodChose) {
  World w;
  // Recorded without a type; RunPod reports the tier it chose.
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.LiveVolumeWithId("vol-1").spec.type = "STANDARD";
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan), ElementsAre("no-op volume.models id=vol-1"));
  EXPECT_EQ(ChangeFor(plan, Vol("models")).before->volume.type, "STANDARD");

  // Declared afterwards as the tier it has: nothing to do.
  DesiredVolume declared = MakeVolume("models", 100);
  declared.spec.type = "STANDARD";
  w.Desire(declared);
  EXPECT_THAT(Describe(MustPlan(w)),
              ElementsAre("no-op volume.models id=vol-1"));

  // Declared as another tier: a replacement, refused on a protected volume.
  declared.spec.type = "HIGH_PERFORMANCE";
  w.Desire(declared);
  EXPECT_EQ(PlanError(w).message(),
            "volume.models: replacing it (type forces replacement (a volume's "
            "storage tier is set when it is created)) destroys its data; it is "
            "protected: re-run with --allow-destroy volume.models");

  // Not reported (GraphQL) and recorded without one: nothing to compare.
  w.LiveVolumeWithId("vol-1").spec.type = "";
  EXPECT_THAT(Describe(MustPlan(w)),
              ElementsAre("no-op volume.models id=vol-1"));
}

TEST(PlannerTest, ProtectedVolumeReplacementNeedsAllowDestroy) {
  World w;
  w.Exists(MakeVolume("models", 100, "EU-RO-1", true), "vol-1");
  w.Desire(MakeVolume("models", 100, "EU-SE-1", true));
  absl::Status status = PlanError(w);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "volume.models: replacing it (dataCenter forces replacement) "
            "destroys its data; it is protected: re-run with --allow-destroy "
            "volume.models");

  PlanOptions options;
  options.allow_destroy = {Vol("models")};
  EXPECT_THAT(Describe(MustPlan(w, options)),
              ElementsAre("replace volume.models id=vol-1 data "
                          "replace=dataCenter",
                          "  # dataCenter forces replacement"));
}

TEST(PlannerTest, DesiredOrRecordedProtectRefusesReplacement) {
  // Recorded protect wins over an unprotecting edit in the same plan.
  World recorded;
  recorded.Exists(MakeVolume("models", 100, "EU-RO-1", true), "vol-1");
  recorded.Desire(MakeVolume("models", 100, "EU-SE-1", false));
  EXPECT_EQ(PlanError(recorded).code(), absl::StatusCode::kFailedPrecondition);
  // A newly protected volume is protected before it is recorded so.
  World desired;
  desired.Exists(MakeVolume("models", 100, "EU-RO-1", false), "vol-1");
  desired.Desire(MakeVolume("models", 100, "EU-SE-1", true));
  EXPECT_EQ(PlanError(desired).message(),
            "volume.models: replacing it (dataCenter forces replacement) "
            "destroys its data; it is protected: re-run with --allow-destroy "
            "volume.models");
}

TEST(PlannerTest, ProtectionRecordedInTheLockSurvivesRemovalFromTheConfig) {
  World w;
  w.Exists(MakeVolume("models", 500, "EU-RO-1", true), "vol-1");
  absl::Status status = PlanError(w);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "volume.models: deleting it destroys its data; it is protected: "
            "re-run with --allow-destroy volume.models");

  PlanOptions options;
  options.allow_destroy = {Vol("models")};
  Plan plan = MustPlan(w, options);
  EXPECT_THAT(Describe(plan),
              ElementsAre("delete volume.models id=vol-1 data",
                          "  # no longer in the configuration"));
  EXPECT_TRUE(plan.DestroysData());
  EXPECT_FALSE(plan.changes[0].after.has_value());
  EXPECT_EQ(plan.changes[0].before->volume.size_gb, 500);
}

TEST(PlannerTest, UnprotectedVolumeIsDeletedWithoutTheFlag) {
  World w;
  w.Exists(MakeVolume("scratch", 50, "EU-RO-1", false), "vol-1");
  EXPECT_THAT(Describe(MustPlan(w)),
              ElementsAre("delete volume.scratch id=vol-1 data",
                          "  # no longer in the configuration"));
}

TEST(PlannerTest, AllErrorsAreListedOnePerLineByAddress) {
  World w;
  w.Exists(MakeVolume("b", 500), "vol-b");
  w.Desire(MakeVolume("b", 100));
  w.Exists(MakeVolume("a", 100, "EU-RO-1", true), "vol-a");
  DesiredPod orphan = MakePod("trainer", "missing");
  w.Desire(orphan);
  absl::Status status = PlanError(w);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "volume.a: deleting it destroys its data; it is protected: re-run "
            "with --allow-destroy volume.a\n"
            "volume.b: size cannot shrink from 500 to 100 GB (RunPod volumes "
            "only grow)\n"
            "pod.trainer: mounts volume.missing, which is not in the "
            "configuration");
}

// --- pods --------------------------------------------------------------------

struct PodEdit {
  const char* name;
  void (*edit)(PodSpec&);
  const char* reason;
};

TEST(PlannerTest, PodFieldsUpdatedInPlace) {
  const PodEdit edits[] = {
      {"image", [](PodSpec& p) { p.image = "runpod/pytorch:2.5.0"; },
       "  # updates image in place (restarts the container; a new image or env may reset it: only what is on a volume is sure to survive)"},
      {"env", [](PodSpec& p) { p.env["HF_HOME"] = "/workspace/cache"; },
       "  # updates env in place (restarts the container; a new image or env may reset it: only what is on a volume is sure to survive)"},
      {"env key", [](PodSpec& p) { p.env["DEBUG"] = "1"; },
       "  # updates env in place (restarts the container; a new image or env may reset it: only what is on a volume is sure to survive)"},
      {"ports", [](PodSpec& p) { p.ports.push_back("6006/http"); },
       "  # updates ports in place (restarts the container)"},
      {"containerDiskGb", [](PodSpec& p) { p.container_disk_gb = 50; },
       "  # updates containerDiskGb in place (restarts the "
       "container)"},
      {"dockerArgs", [](PodSpec& p) { p.docker_args = "sleep infinity"; },
       "  # updates dockerArgs in place (restarts the container)"},
      {"mountPath", [](PodSpec& p) { p.mount_path = "/data"; },
       "  # updates mountPath in place (restarts the container)"},
  };
  for (const PodEdit& e : edits) {
    SCOPED_TRACE(e.name);
    World w;
    w.Converged(MakeVolume("models", 100), "vol-1");
    DesiredPod trainer = MakePod("trainer", "models");
    w.Exists(trainer, "pod-1");
    e.edit(trainer.spec);
    w.Desire(trainer);
    EXPECT_THAT(Describe(MustPlan(w)),
                ElementsAre("update pod.trainer id=pod-1", e.reason,
                            "no-op volume.models id=vol-1"));
  }
}

TEST(PlannerTest, ReorderedPortsAreNoChange) {
  World w;
  DesiredPod p = MakePod("notebook", "");
  w.Exists(p, "pod-1");
  p.spec.ports = {"22/tcp", "8888/http"};
  w.Desire(p);
  EXPECT_THAT(Describe(MustPlan(w)),
              ElementsAre("no-op pod.notebook id=pod-1"));
}

TEST(PlannerTest, PodFieldsThatForceReplacement) {
  const PodEdit edits[] = {
      {"gpuType", [](PodSpec& p) { p.gpu_type = kH100; },
       "  # gpuType forces replacement"},
      {"gpuCount", [](PodSpec& p) { p.gpu_count = 2; },
       "  # gpuCount forces replacement"},
      {"cloudType", [](PodSpec& p) { p.cloud_type = "COMMUNITY"; },
       "  # cloudType forces replacement"},
      {"dataCenter", [](PodSpec& p) { p.data_center = "US-TX-3"; },
       "  # dataCenter forces replacement"},
      {"name", [](PodSpec& p) { p.name = "notebook-2"; },
       "  # name forces replacement (RunPod cannot rename a pod)"},
  };
  for (const PodEdit& e : edits) {
    SCOPED_TRACE(e.name);
    World w;
    DesiredPod p = MakePod("notebook", "");
    w.Exists(p, "pod-1");
    e.edit(p.spec);
    w.Desire(p);
    Plan plan = MustPlan(w);
    EXPECT_THAT(Describe(plan),
                ElementsAre(std::string("replace pod.notebook id=pod-1 "
                                        "create-first replace=") +
                                e.name,
                            e.reason));
    EXPECT_FALSE(plan.DestroysData());
  }
}

// podResume takes a GPU count (PlanOptions::resume_sets_gpu_count, set
// over GraphQL): a running pod's count changes in place.
TEST(PlannerTest, GpuCountAloneResumesWithTheNewCountWhenTheApiCan) {
  World w;
  DesiredPod p = MakePod("notebook", "");
  w.Exists(p, "pod-1");
  p.spec.gpu_count = 2;
  w.Desire(p);
  PlanOptions options;
  options.resume_sets_gpu_count = true;
  Plan plan = MustPlan(w, options);
  EXPECT_THAT(Describe(plan),
              ElementsAre("update pod.notebook id=pod-1",
                          "  # gpuCount 1 -> 2 in place: stop, then resume "
                          "with 2 GPUs on the same machine (podResume); if "
                          "it has too few free GPUs, the pod is left "
                          "stopped"));
  EXPECT_TRUE(plan.changes[0].gpu_count_by_resume);
  EXPECT_THAT(plan.changes[0].replace_attributes, ::testing::IsEmpty());
  EXPECT_EQ(plan.changes[0].after->pod.gpu_count, 2);

  // Without the capability (REST v2), the same change is a replacement.
  Plan rest = MustPlan(w);
  EXPECT_THAT(Describe(rest),
              ElementsAre("replace pod.notebook id=pod-1 create-first "
                          "replace=gpuCount",
                          "  # gpuCount forces replacement"));
  EXPECT_FALSE(rest.changes[0].gpu_count_by_resume);
}

TEST(PlannerTest, GpuCountOfAStoppedPodResumesItWithTheNewCount) {
  World w;
  DesiredPod p = MakePod("notebook", "");
  p.spec.running = false;
  w.Exists(p, "pod-1");  // recorded and live stopped
  p.spec.running = true;
  p.spec.gpu_count = 4;
  p.spec.image = "runpod/pytorch:2.5.0";
  w.Desire(p);
  PlanOptions options;
  options.resume_sets_gpu_count = true;
  Plan plan = MustPlan(w, options);
  EXPECT_THAT(Describe(plan),
              ElementsAre("update pod.notebook id=pod-1",
                          "  # gpuCount 1 -> 4 in place: resume with 4 GPUs "
                          "on the same machine (podResume); if it has too "
                          "few free GPUs, the pod is left stopped",
                          "  # updates image in place (restarts the "
                          "container; a new image or env may reset it: only "
                          "what is on a volume is sure to survive)",
                          "  # status stopped -> running after the edit "
                          "(then started)"));
  EXPECT_TRUE(plan.changes[0].gpu_count_by_resume);
}

TEST(PlannerTest, GpuCountStaysAReplacementWhenStoppedOrWithOtherForcing) {
  PlanOptions options;
  options.resume_sets_gpu_count = true;
  // Desired stopped: podResume would start it.
  World stopped;
  DesiredPod p = MakePod("notebook", "");
  stopped.Exists(p, "pod-1");
  p.spec.gpu_count = 2;
  p.spec.running = false;
  stopped.Desire(p);
  Plan plan = MustPlan(stopped, options);
  EXPECT_THAT(Describe(plan),
              ElementsAre("replace pod.notebook id=pod-1 create-first "
                          "replace=gpuCount",
                          "  # gpuCount forces replacement"));
  EXPECT_FALSE(plan.changes[0].gpu_count_by_resume);

  // Another forcing change with it: a new GPU type needs a new pod.
  World type;
  DesiredPod q = MakePod("notebook", "");
  type.Exists(q, "pod-1");
  q.spec.gpu_count = 2;
  q.spec.gpu_type = kH100;
  type.Desire(q);
  plan = MustPlan(type, options);
  EXPECT_THAT(Describe(plan),
              ElementsAre("replace pod.notebook id=pod-1 create-first "
                          "replace=gpuType,gpuCount",
                          "  # gpuType forces replacement",
                          "  # gpuCount forces replacement"));
  EXPECT_FALSE(plan.changes[0].gpu_count_by_resume);
}

TEST(PlannerTest, AttachingAVolumeReplacesThePod) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.Exists(MakePod("notebook", ""), "pod-1");
  w.Desire(MakePod("notebook", "models"));  // also takes the volume's DC
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan),
              ElementsAre("replace pod.notebook id=pod-1 create-first "
                          "replace=dataCenter,volume",
                          "  # dataCenter forces replacement",
                          "  # volume forces replacement (a network volume "
                          "is attached only when a pod is created)",
                          "no-op volume.models id=vol-1"));
  EXPECT_EQ(plan.changes[0].after->pod.network_volume_id, "vol-1");
}

TEST(PlannerTest, ReplacedVolumeCascadesToThePodsThatMountIt) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.Converged(MakePod("trainer", "models"), "pod-1");
  w.Desire(MakeVolume("models", 100, "EU-SE-1"));
  DesiredPod moved = MakePod("trainer", "models");
  moved.spec.data_center = "EU-SE-1";
  w.Desire(moved);
  PlanOptions options;
  options.allow_destroy = {Vol("models")};
  Plan plan = MustPlan(w, options);
  EXPECT_THAT(
      Describe(plan),
      ElementsAre("replace pod.trainer id=pod-1 "
                  "replace=dataCenter,networkVolumeId deps=volume.models",
                  "  # dataCenter forces replacement",
                  "  # volume.models is replaced: a network volume is "
                  "attached only when a pod is created",
                  "  # destroy-first: volume.models is replaced: its old "
                  "volume goes only after the old pod, and the new pod needs "
                  "the new volume",
                  "replace volume.models id=vol-1 data replace=dataCenter "
                  "destroy-deps=pod.trainer",
                  "  # dataCenter forces replacement"));
  EXPECT_EQ(plan.changes[0].after->pod.network_volume_id, "");

  // Terminate the pod, delete the volume, create the volume, create the pod.
  absl::StatusOr<std::vector<Step>> steps = ExecutionSteps(plan.changes);
  ASSERT_TRUE(steps.ok()) << steps.status();
  ASSERT_EQ(steps->size(), 4u);
  EXPECT_EQ((*steps)[0].change, 0u);
  EXPECT_EQ((*steps)[0].phase, Phase::kDestroy);
  EXPECT_THAT((*steps)[0].after, ElementsAre());
  EXPECT_EQ((*steps)[1].change, 1u);
  EXPECT_EQ((*steps)[1].phase, Phase::kDestroy);
  EXPECT_THAT((*steps)[1].after, ElementsAre(0u));
  EXPECT_EQ((*steps)[2].change, 1u);
  EXPECT_EQ((*steps)[2].phase, Phase::kCreate);
  EXPECT_THAT((*steps)[2].after, ElementsAre(1u));
  EXPECT_EQ((*steps)[3].change, 0u);
  EXPECT_EQ((*steps)[3].phase, Phase::kCreate);
  EXPECT_THAT((*steps)[3].after, ElementsAre(0u, 2u));
}

TEST(PlannerTest, StatusAloneStopsOrResumes) {
  World stop;
  DesiredPod p = MakePod("notebook", "");
  stop.Exists(p, "pod-1");
  p.spec.running = false;
  stop.Desire(p);
  EXPECT_THAT(Describe(MustPlan(stop)),
              ElementsAre("stop pod.notebook id=pod-1",
                          "  # status running -> stopped"));

  World resume;
  resume.Exists(p, "pod-1");  // recorded and live stopped
  p.spec.running = true;
  resume.Desire(p);
  EXPECT_THAT(Describe(MustPlan(resume)),
              ElementsAre("resume pod.notebook id=pod-1",
                          "  # status stopped -> running"));
}

TEST(PlannerTest, StatusWithEditsIsAnUpdate) {
  World w;
  DesiredPod p = MakePod("notebook", "");
  w.Exists(p, "pod-1");
  p.spec.running = false;
  p.spec.image = "runpod/pytorch:2.5.0";
  w.Desire(p);
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan),
              ElementsAre("update pod.notebook id=pod-1",
                          "  # updates image in place (restarts the "
                          "container; a new image or env may reset it: only "
                          "what is on a volume is sure to survive)",
                          "  # status running -> stopped after the edit "
                          "(then stopped)"));
  EXPECT_FALSE(plan.changes[0].after->pod.running);
}

TEST(PlannerTest, PodsAreDeletedBeforeTheVolumesTheyMount) {
  World w;
  w.Exists(MakeVolume("models", 100, "EU-RO-1", false), "vol-1");
  w.Exists(MakePod("trainer", "models"), "pod-1");
  w.Exists(MakePod("eval", "models"), "pod-2");
  w.Exists(MakePod("notebook", ""), "pod-3");
  Plan plan = MustPlan(w);
  EXPECT_THAT(
      Describe(plan),
      ElementsAre(
          "delete pod.eval id=pod-2", "  # no longer in the configuration",
          "delete pod.notebook id=pod-3", "  # no longer in the configuration",
          "delete pod.trainer id=pod-1", "  # no longer in the configuration",
          "delete volume.models id=vol-1 data "
          "destroy-deps=pod.eval,pod.trainer",
          "  # no longer in the configuration"));
}

// --- drift -------------------------------------------------------------------

TEST(PlannerTest, ResourcesDeletedOutsidePodformAreCreatedAgain) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.Converged(MakePod("trainer", "models"), "pod-1");
  w.RemoveLive("vol-1");
  w.LivePodWithId("pod-1").status = PodStatus::kTerminated;
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan),
              ElementsAre("create volume.models", "  # deleted outside podform",
                          "create pod.trainer deps=volume.models",
                          "  # deleted outside podform"));
  EXPECT_THAT(plan.warnings,
              ElementsAre("volume.models: deleted outside podform (vol-1 is "
                          "gone from RunPod); it will be created again, empty",
                          "pod.trainer: deleted outside podform (pod-1 is "
                          "gone from RunPod); it will be created again"));
  EXPECT_FALSE(plan.changes[0].before.has_value());
  EXPECT_EQ(plan.changes[1].after->pod.network_volume_id, "");
  EXPECT_TRUE(plan.unmanaged.empty());  // a terminated pod is not listed
}

TEST(PlannerTest, PodOnARecreatedVolumeIsReplaced) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.Converged(MakePod("trainer", "models"), "pod-1");
  w.RemoveLive("vol-1");
  EXPECT_THAT(
      Describe(MustPlan(w)),
      ElementsAre("create volume.models", "  # deleted outside podform",
                  "replace pod.trainer id=pod-1 create-first "
                  "replace=networkVolumeId deps=volume.models",
                  "  # volume.models is re-created: a network volume "
                  "is attached only when a pod is created"));
}

TEST(PlannerTest, RecordedButGoneAndNoLongerDesiredIsOnlyForgotten) {
  World w;
  w.Exists(MakeVolume("models", 100, "EU-RO-1", true), "vol-1");
  w.RemoveLive("vol-1");
  Plan plan = MustPlan(w);  // nothing left to destroy: no protection error
  EXPECT_THAT(Describe(plan),
              ElementsAre("delete volume.models",
                          "  # already deleted outside podform; only its lock "
                          "file entry is removed"));
  EXPECT_FALSE(plan.DestroysData());
}

TEST(PlannerTest, LiveChangesAreReportedAndCorrected) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.Converged(MakePod("trainer", "models"), "pod-1");
  w.LiveVolumeWithId("vol-1").spec.name = "renamed-by-hand";
  LivePod& pod = w.LivePodWithId("pod-1");
  pod.spec.image = "runpod/pytorch:dev";
  pod.spec.env["HF_HOME"] = "/tmp";
  pod.spec.env["RUNPOD_POD_ID"] = "pod-1";   // RunPod's own: ignored
  pod.spec.ports = {"22/tcp", "8888/http"};  // same set: no drift
  Plan plan = MustPlan(w);
  EXPECT_THAT(
      Describe(plan),
      ElementsAre(
          "update volume.models id=vol-1",
          "  # name changed outside podform (was renamed-by-hand live)",
          "  # renamed renamed-by-hand -> models in place",
          "update pod.trainer id=pod-1",
          "  # image changed outside podform (was runpod/pytorch:dev live)",
          "  # env.HF_HOME changed outside podform (was /tmp live)",
          "  # updates image, env in place (restarts the "
          "container; a new image or env may reset it: only what is on a volume is sure to survive)"));
  const Change& trainer = ChangeFor(plan, PodAt("trainer"));
  EXPECT_EQ(trainer.before->pod.image, "runpod/pytorch:dev");
  EXPECT_EQ(trainer.before->pod.env.count("RUNPOD_POD_ID"), 0u);
  EXPECT_EQ(trainer.after->pod.image, "runpod/pytorch:2.4.0");
}

TEST(PlannerTest, DataCenterAndCloudReportedLiveAreCompared) {
  // REST v2 reports a pod's data center and cloud: a live value that
  // differs from the record is drift, and those attributes force a
  // replacement.
  World moved;
  moved.Converged(MakeVolume("models", 100), "vol-1");
  moved.Converged(MakePod("trainer", "models"), "pod-1");
  moved.LivePodWithId("pod-1").spec.data_center = "EU-SE-1";
  moved.LivePodWithId("pod-1").spec.cloud_type = "COMMUNITY";
  std::vector<std::string> lines = Describe(MustPlan(moved));
  EXPECT_THAT(lines, ::testing::Contains(
                         "replace pod.trainer id=pod-1 create-first "
                         "replace=cloudType,dataCenter"));
  EXPECT_THAT(lines, ::testing::Contains(
                         "  # cloudType changed outside podform (was "
                         "COMMUNITY live)"));
  EXPECT_THAT(lines, ::testing::Contains(
                         "  # dataCenter changed outside podform (was "
                         "EU-SE-1 live)"));

  // The same values as recorded, or a data center RunPod chose for a pod
  // the config placed nowhere: nothing to do.
  World placed;
  placed.Converged(MakePod("notebook", ""), "pod-1");
  placed.LivePodWithId("pod-1").spec.data_center = "US-TX-3";
  placed.LivePodWithId("pod-1").spec.cloud_type = "SECURE";
  EXPECT_THAT(Describe(MustPlan(placed)),
              ElementsAre("no-op pod.notebook id=pod-1"));
}

TEST(PlannerTest, StoppedOutsidePodformIsResumed) {
  World w;
  w.Converged(MakePod("notebook", ""), "pod-1");
  w.LivePodWithId("pod-1").status = PodStatus::kExited;
  EXPECT_THAT(Describe(MustPlan(w)),
              ElementsAre("resume pod.notebook id=pod-1",
                          "  # status changed outside podform (was stopped "
                          "live)",
                          "  # status stopped -> running"));
}

// Secrets: the value in the environment is compared with the one RunPod
// holds; neither `before` nor `after` holds a value or anything derived
// from one, only the mark.
TEST(PlannerTest, SecretsAreComparedWithTheLiveValue) {
  World same;
  same.Converged(MakePod("notebook", ""), "pod-1");
  Plan plan = MustPlan(same);
  EXPECT_THAT(Describe(plan), ElementsAre("no-op pod.notebook id=pod-1"));
  EXPECT_EQ(plan.changes[0].before->pod.env,
            (std::map<std::string, std::string>{{"HF_HOME", "/workspace/hf"}}));
  EXPECT_EQ(plan.changes[0].before->secret_env,
            std::set<std::string>{"HF_TOKEN"});
  EXPECT_EQ(plan.changes[0].after->pod.env,
            (std::map<std::string, std::string>{{"HF_HOME", "/workspace/hf"}}));
  EXPECT_THAT(plan.changes[0].secret_env_changes, ::testing::IsEmpty());

  // Rotated in the environment: RunPod still holds the old value.
  World rotated;
  DesiredPod p = MakePod("notebook", "");
  rotated.Exists(p, "pod-1");
  p.spec.env["HF_TOKEN"] = "hf_new_token";
  rotated.Desire(p);
  plan = MustPlan(rotated);
  EXPECT_THAT(Describe(plan),
              ElementsAre("update pod.notebook id=pod-1",
                          "  # env.HF_TOKEN differs from the value RunPod "
                          "holds (sensitive)",
                          "  # updates env in place (restarts the "
                          "container; a new image or env may reset it: only what is on a volume is sure to survive)"));
  EXPECT_THAT(plan.changes[0].secret_env_changes, ElementsAre("HF_TOKEN"));
  EXPECT_EQ(plan.changes[0].after->pod.env.count("HF_TOKEN"), 0u);
  EXPECT_EQ(plan.changes[0].before->pod.env.count("HF_TOKEN"), 0u);

  // Changed on RunPod by hand: the same decision (nothing recorded tells
  // who changed it).
  World changed_live;
  changed_live.Converged(MakePod("notebook", ""), "pod-1");
  changed_live.LivePodWithId("pod-1").spec.env["HF_TOKEN"] = "hf_by_hand";
  plan = MustPlan(changed_live);
  EXPECT_THAT(Describe(plan),
              ElementsAre("update pod.notebook id=pod-1",
                          "  # env.HF_TOKEN differs from the value RunPod "
                          "holds (sensitive)",
                          "  # updates env in place (restarts the "
                          "container; a new image or env may reset it: only what is on a volume is sure to survive)"));
  EXPECT_THAT(plan.changes[0].secret_env_changes, ElementsAre("HF_TOKEN"));

  // Removed on RunPod: put back.
  World removed_live;
  removed_live.Converged(MakePod("notebook", ""), "pod-1");
  removed_live.LivePodWithId("pod-1").spec.env.erase("HF_TOKEN");
  plan = MustPlan(removed_live);
  EXPECT_THAT(Describe(plan),
              ElementsAre("update pod.notebook id=pod-1",
                          "  # env.HF_TOKEN removed outside podform",
                          "  # updates env in place (restarts the "
                          "container; a new image or env may reset it: only what is on a volume is sure to survive)"));
  EXPECT_THAT(plan.changes[0].secret_env_changes, ElementsAre("HF_TOKEN"));
  EXPECT_TRUE(plan.changes[0].before->secret_env.empty());

  // Gone from RunPod: the create sends the value; nothing to compare.
  World gone;
  gone.Converged(MakePod("notebook", ""), "pod-1");
  gone.RemoveLive("pod-1");
  plan = MustPlan(gone);
  EXPECT_THAT(Describe(plan), ElementsAre("create pod.notebook",
                                          "  # deleted outside podform"));
  EXPECT_THAT(plan.changes[0].secret_env_changes, ::testing::IsEmpty());
  EXPECT_EQ(plan.changes[0].live_fingerprint, "");
  EXPECT_EQ(plan.changes[0].after->pod.env.count("HF_TOKEN"), 0u);
}

// A key that moves between plain and secret: never a value under a secret
// key, and a secret's old value never shown.
TEST(PlannerTest, AKeyThatBecomesSecretOrPlain) {
  // Recorded plain, now a secret with the same value live: nothing to do.
  World to_secret;
  DesiredPod p = MakePod("notebook", "");
  p.secret_env.clear();
  to_secret.Exists(p, "pod-1");
  p.secret_env = {"HF_TOKEN"};
  to_secret.Desire(p);
  Plan plan = MustPlan(to_secret);
  EXPECT_THAT(Describe(plan), ElementsAre("no-op pod.notebook id=pod-1"));
  EXPECT_EQ(plan.changes[0].before->pod.env.count("HF_TOKEN"), 0u);
  EXPECT_EQ(plan.changes[0].before->secret_env,
            std::set<std::string>{"HF_TOKEN"});

  // Recorded secret, now plain: an update (the old value is not compared).
  World to_plain;
  p = MakePod("notebook", "");
  to_plain.Exists(p, "pod-1");
  p.secret_env.clear();
  to_plain.Desire(p);
  plan = MustPlan(to_plain);
  EXPECT_THAT(Describe(plan),
              ElementsAre("update pod.notebook id=pod-1",
                          "  # updates env in place (restarts the "
                          "container; a new image or env may reset it: only what is on a volume is sure to survive)"));
  EXPECT_EQ(plan.changes[0].before->pod.env.count("HF_TOKEN"), 0u);
  EXPECT_EQ(plan.changes[0].after->pod.env.at("HF_TOKEN"), kSecret);
  // The fingerprint covers neither the secret's live value nor HF_TOKEN.
  EXPECT_EQ(FingerprintedEnvKeys(plan.changes[0]),
            std::set<std::string>{"HF_HOME"});

  // Recorded secret, no longer in the config: removed.
  World dropped;
  p = MakePod("notebook", "");
  dropped.Exists(p, "pod-1");
  p.spec.env.erase("HF_TOKEN");
  p.secret_env.clear();
  dropped.Desire(p);
  plan = MustPlan(dropped);
  EXPECT_THAT(Describe(plan),
              ElementsAre("update pod.notebook id=pod-1",
                          "  # updates env in place (restarts the "
                          "container; a new image or env may reset it: only what is on a volume is sure to survive)"));
  EXPECT_EQ(plan.changes[0].before->secret_env,
            std::set<std::string>{"HF_TOKEN"});
  EXPECT_TRUE(plan.changes[0].after->secret_env.empty());
}

TEST(PlannerTest, ChangedSecretEnvComparesEachKeyWithTheLivePod) {
  LivePod live;
  live.spec.env = {{"A", "1"}, {"B", "2"}, {"PLAIN", "x"}};
  const std::string salt = NewSecretSalt();
  std::map<std::string, std::string> desired;
  for (const auto& [key, value] : std::map<std::string, std::string>{
           {"A", "1"}, {"B", "two"}, {"C", "3"}, {"PLAIN", "y"}}) {
    desired[key] = SecretEnvDigest(salt, value);
  }
  // A equal, B differs, C missing live, D missing from the environment.
  EXPECT_THAT(ChangedSecretEnv({"A", "B", "C", "D"}, salt, desired, live),
              ElementsAre("B", "C", "D"));
  EXPECT_THAT(ChangedSecretEnv({"A"}, salt, desired, live),
              ::testing::IsEmpty());
  EXPECT_THAT(ChangedSecretEnv({}, salt, desired, live), ::testing::IsEmpty());
}

TEST(PlannerTest, ChangedSecretEnvDigestsTheLiveValueWithTheDesiredSalt) {
  const std::map<std::string, std::string> live = {{"TOKEN", "t0k"}};
  const std::string salt = NewSecretSalt();
  const std::string other_salt = NewSecretSalt();
  EXPECT_EQ(salt.size(), 64u);
  EXPECT_NE(salt, other_salt);
  EXPECT_EQ(SecretEnvDigest(salt, "t0k"), Sha256Hex(salt + "t0k"));
  const std::map<std::string, std::string> desired = {
      {"TOKEN", SecretEnvDigest(salt, "t0k")}};
  EXPECT_THAT(ChangedSecretEnv({"TOKEN"}, salt, desired, live),
              ::testing::IsEmpty());
  // The digest of the same value with another salt, or with none, differs.
  EXPECT_THAT(ChangedSecretEnv({"TOKEN"}, other_salt, desired, live),
              ElementsAre("TOKEN"));
  EXPECT_THAT(
      ChangedSecretEnv({"TOKEN"}, salt, {{"TOKEN", Sha256Hex("t0k")}}, live),
      ElementsAre("TOKEN"));
}

TEST(PlannerTest, LiveResourcesUnknownToTheLockAreUnmanaged) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.live.volumes.push_back({"vol-z", {"backup", 10, "EU-SE-1"}});
  w.live.volumes.push_back({"vol-a", {"archive", 20, "EU-SE-1"}});
  LivePod debug;
  debug.id = "pod-9";
  debug.spec.name = "debug";
  w.live.pods.push_back(debug);
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan), ElementsAre("no-op volume.models id=vol-1"));
  ASSERT_EQ(plan.unmanaged.size(), 3u);
  EXPECT_EQ(plan.unmanaged[0].id, "vol-a");
  EXPECT_EQ(plan.unmanaged[0].name, "archive");
  EXPECT_EQ(plan.unmanaged[1].id, "vol-z");
  EXPECT_EQ(plan.unmanaged[2].kind, Kind::kPod);
  EXPECT_EQ(plan.unmanaged[2].id, "pod-9");
  EXPECT_EQ(plan.unmanaged[2].name, "debug");
}

TEST(PlannerTest, InterruptedCreatesAreWarnedAbout) {
  World w;
  w.Desire(MakePod("trainer", ""));
  w.state.intents[PodAt("trainer")] = {PodAt("trainer"), "trainer", "",
                                       "2026-03-01T10:00:00Z"};
  w.state.intents[Vol("gone")] = {Vol("gone"), "gone-vol", "EU-RO-1",
                                  "2026-03-01T10:00:00Z"};
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan), ElementsAre("create pod.trainer"));
  EXPECT_THAT(plan.warnings,
              ElementsAre("volume.gone: an earlier apply was interrupted "
                          "before recording whether it had created it, and "
                          "it is no longer in the configuration; a volume "
                          "named \"gone-vol\" on RunPod is listed as "
                          "unmanaged",
                          "pod.trainer: an earlier apply was interrupted "
                          "before recording whether it had created it; "
                          "apply will look for it on RunPod first"));
}

// --- targets and destroy -----------------------------------------------------

TEST(PlannerTest, TargetsKeepWhatTheyDependOn) {
  World w;
  w.Desire(MakeVolume("models", 100));
  w.Desire(MakePod("trainer", "models"));
  w.Desire(MakeVolume("datasets", 50));
  w.Desire(MakePod("worker", "datasets"));
  w.Exists(MakeVolume("big", 500), "vol-big");
  w.Desire(MakeVolume("big", 100));  // a shrink, but not targeted
  PlanOptions options;
  options.targets = {PodAt("trainer")};
  Plan plan = MustPlan(w, options);
  EXPECT_THAT(Describe(plan),
              ElementsAre("create volume.models",
                          "create pod.trainer deps=volume.models"));
  EXPECT_THAT(plan.warnings,
              ElementsAre("--target: only the targeted resources and what "
                          "they depend on are planned; other resources may "
                          "still differ from the configuration"));
  // Untargeted resources count as unchanged.
  EXPECT_DOUBLE_EQ(plan.cost.storage_monthly_before, 35);
  EXPECT_DOUBLE_EQ(plan.cost.storage_monthly_after, 42);
}

TEST(PlannerTest, TargetingAVolumeDeleteBringsItsPods) {
  World w;
  w.Exists(MakeVolume("models", 100, "EU-RO-1", false), "vol-1");
  w.Exists(MakePod("trainer", "models"), "pod-1");
  w.Exists(MakePod("notebook", ""), "pod-2");
  PlanOptions options;
  options.targets = {Vol("models")};
  EXPECT_THAT(Describe(MustPlan(w, options)),
              ElementsAre("delete pod.trainer id=pod-1",
                          "  # no longer in the configuration",
                          "delete volume.models id=vol-1 data "
                          "destroy-deps=pod.trainer",
                          "  # no longer in the configuration"));
}

TEST(PlannerTest, FlagsNamingUnknownAddressesAreInvalid) {
  World w;
  w.Desire(MakeVolume("models", 100));
  PlanOptions options;
  options.targets = {PodAt("nope")};
  options.allow_destroy = {Vol("modles")};
  absl::Status status = PlanError(w, options);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "volume.modles: named by --allow-destroy but is neither in the "
            "configuration nor in the lock file\n"
            "pod.nope: named by --target but is neither in the configuration "
            "nor in the lock file");
}

TEST(PlannerTest, DestroyDeletesEverythingRecordedInReverseOrder) {
  World w;
  w.Converged(MakeVolume("models", 1000, "EU-RO-1", true), "vol-1");
  w.Converged(MakeVolume("datasets", 50, "EU-RO-1", false), "vol-2");
  w.Converged(MakePod("trainer", "models"), "pod-1");
  w.Converged(MakePod("idle", ""), "pod-2");
  w.Desire(MakeVolume("fresh", 10));  // desired, never created: ignored
  PlanOptions options;
  options.destroy = true;
  EXPECT_EQ(PlanError(w, options).message(),
            "volume.models: deleting it destroys its data; it is protected: "
            "re-run with --allow-destroy volume.models");

  options.allow_destroy = {Vol("models")};
  Plan plan = MustPlan(w, options);
  EXPECT_TRUE(plan.destroy);
  EXPECT_THAT(
      Describe(plan),
      ElementsAre("delete pod.idle id=pod-2", "  # podform destroy",
                  "delete pod.trainer id=pod-1", "  # podform destroy",
                  "delete volume.datasets id=vol-2 data", "  # podform destroy",
                  "delete volume.models id=vol-1 data "
                  "destroy-deps=pod.trainer",
                  "  # podform destroy"));
  EXPECT_DOUBLE_EQ(plan.cost.storage_monthly_before, 73.5);
  EXPECT_DOUBLE_EQ(plan.cost.storage_monthly_after, 0);
  EXPECT_DOUBLE_EQ(plan.cost.pods_hourly_before, 3.28);
  EXPECT_DOUBLE_EQ(plan.cost.pods_hourly_after, 0);
}

// --- cost --------------------------------------------------------------------

TEST(PlannerTest, CostOfStorageAndRunningPods) {
  World w;
  w.Converged(MakeVolume("models", 1000), "vol-1");   // $70.00
  w.Desire(MakeVolume("models", 1500));               // $70 + $25
  w.Desire(MakeVolume("new", 20));                    // $1.40
  DesiredPod trainer = MakePod("trainer", "models");  // A100 x1: $1.64
  w.Exists(trainer, "pod-1");
  trainer.spec.gpu_count = 2;  // $3.28
  w.Desire(trainer);
  DesiredPod idle = MakePod("idle", "");
  idle.spec.gpu_type = kH100;
  idle.spec.cloud_type = "COMMUNITY";  // $2.39
  w.Exists(idle, "pod-2");
  idle.spec.running = false;  // stopped pods cost nothing per hour
  w.Desire(idle);
  Plan plan = MustPlan(w);
  EXPECT_DOUBLE_EQ(plan.cost.storage_monthly_before, 70);
  EXPECT_DOUBLE_EQ(plan.cost.storage_monthly_after, 96.4);
  EXPECT_DOUBLE_EQ(plan.cost.pods_hourly_before, 4.03);
  EXPECT_DOUBLE_EQ(plan.cost.pods_hourly_after, 3.28);
}

// --- preconditions and fingerprints -----------------------------------------

TEST(PlannerTest, RequiresALineage) {
  World w;
  w.state.lineage.clear();
  absl::Status status = PlanError(w);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "the prior state has no lineage; a new lock file needs one "
            "before planning (a saved plan names it)");
}

TEST(PlannerTest, FingerprintsAreStableHexAndSeeEveryAttribute) {
  LiveVolume v{"vol-1", {"models", 100, "EU-RO-1"}};
  std::string fv = Fingerprint(v);
  EXPECT_EQ(fv.size(), 64u);
  EXPECT_EQ(fv.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(Fingerprint(v), fv);
  LiveVolume grown = v;
  grown.spec.size_gb = 200;
  EXPECT_NE(Fingerprint(grown), fv);

  World w;
  w.Converged(MakePod("notebook", ""), "pod-1");
  LivePod p = w.LivePodWithId("pod-1");
  const std::set<std::string> plain = {"HF_HOME"};
  std::string fp = Fingerprint(p, plain);
  LivePod repriced = p;
  repriced.cost_per_hr = 9;
  EXPECT_EQ(Fingerprint(repriced, plain), fp);
  LivePod edited = p;
  edited.spec.env["HF_HOME"] = "/x";
  EXPECT_NE(Fingerprint(edited, plain), fp);
  LivePod stopped = p;
  stopped.status = PodStatus::kExited;
  EXPECT_NE(Fingerprint(stopped, plain), fp);
  // A secret's value is not covered (so the fingerprint cannot test a guess
  // of it); its presence is.
  LivePod rotated = p;
  rotated.spec.env["HF_TOKEN"] = "another value";
  EXPECT_EQ(Fingerprint(rotated, plain), fp);
  LivePod unset = p;
  unset.spec.env.erase("HF_TOKEN");
  EXPECT_NE(Fingerprint(unset, plain), fp);
  // Length prefixes keep field boundaries apart.
  LivePod a = p, b = p;
  a.spec.env = {{"A", "B=C"}};
  b.spec.env = {{"A=B", "C"}};
  EXPECT_NE(Fingerprint(a, {"A", "A=B"}), Fingerprint(b, {"A", "A=B"}));
  EXPECT_NE(Fingerprint(a, {}), Fingerprint(b, {}));
}

// Saved plans hold these digests: a pod's status is encoded as RunPod's
// word, a word podform does not know included, and none as "".
TEST(PlannerTest, PodFingerprintsEncodeTheStatusAsRunPodsWord) {
  LivePod pod;
  pod.id = "pod-1";
  pod.spec.name = "n";
  pod.spec.running = false;
  const std::vector<std::pair<std::string, std::string>> digests = {
      {"MIGRATING",
       "02b61f315c34a243e85e0ea89b84640d1a585bc38671151c0766a76ee40c2a86"},
      {"PAUSED",
       "ae3a65bf9f3e118a9add63406907ceef2606cc7ec39da0bca2bbf851ea0a4b70"},
      {"EXITED",
       "9169747f3d2d43551e0ef57e027dfaf0fec0973928cced1f8b3b639104eb4b30"},
      {"", "4211c8a2a4c20ec985b2a45e86a4d8472c27fa35d37d7807ac1c8bdc36160c5f"}};
  for (const auto& [word, digest] : digests) {
    pod.SetStatus(word);
    EXPECT_EQ(Fingerprint(pod, {}), digest) << word;
  }
}

}  // namespace
}  // namespace podform::testing

namespace podform::testing {
namespace {

// --- replacement order and deposed pods ------------------------------------

TEST(PlannerTest, ReplaceDestroyFirstInTheConfigKeepsTheOldOrder) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.Converged(MakePod("trainer", "models"), "pod-1");
  DesiredPod h100 = MakePod("trainer", "models");
  h100.spec.gpu_type = "NVIDIA H100 80GB HBM3";
  w.Desire(h100);
  // The default: a pod that mounts a volume is replaced create-first too.
  EXPECT_THAT(Describe(MustPlan(w)),
              ElementsAre("replace pod.trainer id=pod-1 create-first "
                          "replace=gpuType",
                          "  # gpuType forces replacement",
                          "no-op volume.models id=vol-1"));
  h100.destroy_first = true;
  w.Desire(h100);
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan),
              ElementsAre("replace pod.trainer id=pod-1 replace=gpuType",
                          "  # gpuType forces replacement",
                          "  # destroy-first: replace: destroy-first in "
                          "podform.yaml",
                          "no-op volume.models id=vol-1"));
  absl::StatusOr<std::vector<Step>> steps = ExecutionSteps(plan.changes);
  ASSERT_TRUE(steps.ok()) << steps.status();
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ((*steps)[0].phase, Phase::kDestroy);
  EXPECT_EQ((*steps)[1].phase, Phase::kCreate);
}

TEST(PlannerTest, DeposedPodsAreTerminatedAndNotListedAsUnmanaged) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.Converged(MakePod("trainer", "models"), "pod-old");
  w.state.Depose(PodAt("trainer"));  // as a killed replacement leaves it
  w.Converged(MakePod("trainer", "models"), "pod-new");
  // A second deposed pod that is already gone from RunPod.
  ResourceState gone = w.state.deposed.at(PodAt("trainer")).front();
  gone.id = "pod-gone";
  std::vector<ResourceState>& deposed_pods = w.state.deposed.at(PodAt("trainer"));
  deposed_pods.insert(deposed_pods.begin(), gone);  // sorted by id
  Plan plan = MustPlan(w);
  EXPECT_THAT(
      Describe(plan),
      ElementsAre("delete pod.trainer deposed=pod-gone",
                  "  # deposed pod already gone from RunPod; only its lock "
                  "file entry is removed",
                  "delete pod.trainer id=pod-old deposed=pod-old",
                  "  # deposed: a replacement created its successor but did "
                  "not terminate it; it is still on RunPod and billed",
                  "no-op volume.models id=vol-1",
                  "no-op pod.trainer id=pod-new"));
  EXPECT_TRUE(plan.unmanaged.empty());
  EXPECT_TRUE(plan.HasChanges());
  // Both running pods are billed now; only the new one after.
  EXPECT_GT(plan.cost.pods_hourly_before, 0);
  EXPECT_DOUBLE_EQ(plan.cost.pods_hourly_before,
                   2 * plan.cost.pods_hourly_after);
  const Change& deposed = plan.changes[1];
  EXPECT_EQ(deposed.before->pod.network_volume_id, "vol-1");
  EXPECT_EQ(deposed.live_fingerprint.size(), 64u);
}

TEST(PlannerTest, AReplaceWaitsForTheDeposedPodOfItsAddress) {
  World w;
  w.Converged(MakePod("notebook", ""), "pod-old");
  w.state.Depose(PodAt("notebook"));
  w.Converged(MakePod("notebook", ""), "pod-new");
  DesiredPod h100 = MakePod("notebook", "");
  h100.spec.gpu_type = "NVIDIA H100 80GB HBM3";
  w.Desire(h100);
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan),
              ElementsAre("delete pod.notebook id=pod-old deposed=pod-old",
                          "  # deposed: a replacement created its successor "
                          "but did not terminate it; it is still on RunPod "
                          "and billed",
                          "replace pod.notebook id=pod-new create-first "
                          "replace=gpuType",
                          "  # gpuType forces replacement"));
  absl::StatusOr<std::vector<Step>> steps = ExecutionSteps(plan.changes);
  ASSERT_TRUE(steps.ok()) << steps.status();
  ASSERT_EQ(steps->size(), 3u);
  EXPECT_EQ((*steps)[0].change, 0u);
  EXPECT_THAT((*steps)[1].after, ElementsAre(0u));  // create after it
  EXPECT_EQ((*steps)[2].phase, Phase::kDestroy);    // then the old pod
}

TEST(PlannerTest, AVolumeGoesOnlyAfterItsDeposedMounters) {
  World w;
  w.Converged(MakeVolume("models", 100, "EU-RO-1", false), "vol-1");
  w.Converged(MakePod("trainer", "models"), "pod-old");
  w.state.Depose(PodAt("trainer"));
  w.Exists(MakePod("trainer", "models"), "pod-new");
  w.config.volumes.clear();
  w.config.pods.clear();
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan),
              ElementsAre("delete pod.trainer id=pod-new",
                          "  # no longer in the configuration",
                          "delete pod.trainer id=pod-old deposed=pod-old",
                          "  # deposed: a replacement created its successor "
                          "but did not terminate it; it is still on RunPod "
                          "and billed",
                          "delete volume.models id=vol-1 data "
                          "destroy-deps=pod.trainer",
                          "  # no longer in the configuration"));
  absl::StatusOr<std::vector<Step>> steps = ExecutionSteps(plan.changes);
  ASSERT_TRUE(steps.ok()) << steps.status();
  ASSERT_EQ(steps->size(), 3u);
  EXPECT_THAT((*steps)[2].after, ElementsAre(0u, 1u));
}

}  // namespace
}  // namespace podform::testing
