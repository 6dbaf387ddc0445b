// Random mutations of valid documents: the engine answers every one of them
// with well-formed JSON, within a fixed amount of work.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/graphql/executor.h"
#include "reconciler/graphql/schema.h"
#include "tests/graphql/test_schema.h"

namespace podform::graphql {
namespace {

using nlohmann::json;

Executor RunPodExecutor() {
  Executor exec(Schema::RunPod());
  const json pod = json::parse(R"({
      "id": "p1", "name": "trainer", "imageName": "runpod/pytorch", "env": ["A=b"],
      "gpuCount": 1, "desiredStatus": "RUNNING", "costPerHr": 0.79,
      "machine": {"gpuDisplayName": "RTX 4090", "podHostId": "p1-64"},
      "runtime": {"uptimeInSeconds": 3, "ports": [{"ip": "1.2.3.4", "publicPort": 1}],
                  "gpus": [{"id": "g", "gpuUtilPercent": 5}]}})");
  const json volume = json::parse(
      R"({"id": "v1", "name": "models", "size": 50, "dataCenterId": "EU-RO-1"})");
  exec.SetResolver("Query.myself", [=](const ResolveInfo&) {
    return absl::StatusOr<json>(
        json{{"id", "u1"}, {"pods", {pod, pod}}, {"networkVolumes", {volume}}});
  });
  exec.SetResolver("Query.pod", [=](const ResolveInfo&) {
    return absl::StatusOr<json>(pod);
  });
  exec.SetResolver("Query.gpuTypes", [](const ResolveInfo&) {
    return absl::StatusOr<json>(
        json::parse(R"([{"id": "NVIDIA L40S", "memoryInGb": 48}])"));
  });
  exec.SetResolver("GpuType.lowestPrice", [](const ResolveInfo& info) {
    return absl::StatusOr<json>(
        json{{"minimumBidPrice", 0.3}, {"echo", info.args}});
  });
  exec.SetResolver("Query.dataCenters", [](const ResolveInfo&) {
    return absl::StatusOr<json>(
        json::parse(R"([{"id": "EU-RO-1", "storageSupport": true}])"));
  });
  for (const char* m : {"createNetworkVolume", "updateNetworkVolume"}) {
    exec.SetResolver(std::string("Mutation.") + m,
                     [=](const ResolveInfo& info) {
                       json v = volume;
                       v["echo"] = info.args;
                       return absl::StatusOr<json>(v);
                     });
  }
  for (const char* m :
       {"podFindAndDeployOnDemand", "podEditJob", "podStop", "podResume"}) {
    exec.SetResolver(std::string("Mutation.") + m, [=](const ResolveInfo&) {
      return absl::StatusOr<json>(pod);
    });
  }
  exec.SetResolver("Mutation.deleteNetworkVolume", [](const ResolveInfo&) {
    return absl::StatusOr<json>(ResolverError(
        "You must remove this network volume from all pods before deleting it.",
        "RUNPOD"));
  });
  exec.SetResolver("Mutation.podTerminate", [](const ResolveInfo&) {
    return absl::StatusOr<json>(nullptr);
  });
  return exec;
}

struct Seed {
  const char* query;
  const char* variables;  // JSON text
};

const Seed kRunPodSeeds[] = {
    {R"(mutation { podFindAndDeployOnDemand(input: { name: "x", imageName: "runpod/pytorch", cloudType: SECURE, gpuTypeId: "NVIDIA RTX A6000", gpuCount: 1, dataCenterId: null, env: [{ key: "A", value: "b" }], startSsh: true }) { id imageName env machineId machine { podHostId } } })",
     "{}"},
    {"mutation CreateNetworkVolume($input: CreateNetworkVolumeInput!) { "
     "createNetworkVolume(input: $input) { id name size dataCenterId } }",
     R"({"input": {"name": "models", "size": 50, "dataCenterId": "EU-RO-1"}})"},
    {"query { myself { pods { id name imageName gpuCount desiredStatus "
     "costPerHr networkVolumeId env ports machine { gpuDisplayName } runtime { "
     "ports { ip publicPort } gpus { gpuUtilPercent } } } networkVolumes { id "
     "name size dataCenterId } } }",
     "null"},
    {"query Pod($id: String!) { pod(input: {podId: $id}) { ...P } } fragment P "
     "on Pod { id __typename machine { ...M } } fragment M on PodMachine { "
     "podHostId }",
     R"({"id": "p1"})"},
    {"query ($n: Int = 1, $skip: Boolean!) { gpuTypes(input: {id: \"NVIDIA "
     "L40S\"}) { id lowestPrice(input: {gpuCount: $n}) @skip(if: $skip) { "
     "minimumBidPrice } } dataCenters { id storageSupport } }",
     R"({"skip": false})"},
    {"mutation { deleteNetworkVolume(input: {id: \"v1\"}) t: "
     "podTerminate(input: {podId: \"p\"}) s: podStop(input: {podId: \"p\"}) { "
     "desiredStatus } }",
     "{}"},
    {"mutation Edit($env: [EnvironmentVariableInput]) { podEditJob(input: "
     "{podId: \"p\", imageName: \"\"\"img\n  block\"\"\", containerDiskInGb: "
     "20, env: $env, ports: \"22/tcp\"}) { id env } }",
     R"({"env": [{"key": "K", "value": "V"}]})"},
    {"# comment\nquery A { myself { id } } query B { dataCenters { ... on "
     "DataCenter { id } ... { name } } }",
     "{}"},
};

const Seed kTestSeeds[] = {
    {R"({ echo(s: "a\"\u00e9\u{1F600}", i: -5, f: 1.5e3, b: true, c: RED, list: [1, 2], nested: [[3]], filter: {name: "n", inner: {b: ["x"]}}, any: {k: [null]}) })",
     "{}"},
    {"query ($f: Filter, $b: Boolean = false) { a: items { id ...I "
     "@include(if: $b) parts { serial } } user { items(first: 1) { owner { "
     "name } } } } fragment I on Item { tags price }",
     R"({"f": {"name": "x"}})"},
    {"{ int x: fail str failNonNull throws badInt notList }", "{}"},
    {"mutation M($n: Int!) { a: step(n: $n) b: failStep(n: 2) }",
     R"({"n": 1})"},
};

