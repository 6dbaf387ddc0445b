#include "reconciler/plan/render.h"

#include <string>

#include "absl/strings/str_cat.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/plan/plan_file.h"
#include "reconciler/plan/planner.h"
#include "reconciler/plan/render_util.h"
#include "tests/plan/fixtures.h"
#include "tests/plan/golden.h"

namespace podform::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RenderTest, MixedPlanTextMatchesGolden) {
  ExpectGolden("mixed_plan.txt", RenderText(MixedPlan(), false));
}

TEST(RenderTest, MixedPlanColorTextMatchesGolden) {
  ExpectGolden("mixed_plan_color.txt", RenderText(MixedPlan(), true));
}

TEST(RenderTest, MixedPlanJsonMatchesGolden) {
  ExpectGolden("mixed_plan.json", RenderJson(MixedPlan()).dump(2) + "\n");
}

TEST(RenderTest, MixedPlanMarkdownMatchesGolden) {
  ExpectGolden("mixed_plan.md", RenderMarkdown(MixedPlan()));
}

TEST(RenderTest, JsonTextIsTheGoldenJson) {
  ExpectGolden("mixed_plan.json", RenderJsonText(MixedPlan()));
}

TEST(RenderTest, EndpointPlanTextMatchesGolden) {
  ExpectGolden("endpoint_plan.txt", RenderText(EndpointPlan(), false));
}

TEST(RenderTest, EndpointPlanJsonMatchesGolden) {
  ExpectGolden("endpoint_plan.json", RenderJsonText(EndpointPlan()));
}

TEST(RenderTest, EndpointPlanMarkdownMatchesGolden) {
  ExpectGolden("endpoint_plan.md", RenderMarkdown(EndpointPlan()));
}

TEST(RenderTest, EndpointPlanSurvivesAPlanFile) {
  Plan plan = EndpointPlan();
  absl::StatusOr<Plan> read = ParsePlanFile(SerializePlanFile(plan));
  ASSERT_TRUE(read.ok()) << read.status();
  plan.config_warnings.clear();  // not kept in plan files
  plan.runway.reset();
  EXPECT_EQ(*read, plan);
}

// `plan --json` once aborted podform (an uncaught nlohmann type_error) on a
// byte that is not UTF-8. No renderer throws, whatever a plan holds.
TEST(RenderTest, NoRendererThrowsOnTextThatIsNotUtf8) {
  Plan plan = MixedPlan();
  plan.warnings.push_back("caf\xE9 \xED\xA0\x80");
  plan.unmanaged.push_back({Kind::kVolume, "id-\xFF", "name-\xC3"});
  std::string json;
  EXPECT_NO_THROW(json = RenderJsonText(plan));
  EXPECT_THAT(json, HasSubstr("caf\xEF\xBF\xBD"));
  EXPECT_NO_THROW(RenderText(plan, false));
  EXPECT_NO_THROW(RenderText(plan, true));
  EXPECT_NO_THROW(RenderMarkdown(plan));
  EXPECT_NO_THROW(SerializePlanFile(plan));
}

TEST(RenderTest, ColourOnlyWhenAsked) {
  Plan plan = MixedPlan();
  EXPECT_THAT(RenderText(plan, false), Not(HasSubstr("\x1b[")));
  EXPECT_THAT(RenderText(plan, true), HasSubstr("\x1b[32m  +\x1b[0m"));
  EXPECT_THAT(RenderMarkdown(plan), Not(HasSubstr("\x1b[")));
}

TEST(RenderTest, SecretsAndTheirDigestsAreNeverShown) {
  Plan plan = MixedPlan();
  const std::string renderings[] = {
      RenderText(plan, false), RenderText(plan, true), RenderJson(plan).dump(),
      RenderMarkdown(plan)};
  for (const std::string& text : renderings) {
    EXPECT_THAT(text, Not(HasSubstr(kSecret)));
    EXPECT_THAT(text, Not(HasSubstr("hf_rotated_token")));
    EXPECT_THAT(text, Not(HasSubstr("hmac-sha256:")));
    EXPECT_THAT(text, HasSubstr("(sensitive)"));
  }
}

