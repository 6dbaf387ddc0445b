// What the commands add for serverless endpoints: `import endpoint.NAME ID`
// records what RunPod reports (RecordImport), and a plan that changes an
// endpoint cannot be carried out over GraphQL (CheckApiCanCarryOut).

#include <string>

#include "cmd/import.h"
#include "cmd/planning.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/config/config.h"

namespace podform {
namespace {

using ::testing::ElementsAre;

Config Declaring() {
  Config config;
  DesiredVolume eu;
  eu.key = "models-eu";
  eu.spec = {"models-eu", 50, "EU-RO-1"};
  config.volumes["models-eu"] = eu;
  DesiredVolume us = eu;
  us.key = "models-us";
  us.spec = {"models-us", 50, "US-TX-3"};
  config.volumes["models-us"] = us;
  DesiredEndpoint embed;
  embed.key = "embed";
  embed.spec.name = "embed";
  embed.volumes = {"models-eu", "models-us"};
  embed.read_only = true;
  embed.secret_env = {"HF_TOKEN"};
  config.endpoints["embed"] = embed;
  return config;
}

LiveState Live() {
  LiveState live;
  live.volumes = {{"vol-eu", {"models-eu", 50, "EU-RO-1"}},
                  {"vol-us", {"models-us", 50, "US-TX-3"}}};
  LiveEndpoint e;
  e.id = "ep-1";
  e.spec.name = "embed";
  e.spec.image = "ghcr.io/acme/embed:1.4";
  e.spec.network_volume_ids = {"vol-eu", "vol-us"};
  e.spec.data_centers = {"EU-RO-1", "US-TX-3"};
  e.spec.env = {{"MODEL_DIR", "/runpod-volume"}, {"HF_TOKEN", "hf_live"}};
  live.endpoints = {e};
  return live;
}

TEST(ImportEndpointTest, RecordsWhatRunPodReportsWithSecretsMarked) {
  const Config config = Declaring();
  const LiveState live = Live();
  State state;
  ASSERT_TRUE(RecordImport(config, live, {Kind::kVolume, "models-eu"},
                           "vol-eu", &state)
                  .ok());
  ASSERT_TRUE(RecordImport(config, live, {Kind::kEndpoint, "embed"}, "ep-1",
                           &state)
                  .ok());
  const ResourceState* embed = state.Find({Kind::kEndpoint, "embed"});
  ASSERT_NE(embed, nullptr);
  EXPECT_EQ(embed->id, "ep-1");
  EXPECT_EQ(embed->resource.endpoint.image, "ghcr.io/acme/embed:1.4");
  // Only the volume the state knows so far has a key.
  EXPECT_THAT(embed->resource.volume_keys, ElementsAre("models-eu"));
  EXPECT_THAT(embed->resource.endpoint.network_volume_ids,
              ElementsAre("vol-eu", "vol-us"));
  EXPECT_TRUE(embed->resource.read_only);
  EXPECT_EQ(embed->resource.endpoint.env,
            (std::map<std::string, std::string>{{"MODEL_DIR",
                                                 "/runpod-volume"}}));
  EXPECT_EQ(embed->resource.secret_env, std::set<std::string>{"HF_TOKEN"});

  // The other volume, imported after, is named in the endpoint's order.
  ASSERT_TRUE(RecordImport(config, live, {Kind::kVolume, "models-us"},
                           "vol-us", &state)
                  .ok());
  EXPECT_THAT(state.Find({Kind::kEndpoint, "embed"})->resource.volume_keys,
              ElementsAre("models-eu", "models-us"));
}

TEST(ImportEndpointTest, AnUnknownIdIsNotFound) {
  State state;
  absl::Status status = RecordImport(Declaring(), Live(),
                                     {Kind::kEndpoint, "embed"}, "ep-x", &state);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "RunPod has no serverless endpoint with id ep-x");
  EXPECT_TRUE(state.resources.empty());
}

TEST(CheckApiCanCarryOutTest, EndpointChangesNeedRestV2) {
  Plan plan;
  Change noop;
  noop.address = {Kind::kEndpoint, "kept"};
  Change del;
  del.address = {Kind::kEndpoint, "old"};
  del.action = Action::kDelete;
  del.id = "ep-2";
  plan.changes = {noop, del};
  EXPECT_TRUE(CheckApiCanCarryOut(plan, Api::kRest).ok());
  absl::Status status = CheckApiCanCarryOut(plan, Api::kGraphQL);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "endpoint.old: delete of a serverless endpoint cannot be done over "
            "RunPod's GraphQL API (REST v2 only); use REST v2 (the default, "
            "without --api graphql)");
}

}  // namespace
}  // namespace podform
