// The loader's output on valid configs: defaults, explicit values, secrets,
// the digest, warnings, and reading files.

#include "reconciler/config/config.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/util/file.h"
#include "tests/config/test_util.h"

namespace podform {
namespace {

using ::podform::testing::FakeEnv;
using ::podform::testing::kSecret;
using ::podform::testing::Messages;
using ::podform::testing::Parse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

TEST(ConfigDefaultsTest, AppliesEveryDefault) {
  LoadResult result = Parse(R"(version: 1
defaults:
  dataCenter: EU-RO-1
volumes:
  models:
    size: 100
pods:
  trainer:
    image: runpod/pytorch:2.4.0
    gpuType: NVIDIA RTX A6000
    volume: models
  web:
    image: nginx:1.27
    gpuType: NVIDIA L4
)");
  ASSERT_TRUE(result.config.has_value())
      << ::testing::PrintToString(Messages(result));
  EXPECT_THAT(result.diagnostics, IsEmpty());
  const Config& config = *result.config;
  EXPECT_EQ(config.path, "podform.yaml");
  EXPECT_EQ(config.version, 1);
  EXPECT_EQ(config.default_data_center, "EU-RO-1");
  EXPECT_THAT(config.warnings, IsEmpty());

  ASSERT_EQ(config.volumes.size(), 1u);
  const DesiredVolume& models = config.volumes.at("models");
  EXPECT_EQ(models.key, "models");
  EXPECT_EQ(models.spec, (VolumeSpec{"models", 100, "EU-RO-1"}));
  EXPECT_TRUE(models.protect);
  EXPECT_EQ(models.location.line, 5);
  EXPECT_EQ(models.location.column, 3);

  ASSERT_EQ(config.pods.size(), 2u);
  const DesiredPod& trainer = config.pods.at("trainer");
  PodSpec expected;
  expected.name = "trainer";
  expected.image = "runpod/pytorch:2.4.0";
  expected.gpu_type = "NVIDIA RTX A6000";
  expected.gpu_count = 1;
  expected.cloud_type = "SECURE";
  expected.data_center = "EU-RO-1";  // the volume's
  expected.network_volume_id = "";
  expected.mount_path = "/workspace";
  expected.container_disk_gb = 20;
  expected.docker_args = "";
  expected.running = true;
  EXPECT_EQ(trainer.spec, expected);
  EXPECT_EQ(trainer.key, "trainer");
  EXPECT_EQ(trainer.volume, "models");
  EXPECT_THAT(trainer.secret_env, IsEmpty());
  EXPECT_EQ(trainer.location.line, 8);
  EXPECT_EQ(trainer.location.column, 3);

  const DesiredPod& web = config.pods.at("web");
  EXPECT_EQ(web.spec.name, "web");
  EXPECT_EQ(web.spec.data_center, "");  // no volume: anywhere
  EXPECT_EQ(web.volume, "");
}

TEST(ConfigDefaultsTest, KeepsEveryExplicitValue) {
  LoadResult result = Parse(R"(version: 1
volumes:
  models:
    name: ml-models
    size: 4000
    dataCenter: US-TX-3
    type: HIGH_PERFORMANCE
    protect: false
pods:
  trainer:
    name: llm-trainer
    image: runpod/pytorch:2.4.0
    gpuType: NVIDIA H100 80GB HBM3
    gpuCount: 8
    cloudType: SECURE
    dataCenter: US-TX-3
    volume: models
    mountPath: /checkpoints
    containerDiskGb: 200
    ports: [8888/http, 22/tcp]
    env: {HF_HOME: /checkpoints/hf, WORKERS: 8}
    status: stopped
    dockerArgs: "bash -c 'sleep infinity'"
)");
  ASSERT_TRUE(result.config.has_value())
      << ::testing::PrintToString(Messages(result));
  const DesiredVolume& models = result.config->volumes.at("models");
  EXPECT_EQ(models.spec,
            (VolumeSpec{"ml-models", 4000, "US-TX-3", "HIGH_PERFORMANCE"}));
  EXPECT_FALSE(models.protect);
  const PodSpec& spec = result.config->pods.at("trainer").spec;
  EXPECT_EQ(spec.name, "llm-trainer");
  EXPECT_EQ(spec.gpu_type, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(spec.gpu_count, 8);
  EXPECT_EQ(spec.data_center, "US-TX-3");
  EXPECT_EQ(spec.mount_path, "/checkpoints");
  EXPECT_EQ(spec.container_disk_gb, 200);
  EXPECT_THAT(spec.ports, ElementsAre("8888/http", "22/tcp"));
  EXPECT_EQ(spec.env, (std::map<std::string, std::string>{
                          {"HF_HOME", "/checkpoints/hf"}, {"WORKERS", "8"}}));
  EXPECT_FALSE(spec.running);
  EXPECT_EQ(spec.docker_args, "bash -c 'sleep infinity'");
}

TEST(ConfigDefaultsTest, EmptySectionsAreAllowed) {
  for (const char* text :
       {"version: 1\n", "version: 1\nvolumes:\npods:\ndefaults:\n",
        "version: 1\nvolumes: {}\npods: {}\n"}) {
    LoadResult result = Parse(text);
    ASSERT_TRUE(result.config.has_value()) << text;
    EXPECT_THAT(result.config->volumes, IsEmpty());
    EXPECT_THAT(result.config->pods, IsEmpty());
  }
}

TEST(ConfigGuardsTest, AreUnsetByDefaultAndReadWhenDeclared) {
  LoadResult plain = Parse("version: 1\n");
  ASSERT_TRUE(plain.config.has_value());
  EXPECT_EQ(plain.config->guards, Guards{});

  LoadResult set = Parse("version: 1\nguards: {minRunwayDays: 3, strict: true}\n");
  ASSERT_TRUE(set.config.has_value());
  EXPECT_EQ(set.config->guards.min_runway_days, 3.0);
  EXPECT_TRUE(set.config->guards.strict);
  // Guards check a plan; they are not part of what the config declares.
  EXPECT_EQ(set.config->digest, plain.config->digest);
}

TEST(ConfigDefaultsTest, ManyPodsMayMountOneVolume) {
  LoadResult result = Parse(R"(version: 1
volumes:
  data: {size: 10, dataCenter: EU-SE-1}
pods:
  a: {image: i, gpuType: NVIDIA L4, volume: data}
  b: {image: i, gpuType: NVIDIA L4, volume: data, dataCenter: EU-SE-1}
)");
  ASSERT_TRUE(result.config.has_value());
  EXPECT_EQ(result.config->pods.at("a").spec.data_center, "EU-SE-1");
  EXPECT_EQ(result.config->pods.at("b").spec.data_center, "EU-SE-1");
}

TEST(ConfigDefaultsTest, ScalarsAreTypedByYaml12CoreSchema) {
  LoadResult result = Parse(R"(version: 1
volumes:
  hex: {size: 0x64, dataCenter: EU-RO-1, protect: FALSE}
  octal: {size: 0o20, dataCenter: EU-RO-1, protect: True}
pods:
  p:
    image: i
    gpuType: NVIDIA L4
    env: {A: 1.50, B: true, C: 0x1F, D: yes, E: 2024-01-01, F: ~x, G: ""}
)");
  ASSERT_TRUE(result.config.has_value())
      << ::testing::PrintToString(Messages(result));
  EXPECT_EQ(result.config->volumes.at("hex").spec.size_gb, 100);
  EXPECT_FALSE(result.config->volumes.at("hex").protect);
  EXPECT_EQ(result.config->volumes.at("octal").spec.size_gb, 16);
  EXPECT_TRUE(result.config->volumes.at("octal").protect);
  // Env values keep their text, whatever their YAML type.
  EXPECT_EQ(result.config->pods.at("p").spec.env,
            (std::map<std::string, std::string>{{"A", "1.50"},
                                                {"B", "true"},
                                                {"C", "0x1F"},
                                                {"D", "yes"},
                                                {"E", "2024-01-01"},
                                                {"F", "~x"},
                                                {"G", ""}}));
}

TEST(ConfigDefaultsTest, AnchorsAndAliasesAreResolved) {
  LoadResult result = Parse(R"(version: 1
pods:
  a:
    image: i
    gpuType: NVIDIA L4
    env: &common {HF_HOME: /workspace/hf}
  b:
    image: i
    gpuType: NVIDIA L4
    env: *common
)");
  ASSERT_TRUE(result.config.has_value());
  EXPECT_EQ(result.config->pods.at("b").spec.env.at("HF_HOME"),
            "/workspace/hf");
}

// A Latin-1 podform.yaml once passed validate and then aborted `plan
// --json`; a saved plan rewrote its bytes.
TEST(ConfigUtf8Test, TextThatIsNotUtf8IsAnErrorAtItsLineAndColumn) {
  LoadResult result = Parse(
      "version: 1\n"
      "volumes:\n"
      "  cafe:\n"
      "    name: caf\xE9\n"
      "    size: 10\n"
      "    dataCenter: EU-RO-1\n"
      "pods:\n"
      "  trainer:\n"
      "    image: \"\xC3\xA9t\xC3\xA9\"  # valid\n"
      "    gpuType: NVIDIA L4\n"
      "    env: {A: \"\xED\xA0\x80\", B: \"x\xC0\xAF\"}\n");
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(
      Messages(result),
      ElementsAre("podform.yaml:4:14: the file is not valid UTF-8 "
                  "(byte 0xE9); save it as UTF-8",
                  "podform.yaml:11:15: the file is not valid UTF-8 "
                  "(byte 0xED); save it as UTF-8"));
}

TEST(ConfigUtf8Test, ValidUtf8AndAByteOrderMarkAreAccepted) {
  LoadResult result = Parse(
      "\xEF\xBB\xBFversion: 1\n"
      "pods:\n"
      "  trainer:\n"
      "    image: \"caf\xC3\xA9\"\n"
      "    gpuType: NVIDIA L4\n");
  ASSERT_TRUE(result.config.has_value()) << ::testing::PrintToString(
      Messages(result));
  EXPECT_EQ(result.config->pods.at("trainer").spec.image, "caf\xC3\xA9");
}

TEST(ConfigUtf8Test, ASecretFromTheEnvironmentMustBeUtf8) {
  LoadResult result = ParseConfig("podform.yaml", R"(version: 1
pods:
  trainer:
    image: i
    gpuType: NVIDIA L4
    env: {TOKEN: "${env:LATIN1}"}
)",
                                  FakeEnv({{"LATIN1", "s3cr\xE9t"}}));
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(Messages(result),
              ElementsAre("podform.yaml:6:18: pods.trainer.env.TOKEN: "
                          "the environment variable it references is not "
                          "valid UTF-8"));
}

// Levels of ten aliases each: 12 levels are ~700 bytes that expand to 10^12
// nodes. Walking them expanded once hung validate and plan.
std::string AliasBomb(int levels) {
  std::string text = "version: 1\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level < levels; ++level) {
    const std::string prev = "*l" + std::to_string(level - 1);
    std::string items;
    for (int i = 0; i < 10; ++i) items += (i == 0 ? "" : ", ") + prev;
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) +
            " [" + items + "]\n";
  }
  return text;
}