const char* const kTokens[] = {
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "...",
    "...F",
    ":",
    "!",
    "=",
    "$",
    "$input",
    "@skip(if: true)",
    "@include(if: $x)",
    "query",
    "mutation",
    "fragment F on Query { myself { id } }",
    "on",
    "\"",
    "\"\"\"",
    "\\u",
    "\\u{",
    "#",
    "\n",
    ",",
    "null",
    "true",
    "1e",
    "-",
    "0.5",
    "__typename",
    "id",
    "pods",
    "input:",
    "{a:1}",
    "[[[",
    "]]]",
    "\xff",
    "\xc3",
    "\xe2\x82",
    "\\",
    "'",
    "\x00",
    "Int!",
    "[String]",
    "...on Pod{id}",
    "subscription",
    "extend",
};

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}

  size_t Below(size_t n) {
    return n == 0 ? 0 : static_cast<size_t>(rng_() % n);
  }

  void Mutate(std::string* s) {
    const size_t n = s->size();
    switch (Below(10)) {
      case 0:  // random byte
        s->insert(Below(n + 1), 1, static_cast<char>(Below(256)));
        break;
      case 1:  // token
        s->insert(Below(n + 1), kTokens[Below(std::size(kTokens))]);
        break;
      case 2:  // delete a range
        if (n > 0) {
          const size_t at = Below(n);
          s->erase(at, 1 + Below(std::min<size_t>(16, n - at)));
        }
        break;
      case 3:  // duplicate a range
        if (n > 0) {
          const size_t at = Below(n);
          const std::string piece = s->substr(at, 1 + Below(40));
          s->insert(Below(s->size() + 1), piece);
        }
        break;
      case 4:  // swap two ranges
        if (n > 4) {
          size_t a = Below(n / 2), b = n / 2 + Below(n / 2);
          const size_t len = 1 + Below(std::min(b - a, n - b));
          const std::string pa = s->substr(a, len), pb = s->substr(b, len);
          s->replace(b, len, pa);
          s->replace(a, len, pb);
        }
        break;
      case 5:  // truncate
        s->resize(Below(n + 1));
        break;
      case 6: {  // deep nesting
        static const char* const kOpen[] = {"{",  "[",    "a:{",
                                            "{a", "(x:[", "... on Query {"};
        const char* open = kOpen[Below(std::size(kOpen))];
        std::string nest;
        const size_t depth = 1 + Below(100);
        for (size_t i = 0; i < depth; ++i) nest += open;
        s->insert(Below(n + 1), nest);
        break;
      }
      case 7:  // flip a byte
        if (n > 0) (*s)[Below(n)] = static_cast<char>(Below(256));
        break;
      case 8: {  // repeat a fragment spread or field many times
        std::string many;
        const char* piece = Below(2) ? " ...P" : " id";
        for (size_t i = 0, k = 1 + Below(200); i < k; ++i) many += piece;
        s->insert(Below(n + 1), many);
        break;
      }
      default: {  // replace a name-like character
        if (n > 0) {
          const size_t at = Below(n);
          if (std::isalpha(static_cast<unsigned char>((*s)[at]))) {
            (*s)[at] = static_cast<char>('a' + Below(26));
          }
        }
        break;
      }
    }
  }

 private:
  std::mt19937_64 rng_;
};

