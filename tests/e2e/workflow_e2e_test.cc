// Issue 19 end to end: renaming addresses (`state mv`, `moved:`), saved
// plans read again, and values that are not secrets.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "tests/harness/proxy.h"

namespace podform::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// volume.KEY named "models" and pod.POD named "trainer" mounting it; the
// RunPod names stay what they were when the keys change.
std::string RenamedConfig(const std::string& volume_key,
                          const std::string& pod_key) {
  return "version: 1\nvolumes:\n  " + volume_key +
         ":\n    name: models\n    size: 50\n    dataCenter: EU-RO-1\n"
         "pods:\n  " +
         pod_key + ":\n    name: trainer\n    image: " + kImage +
         "\n    gpuType: NVIDIA RTX A6000\n    volume: " + volume_key +
         "\n    ports: [8888/http, 22/tcp]\n"
         "    env: {HF_HOME: /workspace/hf}\n";
}

class WorkflowE2eTest : public E2eTest {
 protected:
  void ApplyOk(const std::string& yaml) {
    WriteConfig(yaml);
    RunResult apply = Podform({"apply", "--auto-approve"});
    ASSERT_EQ(apply.exit_code, 0) << apply;
  }

  void ExpectNoChanges() {
    RunResult plan = Podform({"plan", "--detailed-exitcode"});
    EXPECT_EQ(plan.exit_code, 0) << plan;
    EXPECT_THAT(plan.out, StartsWith("No changes.")) << plan;
  }
};

TEST_F(WorkflowE2eTest, StateMvThenTheSameRenameInTheConfigPlansNothing) {
  ApplyOk(RenamedConfig("models", "trainer"));
  const std::string volume_id = LockId("volume.models");
  const std::string pod_id = LockId("pod.trainer");
  ASSERT_FALSE(volume_id.empty());
  ASSERT_FALSE(pod_id.empty());
  const json live_before = sandbox().Live();

  RunResult volume =
      Podform({"state", "mv", "volume.models", "volume.weights"});
  ASSERT_EQ(volume.exit_code, 0) << volume;
  EXPECT_EQ(volume.out, "Moved volume.models (id " + volume_id +
                            ") to volume.weights in the lock file; nothing "
                            "was sent to RunPod.\n"
                            "pod.trainer now mounts volume.weights.\n");
  EXPECT_EQ(volume.err, "");
  RunResult pod = Podform({"state", "mv", "pod.trainer", "pod.worker"});
  ASSERT_EQ(pod.exit_code, 0) << pod;
  EXPECT_EQ(pod.out, "Moved pod.trainer (id " + pod_id +
                         ") to pod.worker in the lock file; nothing was sent "
                         "to RunPod.\n");

  EXPECT_EQ(LockId("volume.weights"), volume_id);
  EXPECT_EQ(LockId("pod.worker"), pod_id);
  EXPECT_EQ(LockId("volume.models"), "");
  EXPECT_EQ(Lock()["resources"]["pod.worker"]["attributes"]["volume"],
            "volume.weights");
  EXPECT_EQ(sandbox().Live(), live_before);

  WriteConfig(RenamedConfig("weights", "worker"));
  ExpectNoChanges();
}

TEST_F(WorkflowE2eTest, StateMvRefusesAnOccupiedTargetAndAnotherKind) {
  ApplyOk(RenamedConfig("models", "trainer"));
  const std::string before = LockText();
  RunResult kinds = Podform({"state", "mv", "volume.models", "pod.models"});
  EXPECT_EQ(kinds.exit_code, 1);
  EXPECT_EQ(kinds.out, "");
  EXPECT_EQ(kinds.err,
            "podform: cannot move volume.models to pod.models: a volume can "
            "only move to another volume address; nothing was moved\n");
  RunResult taken = Podform({"state", "mv", "pod.trainer", "pod.trainer"});
  EXPECT_EQ(taken.exit_code, 1);
  EXPECT_EQ(taken.err,
            "podform: cannot move pod.trainer to itself; nothing was moved\n");
  EXPECT_EQ(LockText(), before);
}

