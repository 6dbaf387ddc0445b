// Secrets and the transport rules: the API key and ${env:...} values never
// appear in any output or file podform writes; plain http:// is refused for
// non-loopback hosts before any connection; https:// always verifies the
// server's certificate.

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/config/config.h"
#include "reconciler/plan/plan_file.h"
#include "reconciler/plan/planner.h"
#include "reconciler/plan/render.h"
#include "reconciler/plan/saved_plan.h"
#include "reconciler/util/digest.h"
#include "tests/reliability/harness.h"

namespace podform::reliability {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "rel-envsecret-3TQ8N5VZ";
constexpr char kRotated[] = "rel-envsecret-rotated-H6YB2D";
constexpr char kWrongKey[] = "rel-wrongkey-P5CJ7R1N";

using SecretsTest = ReliabilityTest;

// Every regular file under `root`, except those under `skip`.
std::vector<std::string> FilesUnder(const std::string& root,
                                    const std::string& skip) {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(root)) {
    const std::string path = entry.path().string();
    if (path.rfind(skip, 0) == 0) continue;
    if (entry.is_regular_file()) files.push_back(path);
  }
  return files;
}

// One end-to-end life of a config holding a secret env value: validate,
// plan (text, --json, --markdown, --out), apply of the saved plan, state
// list/show, graph, a rotated secret planned and applied, a wrong API key,
// an endpoint carrying the key in its query, destroy. Then every file in the
// test directory (the config's directory with the lock file, the plan file,
// the lock's .flock file, and every run's stdout and stderr) is searched for
// the API key and the secret values: none may appear. podform has no
// --debug or verbose mode; the outputs searched are all it prints.
//
// The sandbox's data file and its journal are RunPod's side: RunPod stores
// a pod's env, so the secret is legitimately there (and is checked to be,
// which also shows that the search would find it). The API key must not be there either.
TEST_F(SecretsTest, ApiKeyAndEnvSecretsAppearInNoArtefact) {
  std::filesystem::create_directories(Path("project"));
  StartSandbox({}, "runpod/sandbox.json");
  const std::string config = Path("project/podform.yaml");
  Fleet fleet = Fleet::Of("sec-", 1, 2, 1);
  fleet.pod_extra =
      "    env: {TOKEN: \"${env:REL_SECRET}\", PLAIN: visible-value}\n";
  WriteFileOrDie(config, fleet.Yaml());
  env_ = {std::string("REL_SECRET=") + kSecret};
  auto run = [&](const std::vector<std::string>& args,
                 const std::vector<std::string>& extra_env = {}) {
    return Podform(args, extra_env, config);
  };

  RunResult r = run({"validate"});
  EXPECT_EQ(r.exit_code, 0) << r;
  r = run({"plan"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("(sensitive)")) << r;
  EXPECT_THAT(r.out, HasSubstr("visible-value")) << r;
  EXPECT_EQ(run({"plan", "--json"}).exit_code, 0);
  EXPECT_EQ(run({"plan", "--markdown"}).exit_code, 0);
  r = run({"plan", "--out", Path("project/tonight.plan")});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = run({"apply", Path("project/tonight.plan")});
  ASSERT_EQ(r.exit_code, 0) << r;

  // RunPod got the secret (the pods need it) but never the key. The
  // sandbox's state while it runs: its data file and journal.
  auto runpod_side = [&] {
    return ReadFileOrEmpty(sandbox().data_path()) +
           ReadFileOrEmpty(sandbox().data_path() + ".journal");
  };
  std::string data = runpod_side();
  EXPECT_THAT(data, HasSubstr(kSecret));
  EXPECT_THAT(data, Not(HasSubstr(kApiKey)));

  EXPECT_EQ(run({"plan", "--detailed-exitcode"}).exit_code, 0);
  EXPECT_EQ(run({"state", "list"}).exit_code, 0);
  r = run({"state", "show", "pod.p0"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(run({"state", "show", "volume.v0"}).exit_code, 0);
  EXPECT_EQ(run({"graph"}).exit_code, 0);

  // A rotated secret is a change, shown and applied without its value.
  env_ = {std::string("REL_SECRET=") + kRotated};
  EXPECT_EQ(run({"plan", "--detailed-exitcode"}).exit_code, 2);
  EXPECT_EQ(run({"plan", "--json"}).exit_code, 0);
  EXPECT_EQ(run({"plan", "--markdown"}).exit_code, 0);
  r = run({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(runpod_side(), HasSubstr(kRotated));

  // A key RunPod rejects is not echoed either.
  r = run({"plan"}, {std::string("RUNPOD_API_KEY=") + kWrongKey});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_EQ(r.err,
            std::string("podform: ") +
                (harness::TestingRest() ? "listNetworkVolumes" : "refresh") +
                ": RunPod rejected the API key (HTTP 401): check "
                "RUNPOD_API_KEY\n");
  // Nor is a key someone put in the endpoint URL.
  r = PodformRaw({"--endpoint",
                  std::string("http://10.0.0.1/graphql?api_key=") + kApiKey,
                  "--file", config, "plan"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_EQ(r.err,
            "podform: --endpoint \"http://10.0.0.1/graphql\": plain http:// is "
            "allowed only to a loopback host (127.0.0.0/8, localhost, [::1]), "
            "because the API key would cross the network unencrypted; use "
            "https://\n");

  r = run({"destroy", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(CountNames(sandbox().Live()), LiveCounts{});

  struct stat st = {};
  ASSERT_EQ(::stat(Path("project/podform.lock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const std::vector<std::string> files = FilesUnder(dir_, Path("runpod"));
  // The config, the lock file and its .flock, the plan file, and the stdout
  // and stderr of every run above.
  EXPECT_GE(files.size(), 4u + 2u * static_cast<size_t>(runs_));
  for (const std::string& file : files) {
    const std::string text = ReadFileOrEmpty(file);
    for (const char* needle : {kApiKey, kSecret, kRotated, kWrongKey}) {
      EXPECT_THAT(text, Not(HasSubstr(needle))) << file;
    }
  }
  for (const std::string& file :
       {sandbox().data_path(), sandbox().data_path() + ".journal",
        sandbox().data_path() + ".stderr"}) {
    EXPECT_THAT(ReadFileOrEmpty(file), Not(HasSubstr(kApiKey))) << file;
  }
}

std::string Sha256(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string HmacSha256(std::string_view key, std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest,
       &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// The printable forms of a binary digest: hex (both cases), base64 and
// web-safe base64 (unpadded).
std::vector<std::string> Encodings(const std::string& digest) {
  std::string hex = absl::BytesToHexString(digest);
  std::string base64 = absl::Base64Escape(digest);
  // Distinct forms only (base64 and its web-safe form often coincide).
  std::set<std::string> forms = {hex, absl::AsciiStrToUpper(hex),
                                 base64.substr(0, 43),
                                 absl::WebSafeBase64Escape(digest)};
  return std::vector<std::string>(forms.begin(), forms.end());
}

// What in `text` would let someone holding it test a guess of `secret`
// offline: the secret itself, its SHA-256, or its HMAC-SHA256 keyed by
// anything that appears in `text` (every token between separators, every
// JSON string in it, and "" ), each in hex, upper-case hex, base64 or
// web-safe base64. Returns a description per finding; empty when none.
std::vector<std::string> DerivativesOf(const std::string& secret,
                                       const std::string& text) {
  std::vector<std::string> found;
  if (text.find(secret) != std::string::npos) found.push_back("the secret");
  for (const std::string& e : Encodings(Sha256(secret))) {
    if (text.find(e) != std::string::npos) found.push_back("its SHA-256 " + e);
  }
  std::set<std::string> keys = {""};
  for (absl::string_view token : absl::StrSplit(
           text, absl::ByAnyChar(" \t\r\n\"',;{}[]()<>"), absl::SkipEmpty())) {
    keys.insert(std::string(token));
  }
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  std::vector<const nlohmann::json*> work = {&doc};
  while (!work.empty()) {
    const nlohmann::json* j = work.back();
    work.pop_back();
    if (j->is_string()) keys.insert(j->get<std::string>());
    if (j->is_object()) {
      for (const auto& [key, value] : j->items()) {
        keys.insert(key);
        work.push_back(&value);
      }
    } else if (j->is_array()) {
      for (const auto& value : *j) work.push_back(&value);
    }
  }
  for (const std::string& key : keys) {
    for (const std::string& e : Encodings(HmacSha256(key, secret))) {
      if (text.find(e) != std::string::npos) {
        found.push_back("its HMAC-SHA256 keyed by \"" + key + "\": " + e);
      }
    }
  }
  return found;
}

// The search is able to find what the lock files of earlier versions held:
// HMAC-SHA256 keyed by the lineage beside it, and a plain SHA-256.
TEST(SecretDerivativesTest, FindsTheDigestsEarlierVersionsWrote) {
  const std::string lineage = "6f9c1d2e-0b7a-4c51-9e43-2d8f7a615b30";
  const std::string legacy =
      "{\"lineage\": \"" + lineage + "\", \"env\": {\"TOKEN\": \"hmac-sha256:" +
      absl::BytesToHexString(HmacSha256(lineage, kSecret)) + "\"}}";
  EXPECT_THAT(DerivativesOf(kSecret, legacy),
              ::testing::ElementsAre(
                  "its HMAC-SHA256 keyed by \"" + lineage + "\": " +
                  absl::BytesToHexString(HmacSha256(lineage, kSecret))));
  EXPECT_EQ(DerivativesOf(kSecret, "x " + absl::Base64Escape(Sha256(kSecret)))
                .size(),
            1u);
  EXPECT_EQ(DerivativesOf(kSecret, std::string("token=") + kSecret).size(), 1u);
  EXPECT_TRUE(DerivativesOf(kSecret, legacy.substr(0, legacy.size() - 10))
                  .empty());
}

// A config whose pods and endpoint take their secret env from the
// environment, and the world it is planned against: each already created,
// with RunPod holding kSecret for every secret but pod.rotated's, which it
// holds as kRotated.
constexpr char kDigestConfig[] = R"(version: 1
pods:
  same:
    image: runpod/pytorch:2.4.0
    gpuType: NVIDIA A100 80GB PCIe
    env: {TOKEN: "${env:REL_SECRET}", PLAIN: visible-value}
  rotated:
    image: runpod/pytorch:2.4.0
    gpuType: NVIDIA A100 80GB PCIe
    env: {TOKEN: "${env:REL_SECRET}"}
endpoints:
  embed:
    image: ghcr.io/acme/embed:1.4
    gpu: {pools: [ADA_24], count: 1}
    env: {HF_TOKEN: "${env:REL_SECRET}"}
)";

Config LoadDigestConfig(const std::string& secret) {
  LoadResult loaded = ParseConfig(
      "podform.yaml", kDigestConfig,
      [secret](const std::string& name) -> std::optional<std::string> {
        if (name == "REL_SECRET") return secret;
        return std::nullopt;
      });
  EXPECT_TRUE(loaded.config.has_value());
  return loaded.config.value_or(Config());
}

struct PlannedWorld {
  State state;
  LiveState live;
};

PlannedWorld CreatedWorld(const Config& config) {
  PlannedWorld w;
  w.state.lineage = "6f9c1d2e-0b7a-4c51-9e43-2d8f7a615b30";
  for (const auto& [key, pod] : config.pods) {
    const Address address{Kind::kPod, key};
    w.state.resources[address] = {"pod-" + key, *config.RecordedAt(address)};
    LivePod live;
    live.id = "pod-" + key;
    live.spec = pod.spec;
    live.spec.env["TOKEN"] = key == "rotated" ? kRotated : kSecret;
    live.status = PodStatus::kRunning;
    w.live.pods.push_back(live);
  }
  for (const auto& [key, endpoint] : config.endpoints) {
    const Address address{Kind::kEndpoint, key};
    w.state.resources[address] = {"ep-" + key, *config.RecordedAt(address)};
    LiveEndpoint live;
    live.id = "ep-" + key;
    live.spec = endpoint.spec;
    live.spec.env["HF_TOKEN"] = kSecret;
    w.live.endpoints.push_back(live);
  }
  return w;
}

std::map<std::string, std::vector<std::string>> SecretDecisions(
    const Plan& plan) {
  std::map<std::string, std::vector<std::string>> decisions;
  for (const Change& change : plan.changes) {
    decisions[change.address.ToString()] = change.secret_env_changes;
  }
  return decisions;
}

// Each load draws its own salt, so the digests of one secret differ from
// load to load (and a digest tests no guess outside the process), while
// the config's digest and every planning decision stay the same; a plan
// saved after one load is checked against another load's digests.
TEST(SecretDigestsTest, EachLoadHasItsOwnSaltAndPlansTheSame) {
  const Config first = LoadDigestConfig(kSecret);
  const Config second = LoadDigestConfig(kSecret);
  EXPECT_EQ(first.secret_salt.size(), 64u);
  EXPECT_NE(first.secret_salt, second.secret_salt);
  EXPECT_EQ(first.digest, second.digest);
  const std::string& digest =
      first.pods.at("same").secret_env_digests.at("TOKEN");
  EXPECT_EQ(digest, Sha256Hex(first.secret_salt + kSecret));
  EXPECT_NE(digest, second.pods.at("same").secret_env_digests.at("TOKEN"));
  EXPECT_EQ(first.endpoints.at("embed").secret_env_digests,
            (std::map<std::string, std::string>{{"HF_TOKEN", digest}}));

  const PlannedWorld w = CreatedWorld(first);
  absl::StatusOr<Plan> a = MakePlan(first, w.state, w.live, {});
  absl::StatusOr<Plan> b = MakePlan(second, w.state, w.live, {});
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(SecretDecisions(*a),
            (std::map<std::string, std::vector<std::string>>{
                {"endpoint.embed", {}},
                {"pod.rotated", {"TOKEN"}},
                {"pod.same", {}}}));
  EXPECT_EQ(SerializePlanFile(*a), SerializePlanFile(*b));

  const SavedPlanSources sources{"podform.yaml", "podform.lock"};
  EXPECT_TRUE(CheckSavedPlan(*a, second, w.state, w.live, sources).ok());
  // RunPod now holds the config's value for pod.rotated: the decision the
  // plan recorded no longer holds.
  PlannedWorld changed = w;
  changed.live.pods[0].spec.env["TOKEN"] = kSecret;
  ASSERT_EQ(changed.live.pods[0].id, "pod-rotated");
  const absl::StatusOr<State> stale =
      CheckSavedPlan(*a, second, changed.state, changed.live, sources);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(stale.status().message(),
              HasSubstr("pod.rotated: secret env TOKEN no longer compares"));
}

// Neither the salt nor any digest of a secret is in what a plan shows or
// saves: text, JSON, markdown, the plan file.
TEST(SecretDigestsTest, NoSaltNorDigestInAnyRenderingOrPlanFile) {
  const Config config = LoadDigestConfig(kSecret);
  const PlannedWorld w = CreatedWorld(config);
  absl::StatusOr<Plan> plan = MakePlan(config, w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::vector<std::string> secret_derived = {config.secret_salt, kSecret};
  for (const auto& [key, pod] : config.pods) {
    for (const auto& [name, digest] : pod.secret_env_digests) {
      secret_derived.push_back(digest);
    }
  }
  for (const auto& [key, endpoint] : config.endpoints) {
    for (const auto& [name, digest] : endpoint.secret_env_digests) {
      secret_derived.push_back(digest);
    }
  }
  ASSERT_EQ(secret_derived.size(), 5u);
  const std::string plan_file = SerializePlanFile(*plan);
  ASSERT_THAT(plan_file, HasSubstr("\"secret_env_changes\""));
  for (const std::string& shown :
       {RenderText(*plan, false), RenderText(*plan, true),
        RenderJsonText(*plan), RenderMarkdown(*plan), plan_file}) {
    for (const std::string& derived : secret_derived) {
      EXPECT_THAT(shown, Not(HasSubstr(derived)));
    }
    EXPECT_TRUE(DerivativesOf(kSecret, shown).empty());
  }
}

// Every file podform writes during a life of a config with a secret env
// value (plan --out, apply of the saved plan, a no-change plan --out, a
// rotated secret planned --out and applied, a plan and apply that change
// only a plain value, destroy), and a lock file of an earlier version that
// held an HMAC digest keyed by its own lineage, which the next write drops:
// none holds the secret or anything that tests a guess of it.
TEST_F(SecretsTest, NoFileHoldsAnythingThatTestsAGuessOfASecret) {
  std::filesystem::create_directories(Path("project"));
  StartSandbox({}, "runpod/sandbox.json");
  const std::string config = Path("project/podform.yaml");
  Fleet fleet = Fleet::Of("der-", 1, 2, 1);
  fleet.pod_extra =
      "    env: {TOKEN: \"${env:REL_SECRET}\", PLAIN: visible-value}\n";
  WriteFileOrDie(config, fleet.Yaml());
  auto run = [&](const std::vector<std::string>& args) {
    return Podform(args, {}, config);
  };
  env_ = {std::string("REL_SECRET=") + kSecret};
  RunResult r = run({"plan", "--out", Path("project/first.plan")});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = run({"apply", Path("project/first.plan")});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = run({"plan", "--detailed-exitcode", "--out", Path("project/same.plan")});
  ASSERT_EQ(r.exit_code, 0) << r;

  // A lock file as earlier versions wrote it: an HMAC of the secret keyed by
  // the lineage in the same file. It loads, and the next write drops it.
  const std::string lock_path = Path("project/podform.lock");
  nlohmann::json lock = nlohmann::json::parse(ReadFileOrEmpty(lock_path));
  const std::string lineage = lock["lineage"].get<std::string>();
  for (auto& [address, entry] : lock["resources"].items()) {
    if (address.rfind("pod.", 0) != 0) continue;
    ASSERT_EQ(entry["attributes"]["secretEnv"], nlohmann::json({"TOKEN"}));
    ASSERT_FALSE(entry["attributes"]["env"].contains("TOKEN"));
    entry["attributes"]["env"]["TOKEN"] =
        "hmac-sha256:" + absl::BytesToHexString(HmacSha256(lineage, kSecret));
  }
  WriteFileOrDie(lock_path, lock.dump(2) + "\n");
  ASSERT_FALSE(DerivativesOf(kSecret, ReadFileOrEmpty(lock_path)).empty());
  r = run({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 0) << r;  // the legacy digest means "compare live"

  env_ = {std::string("REL_SECRET=") + kRotated};
  r = run({"plan", "--detailed-exitcode", "--out",
           Path("project/rotated.plan")});
  ASSERT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.out, HasSubstr("~ env.TOKEN: (sensitive) -> (sensitive)"));
  r = run({"apply", Path("project/rotated.plan")});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(ReadFileOrEmpty(sandbox().data_path()) +
                  ReadFileOrEmpty(sandbox().data_path() + ".journal"),
              HasSubstr(kRotated));

  WriteFileOrDie(config, [&] {
    std::string yaml = fleet.Yaml();
    yaml.replace(yaml.find("visible-value"), 13, "visible-other");
    return yaml;
  }());
  r = run({"plan", "--out", Path("project/plain.plan")});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = run({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = run({"state", "show", "pod.p0"});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = run({"destroy", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r;

  const std::vector<std::string> files = FilesUnder(dir_, Path("runpod"));
  std::set<std::string> names;
  for (const std::string& file : files) {
    names.insert(std::filesystem::path(file).filename().string());
  }
  for (const char* expected : {"podform.lock", "first.plan", "same.plan",
                               "rotated.plan", "plain.plan"}) {
    EXPECT_EQ(names.count(expected), 1u) << expected;
  }
  for (const std::string& file : files) {
    const std::string text = ReadFileOrEmpty(file);
    for (const char* secret : {kSecret, kRotated}) {
      EXPECT_THAT(DerivativesOf(secret, text), ::testing::IsEmpty()) << file;
    }
  }
}

// A listening socket on 127.0.0.1 that never accepts: any connection
// attempt would show up in its accept queue.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    }
    port_ = ntohs(addr.sin_port);
  }
  ~Listener() { ::close(fd_); }
  int port() const { return port_; }
  // Connections that arrived since the last call.
  int Accepted() {
    int n = 0;
    while (true) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) break;
      ::close(c);
      ++n;
    }
    return n;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

using EndpointRuleTest = ReliabilityTest;

// Plain http:// to a host that is not a loopback address is refused on the
// rule, before any connection: the command ends at once with the reason,
// whether the URL comes from --endpoint or RUNPOD_GRAPHQL_URL, for plan,
// apply and destroy.
TEST_F(EndpointRuleTest, PlainHttpToANonLoopbackHostIsRefusedBeforeAnyRequest) {
  WriteFileOrDie(Path("podform.yaml"), Fleet{}.Yaml());
  const std::string rule =
      "\": plain http:// is allowed only to a loopback host (127.0.0.0/8, "
      "localhost, [::1]), because the API key would cross the network "
      "unencrypted; use https://\n";
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"plan"},
                                             {"apply", "--auto-approve"},
                                             {"destroy", "--auto-approve"}}) {
    std::vector<std::string> args = {"--endpoint", "http://10.0.0.1/graphql",
                                     "--file", Path("podform.yaml")};
    args.insert(args.end(), command.begin(), command.end());
    RunResult r = PodformRaw(args);
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_EQ(r.err, "podform: --endpoint \"http://10.0.0.1/graphql" + rule)
        << r;
    // A connection attempt to 10.0.0.1 (unroutable here) would hang for
    // the connect timeout; refusing on the rule takes no time.
    EXPECT_LT(r.seconds, 1.0) << r;
  }
  RunResult r = PodformRaw({"--file", Path("podform.yaml"), "plan"},
                           {"RUNPOD_GRAPHQL_URL=http://10.0.0.1/graphql"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_EQ(r.err,
            "podform: RUNPOD_GRAPHQL_URL \"http://10.0.0.1/graphql" + rule);
  EXPECT_LT(r.seconds, 1.0) << r;
  EXPECT_FALSE(std::filesystem::exists(Path("podform.lock")));
}

// Proof that "before any connection" is literal: 0.0.0.0 is not a loopback
// address by the rule, yet on Linux a connection to it reaches a listener
// on 127.0.0.1. podform refuses it, and the listener sees nothing; a plain
// libcurl request to the same URL does reach it (the control).
TEST_F(EndpointRuleTest, TheRefusalHappensBeforeAnyConnection) {
  WriteFileOrDie(Path("podform.yaml"), Fleet{}.Yaml());
  Listener listener;
  const std::string url =
      "http://0.0.0.0:" + std::to_string(listener.port()) + "/graphql";
  RunResult r =
      PodformRaw({"--endpoint", url, "--file", Path("podform.yaml"), "plan"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("plain http:// is allowed only to a loopback "
                               "host"));
  EXPECT_EQ(listener.Accepted(), 0);

  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
  EXPECT_EQ(curl_easy_perform(curl), CURLE_OK);
  curl_easy_cleanup(curl);
  EXPECT_TRUE(WaitFor([&] { return listener.Accepted() == 1; }, 5))
      << "the control connection did not arrive";
}

// https:// always verifies the certificate: a loopback TLS server with a
// self-signed certificate (for the right address) is refused, with no
// retry and no request body sent in clear.
TEST_F(EndpointRuleTest, HttpsWithAnUntrustedCertificateIsRefused) {
  const std::string openssl = "/usr/bin/openssl";
  if (!std::filesystem::exists(openssl)) {
    GTEST_SKIP() << "needs the openssl command to make a certificate";
  }
  std::unique_ptr<Process> make = Process::Spawn(
      {openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
       "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", Path("key.pem"),
       "-out", Path("cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1",
       "-addext", "subjectAltName=IP:127.0.0.1"},
      BaseEnv(dir_, kApiKey), Path("req.out"), Path("req.err"));
  ASSERT_NE(make, nullptr);
  RunResult made = make->Wait(60);
  ASSERT_EQ(made.exit_code, 0) << made;

  // A free port: bind to 0, read it, release it for s_server.
  int port;
  {
    Listener probe;
    port = probe.port();
  }
  std::unique_ptr<Process> server = Process::Spawn(
      {openssl, "s_server", "-accept", "127.0.0.1:" + std::to_string(port),
       "-cert", Path("cert.pem"), "-key", Path("key.pem"), "-www"},
      BaseEnv(dir_, kApiKey), Path("tls.out"), Path("tls.err"));
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(WaitFor(
      [&] { return server->StdoutSoFar().find("ACCEPT") != std::string::npos; },
      30))
      << ReadFileOrEmpty(Path("tls.err"));

  WriteFileOrDie(Path("podform.yaml"), Fleet{}.Yaml());
  const std::string url =
      "https://127.0.0.1:" + std::to_string(port) + "/graphql";
  RunResult r =
      PodformRaw({"--endpoint", url, "--file", Path("podform.yaml"), "plan"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err,
              ::testing::StartsWith("podform: refresh: POST " + url +
                                    ": TLS certificate verification failed"))
      << r;
  EXPECT_THAT(r.err, Not(HasSubstr(kApiKey)));
  server->Signal(SIGTERM);
  server->Wait(10);
}

}  // namespace
}  // namespace podform::reliability
