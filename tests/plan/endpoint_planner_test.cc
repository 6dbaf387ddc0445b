// The planning rules of serverless endpoints (issue 15): what RunPod's
// PATCH changes in place, what replaces, the order against the volumes they
// mount, protection, drift and unmanaged endpoints.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/plan/planner.h"
#include "reconciler/plan/render.h"
#include "reconciler/plan/render_util.h"
#include "reconciler/plan/steps.h"
#include "tests/plan/fixtures.h"

namespace podform::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

Plan MustPlan(const World& w, const PlanOptions& options = {}) {
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, options);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *plan : Plan{};
}

const Change& ChangeFor(const Plan& plan, const Address& address) {
  for (const Change& c : plan.changes) {
    if (c.address == address) return c;
  }
  ADD_FAILURE() << "no change for " << address.ToString();
  static const Change kNone;
  return kNone;
}

// The plan's steps in execution order: "destroy ADDRESS" / "create ADDRESS".
std::vector<std::string> StepOrder(const Plan& plan) {
  absl::StatusOr<std::vector<Step>> steps = ExecutionSteps(plan.changes);
  EXPECT_TRUE(steps.ok()) << steps.status();
  std::vector<std::string> out;
  if (!steps.ok()) return out;
  for (const Step& step : *steps) {
    out.push_back(absl::StrCat(
        step.phase == Phase::kDestroy ? "destroy " : "create ",
        plan.changes[step.change].address.ToString()));
  }
  return out;
}

TEST(EndpointPlannerTest, CreatesVolumesBeforeTheEndpointsThatMountThem) {
  World w;
  w.Desire(MakeVolume("models", 100));
  w.Desire(MakeEndpoint("embed", {"models"}));
  w.Desire(MakeEndpoint("bare", {}));
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan),
              ElementsAre("create volume.models", "create endpoint.bare",
                          "create endpoint.embed deps=volume.models"));
  EXPECT_THAT(StepOrder(plan),
              ElementsAre("create volume.models", "create endpoint.bare",
                          "create endpoint.embed"));
  const Change& embed = ChangeFor(plan, EndpointAt("embed"));
  ASSERT_TRUE(embed.after.has_value());
  Resource expected = RecordedResource("embed", MakeEndpoint("embed", {"models"}));
  EXPECT_EQ(*embed.after, expected);
  // A secret is only marked; the ids are not known before the volume is.
  EXPECT_EQ(embed.after->endpoint.env.count("HF_TOKEN"), 0u);
  EXPECT_THAT(embed.after->endpoint.network_volume_ids, IsEmpty());
  // Endpoints are billed by use: no pod cost, and none unpriced.
  EXPECT_EQ(plan.cost.pods_hourly_after, 0);
  EXPECT_THAT(plan.cost.unpriced_pods, IsEmpty());
}

TEST(EndpointPlannerTest, ConvergedEndpointIsANoOpWithTheVolumeIds) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.Converged(MakeEndpoint("embed", {"models"}), "ep-1");
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan), ElementsAre("no-op volume.models id=vol-1",
                                          "no-op endpoint.embed id=ep-1"));
  const Change& embed = ChangeFor(plan, EndpointAt("embed"));
  ASSERT_TRUE(embed.after.has_value());
  EXPECT_THAT(embed.after->endpoint.network_volume_ids, ElementsAre("vol-1"));
  EXPECT_EQ(embed.live_fingerprint,
            Fingerprint(w.live.endpoints[0], FingerprintedEnvKeys(embed)));
  EXPECT_FALSE(plan.HasChanges());
  EXPECT_THAT(plan.unmanaged, IsEmpty());
}

TEST(EndpointPlannerTest, WorkersAndScalingChangeInPlace) {
  World w;
  w.Converged(MakeEndpoint("embed", {}), "ep-1");
  DesiredEndpoint e = MakeEndpoint("embed", {});
  e.spec.workers_min = 1;
  e.spec.workers_max = 5;
  e.spec.scaler_value = 2;
  e.spec.gpu_pools = {"ADA_24", "AMPERE_48"};
  w.Desire(e);
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan),
              ElementsAre("update endpoint.embed id=ep-1",
                          "  # updates gpuPools, workersMin, workersMax, "
                          "scaling in place"));
}