TEST(ConfigAliasTest, AnAliasBombIsAnErrorWithinASecond) {
  const std::string bomb = AliasBomb(12);
  ASSERT_LT(bomb.size(), 800u);
  const absl::Time start = absl::Now();
  LoadResult result = Parse(bomb);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(Messages(result),
              ElementsAre("podform.yaml:6:45: YAML aliases expand to "
                          "more than 100000 nodes; podform does not expand "
                          "them (write the values out, or use fewer levels "
                          "of aliases)"));
}

TEST(ConfigAliasTest, AnAliasInsideItsOwnAnchorIsAnError) {
  LoadResult result = Parse("version: 1\npods: &loop {a: *loop}\n");
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(Messages(result),
              ElementsAre("podform.yaml:2:17: alias *loop refers to a "
                          "node that contains it"));
}

TEST(ConfigAliasTest, AnUnterminatedQuoteIsFoundWhenThereAreAliases) {
  LoadResult result = Parse(R"(version: 1
pods:
  a: &pod
    image: i
    gpuType: NVIDIA L4
  b: *pod
  c:
    image: "x*
    gpuType: NVIDIA L4
)");
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(Messages(result),
              ElementsAre("podform.yaml:8:12: YAML syntax error: "
                          "unterminated quoted string"));
}