// A secret has no value in the plan: it is shown as changed exactly when
// the plan's secret_env_changes names it.
TEST(RenderTest, ASecretIsShownChangedOnlyWhenThePlanSaysSo) {
  World w;
  DesiredPod p = MakePod("notebook", "");
  w.Exists(p, "pod-1");
  p.spec.image = "runpod/pytorch:2.5.0";
  w.Desire(p);
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::string text = RenderText(*plan, false);
  EXPECT_THAT(text, HasSubstr("~ image: "));
  EXPECT_THAT(text, Not(HasSubstr("env.HF_TOKEN")));

  w.LivePodWithId("pod-1").spec.env["HF_TOKEN"] = "hf_by_hand";
  plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  text = RenderText(*plan, false);
  EXPECT_THAT(text, HasSubstr("~ env.HF_TOKEN: (sensitive) -> (sensitive)\n"));
  EXPECT_THAT(text, Not(HasSubstr("hf_by_hand")));
  EXPECT_EQ(RenderJson(*plan)["changes"][0]["secret_env_changes"],
            nlohmann::json({"HF_TOKEN"}));
}

TEST(RenderTest, AVolumeTypeLeftOutOfTheConfigIsNotShownAsRemoved) {
  World w;
  DesiredVolume v = MakeVolume("models", 50, "EU-RO-1");
  w.Exists(v, "vol-1");
  w.LiveVolumeWithId("vol-1").spec.type = "STANDARD";
  v.spec.size_gb = 60;
  w.Desire(v);
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::string text = RenderText(*plan, false);
  EXPECT_THAT(text, HasSubstr("~ size: 50 -> 60\n"));
  EXPECT_THAT(text, Not(HasSubstr("type")));
  EXPECT_THAT(RenderMarkdown(*plan), Not(HasSubstr("type")));
  // Declared, a type that changes is shown (and forces a replacement).
  v.spec.type = "HIGH_PERFORMANCE";
  w.Desire(v);
  PlanOptions allow;
  allow.allow_destroy = {{Kind::kVolume, "models"}};
  plan = MakePlan(w.Loaded(), w.state, w.live, allow);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(RenderText(*plan, false),
              HasSubstr("type: \"STANDARD\" -> \"HIGH_PERFORMANCE\""));
}

TEST(RenderTest, NoChanges) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(RenderText(*plan, false),
            "No changes. Your infrastructure matches the configuration.\n"
            "\n"
            "Storage: $7.00/month -> $7.00/month\n"
            "Pods: $0.00/hour -> $0.00/hour\n"
            "Prices as of 2026-12 (RunPod's published list); volumes bill "
            "hourly whether or not a pod runs; a stopped pod costs no GPU "
            "time.\n");
  EXPECT_EQ(RenderMarkdown(*plan),
            "### podform plan\n"
            "\n"
            "**No changes. Your infrastructure matches the configuration.**\n"
            "\n"
            "| Cost | Before | After |\n"
            "|---|---|---|\n"
            "| Storage (per month) | $7.00 | $7.00 |\n"
            "| Pods (per hour) | $0.00 | $0.00 |\n"
            "\n"
            "Prices as of 2026-12 (RunPod's published list); volumes bill "
            "hourly whether or not a pod runs; a stopped pod costs no GPU "
            "time.\n");
  nlohmann::json json = RenderJson(*plan);
  EXPECT_EQ(json["has_changes"], false);
  EXPECT_EQ(json["changes"][0]["action"], "no-op");
}

TEST(RenderTest, SummaryCountsStopsAndResumesOnlyWhenPresent) {
  Plan plan;
  Change stop;
  stop.action = Action::kStop;
  plan.changes = {stop, stop};
  Change resume;
  resume.action = Action::kResume;
  plan.changes.push_back(resume);
  EXPECT_EQ(SummaryLine(plan),
            "Plan: 0 to add, 0 to change, 0 to replace, 0 to destroy, 2 to "
            "stop, 1 to resume.");
  plan.changes = {resume};
  EXPECT_EQ(SummaryLine(plan),
            "Plan: 0 to add, 0 to change, 0 to replace, 0 to destroy, 1 to "
            "resume.");
}

