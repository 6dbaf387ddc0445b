#include "reconciler/config/suggest.h"

#include <array>

#include "gtest/gtest.h"

namespace podform {
namespace {

TEST(EditDistanceTest, CountsEditsCaseInsensitively) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("size", "size"), 0u);
  EXPECT_EQ(EditDistance("", "size"), 4u);
  EXPECT_EQ(EditDistance("sise", "size"), 1u);       // substitution
  EXPECT_EQ(EditDistance("volume", "volumes"), 1u);  // insertion
  EXPECT_EQ(EditDistance("imagee", "image"), 1u);    // deletion
  EXPECT_EQ(EditDistance("nmae", "name"), 1u);       // transposition
  EXPECT_EQ(EditDistance("GPUTYPE", "gpuType"), 0u);
  EXPECT_EQ(EditDistance("gpu_type", "gpuType"), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(SuggestClosestTest, PicksTheClosestLikelyTypo) {
  constexpr std::array<std::string_view, 4> kKeys = {"name", "size",
                                                     "dataCenter", "protect"};
  EXPECT_EQ(SuggestClosest("sise", kKeys), "size");
  EXPECT_EQ(SuggestClosest("datacentre", kKeys), "dataCenter");
  EXPECT_EQ(SuggestClosest("protected", kKeys), "protect");
  EXPECT_EQ(SuggestClosest("encryption", kKeys), std::nullopt);
  EXPECT_EQ(SuggestClosest("size", kKeys), std::nullopt);  // not a typo
  EXPECT_EQ(SuggestClosest("x", std::span<const std::string_view>()),
            std::nullopt);
}

TEST(SuggestClosestTest, LongerWordsTolerateMoreEdits) {
  constexpr std::array<std::string_view, 1> kIds = {"NVIDIA GeForce RTX 4090"};
  // 15 characters allow 5 edits; this is 8 away.
  EXPECT_EQ(SuggestClosest("NVIDIA RTX 4090", kIds), std::nullopt);
  // 22 characters allow 7; this is 1 away (case does not count).
  EXPECT_EQ(SuggestClosest("Nvidia Geforce RTX4090", kIds),
            "NVIDIA GeForce RTX 4090");
  // Short words still get two.
  constexpr std::array<std::string_view, 1> kImage = {"image"};
  EXPECT_EQ(SuggestClosest("img", kImage), "image");
  EXPECT_EQ(SuggestClosest("im", kImage), std::nullopt);
}

TEST(SuggestClosestTest, TiesGoToTheEarlierCandidate) {
  constexpr std::array<std::string_view, 2> kKeys = {"pods", "pots"};
  EXPECT_EQ(SuggestClosest("pobs", kKeys), "pods");
}

TEST(SuggestCatalogIdTest, IgnoresCaseAndPunctuationAllowsOneEdit) {
  constexpr std::array<std::string_view, 4> kIds = {
      "EU-RO-1", "NVIDIA GeForce RTX 4090", "NVIDIA H200",
      "NVIDIA A100 80GB PCIe"};
  EXPECT_EQ(SuggestCatalogId("EU-RO1", kIds), "EU-RO-1");
  EXPECT_EQ(SuggestCatalogId("eu_ro_1", kIds), "EU-RO-1");
  EXPECT_EQ(SuggestCatalogId("nvidia geforce rtx4090", kIds),
            "NVIDIA GeForce RTX 4090");
  EXPECT_EQ(SuggestCatalogId("NVIDIA A100 80GB PCI", kIds),
            "NVIDIA A100 80GB PCIe");
  // Different products, not typos.
  EXPECT_EQ(SuggestCatalogId("NVIDIA B300", kIds), std::nullopt);
  EXPECT_EQ(SuggestCatalogId("EU-NL-1", kIds), std::nullopt);
  EXPECT_EQ(SuggestCatalogId("NVIDIA H200", kIds), std::nullopt);  // known
}

}  // namespace
}  // namespace podform