TEST(ConfigAliasTest, ModestAliasesLoad) {
  // Four levels (11,110 nodes once expanded) are well within the limit.
  std::string text = AliasBomb(4) + "pods: {}\n";
  LoadResult result = Parse(text);
  EXPECT_THAT(Messages(result),
              ElementsAre(HasSubstr("unknown key \"l0\""),
                          HasSubstr("unknown key \"l1\""),
                          HasSubstr("unknown key \"l2\""),
                          HasSubstr("unknown key \"l3\"")));
}

TEST(ConfigSecretsTest, ResolvesAndMarksEnvReferences) {
  LoadResult result = Parse(R"(version: 1
pods:
  p:
    image: i
    gpuType: NVIDIA L4
    env:
      HF_TOKEN: "${env:HF_TOKEN}"
      URL: https://user:${env:HF_TOKEN}@example.com/x
      LITERAL: "$${HOME}/cache"
      PLAIN: value
)");
  ASSERT_TRUE(result.config.has_value())
      << ::testing::PrintToString(Messages(result));
  const DesiredPod& pod = result.config->pods.at("p");
  const std::map<std::string, std::string>& secrets =
      result.secret_values.EnvAt({Kind::kPod, "p"});
  EXPECT_EQ(secrets.at("HF_TOKEN"), kSecret);
  EXPECT_EQ(secrets.at("URL"),
            std::string("https://user:") + kSecret + "@example.com/x");
  EXPECT_EQ(pod.spec.env.at("LITERAL"), "${HOME}/cache");
  EXPECT_EQ(pod.spec.env.at("PLAIN"), "value");
  EXPECT_EQ(pod.secret_env, (std::set<std::string>{"HF_TOKEN", "URL"}));
}

