#include "reconciler/core/model.h"

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/core/catalog.h"
#include "reconciler/core/resource.h"

namespace podform {
namespace {

TEST(AddressTest, ParsesAndPrints) {
  absl::StatusOr<Address> a = Address::Parse("volume.models");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->kind, Kind::kVolume);
  EXPECT_EQ(a->name, "models");
  EXPECT_EQ(a->ToString(), "volume.models");
  EXPECT_EQ(Address::Parse("pod.trainer")->kind, Kind::kPod);
  EXPECT_EQ(Address::Parse("disk.x").status().message(),
            "invalid address \"disk.x\": expected volume.NAME, pod.NAME or "
            "endpoint.NAME");
  EXPECT_FALSE(Address::Parse("pod.").ok());
  EXPECT_FALSE(Address::Parse("pod").ok());
}

TEST(CatalogTest, StandardVolumesAreTieredAndHighPerformanceIsUnpriced) {
  EXPECT_DOUBLE_EQ(VolumeMonthlyCost(100), 7.0);
  EXPECT_DOUBLE_EQ(VolumeMonthlyCost(1000), 70.0);
  EXPECT_DOUBLE_EQ(VolumeMonthlyCost(1500), 95.0);  // 70 + 500 x 0.05
  EXPECT_TRUE(VolumePricePublished("STANDARD"));
  EXPECT_TRUE(VolumePricePublished(""));  // the default tier
  EXPECT_FALSE(VolumePricePublished("HIGH_PERFORMANCE"));
  EXPECT_DOUBLE_EQ(*PodHourlyCost("NVIDIA A100 80GB PCIe", 2, "SECURE"), 3.28);
  EXPECT_DOUBLE_EQ(*PodHourlyCost("NVIDIA A100 80GB PCIe", 1, "COMMUNITY"),
                   1.19);
}

TEST(AddressTest, VolumesSortBeforePods) {
  EXPECT_LT((Address{Kind::kVolume, "z"}), (Address{Kind::kPod, "a"}));
  EXPECT_LT((Address{Kind::kPod, "a"}), (Address{Kind::kPod, "b"}));
}

TEST(ResourceTest, VolumeAttributesRoundTrip) {
  Resource r;
  r.address = {Kind::kVolume, "models"};
  r.volume = {"ml-models", 500, "EU-RO-1"};
  r.protect = true;
  nlohmann::json attrs = ToAttributes(r);
  EXPECT_EQ(
      attrs.dump(),
      R"({"dataCenter":"EU-RO-1","name":"ml-models","protect":true,"size":500})");
  absl::StatusOr<Resource> back = FromAttributes(r.address, attrs);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, r);
}

TEST(ResourceTest, AVolumeTypeIsRecordedOnlyWhenDeclared) {
  Resource r;
  r.address = {Kind::kVolume, "models"};
  r.volume = {"ml-models", 500, "EU-RO-1", "HIGH_PERFORMANCE"};
  nlohmann::json attrs = ToAttributes(r);
  EXPECT_EQ(
      attrs.dump(),
      R"({"dataCenter":"EU-RO-1","name":"ml-models","protect":false,"size":500,"type":"HIGH_PERFORMANCE"})");
  absl::StatusOr<Resource> back = FromAttributes(r.address, attrs);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, r);

  attrs["type"] = "FAST";
  EXPECT_EQ(FromAttributes(r.address, attrs).status().message(),
            "volume.models: attribute \"type\" must be STANDARD or "
            "HIGH_PERFORMANCE");
  attrs["type"] = 1;
  EXPECT_EQ(FromAttributes(r.address, attrs).status().message(),
            "volume.models: attribute \"type\" has the wrong type");
}

