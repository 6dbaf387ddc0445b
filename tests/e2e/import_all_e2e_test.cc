// Issue 18: `podform import --all` adopts an account made by hand, end to
// end against `podform sandbox serve`, once per RunPod API.

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/client/curl_transport.h"
#include "tests/e2e/harness.h"

namespace podform::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kNoChanges[] =
    "No changes. Your infrastructure matches the configuration.\n";
// What the hand-made trainer pod has in HF_TOKEN: must end up on no disk.
constexpr char kSecret[] = "hf_adoptE2eQ7zX9kP2mN4bV";

// Every regular file under `root` with its contents.
std::map<std::string, std::string> FilesUnder(const std::string& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      files[entry.path().string()] = ReadFileOrDie(entry.path().string());
    }
  }
  return files;
}

class ImportAllE2eTest : public E2eTest {
 protected:
  // The account: "Llama Weights" (EU-RO-1) and "llama-weights" (US-KS-2),
  // whose keys collide; pod "Trainer" on the first with a secret-looking
  // HF_TOKEN, pod "Sweeper" on the second, pod "web" without a volume.
  void MakeAccountByHand() {
    eu_volume_ = CreateVolume("Llama Weights", 50, "EU-RO-1");
    us_volume_ = CreateVolume("llama-weights", 20, "US-KS-2");
    trainer_ = Deploy(
        "name: \"Trainer\", networkVolumeId: \"" + eu_volume_ +
        "\", volumeMountPath: \"/workspace\", ports: \"8888/http,22/tcp\", "
        "env: [{key: \"HF_TOKEN\", value: \"" +
        std::string(kSecret) +
        "\"}, {key: \"HF_HOME\", value: \"/workspace/hf\"}]");
    sweeper_ = Deploy("name: \"Sweeper\", networkVolumeId: \"" + us_volume_ +
                      "\", volumeMountPath: \"/data\", gpuCount: 2");
    web_ = Deploy("name: \"web\", dataCenterId: \"EU-SE-1\"");
  }

  std::string CreateVolume(const std::string& name, int size,
                           const std::string& dc) {
    json created =
        sandbox().GraphQL("mutation { createNetworkVolume(input: {name: \"" +
                          name + "\", size: " + std::to_string(size) +
                          ", dataCenterId: \"" + dc + "\"}) { id } }");
    EXPECT_TRUE(created["data"]["createNetworkVolume"]["id"].is_string())
        << created;
    return created["data"]["createNetworkVolume"]["id"];
  }

  std::string Deploy(const std::string& input) {
    json deployed = sandbox().GraphQL(
        "mutation { podFindAndDeployOnDemand(input: {imageName: \"" +
        std::string(kImage) +
        "\", gpuTypeId: \"NVIDIA RTX A6000\", cloudType: SECURE, "
        "containerDiskInGb: 20, " +
        input + "}) { id } }");
    EXPECT_TRUE(deployed["data"]["podFindAndDeployOnDemand"]["id"].is_string())
        << deployed;
    return deployed["data"]["podFindAndDeployOnDemand"]["id"];
  }

  // POST /v2/PATH with `body` to the sandbox's REST API, which it serves
  // whichever API podform speaks: the created object's id ("" on failure).
  std::string RestCreate(const std::string& path, const json& body) {
    std::string base = sandbox().url();
    base = base.substr(0, base.rfind("/graphql")) + "/v2";
    absl::StatusOr<std::unique_ptr<Transport>> transport =
        MakeCurlTransport(base, kApiKey);
    EXPECT_TRUE(transport.ok()) << transport.status();
    if (!transport.ok()) return "";
    absl::StatusOr<HttpResponse> response =
        (*transport)
            ->Send(HttpRequest{
                .method = "POST", .path = path, .body = body.dump()});
    EXPECT_TRUE(response.ok()) << response.status();
    if (!response.ok()) return "";
    EXPECT_EQ(response->status, 201) << response->body;
    json created = json::parse(response->body, nullptr, false);
    return created.is_object() && created["id"].is_string()
               ? created["id"].get<std::string>()
               : "";
  }

  // A serverless endpoint made by hand: RunPod's required members, then
  // `extra`.
  std::string CreateEndpoint(const std::string& name, const json& extra,
                             const std::string& type = "QUEUE") {
    json body = {{"name", name},
                 {"type", type},
                 {"image", "ghcr.io/acme/embed-worker:1.4"},
                 {"gpu", {{"pools", {"ADA_24"}}}},
                 {"scaling", {{"type", "QUEUE_DELAY"}, {"queueDelay", 4}}}};
    body.update(extra);
    return RestCreate("/serverless", body);
  }