TEST(ConfigSecretsTest, UnsetVariableIsAnErrorNamingOnlyTheVariable) {
  LoadResult result = ParseConfig("podform.yaml", R"(version: 1
pods:
  p:
    image: i
    gpuType: NVIDIA L4
    env:
      TOKEN: "${env:API_TOKEN}"
      OTHER: x${env:MISSING}y${env:MISSING}
)",
                                  FakeEnv({}));
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(
      Messages(result),
      ElementsAre(
          "podform.yaml:7:14: pods.p.env.TOKEN: environment variable "
          "API_TOKEN is not set",
          "podform.yaml:8:14: pods.p.env.OTHER: environment variable MISSING "
          "is not set"));
}

TEST(ConfigSecretsTest, NoSecretInAnyDiagnostic) {
  // Every kind of problem next to a resolved secret, including in the same
  // value and in the same pod.
  LoadResult result = Parse(R"(version: 1
volumes:
  v: {size: 1, dataCenter: EU-RO-1}
pods:
  p:
    image: "${env:HF_TOKEN}"
    gpuType: ${env:HF_TOKEN}
    volume: v
    cloudType: COMMUNITY
    ports: ["${env:HF_TOKEN}"]
    env:
      A: "${env:HF_TOKEN}${HF_TOKEN}"
      B: "${env:HF_TOKEN}${env:UNSET}"
      C: "${env:HF_TOKEN}"
      C: "${env:HF_TOKEN}"
      "${env:HF_TOKEN}": x
)");
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(result.diagnostics, Not(IsEmpty()));
  for (const std::string& message : Messages(result)) {
    EXPECT_THAT(message, Not(HasSubstr(kSecret)));
    EXPECT_THAT(message, Not(HasSubstr("hf_s3cr3t")));
  }
}