TEST(ResourceTest, PodAttributesRoundTrip) {
  Resource r;
  r.address = {Kind::kPod, "trainer"};
  r.pod.name = "trainer";
  r.pod.image = "runpod/pytorch";
  r.pod.gpu_type = "NVIDIA A100 80GB PCIe";
  r.pod.data_center = "EU-RO-1";
  r.pod.network_volume_id = "abc123";
  r.pod.ports = {"8888/http", "22/tcp"};
  r.pod.env = {{"A", "b"}};  // TOKEN is a secret: marked, with no value
  r.pod.running = false;
  r.volume_key = "models";
  r.secret_env = {"TOKEN"};
  nlohmann::json attrs = ToAttributes(r);
  EXPECT_EQ(attrs["volume"], "volume.models");
  EXPECT_EQ(attrs["status"], "stopped");
  absl::StatusOr<Resource> back = FromAttributes(r.address, attrs);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, r);
}

TEST(ResourceTest, ReadOnlyAccessIsRecordedOnlyWhenDeclared) {
  Resource r;
  r.address = {Kind::kPod, "eval"};
  r.pod.name = "eval";
  r.volume_key = "models";
  EXPECT_FALSE(ToAttributes(r).contains("access"));  // read-write
  r.read_only = true;
  nlohmann::json attrs = ToAttributes(r);
  EXPECT_EQ(attrs["access"], "read-only");
  absl::StatusOr<Resource> back = FromAttributes(r.address, attrs);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, r);

  const std::string refused =
      "pod.eval: attribute \"access\" must be \"read-only\", on a pod "
      "that mounts a volume (a read-write mount records no access)";
  attrs["access"] = "read-write";
  EXPECT_EQ(FromAttributes(r.address, attrs).status().message(), refused);
  attrs["access"] = "read-only";
  attrs["volume"] = nullptr;
  EXPECT_EQ(FromAttributes(r.address, attrs).status().message(), refused);
  attrs["volume"] = "volume.models";
  attrs["access"] = true;
  EXPECT_EQ(FromAttributes(r.address, attrs).status().message(),
            "pod.eval: attribute \"access\" has the wrong type");
}

TEST(ResourceTest, FromAttributesNamesTheBadField) {
  nlohmann::json attrs = {{"name", "x"},
                          {"size", "big"},
                          {"dataCenter", "EU-RO-1"},
                          {"protect", true}};
  EXPECT_EQ(FromAttributes({Kind::kVolume, "v"}, attrs).status().message(),
            "volume.v: attribute \"size\" has the wrong type");
  attrs.erase("size");
  EXPECT_EQ(FromAttributes({Kind::kVolume, "v"}, attrs).status().message(),
            "volume.v: missing attribute \"size\"");
}

// Found by plan_file_fuzz: a float far beyond int's range was converted to
// int (undefined behaviour); a wide integer would have wrapped.
TEST(ResourceTest, FromAttributesRefusesFloatsAndNumbersOutOfRange) {
  nlohmann::json volume = {{"name", "x"},
                           {"size", 10.5},
                           {"dataCenter", "EU-RO-1"},
                           {"protect", true}};
  EXPECT_EQ(FromAttributes({Kind::kVolume, "v"}, volume).status().message(),
            "volume.v: attribute \"size\" has the wrong type");
  Resource pod;
  pod.address = {Kind::kPod, "p"};
  pod.pod.name = "p";
  nlohmann::json attrs = ToAttributes(pod);
  for (const nlohmann::json& bad :
       {nlohmann::json(2.3e300), nlohmann::json(int64_t{1} << 40),
        nlohmann::json(uint64_t{1} << 63),
        nlohmann::json(-(int64_t{1} << 40))}) {
    attrs["containerDiskGb"] = bad;
    EXPECT_EQ(FromAttributes(pod.address, attrs).status().message(),
              bad.is_number_float()
                  ? "pod.p: attribute \"containerDiskGb\" has the wrong type"
                  : "pod.p: attribute \"containerDiskGb\" is out of range")
        << bad.dump();
  }
  attrs["containerDiskGb"] = 20;
  EXPECT_TRUE(FromAttributes(pod.address, attrs).ok());
}