  // The endpoints account: volumes "Embed Models EU" (EU-RO-1) and
  // "embed-models-us" (US-TX-3); endpoint "Embed API" mounting both with
  // every field away from its default and a secret-looking HF_TOKEN;
  // "batch" without volumes in EU-SE-1; load balancer "gateway"; and
  // "priority" with PRIORITY_FLASHBOOT, which podform.yaml cannot declare.
  void MakeEndpointsByHand() {
    eu_volume_ = CreateVolume("Embed Models EU", 50, "EU-RO-1");
    us_volume_ = CreateVolume("embed-models-us", 50, "US-TX-3");
    embed_ = CreateEndpoint(
        "Embed API",
        {{"gpu", {{"pools", {"ADA_24", "AMPERE_48"}}, {"count", 2}}},
         {"workers", {{"min", 0}, {"max", 3}, {"idleTimeout", 30}}},
         {"scaling", {{"type", "QUEUE_DELAY"}, {"queueDelay", 2.5}}},
         {"networkVolumes", {eu_volume_, us_volume_}},
         {"timeout", 600000},
         {"flashboot", "FLASHBOOT"},
         {"env",
          {{"MODEL_DIR", "/runpod-volume/models"}, {"HF_TOKEN", kSecret}}}});
    batch_ = CreateEndpoint(
        "batch", {{"dataCenterIds", {"EU-SE-1"}}, {"workers", {{"max", 1}}}});
    gateway_ = CreateEndpoint(
        "gateway",
        {{"workers", {{"min", 1}, {"max", 2}}},
         {"scaling", {{"type", "REQUEST_COUNT"}, {"requestCount", 2}}}},
        "LOAD_BALANCER");
    priority_ =
        CreateEndpoint("priority", {{"flashboot", "PRIORITY_FLASHBOOT"}});
  }

  // `plan --detailed-exitcode` with the secret exported, as the import told.
  RunResult PlanWithSecret() {
    return Podform({"plan", "--detailed-exitcode"},
                   {std::string("HF_TOKEN=") + kSecret});
  }

  // The schema check the examples get (tests/config/schema_agreement.py).
  void ExpectValidAgainstSchema(const std::string& path) {
    std::unique_ptr<Process> python = Process::Spawn(
        {"/usr/bin/python3",
         std::string(PODFORM_SOURCE_DIR) + "/tests/config/schema_agreement.py",
         PODFORM_SOURCE_DIR, path},
        RunEnv(), Path("schema.out"), Path("schema.err"));
    ASSERT_NE(python, nullptr);
    RunResult r = python->Wait();
    EXPECT_EQ(r.exit_code, 0) << r;
  }

  std::string eu_volume_, us_volume_, trainer_, sweeper_, web_;
  std::string embed_, batch_, gateway_, priority_;
};

// Endpoints are read over REST v2 only.
class ImportAllEndpointsE2eTest : public ImportAllE2eTest {
 protected:
  void SetUp() override {
    if (!harness::TestingRest()) {
      GTEST_SKIP() << "endpoints are read over REST v2 only";
    }
    ImportAllE2eTest::SetUp();
  }
};

