// endpoints: in podform.yaml (config/endpoint_reader.cc): what a valid
// section reads into, and each rule's exact diagnostic.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/config/config.h"
#include "reconciler/core/writers.h"
#include "reconciler/core/resource.h"
#include "tests/config/test_util.h"

namespace podform {
namespace {

using ::podform::testing::kSecret;
using ::podform::testing::Messages;
using ::podform::testing::Parse;
using ::testing::ElementsAre;

// The issue's example: two volumes in two data centers, one endpoint
// mounting both (lines 6..17).
const char kIssueExample[] =
    "version: 1\n"
    "volumes:\n"
    "  models-eu: {size: 100, dataCenter: EU-RO-1}\n"
    "  models-us: {size: 100, dataCenter: US-TX-3}\n"
    "endpoints:\n"
    "  embed:\n"
    "    name: embed-api\n"
    "    image: ghcr.io/acme/embed-worker:1.4\n"
    "    type: queue\n"
    "    gpu: {pools: [ADA_24, AMPERE_48], count: 1}\n"
    "    workers: {min: 0, max: 3, idleTimeout: 10}\n"
    "    scaling: {queueDelay: 4}\n"
    "    volumes: [models-eu, models-us]\n"
    "    timeout: 600\n"
    "    flashboot: true\n"
    "    env: {MODEL_DIR: /runpod-volume/models, HF_TOKEN: "
    "\"${env:HF_TOKEN}\"}\n";

TEST(EndpointConfigTest, TheIssueExampleReadsIntoRunPodsTerms) {
  LoadResult result = Parse(kIssueExample);
  ASSERT_TRUE(result.config.has_value())
      << ::testing::PrintToString(Messages(result));
  ASSERT_EQ(result.config->endpoints.size(), 1u);
  const DesiredEndpoint& e = result.config->endpoints.at("embed");
  EXPECT_EQ(e.key, "embed");
  EXPECT_EQ(e.spec.name, "embed-api");
  EXPECT_EQ(e.spec.image, "ghcr.io/acme/embed-worker:1.4");
  EXPECT_EQ(e.spec.type, "QUEUE");
  EXPECT_THAT(e.spec.gpu_pools, ElementsAre("ADA_24", "AMPERE_48"));
  EXPECT_EQ(e.spec.gpu_count, 1);
  EXPECT_EQ(e.spec.workers_min, 0);
  EXPECT_EQ(e.spec.workers_max, 3);
  EXPECT_EQ(e.spec.idle_timeout, 10);
  EXPECT_EQ(e.spec.scaler_type, "QUEUE_DELAY");
  EXPECT_EQ(e.spec.scaler_value, 4.0);
  EXPECT_THAT(e.volumes, ElementsAre("models-eu", "models-us"));
  // The endpoint runs where its volumes are, in the volumes' order.
  EXPECT_THAT(e.spec.data_centers, ElementsAre("EU-RO-1", "US-TX-3"));
  EXPECT_TRUE(e.spec.network_volume_ids.empty());
  EXPECT_EQ(e.spec.timeout_ms, 600000);  // seconds in the config
  EXPECT_EQ(e.spec.flashboot, "FLASHBOOT");
  EXPECT_EQ(
      result.secret_values.EnvAt({Kind::kEndpoint, "embed"}).at("HF_TOKEN"),
      kSecret);
  EXPECT_THAT(e.secret_env, ElementsAre("HF_TOKEN"));
  EXPECT_FALSE(e.read_only);
  EXPECT_EQ(e.location.line, 6);
  EXPECT_EQ(e.volumes_location.line, 13);
  // Read-write with up to 3 workers: several writers of each volume.
  EXPECT_THAT(
      Messages(result),
      ElementsAre(
          "podform.yaml:13:14: warning: endpoints.embed.volumes: "
          "volume.models-eu has 1 read-write mounter with several writers: "
          "endpoint.embed (line 13, up to 3 workers); files written by "
          "several at once are corrupted (a network volume has no file "
          "locking): give each writer its own directory on the volume and "
          "mount it read-only everywhere else (access: read-only)",
          "podform.yaml:13:14: warning: endpoints.embed.volumes: "
          "volume.models-us has 1 read-write mounter with several writers: "
          "endpoint.embed (line 13, up to 3 workers); files written by "
          "several at once are corrupted (a network volume has no file "
          "locking): give each writer its own directory on the volume and "
          "mount it read-only everywhere else (access: read-only)"));
}

TEST(EndpointConfigTest, DefaultsAreRunPods) {
  LoadResult result = Parse(
      "version: 1\nendpoints:\n  e: {image: i, gpu: {pools: [ADA_24]}}\n");
  ASSERT_TRUE(result.config.has_value())
      << ::testing::PrintToString(Messages(result));
  EXPECT_TRUE(result.diagnostics.empty());
  const EndpointSpec& spec = result.config->endpoints.at("e").spec;
  EndpointSpec expected;
  expected.name = "e";
  expected.image = "i";
  expected.gpu_pools = {"ADA_24"};
  EXPECT_EQ(spec, expected);
  EXPECT_EQ(spec.type, "QUEUE");
  EXPECT_EQ(spec.workers_max, 3);
  EXPECT_EQ(spec.timeout_ms, 300000);
  EXPECT_EQ(spec.flashboot, "OFF");
  EXPECT_TRUE(spec.data_centers.empty());
}

TEST(EndpointConfigTest, WithoutVolumesDataCentersAreAsDeclared) {
  LoadResult result = Parse(
      "version: 1\nendpoints:\n  e:\n    image: i\n    gpu: {pools: "
      "[ADA_24]}\n    dataCenters: [EU-RO-1, US-TX-3]\n    type: "
      "load-balancer\n    scaling: {requestCount: 2}\n");
  ASSERT_TRUE(result.config.has_value())
      << ::testing::PrintToString(Messages(result));
  const EndpointSpec& spec = result.config->endpoints.at("e").spec;
  EXPECT_THAT(spec.data_centers, ElementsAre("EU-RO-1", "US-TX-3"));
  EXPECT_EQ(spec.type, "LOAD_BALANCER");
  EXPECT_EQ(spec.scaler_type, "REQUEST_COUNT");
  EXPECT_EQ(spec.scaler_value, 2.0);
}

TEST(EndpointConfigTest, ReadOnlyEndpointsAreNoWriters) {
  std::string text = kIssueExample;
  text.append("    access: read-only\n");
  LoadResult result = Parse(text);
  ASSERT_TRUE(result.config.has_value());
  EXPECT_TRUE(result.diagnostics.empty())
      << ::testing::PrintToString(Messages(result));
  EXPECT_TRUE(result.config->endpoints.at("embed").read_only);
  // Every volume it mounts, read-only, in ConfigMounters.
  std::vector<VolumeMounter> mounters = ConfigMounters(*result.config);
  ASSERT_EQ(mounters.size(), 2u);
  EXPECT_EQ(mounters[0].volume, "models-eu");
  EXPECT_EQ(mounters[0].name, "endpoint.embed");
  EXPECT_FALSE(mounters[0].read_write);
  EXPECT_EQ(mounters[0].writers, 3);
  EXPECT_EQ(mounters[1].volume, "models-us");
  EXPECT_TRUE(SeveralWriters(mounters).empty());
}

TEST(EndpointConfigTest, OneWorkerIsOneWriterBesideAPod) {
  LoadResult result = Parse(
      "version: 1\nvolumes:\n  v: {size: 10, dataCenter: EU-RO-1}\n"
      "endpoints:\n  e: {image: i, gpu: {pools: [ADA_24]}, workers: {max: "
      "1}, volumes: [v]}\n");
  ASSERT_TRUE(result.config.has_value());
  EXPECT_TRUE(result.diagnostics.empty())
      << ::testing::PrintToString(Messages(result));
  // A read-write pod on the same volume makes two writers.
  LoadResult two = Parse(
      "version: 1\nvolumes:\n  v: {size: 10, dataCenter: EU-RO-1}\n"
      "pods:\n  p: {image: i, gpuType: NVIDIA L4, volume: v}\n"
      "endpoints:\n  e: {image: i, gpu: {pools: [ADA_24]}, workers: {max: "
      "1}, volumes: [v]}\n");
  EXPECT_THAT(
      Messages(two),
      ElementsAre("podform.yaml:7:69: warning: endpoints.e.volumes: volume.v "
                  "has 2 read-write mounters: pod.p (line 5), endpoint.e "
                  "(line 7); files written by several at once are corrupted "
                  "(a network volume has no file locking): give each writer "
                  "its own directory on the volume and mount it read-only "
                  "everywhere else (access: read-only)"));
}

// The state's form: no secret value, the volumes as addresses, and
// FromAttributes gives back what ToAttributes wrote.
TEST(EndpointConfigTest, RecordedResourceKeepsNoSecretAndRoundTrips) {
  LoadResult result = Parse(kIssueExample);
  ASSERT_TRUE(result.config.has_value());
  Resource recorded =
      RecordedResource("embed", result.config->endpoints.at("embed"));
  EXPECT_EQ(recorded.address.ToString(), "endpoint.embed");
  EXPECT_EQ(recorded.endpoint.env.count("HF_TOKEN"), 0u);
  nlohmann::json attributes = ToAttributes(recorded);
  EXPECT_EQ(attributes.dump().find(kSecret), std::string::npos);
  EXPECT_EQ(attributes.dump(),
            "{\"dataCenters\":[\"EU-RO-1\",\"US-TX-3\"],\"env\":{"
            "\"MODEL_DIR\":\"/runpod-volume/models\"},\"flashboot\":"
            "\"FLASHBOOT\",\"gpuCount\":1,\"gpuPools\":[\"ADA_24\","
            "\"AMPERE_48\"],\"idleTimeout\":10,\"image\":\"ghcr.io/acme/"
            "embed-worker:1.4\",\"name\":\"embed-api\",\"networkVolumeIds\":"
            "[],\"scaling\":{\"queueDelay\":4.0},\"secretEnv\":[\"HF_TOKEN\"],"
            "\"timeoutMs\":600000,\"type\":\"QUEUE\",\"volumes\":["
            "\"volume.models-eu\",\"volume.models-us\"],\"workersMax\":3,"
            "\"workersMin\":0}");
  absl::StatusOr<Resource> back = FromAttributes(recorded.address, attributes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, recorded);
}

TEST(EndpointConfigTest, TheDigestCoversEndpoints) {
  LoadResult base = Parse(kIssueExample);
  std::string changed_text = kIssueExample;
  changed_text.replace(changed_text.find("max: 3"), 6, "max: 4");
  LoadResult changed = Parse(changed_text);
  std::string without_text = kIssueExample;
  without_text.resize(without_text.find("endpoints:"));
  LoadResult without = Parse(without_text);
  ASSERT_TRUE(base.config.has_value());
  ASSERT_TRUE(changed.config.has_value());
  ASSERT_TRUE(without.config.has_value());
  EXPECT_NE(base.config->digest, changed.config->digest);
  EXPECT_NE(base.config->digest, without.config->digest);
  // A comment changes nothing.
  LoadResult commented = Parse(std::string(kIssueExample) + "# note\n");
  ASSERT_TRUE(commented.config.has_value());
  EXPECT_EQ(base.config->digest, commented.config->digest);
}

struct EndpointRule {
  std::string name;
  std::string yaml;
  std::vector<std::string> expected;
};

void PrintTo(const EndpointRule& c, std::ostream* os) { *os << c.name; }

class EndpointRuleTest : public ::testing::TestWithParam<EndpointRule> {};

TEST_P(EndpointRuleTest, ReportsExactly) {
  const EndpointRule& c = GetParam();
  LoadResult result = Parse(c.yaml);
  EXPECT_EQ(Messages(result), c.expected);
  bool has_error = false;
  for (const Diagnostic& d : result.diagnostics) {
    has_error |= d.severity == Diagnostic::Severity::kError;
  }
  EXPECT_EQ(result.config.has_value(), !has_error);
}

// Two volumes in EU-RO-1 (lines 3, 4) and one in US-TX-3 (line 5, 200 GB).
const std::string kVolumes =
    "version: 1\nvolumes:\n"
    "  a: {size: 100, dataCenter: EU-RO-1}\n"
    "  b: {size: 100, dataCenter: EU-RO-1}\n"
    "  c: {size: 200, dataCenter: US-TX-3}\n"
    "endpoints:\n";

INSTANTIATE_TEST_SUITE_P(
    Rules, EndpointRuleTest,
    ::testing::Values(
        EndpointRule{
            "TwoVolumesInOneDataCenter",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                       "    workers: {max: 1}\n    volumes: [a, b]\n",
            {"podform.yaml:11:18: endpoints.e.volumes: volumes.b and "
             "volumes.a are both in data center EU-RO-1; an endpoint mounts "
             "at most one volume per data center"}},
        EndpointRule{
            "DanglingVolumeKey",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                       "    workers: {max: 1}\n    volumes: [a, cc]\n",
            {"podform.yaml:11:18: endpoints.e.volumes: \"cc\" is not a key "
             "under volumes (did you mean \"c\"?)"}},
        EndpointRule{
            "UnknownPool",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24, "
                       "ADA24_PRO]}\n",
            {"podform.yaml:9:27: endpoints.e.gpu.pools: unknown serverless "
             "GPU pool \"ADA24_PRO\"; pools are AMPERE_16, AMPERE_24, "
             "ADA_24, ADA_32_PRO, ADA_48_PRO, AMPERE_48, ADA_80_PRO, "
             "AMPERE_80, BLACKWELL_96, HOPPER_141, BLACKWELL_180"}},
        EndpointRule{
            "UnknownPoolWithASuggestion",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ada_24]}\n",
            {"podform.yaml:9:19: endpoints.e.gpu.pools: unknown serverless "
             "GPU pool \"ada_24\" (did you mean \"ADA_24\"?); pools are "
             "AMPERE_16, AMPERE_24, ADA_24, ADA_32_PRO, ADA_48_PRO, "
             "AMPERE_48, ADA_80_PRO, AMPERE_80, BLACKWELL_96, HOPPER_141, "
             "BLACKWELL_180"}},
        EndpointRule{
            "WorkersMinAboveMax",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                       "    workers: {min: 4, max: 2}\n",
            {"podform.yaml:10:20: endpoints.e.workers: min (4) exceeds max "
             "(2)"}},
        EndpointRule{
            "WorkersMinAboveTheDefaultMax",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                       "    workers: {min: 5}\n",
            {"podform.yaml:10:20: endpoints.e.workers: min (5) exceeds max "
             "(3), which defaults to 3"}},
        EndpointRule{
            "LoadBalancerWithQueueDelay",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                       "    type: load-balancer\n    scaling: {queueDelay: "
                       "4}\n",
            {"podform.yaml:11:14: endpoints.e.scaling: a load-balancer "
             "endpoint has no queue; scale it on requestCount"}},
        EndpointRule{
            "LoadBalancerWithoutScaling",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                       "    type: load-balancer\n",
            {"podform.yaml:7:3: endpoints.e: a load-balancer endpoint needs "
             "\"scaling: {requestCount: N}\" (it cannot scale on queue "
             "delay)"}},
        EndpointRule{
            "DataCentersWithVolumes",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                       "    workers: {max: 1}\n    volumes: [a]\n"
                       "    dataCenters: [EU-RO-1]\n",
            {"podform.yaml:12:18: endpoints.e.dataCenters: an endpoint with "
             "volumes runs in its volumes' data centers; remove "
             "\"dataCenters\""}},
        EndpointRule{
            "VolumesOfDifferentSizesWarn",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                       "    workers: {max: 1}\n    volumes: [a, c]\n",
            {"podform.yaml:11:14: warning: endpoints.e.volumes: the volumes "
             "of one endpoint are replicas (each worker mounts the one in its "
             "data center), but their sizes differ: volumes.a 100 GB, "
             "volumes.c 200 GB"}},
        EndpointRule{
            "ScalingNeedsExactlyOneSignal",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                       "    scaling: {queueDelay: 4, requestCount: 2}\n",
            {"podform.yaml:10:14: endpoints.e.scaling: give exactly one of "
             "queueDelay (seconds) or requestCount"}},
        EndpointRule{
            "QueueDelayAtLeastHalfASecond",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                       "    scaling: {queueDelay: 0.25}\n",
            {"podform.yaml:10:27: endpoints.e.scaling.queueDelay: must be at "
             "least 0.5, got 0.25"}},
        EndpointRule{
            "QueueRequestCountHasNoIdleTimeout",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                       "    scaling: {requestCount: 2}\n"
                       "    workers: {idleTimeout: 5}\n",
            {"podform.yaml:11:28: endpoints.e.workers.idleTimeout: a queue "
             "endpoint that scales on requestCount has no idle timeout; "
             "remove it"}},
        EndpointRule{"TypeIsQueueOrLoadBalancer",
                     kVolumes +
                         "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                         "    type: QUEUE\n",
                     {"podform.yaml:10:11: endpoints.e.type: must be queue or "
                      "load-balancer, got \"QUEUE\""}},
        EndpointRule{
            "ImageAndGpuAreRequired",
            kVolumes + "  e: {}\n",
            {"podform.yaml:7:3: endpoints.e: missing required key \"image\"",
             "podform.yaml:7:3: endpoints.e: missing required key \"gpu\" "
             "(e.g. gpu: {pools: [ADA_24]})"}},
        EndpointRule{
            "AccessWithoutVolumes",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                       "    access: read-only\n",
            {"podform.yaml:10:13: endpoints.e.access: only an endpoint that "
             "mounts volumes has an access (add \"volumes\" or remove "
             "\"access\")"}},
        EndpointRule{
            "UnknownKeyIsNamed",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                       "    volume: a\n",
            {"podform.yaml:10:5: endpoints.e: unknown key \"volume\" (did "
             "you mean \"volumes\"?)"}},
        EndpointRule{
            "NamesAreUniqueAmongEndpoints",
            kVolumes + "  e: {image: i, gpu: {pools: [ADA_24]}}\n"
                       "  f: {name: e, image: i, gpu: {pools: [ADA_24]}}\n",
            {"podform.yaml:8:13: endpoints.f.name: RunPod name \"e\" is "
             "already used by endpoints.e at line 7; names must be unique "
             "among endpoints"}},
        EndpointRule{
            "AnEnvSecretIsNeverInAMessage",
            kVolumes + "  e:\n    image: i\n    gpu: {pools: [ADA_24]}\n"
                       "    env: {A: \"${env:UNSET}\"}\n",
            {"podform.yaml:10:14: endpoints.e.env.A: environment variable "
             "UNSET is not set"}}),
    [](const ::testing::TestParamInfo<EndpointRule>& info) {
      return info.param.name;
    });

}  // namespace
}  // namespace podform