TEST(ConfigDigestTest, IsOfWhatTheConfigMeansNotItsBytes) {
  const std::string text = R"(version: 1
volumes:
  models: {size: 100, dataCenter: EU-RO-1}
pods:
  trainer:
    image: runpod/pytorch:2.4.0
    gpuType: NVIDIA RTX A6000
    volume: models
    env: {HF_HOME: /workspace/hf, HF_TOKEN: "${env:HF_TOKEN}"}
)";
  LoadResult result = Parse(text);
  ASSERT_TRUE(result.config.has_value());
  EXPECT_EQ(result.config->digest.size(), 64u);
  // Comments, blank lines, flow or block style, quoting and key order do
  // not change what the config means.
  LoadResult reworded = Parse(R"(# the team's GPUs
version: 1

pods:
  trainer:   # fine-tuning
    volume: "models"
    gpuType: 'NVIDIA RTX A6000'
    image: runpod/pytorch:2.4.0
    env:
      HF_TOKEN: "${env:HF_TOKEN}"
      HF_HOME: /workspace/hf
volumes:
  models:
    dataCenter: EU-RO-1
    size: 100
)");
  ASSERT_TRUE(reworded.config.has_value());
  EXPECT_EQ(reworded.config->digest, result.config->digest);
  // A default written out means the same as the default left implicit.
  std::string explicit_default = text;
  explicit_default.replace(explicit_default.find("size: 100"), 9,
                           "size: 100, protect: true");
  EXPECT_EQ(Parse(explicit_default).config->digest, result.config->digest);
  // What it means changes it: a size, a plain env value, moved:.
  std::string grown = text;
  grown.replace(grown.find("size: 100"), 9, "size: 200");
  EXPECT_NE(Parse(grown).config->digest, result.config->digest);
  std::string env = text;
  env.replace(env.find("/workspace/hf"), 13, "/workspace/h2");
  EXPECT_NE(Parse(env).config->digest, result.config->digest);
  EXPECT_NE(Parse(text + "moved:\n  - {from: volume.old, to: volume.models}\n")
                .config->digest,
            result.config->digest);
  // A secret's value is not part of it (nothing derived from a secret is
  // written): a saved plan compares secrets with the live pod instead.
  LoadResult other_secret =
      ParseConfig("podform.yaml", text, FakeEnv({{"HF_TOKEN", "another"}}));
  ASSERT_TRUE(other_secret.config.has_value());
  EXPECT_EQ(other_secret.config->digest, result.config->digest);
}

TEST(ConfigWarningsTest, EveryGpuTypeRunPodListsIsKnown) {
  // Types podform did not know before the whole catalog: no warning; a
  // display name still suggests the id.
  LoadResult result = Parse(R"(version: 1
pods:
  a: {image: i, gpuType: NVIDIA B300 SXM6 AC}
  b: {image: i, gpuType: NVIDIA RTX PRO 6000 Blackwell Server Edition MIG 1g.24gb}
  c: {image: i, gpuType: Tesla V100-SXM2-32GB}
  d: {image: i, gpuType: NVIDIA GeForce RTX 5090}
  e: {image: i, gpuType: RTX PRO 4500}
)");
  ASSERT_TRUE(result.config.has_value());
  EXPECT_THAT(Messages(result),
              ::testing::ElementsAre(
                  "podform.yaml:7:26: warning: pods.e.gpuType: unknown GPU "
                  "type \"RTX PRO 4500\" (did you mean \"NVIDIA RTX PRO 4500 "
                  "Blackwell\"?)"));
}

