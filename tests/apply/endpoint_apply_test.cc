// Applying plans with serverless endpoints: the Provider calls in order,
// the volume ids and data centers resolved from the state, secrets sent
// but never recorded, what the state records, and recovery of an
// endpoint's interrupted create.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/apply/applier.h"
#include "reconciler/apply/recover.h"
#include "reconciler/config/config.h"
#include "reconciler/plan/planner.h"
#include "tests/apply/changes.h"
#include "tests/apply/fake_provider.h"

namespace podform {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kToken[] = "hf_s3cr3t";

DesiredVolume Vol(const std::string& key, const std::string& dc) {
  DesiredVolume v;
  v.key = key;
  v.spec = {key, 50, dc};
  v.protect = false;
  return v;
}

DesiredEndpoint Endpoint(const std::string& key,
                         std::vector<std::string> volumes,
                         std::vector<std::string> data_centers) {
  DesiredEndpoint e;
  e.key = key;
  e.spec.name = key;
  e.spec.image = "ghcr.io/acme/embed:1.4";
  e.spec.gpu_pools = {"ADA_24"};
  e.spec.data_centers = std::move(data_centers);
  e.spec.env = {{"MODEL_DIR", "/runpod-volume"}};
  e.secret_env = {"HF_TOKEN"};  // its value: EndpointApplyTest::secrets_
  e.volumes = std::move(volumes);
  return e;
}

class EndpointApplyTest : public ::testing::Test {
 protected:
  EndpointApplyTest() { state_.lineage = "lineage-1"; }

  // Plans config_ against state_ and the fake's live state, then applies.
  ApplyResult PlanAndApply(const PlanOptions& options = {}) {
    absl::StatusOr<Plan> plan =
        MakePlan(Loaded(), state_, provider_.live(), options);
    EXPECT_TRUE(plan.ok()) << plan.status();
    if (!plan.ok()) return {};
    ApplyOptions apply;
    apply.parallelism = 4;
    return Apply(*plan, config_, secrets_, &state_, nullptr, &provider_, apply);
  }

  // config_ as the config loader gives it beside secrets_: with a salt and
  // the digests of secrets_'s values.
  Config Loaded() const {
    Config loaded = config_;
    DigestSecretValues(secrets_, &loaded);
    return loaded;
  }

  Config config_;
  // The raw value of every Endpoint()'s secret env, as the loader gives it.
  const SecretValues secrets_{
      {{{Kind::kEndpoint, "embed"}, {{"HF_TOKEN", kToken}}}}};
  State state_;
  FakeProvider provider_;
};

TEST_F(EndpointApplyTest, CreatesVolumesThenTheEndpointWithTheirIds) {
  config_.volumes["eu"] = Vol("eu", "EU-RO-1");
  config_.volumes["us"] = Vol("us", "US-TX-3");
  config_.endpoints["embed"] =
      Endpoint("embed", {"eu", "us"}, {"EU-RO-1", "US-TX-3"});
  ApplyResult result = PlanAndApply();
  ASSERT_TRUE(result.ok());
  const std::string eu = state_.Find({Kind::kVolume, "eu"})->id;
  const std::string us = state_.Find({Kind::kVolume, "us"})->id;
  std::vector<std::string> calls = provider_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[2], "createEndpoint embed on " + eu + "," + us +
                          " in EU-RO-1,US-TX-3");
  // The secret's value went to RunPod, and only there.
  ASSERT_EQ(provider_.sent_endpoints().size(), 1u);
  EXPECT_EQ(provider_.sent_endpoints()[0].env.at("HF_TOKEN"), kToken);
  const ResourceState* embed = state_.Find({Kind::kEndpoint, "embed"});
  ASSERT_NE(embed, nullptr);
  EXPECT_EQ(embed->id, provider_.live().endpoints[0].id);
  EXPECT_THAT(embed->resource.endpoint.network_volume_ids, ElementsAre(eu, us));
  EXPECT_THAT(embed->resource.volume_keys, ElementsAre("eu", "us"));
  EXPECT_EQ(embed->resource.endpoint.env.count("HF_TOKEN"), 0u);
  EXPECT_THAT(embed->resource.secret_env, ElementsAre("HF_TOKEN"));
  EXPECT_THAT(state_.intents, IsEmpty());

  // Applied again: nothing to do.
  ApplyResult again = PlanAndApply();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(provider_.calls().size(), 3u);
}

TEST_F(EndpointApplyTest, UpdatesInPlaceAndRecords) {
  config_.endpoints["embed"] = Endpoint("embed", {}, {"EU-RO-1"});
  ASSERT_TRUE(PlanAndApply().ok());
  const std::string id = state_.Find({Kind::kEndpoint, "embed"})->id;
  config_.endpoints["embed"].spec.workers_max = 7;
  ApplyResult result = PlanAndApply();
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(provider_.calls(),
              ElementsAre("createEndpoint embed",
                          "updateEndpoint " + id +
                              " ghcr.io/acme/embed:1.4 workers 0..7"));
  EXPECT_EQ(provider_.sent_endpoints()[1].env.at("HF_TOKEN"), kToken);
  EXPECT_EQ(state_.Find({Kind::kEndpoint, "embed"})->resource.endpoint
                .workers_max,
            7);
  EXPECT_EQ(state_.Find({Kind::kEndpoint, "embed"})->id, id);
}

