#include "reconciler/core/model.h"

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
            "invalid address \"disk.x\": expected volume.NAME or pod.NAME");
  EXPECT_FALSE(Address::Parse("pod.").ok());
  EXPECT_FALSE(Address::Parse("pod").ok());
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
  EXPECT_EQ(attrs.dump(),
            R"({"dataCenter":"EU-RO-1","name":"ml-models","protect":true,"size":500})");
  absl::StatusOr<Resource> back = FromAttributes(r.address, attrs);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, r);
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
  r.pod.env = {{"A", "b"}, {"TOKEN", SecretDigest("salt", "s3cret")}};
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

TEST(ResourceTest, FromAttributesNamesTheBadField) {
  nlohmann::json attrs = {{"name", "x"}, {"size", "big"},
                          {"dataCenter", "EU-RO-1"}, {"protect", true}};
  EXPECT_EQ(FromAttributes({Kind::kVolume, "v"}, attrs).status().message(),
            "volume.v: attribute \"size\" has the wrong type");
  attrs.erase("size");
  EXPECT_EQ(FromAttributes({Kind::kVolume, "v"}, attrs).status().message(),
            "volume.v: missing attribute \"size\"");
}

// Found by plan_file_fuzz: a float far beyond int's range was converted to
// int (undefined behaviour); a wide integer would have wrapped.
TEST(ResourceTest, FromAttributesRefusesFloatsAndNumbersOutOfRange) {
  nlohmann::json volume = {{"name", "x"}, {"size", 10.5},
                           {"dataCenter", "EU-RO-1"}, {"protect", true}};
  EXPECT_EQ(FromAttributes({Kind::kVolume, "v"}, volume).status().message(),
            "volume.v: attribute \"size\" has the wrong type");
  Resource pod;
  pod.address = {Kind::kPod, "p"};
  pod.pod.name = "p";
  nlohmann::json attrs = ToAttributes(pod);
  for (const nlohmann::json& bad :
       {nlohmann::json(2.3e300), nlohmann::json(int64_t{1} << 40),
        nlohmann::json(uint64_t{1} << 63), nlohmann::json(-(int64_t{1} << 40))}) {
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

TEST(ResourceTest, SecretDigestIsKeyedAndHidesTheValue) {
  std::string d = SecretDigest("salt", "s3cret");
  EXPECT_EQ(d.rfind("hmac-sha256:", 0), 0u);
  EXPECT_EQ(d.size(), 12u + 64u);
  EXPECT_EQ(d, SecretDigest("salt", "s3cret"));
  EXPECT_NE(d, SecretDigest("other", "s3cret"));
  EXPECT_EQ(d.find("s3cret"), std::string::npos);
  // RFC 4231 test case 2: HMAC-SHA256(key="Jefe", "what do ya want for nothing?")
  EXPECT_EQ(SecretDigest("Jefe", "what do ya want for nothing?"),
            "hmac-sha256:"
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CatalogTest, PricesFollowRunPodsTiers) {
  EXPECT_DOUBLE_EQ(VolumeMonthlyCost(100), 7.0);
  EXPECT_DOUBLE_EQ(VolumeMonthlyCost(1000), 70.0);
  EXPECT_DOUBLE_EQ(VolumeMonthlyCost(2000), 120.0);
  EXPECT_NE(FindDataCenter("EU-RO-1"), nullptr);
  EXPECT_EQ(FindDataCenter("MARS-1"), nullptr);
  EXPECT_DOUBLE_EQ(PodHourlyCost("NVIDIA A100 80GB PCIe", 2, "SECURE"), 3.28);
  EXPECT_DOUBLE_EQ(PodHourlyCost("nope", 2, "SECURE"), 0.0);
}

}  // namespace
}  // namespace podform