TEST_F(ImportAllE2eTest, AdoptsAHandMadeAccountAndTheNextPlanIsEmpty) {
  MakeAccountByHand();
  json live = sandbox().Live();

  RunResult imported = Podform({"import", "--all"});
  ASSERT_EQ(imported.exit_code, 0) << imported;
  EXPECT_EQ(imported.err, "");
  EXPECT_THAT(imported.out, HasSubstr("Wrote " + Path("podform.yaml") +
                                      " and recorded them in " + LockPath()));
  EXPECT_THAT(imported.out,
              HasSubstr("  export HF_TOKEN=...  # env HF_TOKEN of "
                        "pod.trainer\n"));
  EXPECT_THAT(imported.out, Not(HasSubstr("HF_HOME=")));

  // The colliding names got numbered keys, each recorded with its own id.
  std::set<std::string> volumes = {LockId("volume.llama-weights"),
                                   LockId("volume.llama-weights-2")};
  EXPECT_EQ(volumes, (std::set<std::string>{eu_volume_, us_volume_}));
  EXPECT_EQ(LockId("pod.trainer"), trainer_);
  EXPECT_EQ(LockId("pod.sweeper"), sweeper_);
  EXPECT_EQ(LockId("pod.web"), web_);
  const std::string eu_key = LockId("volume.llama-weights") == eu_volume_
                                 ? "llama-weights"
                                 : "llama-weights-2";
  const std::string us_key =
      eu_key == "llama-weights" ? "llama-weights-2" : "llama-weights";

  std::string yaml = ReadFileOrDie(Path("podform.yaml"));
  EXPECT_THAT(yaml, StartsWith("version: 1\nvolumes:\n"));
  EXPECT_THAT(yaml, HasSubstr("  " + eu_key +
                              ":\n    name: Llama Weights\n    size: 50\n"));
  EXPECT_THAT(yaml, HasSubstr("    dataCenter: EU-RO-1\n    protect: true\n"));
  EXPECT_THAT(yaml, HasSubstr("    dataCenter: US-KS-2\n    protect: true\n"));
  EXPECT_THAT(
      yaml, HasSubstr("  trainer:\n    name: Trainer\n    image: " +
                      std::string(kImage) +
                      "\n    gpuType: NVIDIA RTX A6000\n    volume: " + eu_key +
                      "\n    ports: [\"8888/http\", "
                      "\"22/tcp\"]\n    env:\n"
                      "      HF_HOME: /workspace/hf\n"
                      "      HF_TOKEN: \"${env:HF_TOKEN}\"\n"));
  EXPECT_THAT(yaml, HasSubstr("  sweeper:\n    name: Sweeper\n    image: " +
                              std::string(kImage) +
                              "\n    gpuType: NVIDIA RTX A6000\n"
                              "    gpuCount: 2\n    volume: " +
                              us_key + "\n    mountPath: /data\n"));
  EXPECT_THAT(yaml, HasSubstr("  web:\n    image: "));
  // Defaults are not repeated.
  EXPECT_THAT(yaml, Not(HasSubstr("containerDiskGb")));
  EXPECT_THAT(yaml, Not(HasSubstr("cloudType")));
  EXPECT_THAT(yaml, Not(HasSubstr("status:")));

  RunResult validate =
      Podform({"validate"}, {std::string("HF_TOKEN=") + kSecret});
  EXPECT_EQ(validate.exit_code, 0) << validate;
  ExpectValidAgainstSchema(Path("podform.yaml"));

  RunResult plan = PlanWithSecret();
  EXPECT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, StartsWith(kNoChanges));
  EXPECT_EQ(sandbox().Live(), live);

  // Nothing is left to import; a second run changes nothing.
  const std::string before = ReadFileOrDie(Path("podform.yaml"));
  const json lock_before = Lock()["resources"];
  RunResult again =
      Podform({"import", "--all"}, {std::string("HF_TOKEN=") + kSecret});
  EXPECT_EQ(again.exit_code, 0) << again;
  EXPECT_EQ(again.out, std::string("Nothing to import: every ") +
                           (harness::TestingRest() ? "volume, pod and endpoint"
                                                   : "volume and pod") +
                           " selected is already managed.\n");
  EXPECT_EQ(ReadFileOrDie(Path("podform.yaml")), before);
  EXPECT_EQ(Lock()["resources"], lock_before);

  // The secret is on RunPod's side only: in no file podform wrote, in no
  // output (the sandbox's data file and journal are RunPod's, and hold it).
  const std::string data = sandbox().data_path();
  bool searched_sandbox = false;
  for (const auto& [path, contents] : FilesUnder(dir_)) {
    if (path.rfind(data, 0) == 0) {
      searched_sandbox =
          searched_sandbox || contents.find(kSecret) != std::string::npos;
      continue;
    }
    EXPECT_EQ(contents.find(kSecret), std::string::npos) << path;
  }
  EXPECT_TRUE(searched_sandbox);
  EXPECT_EQ(transcript().find(kSecret), std::string::npos);
  // The lock file marks the variable secret and holds nothing under it (no
  // value, no digest), as apply records a ${env:} value.
  json trainer = Lock()["resources"]["pod.trainer"]["attributes"];
  EXPECT_EQ(trainer["secretEnv"], json::array({"HF_TOKEN"}));
  EXPECT_EQ(trainer["env"], json({{"HF_HOME", "/workspace/hf"}}));
}

TEST_F(ImportAllE2eTest, AppendsToACommentedConfigWithoutRewritingIt) {
  const std::string original =
      "# Managed by the ML team.\n"
      "version: 1\n"
      "volumes:\n"
      "  # Shared weights.\n"
      "  models:\n"
      "    size: 50\n"
      "    dataCenter: EU-RO-1   # next to the GPUs\n"
      "\n"
      "# Pods below.\n"
      "pods:\n"
      "  trainer:\n"
      "    image: " +
      std::string(kImage) +
      "\n"
      "    gpuType: NVIDIA RTX A6000\n"
      "    volume: models\n"
      "# end of file\n";
  WriteConfig(original);
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  const std::string models = LockId("volume.models");
  // By hand: a volume whose name normalizes to the managed key, a pod on
  // the managed volume, a pod named like the managed pod's key.
  std::string extra = CreateVolume("Models", 30, "EU-RO-1");
  std::string notebook =
      Deploy("name: \"Notebook\", networkVolumeId: \"" + models + "\"");

  RunResult imported = Podform({"import", "--all"});
  ASSERT_EQ(imported.exit_code, 0) << imported;
  EXPECT_EQ(imported.out, "Imported volume.models-2 (id " + extra +
                              ")\nImported pod.notebook (id " + notebook +
                              ")\nAdded them to " + Path("podform.yaml") +
                              " and recorded them in " + LockPath() + ".\n");
  EXPECT_EQ(
      ReadFileOrDie(Path("podform.yaml")),
      "# Managed by the ML team.\n"
      "version: 1\n"
      "volumes:\n"
      "  # Shared weights.\n"
      "  models:\n"
      "    size: 50\n"
      "    dataCenter: EU-RO-1   # next to the GPUs\n"
      "  models-2:\n"
      "    name: Models\n"
      "    size: 30\n" +
          // The tier only where RunPod reports it.
          std::string(harness::TestingRest() ? "    type: STANDARD\n" : "") +
          "    dataCenter: EU-RO-1\n"
          "    protect: true\n"
          "\n"
          "# Pods below.\n"
          "pods:\n"
          "  trainer:\n"
          "    image: " +
          std::string(kImage) +
          "\n"
          "    gpuType: NVIDIA RTX A6000\n"
          "    volume: models\n"
          "  notebook:\n"
          "    name: Notebook\n"
          "    image: " +
          std::string(kImage) +
          "\n"
          "    gpuType: NVIDIA RTX A6000\n"
          "    volume: models\n"
          "# end of file\n");
  EXPECT_EQ(LockId("volume.models-2"), extra);
  EXPECT_EQ(LockId("pod.notebook"), notebook);
  ExpectValidAgainstSchema(Path("podform.yaml"));
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, StartsWith(kNoChanges));
}