// What podform once recorded under a secret key: HMAC-SHA256 keyed by the
// lineage, which sits in the same file (so a guess could be tested).
constexpr char kLegacyDigest[] =
    "hmac-sha256:"
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

nlohmann::json PodWithSecret() {
  Resource r;
  r.address = {Kind::kPod, "p"};
  r.pod.name = "p";
  r.pod.env = {{"A", "b"}};
  r.secret_env = {"TOKEN"};
  return ToAttributes(r);
}

TEST(ResourceTest, FromAttributesRefusesAValueUnderASecretKey) {
  nlohmann::json attrs = PodWithSecret();
  EXPECT_FALSE(attrs["env"].contains("TOKEN"));
  ASSERT_TRUE(FromAttributes({Kind::kPod, "p"}, attrs).ok());
  for (const char* value : {"s3cret", kLegacyDigest, ""}) {
    attrs["env"]["TOKEN"] = value;
    EXPECT_EQ(FromAttributes({Kind::kPod, "p"}, attrs).status().message(),
              "pod.p: attribute \"env\" holds a value for TOKEN, which "
              "\"secretEnv\" lists as a secret (a secret's value is never "
              "recorded)")
        << value;
  }
}

TEST(ResourceTest, DropLegacySecretDigestsDropsOnlyDigestsUnderSecretKeys) {
  nlohmann::json attrs = PodWithSecret();
  attrs["env"]["TOKEN"] = kLegacyDigest;
  attrs["env"]["PLAIN_LOOKALIKE"] = kLegacyDigest;  // not a secret: kept
  EXPECT_EQ(DropLegacySecretDigests(&attrs), 1);
  EXPECT_EQ(attrs["env"],
            nlohmann::json({{"A", "b"}, {"PLAIN_LOOKALIKE", kLegacyDigest}}));
  EXPECT_EQ(DropLegacySecretDigests(&attrs), 0);
  // A raw value under a secret key is not a digest: left for FromAttributes
  // to refuse. So is a digest with upper-case or missing hex digits.
  for (std::string value :
       {std::string("s3cret"), std::string(kLegacyDigest).substr(0, 75),
        absl::AsciiStrToUpper(std::string(kLegacyDigest))}) {
    attrs["env"]["TOKEN"] = value;
    EXPECT_EQ(DropLegacySecretDigests(&attrs), 0) << value;
    EXPECT_EQ(attrs["env"]["TOKEN"], value);
  }
  nlohmann::json volume = {{"name", "x"}};
  EXPECT_EQ(DropLegacySecretDigests(&volume), 0);
  nlohmann::json not_an_object = 3;
  EXPECT_EQ(DropLegacySecretDigests(&not_an_object), 0);
}

TEST(CatalogTest, PricesFollowRunPodsTiers) {
  EXPECT_DOUBLE_EQ(VolumeMonthlyCost(100), 7.0);
  EXPECT_DOUBLE_EQ(VolumeMonthlyCost(1000), 70.0);
  EXPECT_DOUBLE_EQ(VolumeMonthlyCost(2000), 120.0);
  EXPECT_NE(FindDataCenter("EU-RO-1"), nullptr);
  EXPECT_EQ(FindDataCenter("MARS-1"), nullptr);
  EXPECT_DOUBLE_EQ(*PodHourlyCost("NVIDIA A100 80GB PCIe", 2, "SECURE"), 3.28);
  // Not in the catalog: no price, not $0.
  EXPECT_EQ(PodHourlyCost("nope", 2, "SECURE"), std::nullopt);
}