TEST(ConfigWarningsTest, UnknownCatalogIdsWarnButLoad) {
  LoadResult result = Parse(R"(version: 1
defaults:
  dataCenter: MARS-1
volumes:
  a: {size: 10}
  b: {size: 10, dataCenter: EU-RO1}
pods:
  p: {image: i, gpuType: RTX 4090, volume: b}
  q: {image: i, gpuType: NVIDIA B300 Quantum, dataCenter: us-tx-3}
  r: {image: i, gpuType: NVIDIA A100 80GB PCI}
)");
  ASSERT_TRUE(result.config.has_value());
  std::vector<std::string> expected = {
      "podform.yaml:3:15: warning: defaults.dataCenter: unknown data center "
      "\"MARS-1\" (not in podform's catalog; RunPod may have added it)",
      "podform.yaml:6:29: warning: volumes.b.dataCenter: unknown data center "
      "\"EU-RO1\" (did you mean \"EU-RO-1\"?)",
      "podform.yaml:8:26: warning: pods.p.gpuType: unknown GPU type \"RTX "
      "4090\" (did you mean \"NVIDIA GeForce RTX 4090\"?)",
      "podform.yaml:9:26: warning: pods.q.gpuType: unknown GPU type \"NVIDIA "
      "B300 Quantum\" (not in podform's catalog; RunPod may have added it)",
      "podform.yaml:9:59: warning: pods.q.dataCenter: unknown data center "
      "\"us-tx-3\" (did you mean \"US-TX-3\"?)",
      "podform.yaml:10:26: warning: pods.r.gpuType: unknown GPU type \"NVIDIA "
      "A100 80GB PCI\" (did you mean \"NVIDIA A100 80GB PCIe\"?)",
  };
  EXPECT_THAT(Messages(result), ::testing::ElementsAreArray(expected));
  std::vector<std::string> warnings;
  for (const Diagnostic& d : result.config->warnings) {
    EXPECT_EQ(d.severity, Diagnostic::Severity::kWarning);
    warnings.push_back(d.ToString());
  }
  EXPECT_EQ(warnings, expected);
  // The pod on volume b inherits its (unknown) data center.
  EXPECT_EQ(result.config->pods.at("p").spec.data_center, "EU-RO1");
}

TEST(DiagnosticTest, FormatsErrorsWarningsAndFileLevelProblems) {
  Diagnostic error{
      Diagnostic::Severity::kError, "a/podform.yaml", {3, 7}, "msg"};
  EXPECT_EQ(error.ToString(), "a/podform.yaml:3:7: msg");
  Diagnostic warning{Diagnostic::Severity::kWarning, "f.yaml", {1, 1}, "w"};
  EXPECT_EQ(warning.ToString(), "f.yaml:1:1: warning: w");
  Diagnostic file_level{Diagnostic::Severity::kError, "f.yaml", {}, "gone"};
  EXPECT_EQ(file_level.ToString(), "f.yaml: gone");
}