TEST_F(ImportAllE2eTest, DryRunPrintsTheEntriesAndWritesNothing) {
  MakeAccountByHand();
  const std::map<std::string, std::string> before = FilesUnder(dir_);
  RunResult dry = Podform({"import", "--all", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry;
  EXPECT_THAT(dry.out, StartsWith("volumes:\n  llama-weights"));
  EXPECT_THAT(dry.out, HasSubstr("\npods:\n  trainer:\n"));
  EXPECT_THAT(dry.out, HasSubstr("Would import pod.web (id " + web_ + ")\n"));
  EXPECT_THAT(dry.out, HasSubstr("Dry run: nothing was written.\n"));
  std::map<std::string, std::string> after = FilesUnder(dir_);
  // Only the run's own captured output and the sandbox's files are new.
  for (auto it = after.begin(); it != after.end();) {
    bool ours = it->first.rfind(Path("runs/"), 0) == 0 ||
                it->first.rfind(sandbox().data_path(), 0) == 0;
    it = ours ? after.erase(it) : std::next(it);
  }
  std::map<std::string, std::string> expected = before;
  for (auto it = expected.begin(); it != expected.end();) {
    bool ours = it->first.rfind(Path("runs/"), 0) == 0 ||
                it->first.rfind(sandbox().data_path(), 0) == 0;
    it = ours ? expected.erase(it) : std::next(it);
  }
  EXPECT_EQ(after, expected);
  EXPECT_FALSE(std::filesystem::exists(Path("podform.yaml")));
  EXPECT_FALSE(LockExists());
}

TEST_F(ImportAllE2eTest, FiltersSelectExactlyWhatTheySay) {
  MakeAccountByHand();
  auto imported = [&](const std::vector<std::string>& filters) {
    std::vector<std::string> args = {"import", "--all", "--dry-run"};
    args.insert(args.end(), filters.begin(), filters.end());
    RunResult r = Podform(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    std::set<std::string> ids;
    for (const std::string& id :
         {eu_volume_, us_volume_, trainer_, sweeper_, web_}) {
      if (r.out.find("(id " + id + ")") != std::string::npos) ids.insert(id);
    }
    return ids;
  };
  using Ids = std::set<std::string>;
  EXPECT_EQ(imported({"--only", "volume"}), (Ids{eu_volume_, us_volume_}));
  EXPECT_EQ(imported({"--data-center", "US-KS-2"}),
            (Ids{us_volume_, sweeper_}));
  EXPECT_EQ(imported({"--data-center", "EU-RO-1", "--only", "volume"}),
            (Ids{eu_volume_}));
  EXPECT_EQ(imported({"--name-regex", "^web$"}), (Ids{web_}));
  // A pod brings the volume it mounts, and says so.
  EXPECT_EQ(imported({"--only", "pod", "--name-regex", "^Train"}),
            (Ids{eu_volume_, trainer_}));
  RunResult also = Podform({"import", "--all", "--dry-run", "--only", "pod",
                            "--name-regex", "^Train"});
  EXPECT_THAT(also.err,
              HasSubstr("podform: also importing volume " + eu_volume_ +
                        " as volume.llama-weights: pod " + trainer_ +
                        " \"Trainer\" mounts it\n"));

  // No endpoint here; over GraphQL none could be read.
  RunResult endpoint = Podform({"import", "--all", "--only", "endpoint"});
  if (harness::TestingRest()) {
    EXPECT_EQ(endpoint.exit_code, 0) << endpoint;
    EXPECT_EQ(endpoint.out,
              "Nothing to import: every endpoint selected is already "
              "managed.\n");
  } else {
    EXPECT_EQ(endpoint.exit_code, 1) << endpoint;
    EXPECT_EQ(endpoint.err,
              "podform: --only endpoint: serverless endpoints are read over "
              "RunPod's REST v2 API only; use REST v2 (the default, without "
              "--api graphql)\n");
  }
  RunResult kind = Podform({"import", "--all", "--only", "template"});
  EXPECT_NE(kind.exit_code, 0);
  RunResult regex = Podform({"import", "--all", "--name-regex", "("});
  EXPECT_EQ(regex.exit_code, 1) << regex;
  EXPECT_THAT(regex.err, StartsWith("podform: --name-regex: not a regular "
                                    "expression"));

  // A filtered import adopts exactly that, and plans clean.
  RunResult only = Podform({"import", "--all", "--data-center", "US-KS-2"});
  ASSERT_EQ(only.exit_code, 0) << only;
  EXPECT_EQ(Lock()["resources"].size(), 2u);
  EXPECT_EQ(LockId("pod.sweeper"), sweeper_);
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan;
}

TEST_F(ImportAllE2eTest, OutWritesAConfigToMergeAndRecordsNothing) {
  MakeAccountByHand();
  RunResult out = Podform(
      {"import", "--all", "--only", "volume", "--out", Path("adopted.yaml")});
  ASSERT_EQ(out.exit_code, 0) << out;
  EXPECT_THAT(out.out, HasSubstr("nothing was recorded in the state"));
  EXPECT_THAT(out.out, HasSubstr("  podform import volume.llama-weights-2 "));
  EXPECT_FALSE(LockExists());
  EXPECT_FALSE(std::filesystem::exists(Path("podform.yaml")));
  std::string adopted = ReadFileOrDie(Path("adopted.yaml"));
  EXPECT_THAT(adopted, StartsWith("version: 1\nvolumes:\n"));
  ExpectValidAgainstSchema(Path("adopted.yaml"));
  RunResult validate = Podform({"validate"}, {}, Path("adopted.yaml"));
  EXPECT_EQ(validate.exit_code, 0) << validate;

  // Never over an existing file.
  RunResult twice = Podform({"import", "--all", "--out", Path("adopted.yaml")});
  EXPECT_EQ(twice.exit_code, 1) << twice;
  EXPECT_EQ(ReadFileOrDie(Path("adopted.yaml")), adopted);
}

// One variable name, two values: the second pod's reference gets its own
// name; the same value shares one. A stopped pod is declared stopped.
TEST_F(ImportAllE2eTest, SecretsWithOneNameAndTwoValuesGetTwoVariables) {
  const std::string first = "sk-firstSecretValue1234567";
  const std::string second = "sk-secondSecretValue7654321";
  std::string a = Deploy(
      "name: \"a\", dataCenterId: \"EU-SE-1\", env: [{key: "
      "\"API_KEY\", value: \"" +
      first + "\"}]");
  std::string b = Deploy(
      "name: \"b\", dataCenterId: \"EU-SE-1\", env: [{key: "
      "\"API_KEY\", value: \"" +
      second + "\"}]");
  std::string c = Deploy(
      "name: \"c\", dataCenterId: \"EU-SE-1\", env: [{key: "
      "\"API_KEY\", value: \"" +
      first + "\"}]");
  json stopped = sandbox().GraphQL("mutation { podStop(input: {podId: \"" + c +
                                   "\"}) { id } }");
  ASSERT_TRUE(stopped["data"]["podStop"].is_object()) << stopped;

  RunResult imported = Podform({"import", "--all"});
  ASSERT_EQ(imported.exit_code, 0) << imported;
  EXPECT_THAT(imported.out,
              HasSubstr("  export API_KEY=...  # env API_KEY of pod.a, "
                        "env API_KEY of pod.c\n"
                        "  export B_API_KEY=...  # env API_KEY of pod.b\n"));
  std::string yaml = ReadFileOrDie(Path("podform.yaml"));
  EXPECT_THAT(yaml, HasSubstr("  a:\n"));
  EXPECT_THAT(yaml, HasSubstr("      API_KEY: \"${env:B_API_KEY}\"\n"));
  EXPECT_THAT(yaml, HasSubstr("      API_KEY: \"${env:API_KEY}\"\n    status: "
                              "stopped\n"));
  for (const std::string& value : {first, second}) {
    EXPECT_EQ(yaml.find(value), std::string::npos);
    EXPECT_EQ(LockText().find(value), std::string::npos);
    EXPECT_EQ(transcript().find(value), std::string::npos);
  }
  RunResult plan = Podform({"plan", "--detailed-exitcode"},
                           {"API_KEY=" + first, "B_API_KEY=" + second});
  EXPECT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, StartsWith(kNoChanges));
  EXPECT_EQ(LockId("pod.c"), c);
}

// A variable the environment already holds with another value (the file
// may reference it) is not reused for a different secret.
TEST_F(ImportAllE2eTest, AVariableSetToAnotherValueIsNotReused) {
  const std::string value = "sk-nineLivesSecret12345678";
  std::string pod = Deploy(
      "name: \"9lives\", dataCenterId: \"EU-SE-1\", env: "
      "[{key: \"API_KEY\", value: \"" +
      value + "\"}]");
  RunResult imported = Podform({"import", "--all"}, {"API_KEY=something-else"});
  ASSERT_EQ(imported.exit_code, 0) << imported;
  EXPECT_THAT(imported.out,
              HasSubstr("  export _9LIVES_API_KEY=...  # env API_KEY of "
                        "pod.9lives\n"));
  EXPECT_THAT(ReadFileOrDie(Path("podform.yaml")),
              HasSubstr("      API_KEY: \"${env:_9LIVES_API_KEY}\"\n"));
  RunResult plan =
      Podform({"plan", "--detailed-exitcode"},
              {"API_KEY=something-else", "_9LIVES_API_KEY=" + value});
  EXPECT_EQ(plan.exit_code, 0) << plan;
  EXPECT_EQ(LockId("pod.9lives"), pod);
}

// What cannot be added as text is refused with nothing written; a RunPod
// name the file already uses is skipped with a message.
TEST_F(ImportAllE2eTest, AFlowSectionIsRefusedAndATakenNameSkipped) {
  const std::string original =
      "version: 1\n"
      "volumes:\n"
      "  models: {size: 10, dataCenter: EU-RO-1}  # not created yet\n"
      "pods: {}\n";
  WriteConfig(original);
  std::string taken = CreateVolume("models", 10, "EU-RO-1");
  std::string other = CreateVolume("other", 10, "EU-RO-1");
  std::string web = Deploy("name: \"web\", dataCenterId: \"EU-SE-1\"");

  RunResult refused = Podform({"import", "--all"});
  EXPECT_EQ(refused.exit_code, 1) << refused;
  EXPECT_THAT(refused.err, HasSubstr("podform: skipped volume " + taken +
                                     " \"models\": its name is already used by "
                                     "volumes.models"));
  EXPECT_THAT(refused.err,
              HasSubstr("podform: \"pods:\" at line 4 is not written as a "
                        "block mapping"));
  EXPECT_EQ(ReadFileOrDie(Path("podform.yaml")), original);
  EXPECT_TRUE(!LockExists() || Lock()["resources"].empty());

  // Volumes alone go in: the volumes section is a block mapping.
  RunResult volumes = Podform({"import", "--all", "--only", "volume"});
  ASSERT_EQ(volumes.exit_code, 0) << volumes;
  EXPECT_EQ(
      ReadFileOrDie(Path("podform.yaml")),
      "version: 1\n"
      "volumes:\n"
      "  models: {size: 10, dataCenter: EU-RO-1}  # not created yet\n"
      "  other:\n"
      "    size: 10\n" +
          std::string(harness::TestingRest() ? "    type: STANDARD\n" : "") +
          "    dataCenter: EU-RO-1\n"
          "    protect: true\n"
          "pods: {}\n");
  EXPECT_EQ(LockId("volume.other"), other);
  EXPECT_EQ(LockId("volume.models"), "");
  EXPECT_NE(web, "");
}

TEST_F(ImportAllEndpointsE2eTest,
       AdoptsHandMadeEndpointsAndTheNextPlanIsEmpty) {
  MakeEndpointsByHand();

  RunResult imported = Podform({"import", "--all"});
  ASSERT_EQ(imported.exit_code, 0) << imported;
  EXPECT_EQ(imported.err,
            "podform: skipped endpoint " + priority_ +
                " \"priority\": its flashboot is PRIORITY_FLASHBOOT; "
                "podform.yaml declares only OFF (flashboot: false) and "
                "FLASHBOOT (flashboot: true)\n");
  EXPECT_THAT(imported.out,
              HasSubstr("Imported endpoint.embed-api (id " + embed_ + ")\n"));
  EXPECT_THAT(imported.out,
              HasSubstr("  export HF_TOKEN=...  # env HF_TOKEN of "
                        "endpoint.embed-api\n"));
  EXPECT_EQ(LockId("volume.embed-models-eu"), eu_volume_);
  EXPECT_EQ(LockId("volume.embed-models-us"), us_volume_);
  EXPECT_EQ(LockId("endpoint.embed-api"), embed_);
  EXPECT_EQ(LockId("endpoint.batch"), batch_);
  EXPECT_EQ(LockId("endpoint.gateway"), gateway_);
  EXPECT_EQ(LockId("endpoint.priority"), "");

  std::string yaml = ReadFileOrDie(Path("podform.yaml"));
  EXPECT_THAT(yaml, HasSubstr("\nendpoints:\n"));
  EXPECT_THAT(yaml, HasSubstr("  embed-api:\n"
                              "    name: Embed API\n"
                              "    image: ghcr.io/acme/embed-worker:1.4\n"
                              "    gpu: {pools: [ADA_24, AMPERE_48], count: "
                              "2}\n"
                              "    workers: {idleTimeout: 30}\n"
                              "    scaling: {queueDelay: 2.5}\n"
                              "    volumes: [embed-models-eu, "
                              "embed-models-us]\n"
                              "    timeout: 600\n"
                              "    flashboot: true\n"
                              "    env:\n"
                              "      HF_TOKEN: \"${env:HF_TOKEN}\"\n"
                              "      MODEL_DIR: /runpod-volume/models\n"));
  EXPECT_THAT(yaml, HasSubstr("  batch:\n"
                              "    image: ghcr.io/acme/embed-worker:1.4\n"
                              "    gpu: {pools: [ADA_24]}\n"
                              "    workers: {max: 1}\n"
                              "    dataCenters: [EU-SE-1]\n"));
  EXPECT_THAT(yaml, HasSubstr("  gateway:\n"
                              "    image: ghcr.io/acme/embed-worker:1.4\n"
                              "    type: load-balancer\n"
                              "    gpu: {pools: [ADA_24]}\n"
                              "    workers: {min: 1, max: 2}\n"
                              "    scaling: {requestCount: 2}\n"));
  EXPECT_EQ(yaml.find("priority"), std::string::npos);
  EXPECT_EQ(yaml.find(kSecret), std::string::npos);
  ExpectValidAgainstSchema(Path("podform.yaml"));

  // The state records them as apply would have: the secret only marked.
  json embed = Lock()["resources"]["endpoint.embed-api"]["attributes"];
  EXPECT_EQ(embed["secretEnv"], json::array({"HF_TOKEN"}));
  EXPECT_EQ(LockText().find(kSecret), std::string::npos);
  EXPECT_EQ(transcript().find(kSecret), std::string::npos);

  RunResult plan = PlanWithSecret();
  EXPECT_EQ(plan.exit_code, 0) << plan;
  // The one it skipped is still there, unmanaged; nothing else is.
  EXPECT_THAT(plan.out,
              StartsWith("Unmanaged resources (on RunPod but not in the lock "
                         "file; podform leaves them alone):\n  endpoint " +
                         priority_ + " \"priority\"\n\n" + kNoChanges));

  // The secret is in no file podform wrote (the sandbox's are RunPod's).
  for (const auto& [path, contents] : FilesUnder(dir_)) {
    if (path.rfind(sandbox().data_path(), 0) == 0) continue;
    EXPECT_EQ(contents.find(kSecret), std::string::npos) << path;
  }
  EXPECT_EQ(transcript().find(kSecret), std::string::npos);

  // A second run finds nothing more and changes nothing.
  const std::string before = ReadFileOrDie(Path("podform.yaml"));
  RunResult again =
      Podform({"import", "--all"}, {std::string("HF_TOKEN=") + kSecret});
  EXPECT_EQ(again.exit_code, 0) << again;
  EXPECT_EQ(again.out,
            "Nothing to import: every volume, pod and endpoint selected is "
            "already managed.\n");
  EXPECT_EQ(ReadFileOrDie(Path("podform.yaml")), before);
}

TEST_F(ImportAllEndpointsE2eTest, FiltersSelectEndpointsAndBringTheirVolumes) {
  MakeEndpointsByHand();
  auto imported = [&](const std::vector<std::string>& filters) {
    std::vector<std::string> args = {"import", "--all", "--dry-run"};
    args.insert(args.end(), filters.begin(), filters.end());
    RunResult r = Podform(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    std::set<std::string> ids;
    for (const std::string& id :
         {eu_volume_, us_volume_, embed_, batch_, gateway_, priority_}) {
      if (r.out.find("(id " + id + ")") != std::string::npos) ids.insert(id);
    }
    return ids;
  };
  using Ids = std::set<std::string>;
  EXPECT_EQ(imported({"--only", "volume"}), (Ids{eu_volume_, us_volume_}));
  EXPECT_EQ(imported({"--only", "pod"}), Ids{});
  // An endpoint brings the volumes it mounts.
  EXPECT_EQ(imported({"--only", "endpoint"}),
            (Ids{eu_volume_, us_volume_, embed_, batch_, gateway_}));
  // One of its data centers is enough; "gateway" has none (anywhere).
  EXPECT_EQ(imported({"--only", "endpoint", "--data-center", "US-TX-3"}),
            (Ids{eu_volume_, us_volume_, embed_}));
  EXPECT_EQ(imported({"--data-center", "EU-SE-1"}), (Ids{batch_}));
  EXPECT_EQ(imported({"--name-regex", "^gate"}), (Ids{gateway_}));
  RunResult also =
      Podform({"import", "--all", "--dry-run", "--name-regex", "^Embed API"});
  EXPECT_THAT(also.err,
              HasSubstr("podform: also importing volume " + eu_volume_ +
                        " as volume.embed-models-eu: endpoint " + embed_ +
                        " \"Embed API\" mounts it\n"));
  EXPECT_THAT(also.out, StartsWith("volumes:\n"));
  EXPECT_THAT(also.out, HasSubstr("\nendpoints:\n  embed-api:\n"));

  // An endpoint whose volume cannot be imported is skipped, and its other
  // volume is not brought along.
  WriteConfig(
      "version: 1\n"
      "volumes:\n"
      "  taken:\n"
      "    name: embed-models-us\n"
      "    size: 10\n"
      "    dataCenter: US-TX-3\n");
  RunResult skipped = Podform({"import", "--all", "--dry-run", "--only",
                               "endpoint", "--name-regex", "^Embed API$"});
  EXPECT_EQ(skipped.exit_code, 0) << skipped;
  EXPECT_THAT(skipped.err,
              HasSubstr("podform: skipped endpoint " + embed_ +
                        " \"Embed API\": a volume it mounts is not "
                        "imported\n"));
  EXPECT_THAT(skipped.out, Not(HasSubstr(eu_volume_)));

  // A filtered import adopts exactly that, and plans clean.
  std::filesystem::remove(Path("podform.yaml"));
  RunResult only =
      Podform({"import", "--all", "--only", "endpoint", "--name-regex", "^b"});
  ASSERT_EQ(only.exit_code, 0) << only;
  EXPECT_EQ(Lock()["resources"].size(), 1u);
  EXPECT_EQ(LockId("endpoint.batch"), batch_);
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan;
}

// A config that manages endpoints already: the new one goes under them,
// mounting the managed volume by its key.
TEST_F(ImportAllEndpointsE2eTest,
       AppendsUnderAnEndpointsSectionWithItsVolumes) {
  const std::string original =
      "version: 1\n"
      "volumes:\n"
      "  models:\n"
      "    size: 50\n"
      "    dataCenter: EU-RO-1\n"
      "    protect: false\n"
      "endpoints:\n"
      "  # The public one.\n"
      "  embed:\n"
      "    image: ghcr.io/acme/embed-worker:1.4\n"
      "    gpu: {pools: [ADA_24]}\n"
      "    volumes: [models]\n"
      "    access: read-only\n"
      "\n"
      "# end of file\n";
  WriteConfig(original);
  RunResult apply = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  const std::string models = LockId("volume.models");
  std::string rerank = CreateEndpoint(
      "Rerank", {{"networkVolumes", {models}}, {"workers", {{"max", 1}}}});

  RunResult imported = Podform({"import", "--all"});
  ASSERT_EQ(imported.exit_code, 0) << imported;
  EXPECT_EQ(imported.out, "Imported endpoint.rerank (id " + rerank +
                              ")\nAdded them to " + Path("podform.yaml") +
                              " and recorded them in " + LockPath() + ".\n");
  EXPECT_EQ(ReadFileOrDie(Path("podform.yaml")),
            "version: 1\n"
            "volumes:\n"
            "  models:\n"
            "    size: 50\n"
            "    dataCenter: EU-RO-1\n"
            "    protect: false\n"
            "endpoints:\n"
            "  # The public one.\n"
            "  embed:\n"
            "    image: ghcr.io/acme/embed-worker:1.4\n"
            "    gpu: {pools: [ADA_24]}\n"
            "    volumes: [models]\n"
            "    access: read-only\n"
            "  rerank:\n"
            "    name: Rerank\n"
            "    image: ghcr.io/acme/embed-worker:1.4\n"
            "    gpu: {pools: [ADA_24]}\n"
            "    workers: {max: 1}\n"
            "    volumes: [models]\n"
            "\n"
            "# end of file\n");
  EXPECT_EQ(LockId("endpoint.rerank"), rerank);
  EXPECT_EQ(Lock()["resources"]["endpoint.rerank"]["attributes"]["volumes"],
            json::array({"volume.models"}));
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, StartsWith(kNoChanges));
}

// Over GraphQL podform reads no endpoints: import --all adopts the volumes
// and pods and leaves the endpoints, which it never sees.
TEST_F(ImportAllE2eTest, OverGraphQLVolumesAndPodsAreAdoptedAndEndpointsLeft) {
  if (harness::TestingRest()) {
    GTEST_SKIP() << "what import --all does over GraphQL";
  }
  MakeAccountByHand();
  MakeEndpointsByHand();
  RunResult imported = Podform({"import", "--all"});
  ASSERT_EQ(imported.exit_code, 0) << imported;
  EXPECT_EQ(imported.err, "");
  EXPECT_THAT(imported.out, Not(HasSubstr("endpoint")));
  EXPECT_EQ(LockId("pod.trainer"), trainer_);
  EXPECT_EQ(LockId("volume.embed-models-eu"), eu_volume_);
  const nlohmann::json lock = Lock();  // items() must not outlive it
  for (const auto& [address, resource] : lock["resources"].items()) {
    EXPECT_THAT(address, Not(StartsWith("endpoint."))) << address;
  }
  EXPECT_EQ(ReadFileOrDie(Path("podform.yaml")).find("endpoints:"),
            std::string::npos);
  RunResult plan = PlanWithSecret();
  EXPECT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, StartsWith(kNoChanges));
}

}  // namespace
}  // namespace podform::e2e