TEST(CatalogTest, HoldsEveryGpuTypeRunPodLists) {
  // references/gpu-types.mdx of RunPod's docs lists 45 types.
  ASSERT_EQ(KnownGpuTypes().size(), 45u);
  std::set<std::string_view> ids, names;
  for (const GpuTypeInfo& gpu : KnownGpuTypes()) {
    EXPECT_TRUE(ids.insert(gpu.id).second) << gpu.id;
    EXPECT_TRUE(names.insert(gpu.display_name).second) << gpu.display_name;
    EXPECT_GT(gpu.memory_gb, 0) << gpu.id;
    EXPECT_TRUE(gpu.secure_cloud || gpu.community_cloud) << gpu.id;
  }
  const GpuTypeInfo* b300 = FindGpuType("NVIDIA B300 SXM6 AC");
  ASSERT_NE(b300, nullptr);
  EXPECT_EQ(b300->display_name, "B300");
  EXPECT_EQ(b300->memory_gb, 288);
  EXPECT_EQ(b300->pool, "");
  EXPECT_EQ(FindGpuTypeByDisplayName("RTX PRO 6000 MaxQ")->id,
            "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition");
  EXPECT_EQ(FindGpuType("Tesla V100-SXM2-32GB")->memory_gb, 32);
  EXPECT_EQ(FindGpuType("NVIDIA GeForce RTX 5090")->pool, "ADA_32_PRO");
  EXPECT_EQ(FindGpuType("NVIDIA B200")->pool, "BLACKWELL_180");
  EXPECT_EQ(FindGpuType("NVIDIA L4")->pool, "ADA_24");
  EXPECT_EQ(FindGpuType("NVIDIA RTX A4500")->pool, "AMPERE_24");
}

TEST(CatalogTest, TypesWithoutAPublishedPriceHaveNoPrice) {
  // 13 types carry RunPod's published price; the others none.
  int priced = 0;
  for (const GpuTypeInfo& gpu : KnownGpuTypes()) {
    EXPECT_EQ(gpu.secure_price.has_value(), gpu.community_price.has_value())
        << gpu.id;
    if (gpu.secure_price.has_value()) ++priced;
  }
  EXPECT_EQ(priced, 13);
  EXPECT_EQ(PodHourlyCost("NVIDIA B200", 1, "SECURE"), std::nullopt);
  EXPECT_EQ(PodHourlyCost("NVIDIA GeForce RTX 5090", 2, "COMMUNITY"),
            std::nullopt);
  EXPECT_DOUBLE_EQ(*PodHourlyCost("NVIDIA L4", 3, "COMMUNITY"), 0.84);
  // Any cloud but COMMUNITY reads as SECURE (a pod that declares none).
  EXPECT_DOUBLE_EQ(*PodHourlyCost("NVIDIA L4", 1, ""), 0.43);
}

TEST(CatalogTest, KnowsRunPodsServerlessPools) {
  for (const char* pool :
       {"AMPERE_16", "AMPERE_24", "ADA_24", "ADA_32_PRO", "AMPERE_48",
        "ADA_48_PRO", "AMPERE_80", "ADA_80_PRO", "BLACKWELL_96", "HOPPER_141",
        "BLACKWELL_180"}) {
    EXPECT_TRUE(IsKnownGpuPool(pool)) << pool;
  }
  EXPECT_FALSE(IsKnownGpuPool(""));
  EXPECT_FALSE(IsKnownGpuPool("ADA_80"));
}

// RunPod's serverless price list, per GPU-second, times 3600: every pool
// it lists, and none for the one it does not (ADA_32_PRO) or an unknown one.
TEST(CatalogTest, ServerlessPoolsArePricedPerGpuHourFromRunPodsList) {
  const std::vector<std::pair<const char*, double>> listed = {
      {"AMPERE_16", 0.576},  {"AMPERE_24", 0.684},    {"ADA_24", 1.116},
      {"AMPERE_48", 1.224},  {"ADA_48_PRO", 1.908},   {"AMPERE_80", 2.736},
      {"ADA_80_PRO", 4.176}, {"BLACKWELL_96", 3.996}, {"HOPPER_141", 5.58},
      {"BLACKWELL_180", 8.64}};
  for (const auto& [pool, hourly] : listed) {
    ASSERT_TRUE(ServerlessGpuHourlyPrice(pool).has_value()) << pool;
    EXPECT_NEAR(*ServerlessGpuHourlyPrice(pool), hourly, 1e-9) << pool;
    EXPECT_TRUE(IsKnownGpuPool(pool)) << pool;
  }
  EXPECT_EQ(ServerlessGpuHourlyPrice("ADA_32_PRO"), std::nullopt);
  EXPECT_EQ(ServerlessGpuHourlyPrice("ADA_80"), std::nullopt);
}