TEST(EndpointPlannerTest, ImageOrEnvChangeRollsOutANewRelease) {
  World w;
  w.Converged(MakeEndpoint("embed", {}), "ep-1");
  DesiredEndpoint e = MakeEndpoint("embed", {});
  e.spec.image = "ghcr.io/acme/embed:1.5";
  e.spec.env["HF_TOKEN"] = "hf_rotated";
  w.Desire(e);
  Plan plan = MustPlan(w);
  EXPECT_THAT(
      Describe(plan),
      ElementsAre("update endpoint.embed id=ep-1",
                  "  # env.HF_TOKEN differs from the value RunPod holds "
                  "(sensitive)",
                  "  # updates image, env in place (a new release: workers "
                  "pick it up as they cycle; running jobs finish on the old "
                  "one)"));
  EXPECT_THAT(ChangeFor(plan, EndpointAt("embed")).secret_env_changes,
              ElementsAre("HF_TOKEN"));
}

TEST(EndpointPlannerTest, TypeChangeReplacesDestroyFirst) {
  World w;
  w.Converged(MakeEndpoint("embed", {}), "ep-1");
  DesiredEndpoint e = MakeEndpoint("embed", {});
  e.spec.type = kEndpointTypeLoadBalancer;
  w.Desire(e);
  Plan plan = MustPlan(w);
  EXPECT_THAT(
      Describe(plan),
      ElementsAre("replace endpoint.embed id=ep-1 replace=type",
                  "  # type QUEUE -> LOAD_BALANCER forces replacement (RunPod "
                  "cannot change an endpoint's type; the new endpoint has a "
                  "new id and URL)",
                  "  # destroy-first: an endpoint is deleted before its "
                  "replacement is created"));
  EXPECT_THAT(StepOrder(plan), ElementsAre("destroy endpoint.embed",
                                           "create endpoint.embed"));
  EXPECT_FALSE(plan.DestroysData());
}

TEST(EndpointPlannerTest, DriftIsCorrectedAndSaid) {
  World w;
  w.Converged(MakeEndpoint("embed", {}), "ep-1");
  LiveEndpoint& live = w.LiveEndpointWithId("ep-1");
  live.spec.workers_max = 9;
  live.spec.env["MODEL_DIR"] = "/tmp";
  live.spec.env["EXTRA"] = "1";  // neither recorded nor desired: RunPod's
  Plan plan = MustPlan(w);
  EXPECT_THAT(
      Describe(plan),
      ElementsAre("update endpoint.embed id=ep-1",
                  "  # workersMax changed outside podform (was 9 live)",
                  "  # env.MODEL_DIR changed outside podform (was /tmp live)",
                  "  # updates env, workersMax in place (a new release: "
                  "workers pick it up as they cycle; running jobs finish on "
                  "the old one)"));
  EXPECT_EQ(ChangeFor(plan, EndpointAt("embed")).before->endpoint.workers_max,
            9);
}

TEST(EndpointPlannerTest, GoneLiveIsCreatedAgainWithAWarning) {
  World w;
  w.Converged(MakeEndpoint("embed", {}), "ep-1");
  w.RemoveLive("ep-1");
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan), ElementsAre("create endpoint.embed",
                                          "  # deleted outside podform"));
  EXPECT_THAT(plan.warnings,
              ElementsAre("endpoint.embed: deleted outside podform (ep-1 is "
                          "gone from RunPod); it will be created again"));
}

TEST(EndpointPlannerTest, UnmanagedEndpointsAreListed) {
  World w;
  w.Converged(MakeEndpoint("embed", {}), "ep-1");
  LiveEndpoint other;
  other.id = "ep-manual";
  other.spec.name = "console-made";
  w.live.endpoints.push_back(other);
  Plan plan = MustPlan(w);
  EXPECT_THAT(plan.unmanaged,
              ElementsAre(UnmanagedResource{Kind::kEndpoint, "ep-manual",
                                            "console-made"}));
}

