#include "reconciler/plan/plan_file.h"

#include <functional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/plan/planner.h"
#include "tests/plan/fixtures.h"
#include "tests/plan/golden.h"

namespace podform::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(PlanFileTest, RoundTripsEveryField) {
  Plan plan = MixedPlan();
  plan.destroy = true;  // not what MixedPlan sets: proves it is carried
  plan.changes[0].live_fingerprint = "abc123";
  std::string text = SerializePlanFile(plan);
  absl::StatusOr<Plan> back = ParsePlanFile(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, plan);
  EXPECT_EQ(SerializePlanFile(*back), text);
  EXPECT_EQ(text.back(), '\n');
}

TEST(PlanFileTest, RoundTripsDriftAndCascadePlans) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.Converged(MakePod("trainer", "models"), "pod-1");
  w.LivePodWithId("pod-1").spec.env["HF_TOKEN"] = "changed";
  w.Desire(MakeVolume("models", 100, "EU-SE-1"));
  DesiredPod moved = MakePod("trainer", "models");
  moved.spec.data_center = "EU-SE-1";
  w.Desire(moved);
  PlanOptions options;
  options.allow_destroy = {Vol("models")};
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, options);
  ASSERT_TRUE(plan.ok()) << plan.status();
  absl::StatusOr<Plan> back = ParsePlanFile(SerializePlanFile(*plan));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, *plan);
}

// A GPU count changed by podResume is carried, so that apply PLANFILE can
// refuse it over REST v2 (cmd/planning.h, CheckApiCanCarryOut).
TEST(PlanFileTest, RoundTripsAGpuCountChangedByResume) {
  World w;
  DesiredPod p = MakePod("notebook", "");
  w.Exists(p, "pod-1");
  p.spec.gpu_count = 2;
  w.Desire(p);
  PlanOptions options;
  options.resume_sets_gpu_count = true;
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, options);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(plan->changes[0].gpu_count_by_resume);
  const std::string text = SerializePlanFile(*plan);
  absl::StatusOr<Plan> back = ParsePlanFile(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, *plan);
  EXPECT_TRUE(back->changes[0].gpu_count_by_resume);
}

// A plan with endpoints carries their cost: the active workers' figures
// and which endpoints are billed by use.
TEST(PlanFileTest, RoundTripsAnEndpointPlanWithItsCost) {
  Plan plan = EndpointPlan();
  ASSERT_EQ(plan.cost.endpoints_hourly_after, 1.116);
  plan.cost.endpoints_hourly_before = 0.558;
  plan.cost.unpriced_active_endpoints = {plan.cost.usage_based_endpoints[0]};
  const std::string text = SerializePlanFile(plan);
  absl::StatusOr<Plan> back = ParsePlanFile(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, plan);
  EXPECT_EQ(json::parse(text)["cost"]["endpoints_hourly_before"], 0.558);
}

TEST(PlanFileTest, MixedPlanMatchesGolden) {
  ExpectGolden("mixed_plan.podform-plan", SerializePlanFile(MixedPlan()));
}

TEST(PlanFileTest, HoldsNoSecretAndNoDigestOfOne) {
  std::string text = SerializePlanFile(MixedPlan());
  EXPECT_THAT(text, Not(HasSubstr(kSecret)));
  EXPECT_THAT(text, Not(HasSubstr("hf_rotated_token")));
  EXPECT_THAT(text, Not(HasSubstr("hmac")));
  // pod.trainer's secret changes: the decision, without a value.
  json j = json::parse(text);
  const json& trainer = j["changes"][6];
  ASSERT_EQ(trainer["address"], "pod.trainer");
  EXPECT_EQ(trainer["secret_env_changes"], json({"HF_TOKEN"}));
  EXPECT_EQ(trainer["after"]["secretEnv"], json({"HF_TOKEN"}));
  EXPECT_FALSE(trainer["after"]["env"].contains("HF_TOKEN"));
  EXPECT_FALSE(trainer["before"]["env"].contains("HF_TOKEN"));
}