// Workers RunPod may place in any of the pools are priced at the dearest.
TEST(CatalogTest, ServerlessWorkersArePricedAtTheirDearestPool) {
  const std::vector<std::string> two = {"ADA_24", "AMPERE_48"};
  EXPECT_NEAR(*ServerlessWorkersHourlyCost(two, 2, 3), 1.224 * 2 * 3, 1e-9);
  EXPECT_NEAR(*ServerlessWorkersHourlyCost(two, 1, 0), 0, 1e-12);
  const std::vector<std::string> with_unpriced = {"ADA_24", "ADA_32_PRO"};
  EXPECT_EQ(ServerlessWorkersHourlyCost(with_unpriced, 1, 1), std::nullopt);
  EXPECT_EQ(ServerlessWorkersHourlyCost({}, 1, 1), std::nullopt);
}

TEST(AddressTest, EndpointsParseAndSortAfterPods) {
  absl::StatusOr<Address> e = Address::Parse("endpoint.embed");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->kind, Kind::kEndpoint);
  EXPECT_EQ(e->name, "embed");
  EXPECT_EQ(e->ToString(), "endpoint.embed");
  EXPECT_STREQ(KindName(Kind::kEndpoint), "endpoint");
  EXPECT_LT((Address{Kind::kPod, "z"}), (Address{Kind::kEndpoint, "a"}));
  EXPECT_LT((Address{Kind::kVolume, "z"}), (Address{Kind::kEndpoint, "a"}));
}

TEST(LiveStateTest, FindsEndpointsById) {
  LiveState live;
  EndpointSpec a, b, c;
  a.name = "a";
  b.name = "b";
  c.name = "c";
  live.endpoints.push_back({"ep1", a});
  live.endpoints.push_back({"ep2", b});
  live.endpoints.push_back({"ep1", c});
  ASSERT_NE(live.FindEndpoint("ep2"), nullptr);
  EXPECT_EQ(live.FindEndpoint("ep2")->spec.name, "b");
  EXPECT_EQ(live.FindEndpoint("ep1")->spec.name, "a");  // the first
  EXPECT_EQ(live.FindEndpoint("nope"), nullptr);
  LiveIndex index(live);
  EXPECT_EQ(index.FindEndpoint("ep2"), live.FindEndpoint("ep2"));
  EXPECT_EQ(index.FindEndpoint("ep1"), live.FindEndpoint("ep1"));
  EXPECT_EQ(index.FindEndpoint("nope"), nullptr);
}

Resource SampleEndpointResource() {
  Resource r;
  r.address = {Kind::kEndpoint, "embed"};
  r.endpoint.name = "embed-api";
  r.endpoint.image = "img:1";
  r.endpoint.type = "LOAD_BALANCER";
  r.endpoint.gpu_pools = {"ADA_24"};
  r.endpoint.scaler_type = "REQUEST_COUNT";
  r.endpoint.scaler_value = 2;
  r.endpoint.network_volume_ids = {"vol1"};
  r.endpoint.data_centers = {"EU-RO-1"};
  r.volume_keys = {"models"};
  r.secret_env = {"TOKEN"};
  return r;
}

