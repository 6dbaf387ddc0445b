// import --all's pure parts: keys from RunPod names, secret detection, the
// YAML it writes and where it goes in an existing file.

#include "cmd/adopt.h"

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cmd/import.h"
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

// An endpoint as RunPod reports one created with nothing but a name, an
// image and a pool: RunPod's defaults, which are the config's.
AdoptedEndpoint Endpoint(const std::string& key) {
  AdoptedEndpoint e;
  e.key = key;
  e.live.id = "ep-" + key;
  e.live.spec.name = key;
  e.live.spec.image = "img:1";
  e.live.spec.gpu_pools = {"ADA_24"};
  return e;
}

TEST(EndpointEntriesTest, AllDefaultsLeaveImageAndPoolsOnly) {
  EXPECT_EQ(EndpointEntries({Endpoint("embed")}, 2),
            "  embed:\n"
            "    image: img:1\n"
            "    gpu: {pools: [ADA_24]}\n");
}

TEST(EndpointEntriesTest, EveryFieldRunPodReportsWithSecretEnv) {
  AdoptedEndpoint e = Endpoint("embed");
  EndpointSpec& spec = e.live.spec;
  spec.name = "Embed API";
  spec.gpu_pools = {"AMPERE_48", "ADA_24"};
  spec.gpu_count = 2;
  spec.workers_min = 1;
  spec.workers_max = 5;
  spec.idle_timeout = 30;
  spec.scaler_value = 2.5;
  spec.network_volume_ids = {"vol-us", "vol-eu"};
  spec.data_centers = {"US-TX-3", "EU-RO-1"};
  spec.timeout_ms = 600000;
  spec.flashboot = kFlashbootOn;
  spec.env = {{"HF_TOKEN", "hf_abcdefghijklmnop"},
              {"MODEL_DIR", "/runpod-volume/models"},
              {"MODE", "${literal}"}};
  e.volume_keys = {"models-us", "models-eu"};
  e.secret_refs = {{"HF_TOKEN", "EMBED_HF_TOKEN"}};
  EXPECT_EQ(EndpointEntries({e}, 4),
            "    embed:\n"
            "      name: Embed API\n"
            "      image: img:1\n"
            "      gpu: {pools: [AMPERE_48, ADA_24], count: 2}\n"
            "      workers: {min: 1, max: 5, idleTimeout: 30}\n"
            "      scaling: {queueDelay: 2.5}\n"
            "      volumes: [models-us, models-eu]\n"
            "      timeout: 600\n"
            "      flashboot: true\n"
            "      env:\n"
            "        HF_TOKEN: \"${env:EMBED_HF_TOKEN}\"\n"
            "        MODE: \"$${literal}\"\n"
            "        MODEL_DIR: /runpod-volume/models\n");
}

TEST(EndpointEntriesTest, AVolumelessEndpointListsItsDataCenters) {
  AdoptedEndpoint e = Endpoint("batch");
  e.live.spec.data_centers = {"EU-RO-1", "US-TX-3"};
  e.live.spec.workers_max = 0;
  e.live.spec.scaler_value = 4.125;
  AdoptedEndpoint anywhere = Endpoint("anywhere");
  anywhere.live.spec.workers_min = 2;
  anywhere.live.spec.workers_max = 2;
  EXPECT_EQ(EndpointEntries({e, anywhere}, 2),
            "  batch:\n"
            "    image: img:1\n"
            "    gpu: {pools: [ADA_24]}\n"
            "    workers: {max: 0}\n"
            "    scaling: {queueDelay: 4.125}\n"
            "    dataCenters: [EU-RO-1, US-TX-3]\n"
            "  anywhere:\n"
            "    image: img:1\n"
            "    gpu: {pools: [ADA_24]}\n"
            "    workers: {min: 2, max: 2}\n");
}

TEST(EndpointEntriesTest, ALoadBalancerAlwaysGivesItsRequestCount) {
  AdoptedEndpoint lb = Endpoint("gateway");
  lb.live.spec.type = kEndpointTypeLoadBalancer;
  lb.live.spec.scaler_type = kScalerRequestCount;
  lb.live.spec.scaler_value = 4;  // RunPod's default value, still written
  // A queue on request count has no idle timeout to write.
  AdoptedEndpoint queue = Endpoint("jobs");
  queue.live.spec.scaler_type = kScalerRequestCount;
  queue.live.spec.scaler_value = 2;
  queue.live.spec.idle_timeout = 0;
  EXPECT_EQ(EndpointEntries({lb, queue}, 2),
            "  gateway:\n"
            "    image: img:1\n"
            "    type: load-balancer\n"
            "    gpu: {pools: [ADA_24]}\n"
            "    scaling: {requestCount: 4}\n"
            "  jobs:\n"
            "    image: img:1\n"
            "    gpu: {pools: [ADA_24]}\n"
            "    scaling: {requestCount: 2}\n");
}