TEST_F(EndpointApplyTest, SwapsAVolumeBeforeDeletingTheOldOne) {
  config_.volumes["old"] = Vol("old", "EU-RO-1");
  config_.endpoints["embed"] = Endpoint("embed", {"old"}, {"EU-RO-1"});
  ASSERT_TRUE(PlanAndApply().ok());
  const std::string old_id = state_.Find({Kind::kVolume, "old"})->id;
  const std::string id = state_.Find({Kind::kEndpoint, "embed"})->id;
  config_.volumes.erase("old");
  config_.volumes["new"] = Vol("new", "US-TX-3");
  config_.endpoints["embed"] = Endpoint("embed", {"new"}, {"US-TX-3"});
  ApplyResult result = PlanAndApply();
  ASSERT_TRUE(result.ok());
  const std::string new_id = state_.Find({Kind::kVolume, "new"})->id;
  std::vector<std::string> calls = provider_.calls();
  ASSERT_EQ(calls.size(), 5u);
  EXPECT_THAT(std::vector<std::string>(calls.begin() + 2, calls.end()),
              ElementsAre("createVolume new",
                          "updateEndpoint " + id +
                              " ghcr.io/acme/embed:1.4 workers 0..3 on " +
                              new_id + " in US-TX-3",
                          "deleteVolume " + old_id));
  EXPECT_EQ(state_.Find({Kind::kVolume, "old"}), nullptr);
  EXPECT_THAT(state_.Find({Kind::kEndpoint, "embed"})
                  ->resource.endpoint.network_volume_ids,
              ElementsAre(new_id));
}

TEST_F(EndpointApplyTest, ReplacesOnTypeAndDeletesOnDestroy) {
  config_.endpoints["embed"] = Endpoint("embed", {}, {"EU-RO-1"});
  ASSERT_TRUE(PlanAndApply().ok());
  const std::string first = state_.Find({Kind::kEndpoint, "embed"})->id;
  config_.endpoints["embed"].spec.type = kEndpointTypeLoadBalancer;
  config_.endpoints["embed"].spec.scaler_type = kScalerRequestCount;
  config_.endpoints["embed"].spec.scaler_value = 2;
  ASSERT_TRUE(PlanAndApply().ok());
  const std::string second = state_.Find({Kind::kEndpoint, "embed"})->id;
  EXPECT_NE(first, second);
  PlanOptions destroy;
  destroy.destroy = true;
  ASSERT_TRUE(PlanAndApply(destroy).ok());
  EXPECT_THAT(provider_.calls(),
              ElementsAre("createEndpoint embed", "deleteEndpoint " + first,
                          "createEndpoint embed", "deleteEndpoint " + second));
  EXPECT_THAT(state_.resources, IsEmpty());
  EXPECT_THAT(provider_.live().endpoints, IsEmpty());
}

TEST_F(EndpointApplyTest, AccessAloneIsRecordedWithoutARequest) {
  config_.volumes["models"] = Vol("models", "EU-RO-1");
  config_.endpoints["embed"] = Endpoint("embed", {"models"}, {"EU-RO-1"});
  ASSERT_TRUE(PlanAndApply().ok());
  config_.endpoints["embed"].read_only = true;
  ASSERT_TRUE(PlanAndApply().ok());
  EXPECT_EQ(provider_.calls().size(), 2u);  // the two creates
  EXPECT_TRUE(state_.Find({Kind::kEndpoint, "embed"})->resource.read_only);
}

TEST_F(EndpointApplyTest, UnknownCreateOutcomeAdoptsTheEndpoint) {
  provider_.FailNext("createEndpoint embed",
                     absl::DeadlineExceededError("timeout"),
                     /*commit_first=*/true);
  config_.endpoints["embed"] = Endpoint("embed", {}, {"EU-RO-1"});
  ApplyResult result = PlanAndApply();
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(provider_.calls(), ElementsAre("createEndpoint embed", "refresh"));
  EXPECT_EQ(state_.Find({Kind::kEndpoint, "embed"})->id,
            provider_.live().endpoints[0].id);
}

TEST(EndpointRecoverTest, AdoptsTheEndpointAnInterruptedCreateMade) {
  const Address embed{Kind::kEndpoint, "embed"};
  Config config;
  config.endpoints["embed"] = Endpoint("embed", {}, {"EU-RO-1"});
  State state;
  state.lineage = "lineage-1";
  Resource declared = RecordedResource("embed", config.endpoints["embed"]);
  state.intents[embed] = {embed, "embed", "", "2026-12-06T10:00:00Z",
                          {"ep-console"}, declared};
  LiveState live;
  LiveEndpoint console{"ep-console", config.endpoints["embed"].spec};
  LiveEndpoint made{"ep-made", config.endpoints["embed"].spec};
  live.endpoints = {console, made};
  absl::StatusOr<std::vector<IntentOutcome>> outcomes =
      ResolveIntents(config, live, &state);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_EQ(outcomes->size(), 1u);
  EXPECT_EQ((*outcomes)[0].message,
            "endpoint.embed: adopted ep-made, created by an interrupted run");
  ASSERT_NE(state.Find(embed), nullptr);
  EXPECT_EQ(state.Find(embed)->id, "ep-made");
  EXPECT_EQ(state.Find(embed)->resource.secret_env,
            std::set<std::string>{"HF_TOKEN"});
  EXPECT_THAT(state.intents, IsEmpty());
}

}  // namespace
}  // namespace podform