TEST(ResourceTest, EndpointAttributesRoundTrip) {
  Resource r = SampleEndpointResource();
  nlohmann::json attributes = ToAttributes(r);
  EXPECT_EQ(attributes["scaling"],
            nlohmann::json::object({{"requestCount", 2}}));
  EXPECT_TRUE(attributes["scaling"]["requestCount"].is_number_integer());
  EXPECT_EQ(attributes["volumes"],
            nlohmann::json::parse(R"(["volume.models"])"));
  EXPECT_FALSE(attributes.contains("access"));
  absl::StatusOr<Resource> back = FromAttributes(r.address, attributes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, r);

  r.read_only = true;
  attributes = ToAttributes(r);
  EXPECT_EQ(attributes["access"], "read-only");
  back = FromAttributes(r.address, attributes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, r);
}

TEST(ResourceTest, FromAttributesNamesTheBadEndpointField) {
  const Resource r = SampleEndpointResource();
  auto error = [&](const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json attributes = ToAttributes(r);
    edit(attributes);
    absl::StatusOr<Resource> back = FromAttributes(r.address, attributes);
    EXPECT_FALSE(back.ok());
    return back.ok() ? std::string() : std::string(back.status().message());
  };
  EXPECT_EQ(error([](nlohmann::json& a) { a.erase("gpuPools"); }),
            "endpoint.embed: missing attribute \"gpuPools\"");
  EXPECT_EQ(error([](nlohmann::json& a) { a["type"] = "queue"; }),
            "endpoint.embed: attribute \"type\" must be QUEUE or "
            "LOAD_BALANCER");
  EXPECT_EQ(error([](nlohmann::json& a) { a["flashboot"] = true; }),
            "endpoint.embed: attribute \"flashboot\" has the wrong type");
  EXPECT_EQ(error([](nlohmann::json& a) { a["flashboot"] = "ON"; }),
            "endpoint.embed: attribute \"flashboot\" must be OFF, FLASHBOOT "
            "or PRIORITY_FLASHBOOT");
  const std::string bad_scaling =
      "endpoint.embed: attribute \"scaling\" must be {\"queueDelay\": "
      "NUMBER} or {\"requestCount\": INTEGER}";
  EXPECT_EQ(error([](nlohmann::json& a) {
              a["scaling"] = nlohmann::json::object(
                  {{"queueDelay", 1}, {"requestCount", 2}});
            }),
            bad_scaling);
  EXPECT_EQ(error([](nlohmann::json& a) {
              a["scaling"] = nlohmann::json::object({{"requestCount", 2.5}});
            }),
            bad_scaling);
  EXPECT_EQ(error([](nlohmann::json& a) {
              a["volumes"] = nlohmann::json::array({"pod.x"});
            }),
            "endpoint.embed: attribute \"volumes\" must list volume.NAME "
            "addresses");
  EXPECT_EQ(error([](nlohmann::json& a) { a["env"]["TOKEN"] = "x"; }),
            "endpoint.embed: attribute \"env\" holds a value for TOKEN, "
            "which \"secretEnv\" lists as a secret (a secret's value is "
            "never recorded)");
  EXPECT_EQ(error([](nlohmann::json& a) {
              a["volumes"] = nlohmann::json::array();
              a["access"] = "read-only";
            }),
            "endpoint.embed: attribute \"access\" must be \"read-only\", on "
            "an endpoint that mounts a volume (a read-write mount records no "
            "access)");
}