// What EndpointEntries writes reads back as the endpoint RunPod reports:
// the config's defaults are RunPod's.
TEST(EndpointEntriesTest, EntriesReadBackAsTheLiveEndpoint) {
  std::vector<AdoptedEndpoint> endpoints;
  endpoints.push_back(Endpoint("plain"));
  AdoptedEndpoint full = Endpoint("full");
  full.live.spec = {
      .name = "Full One",
      .image = "ghcr.io/acme/worker:2",
      .type = kEndpointTypeQueue,
      .gpu_pools = {"AMPERE_80", "ADA_24"},
      .gpu_count = 4,
      .workers_min = 3,
      .workers_max = 9,
      .idle_timeout = 3600,
      .scaler_type = kScalerQueueDelay,
      .scaler_value = 0.5,
      .network_volume_ids = {"vol-us", "vol-eu"},
      .data_centers = {"US-TX-3", "EU-RO-1"},
      .timeout_ms = 2147483000,
      .flashboot = kFlashbootOn,
      .env = {{"API_KEY", "sk-abcdefghijklmnop"}, {"PLAIN", "a: b #c"}}};
  full.volume_keys = {"models-us", "models-eu"};
  full.secret_refs = {{"API_KEY", "FULL_API_KEY"}};
  endpoints.push_back(full);
  AdoptedEndpoint lb = Endpoint("lb");
  lb.live.spec.type = kEndpointTypeLoadBalancer;
  lb.live.spec.scaler_type = kScalerRequestCount;
  lb.live.spec.scaler_value = 7;
  lb.live.spec.idle_timeout = 1;
  lb.live.spec.data_centers = {"EU-SE-1"};
  endpoints.push_back(lb);
  AdoptedEndpoint queue = Endpoint("queue");
  queue.live.spec.scaler_type = kScalerRequestCount;
  queue.live.spec.scaler_value = 1;
  queue.live.spec.idle_timeout = 0;
  queue.live.spec.timeout_ms = 1000;
  endpoints.push_back(queue);
  for (const AdoptedEndpoint& e : endpoints) {
    ASSERT_EQ(WhyNotDeclarable(e.live), "") << e.key;
  }

  const std::string text =
      "version: 1\n"
      "volumes:\n"
      "  models-eu: {size: 50, dataCenter: EU-RO-1}\n"
      "  models-us: {size: 50, dataCenter: US-TX-3}\n"
      "endpoints:\n" +
      EndpointEntries(endpoints, 2);
  LoadResult loaded = ParseConfig("p.yaml", text, [](const std::string& name) {
    return name == "FULL_API_KEY"
               ? std::optional<std::string>("sk-abcdefghijklmnop")
               : std::nullopt;
  });
  ASSERT_TRUE(loaded.config.has_value()) << text;
  for (const AdoptedEndpoint& e : endpoints) {
    const DesiredEndpoint& desired = loaded.config->endpoints.at(e.key);
    EndpointSpec want = e.live.spec;
    want.network_volume_ids.clear();  // the config knows keys, not ids
    // The secret's value reads back beside the config, not in it.
    EndpointSpec declared = desired.spec;
    for (const auto& [key, value] :
         loaded.secret_values.EnvAt({Kind::kEndpoint, e.key})) {
      declared.env[key] = value;
    }
    EXPECT_EQ(declared, want) << e.key;
    EXPECT_EQ(desired.volumes, e.volume_keys) << e.key;
    EXPECT_FALSE(desired.read_only) << e.key;
  }
  EXPECT_EQ(loaded.config->endpoints.at("full").secret_env,
            std::set<std::string>{"API_KEY"});
}