// Two worlds that differ only in the secrets' values (in the environment
// and on RunPod) but not in which of them change give the same plan file,
// byte for byte: nothing in it is a function of a secret.
TEST(PlanFileTest, PlanBytesDoNotDependOnSecretValues) {
  auto plan_text = [](const std::string& desired_unchanged,
                      const std::string& desired_changed,
                      const std::string& live_changed) {
    World w;
    DesiredPod same = MakePod("same", "");
    same.spec.env["HF_TOKEN"] = desired_unchanged;
    w.Converged(same, "pod-1");
    DesiredPod rotated = MakePod("rotated", "");
    rotated.spec.env["HF_TOKEN"] = desired_changed;
    w.Converged(rotated, "pod-2");
    w.LivePodWithId("pod-2").spec.env["HF_TOKEN"] = live_changed;
    DesiredPod fresh = MakePod("fresh", "");
    fresh.spec.env["HF_TOKEN"] = desired_changed;
    w.Desire(fresh);
    absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
    EXPECT_TRUE(plan.ok()) << plan.status();
    return plan.ok() ? SerializePlanFile(*plan) : std::string();
  };
  const std::string a = plan_text("s1-aaaa", "s2-bbbb", "s3-cccc");
  const std::string b = plan_text("other-1", "other-2", "other-3");
  EXPECT_EQ(a, b);
  EXPECT_THAT(a, HasSubstr("\"secret_env_changes\": [\n        \"HF_TOKEN\""));
}