TEST(PodStatusTest, RunPodsWordsRoundTrip) {
  const std::vector<std::pair<std::string, PodStatus>> words = {
      {"RUNNING", PodStatus::kRunning},       {"EXITED", PodStatus::kExited},
      {"TERMINATED", PodStatus::kTerminated}, {"CREATED", PodStatus::kCreated},
      {"RESTARTING", PodStatus::kRestarting}, {"PAUSED", PodStatus::kPaused},
      {"DEAD", PodStatus::kDead},             {"", PodStatus::kUnset}};
  for (const auto& [word, status] : words) {
    EXPECT_EQ(ParsePodStatus(word), status) << word;
    EXPECT_EQ(PodStatusWord(status), word) << word;
    LivePod pod;
    pod.SetStatus(word);
    EXPECT_EQ(pod.status, status) << word;
    EXPECT_EQ(pod.unknown_status, "") << word;
    EXPECT_EQ(pod.StatusWord(), word) << word;
  }
  // RunPod's words are upper case; anything else is a word podform does not
  // know, kept as RunPod sent it.
  for (const std::string word : {"MIGRATING", "running", " RUNNING"}) {
    EXPECT_EQ(ParsePodStatus(word), PodStatus::kUnknown) << word;
    LivePod pod;
    pod.SetStatus(word);
    EXPECT_EQ(pod.status, PodStatus::kUnknown) << word;
    EXPECT_EQ(pod.unknown_status, word);
    EXPECT_EQ(pod.StatusWord(), word);
  }
  EXPECT_EQ(PodStatusWord(PodStatus::kUnknown), "");
  // A known word replaces an unknown one entirely.
  LivePod pod;
  pod.SetStatus("MIGRATING");
  pod.SetStatus("EXITED");
  EXPECT_EQ(pod,
            (LivePod{"", {}, PodStatus::kExited, 0, PodPhase::kUnknown, ""}));
}

TEST(PodStatusTest, RunPodsRuleSaysRunningStoppedOrGone) {
  const std::vector<std::pair<PodStatus, PodCondition>> rule = {
      {PodStatus::kRunning, PodCondition::kRunning},
      {PodStatus::kCreated, PodCondition::kRunning},
      {PodStatus::kRestarting, PodCondition::kRunning},
      {PodStatus::kExited, PodCondition::kStopped},
      {PodStatus::kPaused, PodCondition::kStopped},
      {PodStatus::kDead, PodCondition::kStopped},
      {PodStatus::kUnknown, PodCondition::kStopped},
      {PodStatus::kUnset, PodCondition::kStopped},
      {PodStatus::kTerminated, PodCondition::kGone}};
  for (const auto& [status, condition] : rule) {
    EXPECT_EQ(ConditionOf(status), condition) << PodStatusWord(status);
    LivePod pod;
    pod.status = status;
    if (status != PodStatus::kUnset) {
      // The spec's flag does not matter once RunPod said.
      for (bool spec_running : {true, false}) {
        pod.spec.running = spec_running;
        EXPECT_EQ(pod.Condition(), condition) << PodStatusWord(status);
        EXPECT_EQ(pod.Running(), condition == PodCondition::kRunning);
        EXPECT_EQ(pod.Gone(), condition == PodCondition::kGone);
      }
    }
  }
  // No status reported: the pod is as its spec says, and never gone.
  LivePod unset;
  unset.spec.running = true;
  EXPECT_EQ(unset.Condition(), PodCondition::kRunning);
  EXPECT_TRUE(unset.Running());
  EXPECT_FALSE(unset.Gone());
  unset.spec.running = false;
  EXPECT_EQ(unset.Condition(), PodCondition::kStopped);
  EXPECT_FALSE(unset.Running());
  EXPECT_FALSE(unset.Gone());
}

TEST(PodPhaseTest, RestV2WordsRoundTrip) {
  const std::pair<PodPhase, std::string> kWords[] = {
      {PodPhase::kUnknown, ""},
      {PodPhase::kProvisioning, "PROVISIONING"},
      {PodPhase::kStarting, "STARTING"},
      {PodPhase::kRunning, "RUNNING"},
      {PodPhase::kExited, "EXITED"},
      {PodPhase::kError, "ERROR"},
      {PodPhase::kTerminated, "TERMINATED"},
  };
  for (const auto& [phase, word] : kWords) {
    EXPECT_EQ(PodPhaseWord(phase), word);
    EXPECT_EQ(ParsePodPhase(word), phase) << word;
  }
  for (const char* word : {"running", "PAUSED", "DEAD", " RUNNING"}) {
    EXPECT_EQ(ParsePodPhase(word), std::nullopt) << word;
  }
}

}  // namespace
}  // namespace podform