// Checks the response is a well-formed GraphQL answer; returns its status.
void ExpectWellFormed(const ExecutionResult& r, const std::string& input) {
  ASSERT_TRUE(r.http_status == 200 || r.http_status == 400)
      << r.http_status << " "
      << r.body.dump(-1, ' ', false, json::error_handler_t::replace)
      << "\ninput: " << input;
  std::string text;
  try {
    text = r.body.dump();
  } catch (const std::exception& e) {
    FAIL() << "response does not serialize: " << e.what()
           << "\ninput: " << input;
  }
  const json back = json::parse(text, nullptr, false);
  ASSERT_TRUE(back.is_object()) << text;
  if (r.http_status == 400) {
    ASSERT_FALSE(back.contains("data")) << text;
    ASSERT_TRUE(back["errors"].is_array() && !back["errors"].empty()) << text;
  } else {
    ASSERT_TRUE(back.contains("data")) << text;
    ASSERT_TRUE(back["data"].is_object() || back["data"].is_null()) << text;
    if (back.contains("errors")) {
      ASSERT_FALSE(back["errors"].empty()) << text;
    }
  }
  for (const json& e : back.value("errors", json::array())) {
    ASSERT_TRUE(e["message"].is_string()) << text;
    ASSERT_TRUE(e["extensions"]["code"].is_string()) << text;
  }
}

TEST(MutationTest, TenThousandMutatedDocumentsGetWellFormedAnswers) {
  const Executor runpod = RunPodExecutor();
  const Executor test = test_support::MakeTestExecutor();
  Mutator mutator(20261126);
  const auto start = std::chrono::steady_clock::now();
  int documents = 0, executed = 0;
  for (int round = 0; round < 1000; ++round) {
    for (size_t i = 0; i < std::size(kRunPodSeeds) + std::size(kTestSeeds);
         ++i) {
      const bool is_runpod = i < std::size(kRunPodSeeds);
      const Seed& seed =
          is_runpod ? kRunPodSeeds[i] : kTestSeeds[i - std::size(kRunPodSeeds)];
      std::string query = seed.query;
      const size_t mutations = mutator.Below(2) ? 1 : 2 + mutator.Below(3);
      for (size_t m = 0; m < mutations; ++m) mutator.Mutate(&query);
      json body = {{"query", query},
                   {"variables", json::parse(seed.variables)}};
      std::string text =
          body.dump(-1, ' ', false, json::error_handler_t::replace);
      if (mutator.Below(10) == 0) mutator.Mutate(&text);  // the body itself
      test_support::TestContext ctx;
      const ExecutionResult r =
          (is_runpod ? runpod : test).ExecuteBody(text, &ctx);
      ++documents;
      if (r.http_status == 200) ++executed;
      ExpectWellFormed(r, text);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_EQ(documents, 12000);
  // Enough of the mutants are still valid to exercise execution too.
  EXPECT_GT(executed, 200);
  std::printf("%d mutated documents (%d executed) in %.2f s\n", documents,
              executed, seconds);
}

// Documents built to explode: the limits answer them quickly.
TEST(MutationTest, ExplosiveDocumentsAreBounded) {
  Executor test = test_support::MakeTestExecutor();
  EXPECT_EQ(Executor::kDefaultMaxResultValues, 2000000);
  test.SetMaxResultValues(200000);
  // Each fragment doubles the response through aliases on a recursive type.
  std::string doc = "{ user { ...F0 } }";
  for (int i = 0; i < 30; ++i) {
    const std::string next = i < 29 ? "...F" + std::to_string(i + 1) : "name";
    doc += " fragment F" + std::to_string(i) +
           " on User { a: items { owner { " + next +
           " } } b: items { owner { " + next + " } } }";
  }
  const auto start = std::chrono::steady_clock::now();
  ExecutionResult r = test.Execute(doc, nullptr, "", nullptr);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_EQ(r.http_status, 200);
  ASSERT_TRUE(r.body.contains("errors"));
  EXPECT_EQ(
      r.body["errors"].back()["message"],
      "The response would hold more than 200000 values; execution stopped.");
  std::printf("exponential document: %.2f s\n", seconds);

  // Many fragments in a chain are fine as long as they nest shallowly.
  std::string chain = "{ ...C0 }";
  for (int i = 0; i < 5000; ++i) {
    chain += " fragment C" + std::to_string(i) + " on Query { int " +
             (i < 4999 ? "...C" + std::to_string(i + 1) : std::string()) + " }";
  }
  r = test.Execute(chain, nullptr, "", nullptr);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(
      r.body["errors"][0]["message"],
      "Selections are nested more than 128 levels deep (counting fragments).");

  // Thousands of conflicting aliases stop at the error limit.
  std::string conflicts = "{";
  for (int i = 0; i < 5000; ++i) conflicts += i % 2 ? " a: int" : " a: str";
  conflicts += " }";
  r = test.Execute(conflicts, nullptr, "", nullptr);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(r.body["errors"].size(), 1u);
  EXPECT_EQ(
      r.body["errors"][0]["message"],
      "Fields \"a\" conflict because \"str\" and \"int\" are different fields. "
      "Use "
      "different aliases on the fields to fetch both if this was intentional.");
}

}  // namespace
}  // namespace podform::graphql