TEST(WhyNotDeclarableTest, NamesWhatTheConfigCannotHold) {
  EXPECT_EQ(WhyNotDeclarable(Endpoint("ok").live), "");
  auto why = [](auto change) {
    AdoptedEndpoint e = Endpoint("e");
    change(e.live.spec);
    return WhyNotDeclarable(e.live);
  };
  EXPECT_EQ(why([](EndpointSpec& s) { s.name = ""; }),
            "it has no name, and podform.yaml gives every endpoint one");
  EXPECT_EQ(why([](EndpointSpec& s) { s.image = ""; }),
            "RunPod reports no image for it, and podform.yaml requires one");
  EXPECT_EQ(why([](EndpointSpec& s) { s.type = "BATCH"; }),
            "its type BATCH is neither QUEUE nor LOAD_BALANCER");
  EXPECT_EQ(why([](EndpointSpec& s) { s.gpu_pools.clear(); }),
            "it has no GPU pools (a CPU endpoint?); podform.yaml declares GPU "
            "endpoints only");
  EXPECT_EQ(why([](EndpointSpec& s) {
              s.gpu_pools = {"ADA_24", "TPU_9"};
            }),
            "its GPU pool TPU_9 is not one podform's catalog knows");
  EXPECT_EQ(why([](EndpointSpec& s) {
              s.gpu_pools = {"ADA_24", "ADA_24"};
            }),
            "it lists a GPU pool twice");
  EXPECT_EQ(why([](EndpointSpec& s) { s.gpu_count = 0; }),
            "its GPU count 0 is below 1");
  EXPECT_EQ(why([](EndpointSpec& s) { s.workers_min = 4; }),
            "its workers (min 4, max 3) are not 0 <= min <= max");
  EXPECT_EQ(why([](EndpointSpec& s) { s.idle_timeout = 0; }),
            "its idle timeout 0 s is not in 1..3600");
  EXPECT_EQ(why([](EndpointSpec& s) { s.idle_timeout = 3601; }),
            "its idle timeout 3601 s is not in 1..3600");
  EXPECT_EQ(why([](EndpointSpec& s) {
              s.scaler_type = kScalerRequestCount;
              s.scaler_value = 2;
            }),
            "it has an idle timeout (10 s) on a queue that scales on "
            "REQUEST_COUNT, which podform.yaml cannot declare");
  EXPECT_EQ(why([](EndpointSpec& s) { s.type = kEndpointTypeLoadBalancer; }),
            "it is a load balancer that scales on QUEUE_DELAY");
  EXPECT_EQ(why([](EndpointSpec& s) { s.scaler_value = 0.25; }),
            "its queue delay 0.25 s is below 0.5");
  EXPECT_EQ(why([](EndpointSpec& s) {
              s.type = kEndpointTypeLoadBalancer;
              s.scaler_type = kScalerRequestCount;
              s.scaler_value = 0;
            }),
            "its request count 0 is not a whole number from 1");
  EXPECT_EQ(why([](EndpointSpec& s) { s.scaler_type = "CPU"; }),
            "its scaler CPU is neither QUEUE_DELAY nor REQUEST_COUNT");
  EXPECT_EQ(why([](EndpointSpec& s) { s.timeout_ms = 1500; }),
            "its timeout 1500 ms is not a whole number of seconds in "
            "1..2147483");
  EXPECT_EQ(why([](EndpointSpec& s) { s.timeout_ms = 0; }),
            "its timeout 0 ms is not a whole number of seconds in 1..2147483");
  EXPECT_EQ(why([](EndpointSpec& s) { s.flashboot = "PRIORITY_FLASHBOOT"; }),
            "its flashboot is PRIORITY_FLASHBOOT; podform.yaml declares only "
            "OFF (flashboot: false) and FLASHBOOT (flashboot: true)");
  EXPECT_EQ(why([](EndpointSpec& s) {
              s.data_centers = {"EU-RO-1", "EU-RO-1"};
            }),
            "it lists a data center twice");
  EXPECT_EQ(why([](EndpointSpec& s) {
              s.env = {{"1BAD", "x"}};
            }),
            "its env variable \"1BAD\" is not a name podform.yaml accepts "
            "([A-Za-z_][A-Za-z0-9_]*)");
}

