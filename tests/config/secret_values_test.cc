// The config loader keeps the raw values of ${env:...} out of Desired: they
// are in the SecretValues beside it, and nowhere in what Desired holds.

#include <map>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/config/config.h"
#include "reconciler/core/resource.h"
#include "tests/config/test_util.h"

namespace podform {
namespace {

using ::podform::testing::kSecret;
using ::podform::testing::Messages;
using ::podform::testing::Parse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kConfig[] = R"(version: 1
volumes:
  models: {size: 50, dataCenter: EU-RO-1}
pods:
  trainer:
    image: runpod/pytorch:2.4.0
    gpuType: NVIDIA A100 80GB PCIe
    volume: models
    env:
      HF_TOKEN: "${env:HF_TOKEN}"
      URL: https://user:${env:HF_TOKEN}@example.com/x
      PLAIN: value
endpoints:
  embed:
    image: ghcr.io/acme/embed:1.4
    gpu: {pools: [ADA_24], count: 1}
    env: {MODEL_DIR: /runpod-volume, HF_TOKEN: "${env:HF_TOKEN}"}
)";

// Every string a Desired holds that can carry a value: the top-level
// strings, and each pod's and endpoint's whole spec (env included, whatever
// its keys) and recorded form, each as ToAttributes writes it.
std::string EveryString(const Desired& desired) {
  std::string all = desired.path + "\n" + desired.default_data_center + "\n" +
                    desired.digest + "\n";
  for (const auto& [key, volume] : desired.volumes) {
    all += ToAttributes(RecordedResource(key, volume)).dump() + "\n";
  }
  for (const auto& [key, pod] : desired.pods) {
    Resource whole;
    whole.address = {Kind::kPod, key};
    whole.pod = pod.spec;
    all += ToAttributes(whole).dump() + "\n" +
           ToAttributes(RecordedResource(key, pod)).dump() + "\n" + pod.volume;
    for (const auto& [name, value] : pod.spec.env) all += name + value;
  }
  for (const auto& [key, endpoint] : desired.endpoints) {
    Resource whole;
    whole.address = {Kind::kEndpoint, key};
    whole.endpoint = endpoint.spec;
    all += ToAttributes(whole).dump() + "\n" +
           ToAttributes(RecordedResource(key, endpoint)).dump() + "\n";
    for (const auto& [name, value] : endpoint.spec.env) all += name + value;
  }
  return all;
}

TEST(SecretValuesTest, DesiredHoldsNoSecretValueAndSecretValuesHoldsEach) {
  LoadResult result = Parse(kConfig);
  ASSERT_TRUE(result.config.has_value())
      << ::testing::PrintToString(Messages(result));
  const Config& config = *result.config;

  const std::string all = EveryString(config);
  EXPECT_THAT(all, HasSubstr("runpod/pytorch:2.4.0"));  // it does look
  EXPECT_THAT(all, HasSubstr("value"));
  EXPECT_THAT(all, Not(HasSubstr(kSecret)));
  // Nor a part of it (the secret is "hf_s3cr3t_value_never_printed").
  EXPECT_THAT(all, Not(HasSubstr("s3cr3t")));

  // Secret keys are marked, with no value, not even an empty one.
  const DesiredPod& trainer = config.pods.at("trainer");
  EXPECT_EQ(trainer.secret_env, (std::set<std::string>{"HF_TOKEN", "URL"}));
  EXPECT_EQ(trainer.spec.env,
            (std::map<std::string, std::string>{{"PLAIN", "value"}}));
  const DesiredEndpoint& embed = config.endpoints.at("embed");
  EXPECT_THAT(embed.secret_env, ElementsAre("HF_TOKEN"));
  EXPECT_EQ(
      embed.spec.env,
      (std::map<std::string, std::string>{{"MODEL_DIR", "/runpod-volume"}}));

  EXPECT_EQ(result.secret_values.env,
            (std::map<Address, std::map<std::string, std::string>>{
                {{Kind::kPod, "trainer"},
                 {{"HF_TOKEN", kSecret},
                  {"URL",
                   std::string("https://user:") + kSecret + "@example.com/x"}}},
                {{Kind::kEndpoint, "embed"}, {{"HF_TOKEN", kSecret}}}}));
}

TEST(SecretValuesTest, AConfigWithoutSecretsHasNoSecretValues) {
  LoadResult result = Parse(R"(version: 1
pods:
  p: {image: i, gpuType: NVIDIA L4, env: {PLAIN: value}}
)");
  ASSERT_TRUE(result.config.has_value())
      << ::testing::PrintToString(Messages(result));
  EXPECT_TRUE(result.secret_values.env.empty());
  EXPECT_TRUE(result.secret_values.EnvAt({Kind::kPod, "p"}).empty());
}

}  // namespace
}  // namespace podform