TEST(EndpointPlannerTest, EndpointStopsMountingAVolumeBeforeItIsDeleted) {
  World w;
  w.Converged(MakeVolume("models", 100, "EU-RO-1", /*protect=*/false),
              "vol-1");
  w.Converged(MakeVolume("cache", 50, "US-TX-3", /*protect=*/false), "vol-2");
  DesiredEndpoint two = MakeEndpoint("embed", {"models", "cache"});
  two.spec.data_centers = {"EU-RO-1", "US-TX-3"};
  w.Converged(two, "ep-1");
  w.config.volumes.erase("cache");
  w.Desire(MakeEndpoint("embed", {"models"}));
  Plan plan = MustPlan(w);
  EXPECT_THAT(Describe(plan),
              ElementsAre("update endpoint.embed id=ep-1",
                          "  # updates volumes, dataCenters in place",
                          "delete volume.cache id=vol-2 data "
                          "destroy-deps=endpoint.embed",
                          "  # no longer in the configuration",
                          "no-op volume.models id=vol-1"));
  EXPECT_THAT(StepOrder(plan), ElementsAre("create endpoint.embed",
                                           "destroy volume.cache"));
}

TEST(EndpointPlannerTest, SwapsAVolumeCreateMountUnmountDelete) {
  World w;
  w.Converged(MakeVolume("old", 100, "EU-RO-1", /*protect=*/false), "vol-1");
  w.Converged(MakeEndpoint("embed", {"old"}), "ep-1");
  w.config.volumes.erase("old");
  w.Desire(MakeVolume("new", 200));
  w.Desire(MakeEndpoint("embed", {"new"}));
  Plan plan = MustPlan(w);
  EXPECT_THAT(StepOrder(plan),
              ElementsAre("create volume.new", "create endpoint.embed",
                          "destroy volume.old"));
  EXPECT_THAT(Describe(plan),
              ElementsAre("create volume.new",
                          "update endpoint.embed id=ep-1 deps=volume.new",
                          "  # updates volumes in place",
                          "delete volume.old id=vol-1 data "
                          "destroy-deps=endpoint.embed",
                          "  # no longer in the configuration"));
}

TEST(EndpointPlannerTest, ReplacedVolumeReplacesItsEndpointAndNamesIt) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.Converged(MakeEndpoint("embed", {"models"}), "ep-1");
  w.Desire(MakeVolume("models", 100, "US-TX-3"));
  DesiredEndpoint moved = MakeEndpoint("embed", {"models"});
  moved.spec.data_centers = {"US-TX-3"};
  w.Desire(moved);

  absl::StatusOr<Plan> refused = MakePlan(w.Loaded(), w.state, w.live, {});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().message(),
            "volume.models: replacing it (dataCenter forces replacement) "
            "destroys its data; it is protected: re-run with --allow-destroy "
            "volume.models");

  PlanOptions options;
  options.allow_destroy = {Vol("models")};
  Plan plan = MustPlan(w, options);
  EXPECT_THAT(
      Describe(plan),
      ElementsAre(
          "replace endpoint.embed id=ep-1 replace=volumes deps=volume.models",
          "  # volume.models is replaced: RunPod does not delete a volume an "
          "endpoint mounts, so the endpoint is deleted before it and created "
          "again after the new one (new id and URL)",
          "  # destroy-first: its volume goes only after the old endpoint, "
          "and the new endpoint needs the new volume",
          "replace volume.models id=vol-1 data replace=dataCenter "
          "destroy-deps=endpoint.embed",
          "  # dataCenter forces replacement",
          "  # mounted by endpoint.embed: its workers lose what is on the "
          "volume and read an empty one"));
  EXPECT_THAT(StepOrder(plan),
              ElementsAre("destroy endpoint.embed", "destroy volume.models",
                          "create volume.models", "create endpoint.embed"));
  // The data-loss warning names the endpoint that reads the empty volume.
  EXPECT_THAT(DataLossWarnings(plan),
              ElementsAre("volume.models will be DESTROYED with all its data "
                          "(100 GB) and replaced by an empty volume, which "
                          "endpoint.embed then reads"));
}