TEST_F(WorkflowE2eTest, RmOfAMountedVolumeWarnsAndImportNamesTheVolume) {
  ApplyOk(RenamedConfig("models", "trainer"));
  const std::string volume_id = LockId("volume.models");
  const std::string pod_id = LockId("pod.trainer");
  RunResult rm = Podform({"state", "rm", "volume.models"});
  ASSERT_EQ(rm.exit_code, 0) << rm;
  EXPECT_EQ(rm.err,
            "podform: warning: volume.models is still mounted by pod.trainer, "
            "which the lock file still manages: the next plan would create a "
            "second volume and replace that pod to mount it; import the "
            "volume again (podform import volume.models " +
                volume_id +
                ") or forget that pod too (podform state rm pod.trainer)\n");
  ASSERT_EQ(Podform({"state", "rm", "pod.trainer"}).exit_code, 0);

  RunResult pod = Podform({"import", "pod.trainer", pod_id});
  ASSERT_EQ(pod.exit_code, 0) << pod;
  EXPECT_EQ(pod.out, "Imported pod.trainer (id " + pod_id +
                         "). Run podform plan to compare it with the "
                         "config.\n"
                         "pod.trainer mounts network volume " +
                         volume_id +
                         ", which is not in the state yet: import it too "
                         "before the next plan (podform import volume.models " +
                         volume_id + ").\n");
  RunResult volume = Podform({"import", "volume.models", volume_id});
  ASSERT_EQ(volume.exit_code, 0) << volume;
  EXPECT_EQ(volume.out, "Imported volume.models (id " + volume_id +
                            "). Run podform plan to compare it with the "
                            "config.\n");
  ExpectNoChanges();
}