TEST(WhyVolumesNotDeclarableTest, OnePerDataCenterAndPlacedThere) {
  AdoptedEndpoint e = Endpoint("e");
  EXPECT_EQ(WhyVolumesNotDeclarable(e.live, {}), "");  // no volumes
  e.live.spec.network_volume_ids = {"vol-eu", "vol-us"};
  e.live.spec.data_centers = {"US-TX-3", "EU-RO-1"};
  EXPECT_EQ(WhyVolumesNotDeclarable(e.live, {"EU-RO-1", "US-TX-3"}), "");
  EXPECT_EQ(WhyVolumesNotDeclarable(e.live, {"EU-RO-1", "EU-RO-1"}),
            "two of its volumes are in data center EU-RO-1; podform.yaml "
            "mounts at most one per data center");
  EXPECT_EQ(WhyVolumesNotDeclarable(e.live, {"EU-RO-1", "EU-SE-1"}),
            "RunPod places it in US-TX-3, EU-RO-1, not in its volumes' data "
            "centers (EU-RO-1, EU-SE-1) where podform.yaml would place it");
  e.live.spec.data_centers.clear();
  EXPECT_EQ(WhyVolumesNotDeclarable(e.live, {"EU-RO-1", "US-TX-3"}),
            "RunPod places it in any data center, not in its volumes' data "
            "centers (EU-RO-1, US-TX-3) where podform.yaml would place it");
}

TEST(AppendEntriesTest, EndpointsGoUnderTheirSectionOrANewOneAtTheEnd) {
  const std::string before =
      "version: 1\n"
      "endpoints:\n"
      "  old:\n"
      "    image: x\n"
      "    gpu: {pools: [ADA_24]}\n"
      "# Pods below.\n"
      "pods:\n"
      "  web:\n"
      "    image: x\n"
      "    gpuType: y\n";
  auto text = AppendEntries(before, {}, "", {}, {Endpoint("embed")});
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "version: 1\n"
            "endpoints:\n"
            "  old:\n"
            "    image: x\n"
            "    gpu: {pools: [ADA_24]}\n"
            "  embed:\n"
            "    image: img:1\n"
            "    gpu: {pools: [ADA_24]}\n"
            "# Pods below.\n"
            "pods:\n"
            "  web:\n"
            "    image: x\n"
            "    gpuType: y\n");

  // No sections at all: volumes, pods, endpoints, in that order.
  auto fresh =
      AppendEntries("version: 1\n", {Volume("models", "models", "EU-RO-1")}, "",
                    {Pod("web", "")}, {Endpoint("embed")});
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(*fresh,
            "version: 1\n"
            "volumes:\n"
            "  models:\n"
            "    size: 50\n"
            "    dataCenter: EU-RO-1\n"
            "    protect: true\n"
            "pods:\n"
            "  web:\n"
            "    image: img:1\n"
            "    gpuType: NVIDIA RTX A6000\n"
            "endpoints:\n"
            "  embed:\n"
            "    image: img:1\n"
            "    gpu: {pools: [ADA_24]}\n");

  // An empty section is filled; a flow one is refused, not rewritten.
  auto empty = AppendEntries("version: 1\nendpoints:\n", {}, "", {},
                             {Endpoint("embed")});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(*empty,
            "version: 1\n"
            "endpoints:\n"
            "  embed:\n"
            "    image: img:1\n"
            "    gpu: {pools: [ADA_24]}\n");
  auto flow = AppendEntries("version: 1\nendpoints: {}\n", {}, "", {},
                            {Endpoint("embed")});
  EXPECT_EQ(flow.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(flow.status().message().find("\"endpoints:\" at line 2 "),
            absl::string_view::npos)
      << flow.status();
}

// What RunPod's status says decides (ConditionOf): a PAUSED or DEAD pod is
// declared and recorded stopped, a CREATED or RESTARTING one running.
TEST(ImportPodTest, RunPodsStatusDecidesRunningOrStopped) {
  Config config;
  DesiredPod desired;
  desired.key = "web";
  desired.spec.name = "web";
  config.pods["web"] = desired;
  for (const auto& [status, running] :
       std::vector<std::pair<PodStatus, bool>>{
           {PodStatus::kCreated, true},
           {PodStatus::kRestarting, true},
           {PodStatus::kPaused, false},
           {PodStatus::kDead, false}}) {
    AdoptedPod pod = Pod("web", "");
    pod.live.status = status;
    pod.live.spec.running = !running;  // RunPod's status wins
    EXPECT_EQ(PodEntries({pod}, 2),
              absl::StrCat("  web:\n"
                           "    image: img:1\n"
                           "    gpuType: NVIDIA RTX A6000\n",
                           running ? "" : "    status: stopped\n"))
        << PodStatusWord(status);
    LiveState live;
    live.pods = {pod.live};
    State state;
    ASSERT_TRUE(
        RecordImport(config, live, {Kind::kPod, "web"}, "pod-web", &state)
            .ok());
    EXPECT_EQ(state.Find({Kind::kPod, "web"})->resource.pod.running, running)
        << PodStatusWord(status);
  }
}

}  // namespace
}  // namespace podform