// Active workers (workers.min) are priced at the dearest of the
// endpoint's pools, before and after; an endpoint that scales to zero costs
// nothing idle, and one in a pool without a published price is named.
TEST(EndpointPlannerTest, ActiveWorkersArePricedAtTheDearestPool) {
  World w;
  DesiredEndpoint idle = MakeEndpoint("idle", {});
  DesiredEndpoint warm = MakeEndpoint("warm", {});
  warm.spec.workers_min = 1;
  w.Converged(idle, "ep-1");
  w.Converged(warm, "ep-2");
  // After: 2 workers of 2 GPUs, in ADA_24 ($1.116) or AMPERE_48 ($1.224).
  warm.spec.workers_min = 2;
  warm.spec.gpu_count = 2;
  warm.spec.gpu_pools = {"ADA_24", "AMPERE_48"};
  w.Desire(warm);
  DesiredEndpoint unpriced = MakeEndpoint("unpriced", {});
  unpriced.spec.workers_min = 1;
  unpriced.spec.gpu_pools = {"ADA_32_PRO"};
  w.Desire(unpriced);

  Plan plan = MustPlan(w);
  EXPECT_DOUBLE_EQ(plan.cost.endpoints_hourly_before, 1.116);
  EXPECT_DOUBLE_EQ(plan.cost.endpoints_hourly_after, 4.896);
  EXPECT_EQ(plan.cost.pods_hourly_after, 0);
  EXPECT_THAT(plan.cost.usage_based_endpoints,
              ElementsAre(EndpointAt("idle"), EndpointAt("unpriced"),
                          EndpointAt("warm")));
  EXPECT_THAT(plan.cost.unpriced_active_endpoints,
              ElementsAre(EndpointAt("unpriced")));
  EXPECT_THAT(render_internal::CostLines(plan.cost),
              Contains("Endpoints: $1.12/hour -> $4.90/hour (active workers, "
                       "each endpoint at its dearest pool; use beyond them "
                       "billed by the second, not included: endpoint.idle, "
                       "endpoint.unpriced, endpoint.warm; endpoint.unpriced: "
                       "price not published)"));
}

TEST(EndpointPlannerTest, RecreatedVolumeIsMountedAgainInPlace) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.Converged(MakeEndpoint("embed", {"models"}), "ep-1");
  w.RemoveLive("vol-1");
  w.LiveEndpointWithId("ep-1").spec.network_volume_ids.clear();
  Plan plan = MustPlan(w);
  EXPECT_THAT(
      Describe(plan),
      ElementsAre("create volume.models", "  # deleted outside podform",
                  "update endpoint.embed id=ep-1 deps=volume.models",
                  "  # networkVolumeIds changed outside podform (was none "
                  "live)",
                  "  # updates volumes in place",
                  "  # volume.models is created anew: the endpoint mounts "
                  "the new, empty volume"));
}

TEST(EndpointPlannerTest, DeletedEndpointGoesBeforeItsVolume) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.Converged(MakeEndpoint("embed", {"models"}), "ep-1");
  PlanOptions options;
  options.destroy = true;
  options.allow_destroy = {Vol("models")};
  Plan plan = MustPlan(w, options);
  EXPECT_THAT(Describe(plan),
              ElementsAre("delete endpoint.embed id=ep-1",
                          "  # podform destroy (RunPod deletes its bound "
                          "template with it)",
                          "delete volume.models id=vol-1 data "
                          "destroy-deps=endpoint.embed",
                          "  # podform destroy"));
  EXPECT_THAT(StepOrder(plan), ElementsAre("destroy endpoint.embed",
                                           "destroy volume.models"));
}

TEST(EndpointPlannerTest, TargetingAVolumeDeleteBringsItsEndpointUpdate) {
  World w;
  w.Converged(MakeVolume("models", 100, "EU-RO-1", /*protect=*/false),
              "vol-1");
  w.Converged(MakeEndpoint("embed", {"models"}), "ep-1");
  w.config.volumes.clear();
  w.Desire(MakeEndpoint("embed", {}));
  PlanOptions options;
  options.targets = {Vol("models")};
  Plan plan = MustPlan(w, options);
  EXPECT_THAT(StepOrder(plan), ElementsAre("create endpoint.embed",
                                           "destroy volume.models"));
}

}  // namespace
}  // namespace podform::testing