TEST(LoadConfigFileTest, ReadsTheFileAndKeepsThePathAsGiven) {
  std::string dir =
      ::testing::TempDir() + "/config_test_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::string path = dir + "/podform.yaml";
  std::string text =
      "version: 1\nvolumes:\n  v: {size: 10, dataCenter: "
      "EU-RO-1}\n";
  ASSERT_TRUE(WriteFileAtomically(path, text).ok());
  LoadResult result = LoadConfigFile(path, FakeEnv({}));
  ASSERT_TRUE(result.config.has_value());
  EXPECT_EQ(result.config->path, path);
  EXPECT_EQ(result.config->digest,
            ParseConfig("x", text, FakeEnv({})).config->digest);
  EXPECT_EQ(result.config->volumes.size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(LoadConfigFileTest, UnreadableFileIsOneFileLevelDiagnostic) {
  LoadResult result =
      LoadConfigFile("/nonexistent/dir/podform.yaml", FakeEnv({}));
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(Messages(result),
              ElementsAre("/nonexistent/dir/podform.yaml: cannot read: No "
                          "such file or directory"));
  LoadResult directory = LoadConfigFile("/", FakeEnv({}));
  EXPECT_THAT(Messages(directory),
              ElementsAre("/: cannot read: Is a directory"));
}

TEST(ProcessEnvTest, ReadsTheProcessEnvironment) {
  ::setenv("PODFORM_CONFIG_TEST_VARIABLE", "value 1", 1);
  ::unsetenv("PODFORM_CONFIG_TEST_UNSET");
  EnvLookup env = ProcessEnv();
  EXPECT_EQ(env("PODFORM_CONFIG_TEST_VARIABLE"), "value 1");
  EXPECT_EQ(env("PODFORM_CONFIG_TEST_UNSET"), std::nullopt);
  ::unsetenv("PODFORM_CONFIG_TEST_VARIABLE");
}

TEST(ParseConfigTest, NeverThrowsOnAnyPrefixOfARealConfig) {
  absl::StatusOr<std::string> text = ReadFile(
      std::string(PODFORM_SOURCE_DIR) + "/examples/training/podform.yaml");
  ASSERT_TRUE(text.ok()) << text.status();
  EnvLookup env = FakeEnv({{"HF_TOKEN", "a"}, {"WANDB_API_KEY", "b"}});
  for (size_t length = 0; length <= text->size(); length += 3) {
    std::string prefix = text->substr(0, length);
    LoadResult result;
    ASSERT_NO_THROW(result = ParseConfig("p.yaml", prefix, env)) << length;
    bool has_error = false;
    for (const Diagnostic& d : result.diagnostics) {
      has_error |= d.severity == Diagnostic::Severity::kError;
      EXPECT_THAT(d.message, Not(HasSubstr("internal error"))) << prefix;
      EXPECT_GE(d.location.line, 1) << d.ToString();
      EXPECT_GE(d.location.column, 1) << d.ToString();
    }
    EXPECT_NE(result.config.has_value(), has_error) << prefix;
  }
}

TEST(ConfigVarsTest, VarsResolveInEnvAndImageAndArePlain) {
  LoadResult result = ParseConfig("podform.yaml", R"(version: 1
pods:
  web:
    image: ghcr.io/acme/web:${var:TAG}
    gpuType: NVIDIA RTX A6000
    env: {STAGE: "${var:STAGE}", TOKEN: "${env:HF_TOKEN}"}
)",
                                  FakeEnv({{"HF_TOKEN", kSecret}}),
                                  FakeEnv({{"TAG", "1.4"}, {"STAGE", "prod"}}));
  ASSERT_TRUE(result.config.has_value())
      << ::testing::PrintToString(Messages(result));
  const DesiredPod& web = result.config->pods.at("web");
  EXPECT_EQ(web.spec.image, "ghcr.io/acme/web:1.4");
  EXPECT_EQ(web.spec.env.at("STAGE"), "prod");
  EXPECT_THAT(web.secret_env, ElementsAre("TOKEN"));
}

TEST(ConfigVarsTest, AnUndefinedVarIsAnErrorAtItsValue) {
  LoadResult result = ParseConfig("podform.yaml", R"(version: 1
pods:
  web:
    image: ghcr.io/acme/web:${var:TAG}
    gpuType: NVIDIA RTX A6000
    env: {STAGE: "${var:STAGE}"}
)",
                                  FakeEnv({}), FakeEnv({{"STAGE", "prod"}}));
  EXPECT_FALSE(result.config.has_value());
  EXPECT_THAT(Messages(result),
              ElementsAre("podform.yaml:4:12: pods.web.image: variable TAG is "
                          "not defined (give --var TAG=VALUE, a --var-file "
                          "that defines it, or set PODFORM_VAR_TAG)"));
}

}  // namespace
}  // namespace podform
