// Serverless endpoints over REST v2 against the sandbox, end to end: create
// with their volumes, change workers in place, swap a volume, remove a
// volume that is still mounted (the endpoint lets go of it first), replace
// on type, destroy. Each apply leaves a plan with no changes.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/client/curl_transport.h"
#include "reconciler/client/rest_provider.h"
#include "tests/e2e/harness.h"

namespace podform::e2e {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

class EndpointsRestE2eTest : public E2eTest {
 protected:
  void SetUp() override {
    if (!harness::TestingRest()) {
      GTEST_SKIP() << "endpoints are managed over REST v2 only";
    }
    E2eTest::SetUp();
  }

  // podform.yaml with volumes `volumes` (each "KEY: DC") and one endpoint.
  void Write(const std::string& volumes, const std::string& endpoint) {
    WriteConfig("version: 1\nvolumes:\n" + volumes + "endpoints:\n" +
                endpoint);
  }

  RunResult Apply() {
    RunResult apply = Podform({"apply", "--auto-approve"});
    EXPECT_EQ(apply.exit_code, 0) << apply;
    RunResult plan = Podform({"plan", "--detailed-exitcode"});
    EXPECT_EQ(plan.exit_code, 0) << plan;
    return apply;
  }

  // The sandbox's endpoints as RunPod's REST v2 API lists them (GraphQL,
  // which Sandbox::Live asks, does not show an endpoint's volumes).
  std::vector<LiveEndpoint> Endpoints() {
    absl::StatusOr<std::unique_ptr<Transport>> transport =
        MakeCurlTransport(harness::EndpointOf(sandbox()), kApiKey);
    EXPECT_TRUE(transport.ok()) << transport.status();
    if (!transport.ok()) return {};
    absl::StatusOr<std::unique_ptr<RestProvider>> rest =
        MakeRestProvider(*std::move(transport));
    EXPECT_TRUE(rest.ok()) << rest.status();
    if (!rest.ok()) return {};
    absl::StatusOr<LiveState> live = (*rest)->Refresh();
    EXPECT_TRUE(live.ok()) << live.status();
    return live.ok() ? live->endpoints : std::vector<LiveEndpoint>{};
  }

  LiveEndpoint TheEndpoint() {
    std::vector<LiveEndpoint> endpoints = Endpoints();
    EXPECT_EQ(endpoints.size(), 1u);
    return endpoints.empty() ? LiveEndpoint{} : endpoints[0];
  }
};

constexpr char kBoth[] =
    "  eu: {size: 50, dataCenter: EU-RO-1, protect: false}\n"
    "  us: {size: 50, dataCenter: US-TX-3, protect: false}\n";

std::string Embed(const std::string& volumes, int max = 3,
                  const std::string& type = "queue") {
  return "  embed:\n"
         "    image: ghcr.io/acme/embed-worker:1.4\n"
         "    type: " + type + "\n"
         "    gpu: {pools: [ADA_24]}\n"
         "    workers: {min: 0, max: " + std::to_string(max) + "}\n" +
         (type == "queue" ? "" : "    scaling: {requestCount: 2}\n") +
         "    volumes: [" + volumes + "]\n"
         "    access: read-only\n";
}

TEST_F(EndpointsRestE2eTest, CreateChangeSwapRemoveReplaceDestroy) {
  Write(kBoth, Embed("eu, us"));
  Apply();
  const std::string id = LockId("endpoint.embed");
  ASSERT_FALSE(id.empty());
  LiveEndpoint live = TheEndpoint();
  EXPECT_EQ(live.id, id);
  EXPECT_EQ(live.spec.network_volume_ids,
            (std::vector<std::string>{LockId("volume.eu"), LockId("volume.us")}));
  EXPECT_EQ(live.spec.data_centers,
            (std::vector<std::string>{"EU-RO-1", "US-TX-3"}));
  EXPECT_EQ(live.spec.workers_max, 3);

  // Workers change in place: same id.
  Write(kBoth, Embed("eu, us", 5));
  RunResult plan = Podform({"plan"});
  EXPECT_THAT(plan.out, HasSubstr("~ endpoint.embed will be updated in place"))
      << plan;
  Apply();
  EXPECT_EQ(LockId("endpoint.embed"), id);
  EXPECT_EQ(TheEndpoint().spec.workers_max, 5);

  // A volume that is still mounted goes: the endpoint lets go of it first.
  const std::string us = LockId("volume.us");
  Write("  eu: {size: 50, dataCenter: EU-RO-1, protect: false}\n",
        Embed("eu", 5));
  RunResult removed = Apply();
  EXPECT_LT(PositionOf(removed.out, "endpoint.embed"),
            PositionOf(removed.out, "volume.us"));
  EXPECT_EQ(TheEndpoint().spec.network_volume_ids,
            std::vector<std::string>{LockId("volume.eu")});
  EXPECT_TRUE(FindById(sandbox().Live()["networkVolumes"], us).is_null());

  // Swap eu for a new us.
  Write("  us: {size: 50, dataCenter: US-TX-3, protect: false}\n",
        Embed("us", 5));
  Apply();
  EXPECT_EQ(LockId("endpoint.embed"), id);
  EXPECT_EQ(TheEndpoint().spec.network_volume_ids,
            std::vector<std::string>{LockId("volume.us")});

  // type replaces: a new id.
  Write("  us: {size: 50, dataCenter: US-TX-3, protect: false}\n",
        Embed("us", 5, "load-balancer"));
  Apply();
  EXPECT_NE(LockId("endpoint.embed"), id);
  EXPECT_EQ(TheEndpoint().spec.type, kEndpointTypeLoadBalancer);

  RunResult destroy = Podform({"destroy", "--auto-approve", "--allow-destroy",
                               "volume.us"});
  EXPECT_EQ(destroy.exit_code, 0) << destroy;
  EXPECT_TRUE(Endpoints().empty());
  EXPECT_TRUE(sandbox().Live()["networkVolumes"].empty());
}

TEST_F(EndpointsRestE2eTest, AReplacedVolumeIsProtectedAndTakesItsEndpoint) {
  Write("  eu: {size: 50, dataCenter: EU-RO-1}\n", Embed("eu"));
  Apply();
  const std::string id = LockId("endpoint.embed");
  const std::string eu = LockId("volume.eu");
  Write("  eu: {size: 50, dataCenter: EU-SE-1}\n", Embed("eu"));
  RunResult refused = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(refused.exit_code, 1) << refused;
  EXPECT_THAT(refused.err,
              HasSubstr("volume.eu: replacing it (dataCenter forces "
                        "replacement) destroys its data; it is protected"));
  EXPECT_EQ(TheEndpoint().id, id);

  RunResult plan = Podform({"plan", "--allow-destroy", "volume.eu"});
  EXPECT_THAT(plan.out, HasSubstr("mounted by endpoint.embed: its workers lose "
                                  "what is on the volume"))
      << plan;
  RunResult apply = Podform(
      {"apply", "--auto-approve", "--allow-destroy", "volume.eu"});
  EXPECT_EQ(apply.exit_code, 0) << apply;
  EXPECT_NE(LockId("endpoint.embed"), id);
  EXPECT_NE(LockId("volume.eu"), eu);
  LiveEndpoint live = TheEndpoint();
  EXPECT_EQ(live.spec.network_volume_ids,
            std::vector<std::string>{LockId("volume.eu")});
  EXPECT_EQ(live.spec.data_centers, std::vector<std::string>{"EU-SE-1"});
  RunResult again = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again;
}

}  // namespace
}  // namespace podform::e2e