TEST(RenderTest, ValuesFromRunPodCannotDriveTheTerminal) {
  World w;
  w.Converged(MakePod("notebook", ""), "pod-1");
  w.LivePodWithId("pod-1").spec.image = "evil\x1b[2Jimage";
  LivePod stray;
  stray.id = "pod-x";
  stray.spec.name = "stray\x1b]0;title\x07";
  w.live.pods.push_back(stray);
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok());
  std::string text = RenderText(*plan, false);
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  EXPECT_THAT(text, HasSubstr("# (image changed outside podform (was "
                              "evil\\x1b[2Jimage live))"));
  EXPECT_THAT(text, HasSubstr("~ image: \"evil\\u001b[2Jimage\" -> "
                              "\"runpod/pytorch:2.4.0\""));
  EXPECT_THAT(text, HasSubstr("pod pod-x \"stray\\u001b]0;title\\u0007\""));
  EXPECT_THAT(RenderMarkdown(*plan), Not(HasSubstr("\x1b")));
}

TEST(RenderTest, DataLossWarningsNameSizeAndReplacement) {
  World w;
  w.Exists(MakeVolume("models", 500, "EU-RO-1", false), "vol-1");
  w.Desire(MakeVolume("models", 500, "EU-SE-1", false));
  w.Exists(MakeVolume("old", 40, "EU-RO-1", false), "vol-2");
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(DataLossWarnings(*plan),
              ::testing::ElementsAre(
                  "volume.models will be DESTROYED with all its data (500 GB) "
                  "and replaced by an empty volume",
                  "volume.old will be DESTROYED with all its data (40 GB)"));
  EXPECT_THAT(RenderText(*plan, false),
              HasSubstr("WARNING: volume.old will be DESTROYED with all its "
                        "data (40 GB)\n"));
}

}  // namespace
}  // namespace podform::testing

namespace podform::testing {
namespace {

// Every rendering says which order a replacement uses, and names a deposed
// pod with its id.
TEST(RenderTest, ReplacementOrderAndDeposedPodsAreShown) {
  World w;
  w.Converged(MakePod("web", ""), "pod-old");
  w.state.Depose(PodAt("web"));
  w.Converged(MakePod("web", ""), "pod-mid");
  DesiredPod h100 = MakePod("web", "");
  h100.spec.gpu_type = "NVIDIA H100 80GB HBM3";
  w.Desire(h100);
  DesiredPod other = MakePod("batch", "");
  w.Converged(other, "pod-batch");
  other.spec.gpu_type = "NVIDIA H100 80GB HBM3";
  other.destroy_first = true;
  w.Desire(other);
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();

  const std::string text = RenderText(*plan, false);
  EXPECT_THAT(text, HasSubstr("-/+ replace (delete, then create)\n"
                              "+/- replace (create, then delete)\n"));
  EXPECT_THAT(text, HasSubstr("  - pod.web (deposed pod pod-old) will be "
                              "destroyed\n      # (deposed: a replacement "
                              "created its successor but did not terminate "
                              "it; it is still on RunPod and billed)\n"));
  EXPECT_THAT(text, HasSubstr("+/- pod.web must be replaced\n"
                              "      # (gpuType forces replacement)\n"
                              "      # (create before destroy: the new pod is "
                              "created and runs before the old one is "
                              "terminated)\n"));
  EXPECT_THAT(text, HasSubstr("-/+ pod.batch must be replaced\n"
                              "      # (gpuType forces replacement)\n"
                              "      # (destroy before create: replace: "
                              "destroy-first in podform.yaml)\n"));
  EXPECT_THAT(text, HasSubstr("Plan: 0 to add, 0 to change, 2 to replace, 1 "
                              "to destroy."));

  const nlohmann::json doc = RenderJson(*plan);
  std::vector<std::string> seen;
  for (const nlohmann::json& c : doc["changes"]) {
    seen.push_back(c["address"].get<std::string>() + " " +
                   c["action"].get<std::string>() + " " +
                   c["replace_order"].dump() + " " + c["deposed"].dump() +
                   " " + c["replace_order_reason"].get<std::string>());
  }
  EXPECT_THAT(seen,
              ::testing::ElementsAre(
                  "pod.batch replace \"destroy-first\" null replace: "
                  "destroy-first in podform.yaml",
                  "pod.web delete null \"pod-old\" ",
                  "pod.web replace \"create-first\" null "));

  const std::string markdown = RenderMarkdown(*plan);
  EXPECT_THAT(markdown, HasSubstr("| delete | `pod.web (deposed)` | `pod-old` "
                                  "|"));
  EXPECT_THAT(markdown, HasSubstr("+/- pod.web must be replaced\n"));
  EXPECT_THAT(markdown, HasSubstr("- pod.web (deposed pod pod-old) will be "
                                  "destroyed\n"));
}

}  // namespace
}  // namespace podform::testing

