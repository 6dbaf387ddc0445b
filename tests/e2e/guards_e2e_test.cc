// The several-writers guard end to end: validate, plan (text and --json)
// and apply against the sandbox, with and without --strict and
// guards.strict.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "tests/harness/proxy.h"

namespace podform::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

using GuardsE2eTest = E2eTest;

// volume.models with pod.a (line 7) and pod.b (line 11) mounting it;
// `b_extra` goes under pod.b.
std::string TwoMounters(const std::string& b_extra = "",
                        const std::string& top = "") {
  return "version: 1\n" + top +
         "volumes:\n"
         "  models: {size: 50, dataCenter: EU-RO-1}\n"
         "pods:\n"
         "  a:\n"
         "    image: runpod/pytorch:2.4.0\n"
         "    volume: models\n"
         "    gpuType: NVIDIA RTX A5000\n"
         "  b:\n"
         "    image: runpod/pytorch:2.4.0\n"
         "    volume: models\n"
         "    gpuType: NVIDIA RTX A5000\n" +
         b_extra;
}

constexpr char kWarning[] =
    "pods.b.volume: volume.models has 2 read-write mounters: pod.a (line 7), "
    "pod.b (line 11); files written by several at once are corrupted (a "
    "network volume has no file locking): give each writer its own directory "
    "on the volume and mount it read-only everywhere else (access: "
    "read-only)";