TEST_F(WorkflowE2eTest, ApplyDetailedExitcodeSaysWhetherAnythingWasApplied) {
  WriteConfig(RenamedConfig("models", "trainer"));
  RunResult first = Podform({"apply", "--auto-approve", "--detailed-exitcode"});
  EXPECT_EQ(first.exit_code, 2) << first;
  EXPECT_THAT(first.out, HasSubstr("\nApply complete! Resources: 2 added, 0 "
                                   "changed, 0 destroyed.\n"));
  RunResult again = Podform({"apply", "--auto-approve", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(again.out, StartsWith("No changes."));
  // A saved plan: 2 when it changed something, 0 when it held nothing.
  WriteConfig(RenamedConfig("models", "trainer") + "    status: stopped\n");
  ASSERT_EQ(Podform({"plan", "--out", Path("stop.plan")}).exit_code, 0);
  RunResult saved =
      Podform({"apply", Path("stop.plan"), "--detailed-exitcode"});
  EXPECT_EQ(saved.exit_code, 2) << saved;
  ASSERT_EQ(Podform({"plan", "--out", Path("none.plan")}).exit_code, 0);
  RunResult none = Podform({"apply", Path("none.plan"), "--detailed-exitcode"});
  EXPECT_EQ(none.exit_code, 0) << none;
  EXPECT_EQ(none.out, "No changes in the saved plan.\n");
  // Without the flag, success is 0 as before.
  WriteConfig(RenamedConfig("models", "trainer"));
  RunResult plain = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(plain.exit_code, 0) << plain;
  EXPECT_THAT(plain.out, HasSubstr("Apply complete! Resources: 0 added, 1 "
                                   "changed, 0 destroyed.\n"));
}

TEST_F(WorkflowE2eTest, ShowRendersASavedPlanWithoutContactingRunPod) {
  ApplyOk(RenamedConfig("models", "trainer"));
  WriteConfig(RenamedConfig("models", "trainer") + "    status: stopped\n");
  const std::string plan_file = Path("tonight.plan");
  RunResult text = Podform({"--no-color", "plan", "--out", plan_file});
  ASSERT_EQ(text.exit_code, 0) << text;
  RunResult json_plan = Podform({"plan", "--json"});
  RunResult markdown = Podform({"plan", "--markdown"});
  ASSERT_EQ(json_plan.exit_code, 0) << json_plan;
  ASSERT_EQ(markdown.exit_code, 0) << markdown;

  // Nothing listens on port 1: any request would fail the command.
  const std::string unreachable = harness::TestingRest()
                                      ? "http://127.0.0.1:1/v2"
                                      : "http://127.0.0.1:1/graphql";
  RunResult shown =
      PodformRaw({"--endpoint", unreachable, "--no-color", "show", plan_file});
  ASSERT_EQ(shown.exit_code, 0) << shown;
  EXPECT_EQ(shown.err, "");
  // What plan printed before the "Saved the plan" note, but for the
  // balance: a plan file keeps no runway (the account is not read).
  const std::string runway =
      "Balance $100.00: 8.4 days at today's $11.88/day; 869 days after this "
      "plan ($0.12/day).\n";
  EXPECT_EQ(shown.out + runway,
            text.out.substr(0, text.out.find("\nSaved the plan")));
  EXPECT_THAT(shown.out, HasSubstr("pod.trainer will be stopped"));
  RunResult shown_json =
      PodformRaw({"--endpoint", unreachable, "show", plan_file, "--json"});
  ASSERT_EQ(shown_json.exit_code, 0) << shown_json;
  nlohmann::json planned = nlohmann::json::parse(json_plan.out);
  EXPECT_EQ(planned["runway"]["message"], runway.substr(0, runway.size() - 1));
  planned.erase("runway");
  EXPECT_EQ(nlohmann::json::parse(shown_json.out), planned);
  RunResult shown_markdown =
      PodformRaw({"--endpoint", unreachable, "show", plan_file, "--markdown"});
  ASSERT_EQ(shown_markdown.exit_code, 0) << shown_markdown;
  EXPECT_EQ(shown_markdown.out + "\n" + runway, markdown.out);

  // A file that is not a plan is refused, naming it.
  WriteFileOrDie(Path("not.plan"), "{}\n");
  RunResult bad =
      PodformRaw({"--endpoint", unreachable, "show", Path("not.plan")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr(Path("not.plan")));
}

// A pod whose image tag and STAGE env come from ${var:}.
constexpr char kVarConfig[] = R"(version: 1
pods:
  web:
    image: runpod/pytorch:${var:TAG}
    gpuType: NVIDIA RTX A6000
    env: {STAGE: "${var:STAGE}"}
)";

TEST_F(WorkflowE2eTest, VarsAreShownInPlansAndRecordedInClear) {
  WriteConfig(kVarConfig);
  WriteFileOrDie(Path("prod.yaml"), "TAG: 2.4.0\nSTAGE: from-file\n");
  // --var wins over --var-file, which wins over PODFORM_VAR_NAME.
  RunResult plan =
      Podform({"plan", "--var-file", Path("prod.yaml"), "--var", "STAGE=prod"},
              {"PODFORM_VAR_TAG=from-env", "PODFORM_VAR_STAGE=from-env"});
  ASSERT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, HasSubstr("image: \"runpod/pytorch:2.4.0\""));
  EXPECT_THAT(plan.out, HasSubstr("+ env.STAGE: \"prod\""));
  EXPECT_THAT(plan.out, ::testing::Not(HasSubstr("sensitive")));

  RunResult apply = Podform({"apply", "--auto-approve", "--var", "TAG=2.4.0"},
                            {"PODFORM_VAR_STAGE=staging"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  const json attributes = Lock()["resources"]["pod.web"]["attributes"];
  EXPECT_EQ(attributes["image"], "runpod/pytorch:2.4.0");
  EXPECT_EQ(attributes["env"]["STAGE"], "staging");
  EXPECT_EQ(attributes["secretEnv"], json::array());

  // A changed var is a plain, visible update.
  RunResult change = Podform({"plan", "--var", "TAG=2.4.0", "--var",
                              "STAGE=prod", "--detailed-exitcode"});
  EXPECT_EQ(change.exit_code, 2) << change;
  EXPECT_THAT(change.out, HasSubstr("~ env.STAGE: \"staging\" -> \"prod\""));
}

TEST_F(WorkflowE2eTest, AnUndefinedVarFailsValidateWithItsPosition) {
  WriteConfig(kVarConfig);
  RunResult validate = Podform({"validate", "--var", "TAG=1"});
  EXPECT_EQ(validate.exit_code, 1) << validate;
  EXPECT_EQ(validate.out, "");
  EXPECT_EQ(validate.err,
            Path("podform.yaml") +
                ":6:18: pods.web.env.STAGE: variable STAGE is not defined "
                "(give --var STAGE=VALUE, a --var-file that defines it, or set "
                "PODFORM_VAR_STAGE)\n");
  RunResult ok =
      Podform({"validate", "--var", "TAG=1"}, {"PODFORM_VAR_STAGE=dev"});
  EXPECT_EQ(ok.exit_code, 0) << ok;
  RunResult bad = Podform({"validate", "--var", "TAG"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err,
            "podform: --var \"TAG\": expected NAME=VALUE, NAME matching "
            "[A-Za-z_][A-Za-z0-9_]*\n");
  WriteFileOrDie(Path("list.yaml"), "- TAG\n");
  RunResult file = Podform({"plan", "--var-file", Path("list.yaml")});
  EXPECT_EQ(file.exit_code, 1);
  EXPECT_EQ(file.err, "podform: --var-file " + Path("list.yaml") +
                          ": expected a mapping of names to values\n");
}

TEST_F(WorkflowE2eTest, ACommentOrWhitespaceEditKeepsASavedPlan) {
  ApplyOk(RenamedConfig("models", "trainer"));
  const std::string stopped =
      RenamedConfig("models", "trainer") + "    status: stopped\n";
  WriteConfig(stopped);
  const std::string plan_file = Path("stop.plan");
  ASSERT_EQ(Podform({"plan", "--out", plan_file}).exit_code, 0);
  // Reviewed, then commented and re-indented before the apply job runs.
  WriteConfig("# GPU pods of the team; see the wiki\n\n" + stopped +
              "\n# end\n");
  RunResult apply = Podform({"apply", plan_file});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_THAT(apply.out, HasSubstr("Apply complete! Resources: 0 added, 1 "
                                   "changed, 0 destroyed.\n"));
  // A change of meaning still makes a saved plan stale.
  WriteConfig(RenamedConfig("models", "trainer"));
  ASSERT_EQ(Podform({"plan", "--out", plan_file}).exit_code, 0);
  WriteConfig(RenamedConfig("models", "trainer") + "    containerDiskGb: 30\n");
  RunResult stale = Podform({"apply", plan_file});
  EXPECT_EQ(stale.exit_code, 1) << stale;
  EXPECT_THAT(stale.err,
              HasSubstr("the saved plan is stale: " + Path("podform.yaml") +
                        " changed since the plan was made"));
}

// The requests `proxy` saw from index `from` on that could change
// something on RunPod: "METHOD PATH" (REST) or the GraphQL operation.
std::vector<std::string> Mutations(const harness::RecordingProxy& proxy,
                                   size_t from) {
  std::vector<std::string> out;
  std::vector<harness::Exchange> seen = proxy.exchanges();
  for (size_t i = from; i < seen.size(); ++i) {
    const harness::Exchange& e = seen[i];
    if (e.path.rfind("/graphql", 0) == 0) {
      if (e.body.find("mutation") != std::string::npos) {
        out.push_back(e.operation);
      }
    } else if (e.method != "GET") {
      out.push_back(e.method + " " + e.path);
    }
  }
  return out;
}

TEST_F(WorkflowE2eTest, MovedIsShownThenRecordedWithoutARequest) {
  harness::RecordingProxy proxy(harness::PortOf(sandbox().url()));
  const std::string endpoint =
      harness::TestingRest() ? proxy.rest_url() : proxy.url();
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(),
                {"--endpoint", endpoint, "--file", Path("podform.yaml")});
    return PodformRaw(args);
  };
  WriteConfig(RenamedConfig("models", "trainer"));
  ASSERT_EQ(run({"apply", "--auto-approve"}).exit_code, 0);
  const std::string volume_id = LockId("volume.models");
  const json live_before = sandbox().Live();
  const size_t applied = proxy.exchanges().size();

  WriteConfig(RenamedConfig("weights", "trainer") +
              "moved:\n  - from: volume.models\n    to: volume.weights\n");
  const std::string lock_before = LockText();
  RunResult plan = run({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan;
  EXPECT_EQ(plan.out,
            "podform will perform the following actions:\n"
            "\n"
            "  # volume.models has moved to volume.weights (nothing is sent "
            "to RunPod)\n"
            "\n"
            "Plan: 0 to add, 0 to change, 0 to replace, 0 to destroy, 1 to "
            "move.\n"
            "\n"
            "Storage: $3.50/month -> $3.50/month\n"
            "Pods: $0.49/hour -> $0.49/hour\n"
            "Prices as of 2026-12 (RunPod's published list); volumes bill "
            "hourly whether or not a pod runs; a stopped pod costs no GPU "
            "time.\n"
            "Balance $100.00: 8.4 days at today's $11.88/day; 8.4 days "
            "after this plan ($11.88/day).\n")
      << plan;
  RunResult plan_json = run({"plan", "--json"});
  ASSERT_EQ(plan_json.exit_code, 0) << plan_json;
  json parsed = json::parse(plan_json.out);
  EXPECT_EQ(parsed["moves"], json::array({{{"from", "volume.models"},
                                           {"to", "volume.weights"},
                                           {"id", volume_id},
                                           {"message",
                                            "volume.models has moved to "
                                            "volume.weights"}}}));
  RunResult markdown = run({"plan", "--markdown"});
  EXPECT_THAT(markdown.out,
              HasSubstr("| move | `volume.weights` | `" + volume_id +
                        "` | volume.models has moved to volume.weights; "
                        "nothing is sent to RunPod |\n"));
  EXPECT_EQ(LockText(), lock_before);  // plan records nothing

  RunResult apply = run({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_THAT(apply.out, HasSubstr("\nvolume.models: moved to volume.weights\n"
                                   "\nApply complete! Resources: 0 added, 0 "
                                   "changed, 0 destroyed, 1 moved.\n"));
  EXPECT_EQ(LockId("volume.weights"), volume_id);
  EXPECT_EQ(LockId("volume.models"), "");
  EXPECT_EQ(Lock()["resources"]["pod.trainer"]["attributes"]["volume"],
            "volume.weights");
  EXPECT_THAT(Mutations(proxy, applied), ::testing::IsEmpty());
  EXPECT_EQ(sandbox().Live(), live_before);

  // moved: may stay in the config: its from is gone, so it does nothing.
  RunResult again = run({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(again.out, StartsWith("No changes.")) << again;
}

TEST_F(WorkflowE2eTest, ASavedPlanRecordsItsMovesAndOnlyThose) {
  ApplyOk(RenamedConfig("models", "trainer"));
  const std::string volume_id = LockId("volume.models");
  WriteConfig(RenamedConfig("weights", "trainer") +
              "moved:\n  - from: volume.models\n    to: volume.weights\n");
  const std::string plan_file = Path("move.plan");
  ASSERT_EQ(Podform({"plan", "--out", plan_file}).exit_code, 0);
  RunResult shown = Podform({"show", plan_file});
  EXPECT_THAT(shown.out, HasSubstr("  # volume.models has moved to "
                                   "volume.weights (nothing is sent to "
                                   "RunPod)\n"));
  RunResult apply = Podform({"apply", plan_file, "--detailed-exitcode"});
  EXPECT_EQ(apply.exit_code, 2) << apply;
  EXPECT_THAT(apply.out, HasSubstr("volume.models: moved to volume.weights\n"));
  EXPECT_EQ(LockId("volume.weights"), volume_id);
  ExpectNoChanges();
}

TEST_F(WorkflowE2eTest, MovedOntoAnAddressTheStateHasIsAnErrorAtItsLine) {
  ApplyOk(RenamedConfig("models", "trainer"));
  // volume.weights applied too, then both in the config's moved:.
  const std::string both = RenamedConfig("models", "trainer") +
                           "  scratch:\n    image: " + kImage +
                           "\n    gpuType: NVIDIA RTX A6000\n";
  ApplyOk(both);
  WriteConfig(RenamedConfig("weights", "trainer") +
              "moved:\n  - from: pod.scratch\n    to: pod.trainer\n");
  const std::string lock_before = LockText();
  RunResult plan = Podform({"plan"});
  EXPECT_EQ(plan.exit_code, 1);
  EXPECT_EQ(plan.out, "");
  EXPECT_EQ(plan.err,
            "podform: " + Path("podform.yaml") +
                ":16:5: cannot move pod.scratch to pod.trainer: the state "
                "records both (pod.trainer with id " +
                LockId("pod.trainer") +
                "); remove this item from moved:, or forget one of them with "
                "podform state rm\n");
  EXPECT_EQ(LockText(), lock_before);
}

}  // namespace
}  // namespace podform::e2e