namespace podform::testing {
namespace {

// A gpuCount changed by podResume: an update, said on the attribute line of
// the text and markdown, and as gpu_count_by_resume in the JSON.
TEST(RenderTest, AGpuCountChangedByResumeIsSaid) {
  World w;
  DesiredPod p = MakePod("trainer", "");
  w.Exists(p, "pod-1");
  p.spec.gpu_count = 2;
  w.Desire(p);
  PlanOptions options;
  options.resume_sets_gpu_count = true;
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, options);
  ASSERT_TRUE(plan.ok()) << plan.status();

  EXPECT_THAT(RenderText(*plan, false),
              HasSubstr("  ~ pod.trainer will be updated in place\n"
                        "      # (gpuCount 1 -> 2 in place: stop, then resume "
                        "with 2 GPUs on the same machine (podResume); if it "
                        "has too few free GPUs, the pod is left stopped)\n"
                        "      ~ gpuCount: 1 -> 2 # stop, then resume with 2 "
                        "GPUs (GraphQL podResume)\n\n"));
  EXPECT_THAT(RenderMarkdown(*plan),
              HasSubstr("-     gpuCount: 1\n"
                        "+     gpuCount: 2 # stop, then resume with 2 GPUs "
                        "(GraphQL podResume)\n"));
  const nlohmann::json doc = RenderJson(*plan);
  ASSERT_EQ(doc["changes"].size(), 1u);
  EXPECT_EQ(doc["changes"][0]["action"], "update");
  EXPECT_EQ(doc["changes"][0]["gpu_count_by_resume"], true);
  EXPECT_EQ(doc["changes"][0]["replace_attributes"], nlohmann::json::array());

  // Without podResume's count: a replacement, and the JSON says false.
  absl::StatusOr<Plan> rest = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_THAT(RenderText(*rest, false),
              HasSubstr("      ~ gpuCount: 1 -> 2 # forces replacement\n"));
  EXPECT_EQ(RenderJson(*rest)["changes"][0]["gpu_count_by_resume"], false);
}

}  // namespace
}  // namespace podform::testing

namespace podform {
namespace {

TEST(RenderTest, UnpricedPodsBeyondTenAreCountedNotNamed) {
  Cost cost;
  for (int i = 0; i < 12; ++i) {
    cost.unpriced_pods.push_back({Kind::kPod, absl::StrCat("p", i)});
  }
  EXPECT_EQ(render_internal::UnpricedPodsNote(cost),
            "pod.p0, pod.p1, pod.p2, pod.p3, pod.p4, pod.p5, pod.p6, pod.p7, "
            "pod.p8, pod.p9 and 2 more: price not published");
  cost.unpriced_pods.resize(10);
  EXPECT_EQ(render_internal::UnpricedPodsNote(cost),
            "pod.p0, pod.p1, pod.p2, pod.p3, pod.p4, pod.p5, pod.p6, pod.p7, "
            "pod.p8, pod.p9: price not published");
}

}  // namespace
}  // namespace podform
