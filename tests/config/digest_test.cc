// Config::digest is hashed as its canonical text is written, never holding
// it whole (config.cc ConfigDigest). The text is defined as one JSON
// document; the oracle here builds that document with nlohmann::json and
// hashes its dump. Both must agree on every config, and the digest of a
// fixed config must not move between releases: a plan saved by one podform
// is applied by the next only while the digests agree.

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/config/config.h"
#include "reconciler/core/resource.h"
#include "reconciler/util/digest.h"
#include "reconciler/util/file.h"
#include "tests/config/test_util.h"

namespace podform {
namespace {

using ::podform::testing::Parse;

std::string OracleDigest(const Config& config) {
  nlohmann::json resources = nlohmann::json::object();
  for (const auto& [key, desired] : config.volumes) {
    resources["volume." + key] = ToAttributes(RecordedResource(key, desired));
  }
  for (const auto& [key, desired] : config.pods) {
    resources["pod." + key] = ToAttributes(RecordedResource(key, desired));
  }
  for (const auto& [key, desired] : config.endpoints) {
    resources["endpoint." + key] = ToAttributes(RecordedResource(key, desired));
  }
  nlohmann::json destroy_first = nlohmann::json::array();
  for (const auto& [key, desired] : config.pods) {
    if (desired.destroy_first) destroy_first.push_back("pod." + key);
  }
  nlohmann::json moved = nlohmann::json::array();
  for (const MovedBlock& block : config.moved) {
    moved.push_back({block.from.ToString(), block.to.ToString()});
  }
  nlohmann::json desired = {{"version", config.version},
                            {"defaultDataCenter", config.default_data_center},
                            {"resources", resources},
                            {"moved", moved}};
  if (!destroy_first.empty()) desired["destroyFirst"] = destroy_first;
  return Sha256Hex(desired.dump(-1, ' ', /*ensure_ascii=*/true,
                                nlohmann::json::error_handler_t::replace));
}

// Every part of the text: defaults, destroy-first, moved:, a secret, all
// three kinds, a name with a character beyond ASCII.
constexpr char kEverything[] = R"(version: 1
defaults:
  dataCenter: EU-RO-1
volumes:
  models:
    size: 100
    protect: false
  cache:
    size: 20
    dataCenter: US-TX-3
pods:
  trainer:
    name: "entraîneur"
    image: runpod/pytorch:2.4.0
    gpuType: NVIDIA RTX A6000
    volume: models
    replace: destroy-first
    env:
      HF_HOME: /workspace/hf
      HF_TOKEN: "${env:HF_TOKEN}"
  web:
    image: nginx:1.27
    gpuType: NVIDIA L4
    ports: [8080/http]
endpoints:
  embed:
    image: ghcr.io/acme/embed:1
    gpu: {pools: [ADA_24], count: 1}
    volumes: [cache]
moved:
  - from: pod.old-trainer
    to: pod.trainer
)";

TEST(ConfigDigestTextTest, IsTheDigestOfTheCanonicalDocument) {
  std::vector<std::string> texts = {kEverything};
  for (const char* example :
       {"quickstart", "training", "inference", "serverless"}) {
    absl::StatusOr<std::string> text =
        ReadFile(absl::StrCat(PODFORM_SOURCE_DIR, "/examples/", example,
                              "/podform.yaml"));
    ASSERT_TRUE(text.ok()) << text.status();
    texts.push_back(*text);
  }
  for (const std::string& text : texts) {
    LoadResult result =
        ParseConfig("podform.yaml", text,
                    testing::FakeEnv({{"HF_TOKEN", testing::kSecret},
                                      {"WANDB_API_KEY", "wandb-secret"},
                                      {"VLLM_API_KEY", "vllm-secret"}}));
    ASSERT_TRUE(result.config.has_value())
        << ::testing::PrintToString(testing::Messages(result));
    EXPECT_EQ(result.config->digest, OracleDigest(*result.config))
        << text.substr(0, 200);
  }
}

TEST(ConfigDigestTextTest, OfAFixedConfigIsTheOneEarlierReleasesGave) {
  LoadResult result = Parse(kEverything);
  ASSERT_TRUE(result.config.has_value())
      << ::testing::PrintToString(testing::Messages(result));
  EXPECT_EQ(result.config->digest,
            // podform at 68df618, before the text was hashed as it is written
            // (`plan --out` of this config, its "config_digest").
            "30cd8532aec3dcb8b7c4a4b0cce6f35b591111119a0197f9f090243530a88aae");
}

TEST(ConfigDigestTextTest, IsLeftEmptyWhenSkippedAndTheConfigIsTheSame) {
  const auto env = testing::FakeEnv({{"HF_TOKEN", testing::kSecret},
                                     {"WANDB_API_KEY", "wandb-secret"}});
  LoadResult computed = ParseConfig("podform.yaml", kEverything, env);
  LoadResult skipped = ParseConfig("podform.yaml", kEverything, env, nullptr,
                                   false, ConfigDigestMode::kSkip);
  ASSERT_TRUE(computed.config.has_value());
  ASSERT_TRUE(skipped.config.has_value());
  EXPECT_EQ(computed.config->digest,
            "30cd8532aec3dcb8b7c4a4b0cce6f35b591111119a0197f9f090243530a88aae");
  EXPECT_EQ(skipped.config->digest, "");
  EXPECT_EQ(skipped.config->volumes.size(), computed.config->volumes.size());
  EXPECT_EQ(skipped.config->pods.size(), computed.config->pods.size());
  EXPECT_EQ(skipped.config->endpoints.size(),
            computed.config->endpoints.size());
  EXPECT_EQ(skipped.diagnostics.size(), computed.diagnostics.size());
}

TEST(Sha256StreamTest, IsSha256HexOfTheConcatenation) {
  Sha256Stream empty;
  EXPECT_EQ(empty.HexDigest(), Sha256Hex(""));
  Sha256Stream pieces;
  for (const char* piece : {"a", "", "bc"}) pieces.Update(piece);
  EXPECT_EQ(pieces.HexDigest(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace podform