TEST(PlanFileTest, FormatIsStable) {
  json j = json::parse(SerializePlanFile(MixedPlan()));
  std::vector<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.push_back(key);
  EXPECT_THAT(keys, ::testing::ElementsAre("changes", "checksum",
                                           "config_digest", "cost", "destroy",
                                           "lineage", "podform_plan", "serial",
                                           "target", "unmanaged", "warnings"));
  // Where the plan may be applied (issue 11, item 3).
  EXPECT_EQ(j["target"], json({{"account", "user_2x8Kq"},
                               {"endpoint", "https://api.runpod.io/graphql"}}));
  EXPECT_EQ(j["podform_plan"], 3);
  EXPECT_EQ(j["lineage"], kLineage);
  EXPECT_EQ(j["serial"], 7);
  // A create-first replace starts with its create: after the destroys.
  const json& replace = j["changes"][5];
  EXPECT_EQ(replace["address"], "pod.notebook");
  EXPECT_EQ(replace["action"], "replace");
  EXPECT_EQ(replace["id"], "pod-notebook");
  EXPECT_EQ(replace["replace_attributes"], json({"gpuType"}));
  EXPECT_EQ(replace["replace_order"], "create-first");
  EXPECT_EQ(replace["replace_order_reason"], "");
  EXPECT_EQ(replace["deposed_id"], "");
  EXPECT_EQ(replace["live_fingerprint"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["changes"][0]["replace_order"], "destroy-first");
}

// Serializes MixedPlan, applies `edit` to the JSON, and parses the result.
absl::Status ParseEdited(const std::function<void(json&)>& edit) {
  json j = json::parse(SerializePlanFile(MixedPlan()));
  edit(j);
  absl::StatusOr<Plan> plan = ParsePlanFile(j.dump(2));
  EXPECT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  return plan.status();
}

// A plan file that does not say where it belongs is not applied anywhere.
TEST(PlanFileTest, ATargetIsRequired) {
  EXPECT_EQ(ParseEdited([](json& j) { j.erase("target"); }).message(),
            "plan file: missing \"target\"");
  EXPECT_EQ(
      ParseEdited([](json& j) { j["target"]["endpoint"] = ""; }).message(),
      "plan file: target: \"endpoint\" must not be empty");
  EXPECT_EQ(
      ParseEdited([](json& j) { j["target"].erase("account"); }).message(),
      "plan file: target: missing \"account\"");
}

TEST(PlanFileTest, TruncatedOrNotJson) {
  std::string text = SerializePlanFile(MixedPlan());
  absl::StatusOr<Plan> truncated = ParsePlanFile(text.substr(0, 40));
  EXPECT_EQ(truncated.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(truncated.status().message(),
              HasSubstr("plan file is not valid JSON (truncated or damaged?): "
                        "line 4, column "));
  EXPECT_EQ(std::string(ParsePlanFile("").status().message()),
            "plan file is not valid JSON (truncated or damaged?): line 1, "
            "column 1: unexpected end of input");
  EXPECT_EQ(std::string(
                ParsePlanFile("{\"podform_plan\": 1e999}").status().message()),
            "plan file is not valid JSON (truncated or damaged?): a number "
            "is too large to represent (beyond 1.8e308)");
  EXPECT_EQ(ParsePlanFile("[1]").status().message(),
            "plan file is not a JSON object");
  EXPECT_EQ(ParsePlanFile("{\"version\": 1}").status().message(),
            "not a podform plan file: \"podform_plan\" is missing");
}

TEST(PlanFileTest, WrongVersion) {
  // Format 1 held digests of secrets: refused.
  EXPECT_EQ(ParseEdited([](json& j) { j["podform_plan"] = 1; }).message(),
            "plan file format 1 is not supported; this podform reads format "
            "3 (make a new plan with this version)");
  // Format 2 did not say in which order a replacement runs.
  EXPECT_EQ(ParseEdited([](json& j) { j["podform_plan"] = 2; }).message(),
            "plan file format 2 is not supported; this podform reads format "
            "3 (make a new plan with this version)");
  EXPECT_EQ(ParseEdited([](json& j) { j["podform_plan"] = 4; }).message(),
            "plan file format 4 is not supported; this podform reads format "
            "3 (make a new plan with this version)");
  EXPECT_EQ(ParseEdited([](json& j) { j["podform_plan"] = "2"; }).message(),
            "plan file: \"podform_plan\" must be an integer");
}

TEST(PlanFileTest, UnknownMissingAndMistypedFields) {
  EXPECT_EQ(ParseEdited([](json& j) { j["extra"] = true; }).message(),
            "plan file: unknown key \"extra\"");
  EXPECT_EQ(ParseEdited([](json& j) { j.erase("lineage"); }).message(),
            "plan file: missing \"lineage\"");
  EXPECT_EQ(ParseEdited([](json& j) { j["serial"] = "7"; }).message(),
            "plan file: \"serial\" must be an integer");
  EXPECT_EQ(ParseEdited([](json& j) {
              j["serial"] = 18446744073709551615u;
            }).message(),
            "plan file: \"serial\" must be an integer");
  EXPECT_EQ(
      ParseEdited([](json& j) { j["changes"] = json::object(); }).message(),
      "plan file: \"changes\" must be a list");
  EXPECT_EQ(ParseEdited([](json& j) {
              j["cost"].erase("pods_hourly_after");
            }).message(),
            "plan file: cost: missing \"pods_hourly_after\"");
  EXPECT_EQ(ParseEdited([](json& j) {
              j["changes"][0]["destroys_data"] = 1;
            }).message(),
            "plan file: changes[0] (pod.scratch): \"destroys_data\" must be "
            "true or false");
  EXPECT_EQ(ParseEdited([](json& j) {
              j["unmanaged"][0]["kind"] = "disk";
            }).message(),
            "plan file: unmanaged[0]: \"kind\" must be \"volume\", \"pod\" or "
            "\"endpoint\"");
}

TEST(PlanFileTest, BadChanges) {
  EXPECT_EQ(ParseEdited([](json& j) {
              j["changes"][5]["action"] = "explode";
            }).message(),
            "plan file: changes[5] (pod.notebook): \"explode\" is not an "
            "action");
  EXPECT_EQ(ParseEdited([](json& j) {
              j["changes"][0]["address"] = "disk.x";
            }).message(),
            "plan file: changes[0]: invalid address \"disk.x\": expected "
            "volume.NAME, pod.NAME or endpoint.NAME");
  EXPECT_EQ(ParseEdited([](json& j) {
              j["changes"][5]["before"].erase("image");
            }).message(),
            "plan file: changes[5] (pod.notebook): \"before\": pod.notebook: "
            "missing attribute \"image\"");
  EXPECT_EQ(ParseEdited([](json& j) {
              j["changes"][0]["after"] = j["changes"][0]["before"];
            }).message(),
            "plan file: changes[0] (pod.scratch): a delete must not have "
            "\"after\" attributes");
  EXPECT_EQ(ParseEdited([](json& j) { j["changes"][5]["id"] = ""; }).message(),
            "plan file: changes[5] (pod.notebook): a replace needs an \"id\"");
  EXPECT_EQ(
      ParseEdited([](json& j) { j["changes"][2]["id"] = "vol-x"; }).message(),
      "plan file: changes[2] (volume.datasets): a create must have an "
      "empty \"id\"");
  EXPECT_EQ(ParseEdited([](json& j) {
              j["changes"][5]["replace_order"] = "sideways";
            }).message(),
            "plan file: changes[5] (pod.notebook): \"sideways\" is not a "
            "replace order (create-first or destroy-first)");
  EXPECT_EQ(ParseEdited([](json& j) {
              j["changes"][3]["replace_order"] = "create-first";
            }).message(),
            "plan file: changes[3] (volume.models): only a pod's replace can "
            "be create-first");
  EXPECT_EQ(ParseEdited([](json& j) {
              j["changes"][5]["deposed_id"] = "pod-notebook";
            }).message(),
            "plan file: changes[5] (pod.notebook): a deposed pod's change "
            "must be a delete of that pod's id");
  EXPECT_EQ(ParseEdited([](json& j) {
              j["changes"][3]["gpu_count_by_resume"] = true;
            }).message(),
            "plan file: changes[3] (volume.models): gpu_count_by_resume is "
            "only for a pod's update to another gpuCount that leaves it "
            "running");
  EXPECT_EQ(ParseEdited([](json& j) {
              j["changes"][7]["depends_on"] = {"volume.nope"};
            }).message(),
            "plan file: pod.worker: depends on volume.nope, which has no "
            "change in the plan");
  EXPECT_EQ(ParseEdited([](json& j) {
              j["changes"].push_back(j["changes"][5]);
            }).message(),
            "plan file: pod.notebook: appears twice in the plan");
}

TEST(PlanFileTest, RefusesAValueUnderASecretKey) {
  // Neither a raw secret nor a digest of one (what format 1 held).
  for (const char* value :
       {"hf_plain",
        "hmac-sha256:"
        "40e529211edfaa93a5abb555359b1530685c657158b9f8c1441017c56a6896ee"}) {
    EXPECT_EQ(ParseEdited([&](json& j) {
                j["changes"][6]["after"]["env"]["HF_TOKEN"] = value;
              }).message(),
              "plan file: changes[6] (pod.trainer): \"after\": pod.trainer: "
              "attribute \"env\" holds a value for HF_TOKEN, which "
              "\"secretEnv\" lists as a secret (a secret's value is never "
              "recorded)");
  }
}

TEST(PlanFileTest, RefusesSecretChangesThatNameNoSecret) {
  EXPECT_EQ(ParseEdited([](json& j) {
              j["changes"][6]["secret_env_changes"] = {"HF_HOME"};
            }).message(),
            "plan file: changes[6] (pod.trainer): \"secret_env_changes\" "
            "names HF_HOME, which is not a secret env of \"after\"");
  EXPECT_EQ(ParseEdited([](json& j) {
              j["changes"][6]["secret_env_changes"] = {"HF_TOKEN", "HF_TOKEN"};
            }).message(),
            "plan file: changes[6] (pod.trainer): \"secret_env_changes\" "
            "must be sorted, each key once");
}

TEST(PlanFileTest, RefusesAHandEditedPlan) {
  // Well-formed, but not what podform wrote.
  EXPECT_EQ(ParseEdited([](json& j) {
              j["changes"][4]["after"]["size"] = 4000;
            }).message(),
            "plan file was modified after podform wrote it (checksum "
            "mismatch); make a new plan");
  EXPECT_EQ(ParseEdited([](json& j) { j["serial"] = 8; }).message(),
            "plan file was modified after podform wrote it (checksum "
            "mismatch); make a new plan");
}

}  // namespace
}  // namespace podform::testing
