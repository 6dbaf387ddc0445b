// import --all's pure parts: keys from RunPod names, secret detection, the
// YAML it writes and where it goes in an existing file.

#include "cmd/adopt.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "reconciler/config/config.h"

namespace podform {
namespace {

TEST(KeyFromNameTest, LowerCasesAndReplacesInvalidCharacters) {
  EXPECT_EQ(KeyFromName("Llama Weights", "volume"), "llama-weights");
  EXPECT_EQ(KeyFromName("llama_weights-2", "volume"), "llama_weights-2");
  EXPECT_EQ(KeyFromName("My  Pod!!(v2)", "pod"), "my-pod-v2");
  EXPECT_EQ(KeyFromName("--Trainer--", "pod"), "trainer");
  EXPECT_EQ(KeyFromName("_x_", "pod"), "x");
  EXPECT_EQ(KeyFromName("日本", "pod"), "pod");
  EXPECT_EQ(KeyFromName("", "volume"), "volume");
  EXPECT_EQ(KeyFromName("Café 1", "pod"), "caf-1");
  std::string long_name(80, 'A');
  EXPECT_EQ(KeyFromName(long_name, "pod"), std::string(63, 'a'));
}

TEST(KeyFromNameTest, EveryKeyIsAnAddressTheConfigAccepts) {
  for (const char* name : {"A B", "x", "9lives", "a.b.c", "-", "ÄÖÜ", "a__b"}) {
    std::string key = KeyFromName(name, "pod");
    LoadResult loaded = ParseConfig(
        "podform.yaml",
        "version: 1\npods:\n  " + key + ":\n    image: i\n    gpuType: g\n",
        [](const std::string&) { return std::nullopt; });
    EXPECT_TRUE(loaded.config.has_value()) << name << " -> " << key;
  }
}

TEST(UniqueKeyTest, NumbersDuplicatesFromTwo) {
  EXPECT_EQ(UniqueKey("data", {}), "data");
  EXPECT_EQ(UniqueKey("data", {"data"}), "data-2");
  EXPECT_EQ(UniqueKey("data", {"data", "data-2"}), "data-3");
  EXPECT_EQ(UniqueKey("data", {"data-2"}), "data");
  std::string base(63, 'k');
  EXPECT_EQ(UniqueKey(base, {base}), std::string(61, 'k') + "-2");
}

TEST(LooksSecretTest, ByName) {
  EXPECT_TRUE(LooksSecret("HF_TOKEN", "x"));
  EXPECT_TRUE(LooksSecret("openai_api_key", "x"));
  EXPECT_TRUE(LooksSecret("DbPassword", "x"));
  EXPECT_TRUE(LooksSecret("CLIENT_SECRET", "x"));
  EXPECT_FALSE(LooksSecret("HF_HOME", "/workspace/hf"));
  EXPECT_FALSE(LooksSecret("MODEL", "llama-3-8b"));
}

TEST(LooksSecretTest, ByValueShape) {
  EXPECT_TRUE(LooksSecret("A", "hf_abcdefghijklmnop"));
  EXPECT_TRUE(LooksSecret("A", "sk-proj-abcdefgh1234"));
  EXPECT_TRUE(LooksSecret("A", "ghp_0123456789abcdef"));
  EXPECT_TRUE(LooksSecret("A", "rpa_0123456789ABCDEF"));
  EXPECT_TRUE(LooksSecret("A", "q8ZtR3vLw9XkP2mN7bYc"));
  // Short prefixes alone, words, paths with few distinct characters, text
  // with spaces: plain.
  EXPECT_FALSE(LooksSecret("A", "hf_x"));
  EXPECT_FALSE(LooksSecret("A", "skeleton"));
  EXPECT_FALSE(LooksSecret("A", "/workspace/cache/hf"));
  EXPECT_FALSE(LooksSecret("A", "aaaaaaaaaaaaaaaaaaaaaaaa1"));
  EXPECT_FALSE(LooksSecret("A", "python train.py --epochs 10 --lr 3e-4"));
  EXPECT_FALSE(LooksSecret("A", "1"));
}

TEST(YamlStringTest, PlainWhenUnambiguousElseQuoted) {
  EXPECT_EQ(YamlString("EU-RO-1"), "EU-RO-1");
  EXPECT_EQ(YamlString("NVIDIA A100 80GB PCIe"), "NVIDIA A100 80GB PCIe");
  EXPECT_EQ(YamlString("runpod/pytorch:2.4.0-py3.11"),
            "runpod/pytorch:2.4.0-py3.11");
  EXPECT_EQ(YamlString("/workspace"), "/workspace");
  EXPECT_EQ(YamlString("true"), "\"true\"");
  EXPECT_EQ(YamlString("1"), "\"1\"");
  EXPECT_EQ(YamlString(""), "\"\"");
  EXPECT_EQ(YamlString("a: b"), "\"a: b\"");
  EXPECT_EQ(YamlString("a #b"), "\"a #b\"");
  EXPECT_EQ(YamlString("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
  EXPECT_EQ(YamlString("${HOME}", /*env_value=*/true), "\"$${HOME}\"");
}

AdoptedVolume Volume(const std::string& key, const std::string& name,
                     const std::string& dc, const std::string& type = "") {
  AdoptedVolume v;
  v.key = key;
  v.live.id = "vol-" + key;
  v.live.spec = {.name = name, .size_gb = 50, .data_center = dc, .type = type};
  return v;
}

AdoptedPod Pod(const std::string& key, const std::string& volume_key) {
  AdoptedPod p;
  p.key = key;
  p.live.id = "pod-" + key;
  p.live.spec.name = key;
  p.live.spec.image = "img:1";
  p.live.spec.gpu_type = "NVIDIA RTX A6000";
  p.volume_key = volume_key;
  return p;
}

TEST(EntriesTest, LeaveOutDefaultsAndAlwaysProtect) {
  EXPECT_EQ(VolumeEntries(
                {Volume("models", "models", "EU-RO-1"),
                 Volume("big-data", "Big Data", "US-KS-2", "HIGH_PERFORMANCE")},
                "EU-RO-1", 2),
            "  models:\n"
            "    size: 50\n"
            "    protect: true\n"
            "  big-data:\n"
            "    name: Big Data\n"
            "    size: 50\n"
            "    type: HIGH_PERFORMANCE\n"
            "    dataCenter: US-KS-2\n"
            "    protect: true\n");
  AdoptedPod plain = Pod("web", "");
  plain.live.spec.data_center = "EU-SE-1";
  AdoptedPod full = Pod("trainer", "models");
  full.live.spec.name = "Trainer";
  full.live.spec.gpu_count = 2;
  full.live.spec.mount_path = "/data";
  full.live.spec.container_disk_gb = 40;
  full.live.spec.ports = {"8888/http", "22/tcp"};
  full.live.spec.env = {{"HF_TOKEN", "hf_abcdefghijklmnop"},
                        {"MODE", "${literal}"}};
  full.secret_refs = {{"HF_TOKEN", "HF_TOKEN"}};
  full.live.spec.running = false;
  full.live.spec.docker_args = "sleep infinity";
  EXPECT_EQ(PodEntries({plain, full}, 2),
            "  web:\n"
            "    image: img:1\n"
            "    gpuType: NVIDIA RTX A6000\n"
            "    dataCenter: EU-SE-1\n"
            "  trainer:\n"
            "    name: Trainer\n"
            "    image: img:1\n"
            "    gpuType: NVIDIA RTX A6000\n"
            "    gpuCount: 2\n"
            "    volume: models\n"
            "    mountPath: /data\n"
            "    containerDiskGb: 40\n"
            "    ports: [\"8888/http\", \"22/tcp\"]\n"
            "    env:\n"
            "      HF_TOKEN: \"${env:HF_TOKEN}\"\n"
            "      MODE: \"$${literal}\"\n"
            "    status: stopped\n"
            "    dockerArgs: sleep infinity\n");
}

TEST(AppendEntriesTest, AFileWithNoConfigGetsVersionAndSections) {
  auto text = AppendEntries("", {Volume("models", "models", "EU-RO-1")}, "",
                            {Pod("trainer", "models")});
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "version: 1\n"
            "volumes:\n"
            "  models:\n"
            "    size: 50\n"
            "    dataCenter: EU-RO-1\n"
            "    protect: true\n"
            "pods:\n"
            "  trainer:\n"
            "    image: img:1\n"
            "    gpuType: NVIDIA RTX A6000\n"
            "    volume: models\n");
}

TEST(AppendEntriesTest, EntriesGoAfterTheLastEntryOfEachBlockSection) {
  const std::string before =
      "# Our GPUs.\n"
      "version: 1\n"
      "volumes:\n"
      "    # the weights\n"
      "    weights:   # keep\n"
      "      size: 100\n"
      "      dataCenter: EU-RO-1\n"
      "\n"
      "# Pods follow.\n"
      "pods:\n"
      "    old:\n"
      "      image: x\n"
      "      gpuType: y\n"
      "    # trailing comment of pods\n";
  auto text = AppendEntries(before, {Volume("models", "models", "EU-RO-1")}, "",
                            {Pod("trainer", "models")});
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "# Our GPUs.\n"
            "version: 1\n"
            "volumes:\n"
            "    # the weights\n"
            "    weights:   # keep\n"
            "      size: 100\n"
            "      dataCenter: EU-RO-1\n"
            "    models:\n"
            "      size: 50\n"
            "      dataCenter: EU-RO-1\n"
            "      protect: true\n"
            "\n"
            "# Pods follow.\n"
            "pods:\n"
            "    old:\n"
            "      image: x\n"
            "      gpuType: y\n"
            "    trainer:\n"
            "      image: img:1\n"
            "      gpuType: NVIDIA RTX A6000\n"
            "      volume: models\n"
            "    # trailing comment of pods\n");
}

TEST(AppendEntriesTest, ABlockScalarsHashLinesStayInItsEntry) {
  const std::string before =
      "version: 1\n"
      "pods:\n"
      "  old:\n"
      "    image: x\n"
      "    gpuType: y\n"
      "    dockerArgs: |\n"
      "      run\n"
      "\n"
      "      # not a comment\n"
      "  # a comment about the next pod\n"
      "\n";
  auto text = AppendEntries(before, {}, "", {Pod("web", "")});
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "version: 1\n"
            "pods:\n"
            "  old:\n"
            "    image: x\n"
            "    gpuType: y\n"
            "    dockerArgs: |\n"
            "      run\n"
            "\n"
            "      # not a comment\n"
            "  web:\n"
            "    image: img:1\n"
            "    gpuType: NVIDIA RTX A6000\n"
            "  # a comment about the next pod\n"
            "\n");
  // The old pod reads back the same.
  auto env = [](const std::string&) { return std::optional<std::string>(); };
  LoadResult old_config = ParseConfig("p.yaml", before, env);
  LoadResult new_config = ParseConfig("p.yaml", *text, env);
  ASSERT_TRUE(old_config.config.has_value());
  ASSERT_TRUE(new_config.config.has_value());
  EXPECT_EQ(new_config.config->pods.at("old").spec.docker_args,
            "run\n\n# not a comment\n");
  EXPECT_EQ(new_config.config->pods.at("old").spec,
            old_config.config->pods.at("old").spec);
}

TEST(AppendEntriesTest, AMissingSectionIsAppendedAndAnEmptyOneFilled) {
  auto text = AppendEntries("version: 1\nvolumes:   # none yet\n# end",
                            {Volume("models", "models", "EU-RO-1")}, "",
                            {Pod("web", "")});
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "version: 1\n"
            "volumes:   # none yet\n"
            "  models:\n"
            "    size: 50\n"
            "    dataCenter: EU-RO-1\n"
            "    protect: true\n"
            "# end\n"
            "pods:\n"
            "  web:\n"
            "    image: img:1\n"
            "    gpuType: NVIDIA RTX A6000\n");
}

TEST(AppendEntriesTest, FlowAndExplicitNullSectionsAreRefusedNotRewritten) {
  for (const char* text :
       {"version: 1\nvolumes: {}\n", "version: 1\nvolumes: ~\n",
        "version: 1\nvolumes: {a: {size: 10, dataCenter: EU-RO-1}}\n",
        "{version: 1}\n"}) {
    auto out =
        AppendEntries(text, {Volume("models", "models", "EU-RO-1")}, "", {});
    EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition)
        << text;
  }
  // The message names the line in the file as it is.
  auto both = AppendEntries(
      "version: 1\nvolumes:\n  a:\n    size: 10\n"
      "    dataCenter: EU-RO-1\npods: {}\n",
      {Volume("models", "models", "EU-RO-1")}, "", {Pod("web", "")});
  EXPECT_EQ(both.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(both.status().message().find("\"pods:\" at line 6 "),
            absl::string_view::npos)
      << both.status();
  // Only the section that gets entries matters.
  auto pods_only =
      AppendEntries("version: 1\nvolumes: {}\n", {}, "", {Pod("web", "")});
  EXPECT_TRUE(pods_only.ok()) << pods_only.status();
}

}  // namespace
}  // namespace podform