TEST_F(GuardsE2eTest, SeveralWritersWarnAndStrictRefusesBeforeAnyChange) {
  WriteConfig(TwoMounters());

  RunResult validate = Podform({"validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate;
  EXPECT_THAT(validate.err,
              HasSubstr(std::string("podform.yaml:11:13: warning: ") +
                        kWarning + "\n"));

  RunResult strict_validate = Podform({"validate", "--strict"});
  EXPECT_EQ(strict_validate.exit_code, 1) << strict_validate;
  EXPECT_THAT(strict_validate.err,
              HasSubstr(std::string("podform.yaml:11:13: ") + kWarning +
                        " (an error with --strict or guards.strict)\n"));

  RunResult plan = Podform({"plan", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan;
  json document = json::parse(plan.out);
  EXPECT_EQ(document["ok"], true);
  ASSERT_EQ(document["diagnostics"].size(), 1u) << plan.out;
  const json& warning = document["diagnostics"][0];
  EXPECT_EQ(warning["severity"], "warning");
  EXPECT_EQ(warning["message"], kWarning);
  EXPECT_EQ(warning["line"], 11);
  EXPECT_EQ(warning["column"], 13);

  RunResult strict_plan = Podform({"plan", "--strict"});
  EXPECT_EQ(strict_plan.exit_code, 1) << strict_plan;
  EXPECT_THAT(strict_plan.err, HasSubstr("(an error with --strict"));

  RunResult strict_apply = Podform({"apply", "--auto-approve", "--strict"});
  EXPECT_EQ(strict_apply.exit_code, 1) << strict_apply;
  // Refused before anything was sent or recorded.
  json live = sandbox().Live();
  EXPECT_TRUE(live["networkVolumes"].empty()) << live.dump(2);
  EXPECT_TRUE(live["pods"].empty()) << live.dump(2);
  EXPECT_FALSE(LockExists());

  // guards.strict in the file does what --strict does.
  WriteConfig(TwoMounters("", "guards: {strict: true}\n"));
  EXPECT_EQ(Podform({"plan"}).exit_code, 1);
  EXPECT_EQ(Podform({"validate"}).exit_code, 1);
}

TEST_F(GuardsE2eTest, OneWriterAndOneReaderPassStrictAndAccessIsRecordedOnly) {
  // Every request goes through a recording proxy (the lock file records
  // the endpoint it was made with, so it is used from the start).
  harness::RecordingProxy proxy(harness::PortOf(sandbox().url()));
  const std::string endpoint =
      harness::TestingRest() ? proxy.rest_url() : proxy.url();
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(),
                {"--endpoint", endpoint, "--file", Path("podform.yaml")});
    return PodformRaw(args);
  };
  WriteConfig(TwoMounters("    access: read-only\n"));
  RunResult validate = Podform({"validate", "--strict"});
  EXPECT_EQ(validate.exit_code, 0) << validate;
  EXPECT_EQ(validate.err, "");
  RunResult apply = run({"apply", "--auto-approve", "--strict"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_EQ(Lock()["resources"]["pod.b"]["attributes"]["access"],
            "read-only");
  EXPECT_FALSE(Lock()["resources"]["pod.a"]["attributes"].contains("access"));
  RunResult show = run({"state", "show", "pod.b"});
  EXPECT_THAT(show.out,
              HasSubstr("access: read-only (volume.models; recorded by "
                        "podform, not enforced by RunPod)\n"));

  // Making b read-write again: an update that sends RunPod nothing but
  // reads.
  const size_t applied = proxy.exchanges().size();
  WriteConfig(TwoMounters());
  RunResult plan = run({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out,
              HasSubstr("  ~ pod.b will be updated in place\n"
                        "      # (access read-only -> read-write (recorded in "
                        "the lock file only; RunPod does not enforce it))\n"
                        "      - access: \"read-only\"\n"));
  RunResult again = run({"apply", "--auto-approve"});
  ASSERT_EQ(again.exit_code, 0) << again;
  const std::vector<harness::Exchange> seen = proxy.exchanges();
  ASSERT_GT(seen.size(), applied);
  for (size_t i = applied; i < seen.size(); ++i) {
    const harness::Exchange& e = seen[i];
    const bool read = e.path.rfind("/graphql", 0) == 0
                          ? e.body.find("mutation") == std::string::npos
                          : e.method == "GET";
    EXPECT_TRUE(read) << e.method << " " << e.path << " " << e.operation;
  }
  EXPECT_FALSE(Lock()["resources"]["pod.b"]["attributes"].contains("access"));
  EXPECT_THAT(run({"plan"}).out, Not(HasSubstr("will be updated")));
}

// An endpoint whose workers write: each worker is a writer of each volume
// it mounts, so a read-write endpoint with up to 3 workers warns alone, and
// --strict refuses the apply before anything is sent. Read-only, it passes.
TEST_F(GuardsE2eTest, AReadWriteEndpointWithSeveralWorkersIsSeveralWriters) {
  if (!harness::TestingRest()) GTEST_SKIP() << "endpoints: REST v2 only";
  auto config = [](const std::string& access) {
    return "version: 1\n"
           "volumes:\n"
           "  models: {size: 50, dataCenter: EU-RO-1}\n"
           "endpoints:\n"
           "  embed:\n"
           "    image: ghcr.io/acme/embed-worker:1.4\n"
           "    gpu: {pools: [ADA_24]}\n"
           "    workers: {max: 3}\n"
           "    volumes: [models]\n" +
           access;
  };
  constexpr char kEndpointWarning[] =
      "endpoints.embed.volumes: volume.models has 1 read-write mounter with "
      "several writers: endpoint.embed (line 9, up to 3 workers); files "
      "written by several at once are corrupted (a network volume has no "
      "file locking): give each writer its own directory on the volume and "
      "mount it read-only everywhere else (access: read-only)";
  WriteConfig(config(""));

  RunResult plan = Podform({"plan", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan;
  json document = json::parse(plan.out);
  ASSERT_EQ(document["diagnostics"].size(), 1u) << plan.out;
  EXPECT_EQ(document["diagnostics"][0]["severity"], "warning");
  EXPECT_EQ(document["diagnostics"][0]["message"], kEndpointWarning);
  EXPECT_EQ(document["diagnostics"][0]["line"], 9);

  RunResult strict_apply = Podform({"apply", "--auto-approve", "--strict"});
  EXPECT_EQ(strict_apply.exit_code, 1) << strict_apply;
  EXPECT_THAT(strict_apply.err,
              HasSubstr(std::string(kEndpointWarning) +
                        " (an error with --strict or guards.strict)\n"));
  json live = sandbox().Live();
  EXPECT_TRUE(live["networkVolumes"].empty()) << live.dump(2);
  EXPECT_FALSE(LockExists());

  WriteConfig(config("    access: read-only\n"));
  RunResult apply = Podform({"apply", "--auto-approve", "--strict"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_THAT(apply.err, Not(HasSubstr("writer")));
  EXPECT_EQ(Lock()["resources"]["endpoint.embed"]["attributes"]["access"],
            "read-only")
      << LockText();
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode", "--strict"}).exit_code,
            0);
}

}  // namespace
}  // namespace podform::e2e
