// moved: in podform.yaml, from the state to the rendered plan and the plan
// file: ApplyMoves (plan/moves.h), the renderers and the plan file.

#include "reconciler/plan/moves.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/plan/plan_file.h"
#include "reconciler/plan/planner.h"
#include "reconciler/plan/render.h"
#include "tests/plan/fixtures.h"

namespace podform::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// volume.models and pod.trainer applied; the config now calls them
// volume.weights (RunPod name kept) and pod.worker, and says so in moved:.
World RenamedWorld() {
  World w;
  w.Exists(MakeVolume("models", 100), "vol-1");
  w.Exists(MakePod("trainer", "models"), "pod-1");
  DesiredVolume weights = MakeVolume("weights", 100);
  weights.spec.name = "models";
  w.Desire(weights);
  DesiredPod worker = MakePod("worker", "weights");
  worker.spec.name = "trainer";
  w.Desire(worker);
  w.config.path = "podform.yaml";
  w.config.moved = {{Vol("models"), Vol("weights"), {12, 5}, {13, 9}},
                    {PodAt("trainer"), PodAt("worker"), {14, 5}, {15, 9}}};
  return w;
}

TEST(ApplyMovesTest, RenamesTheStateAndThePlanHasNothingElseToDo) {
  World w = RenamedWorld();
  absl::StatusOr<std::vector<Move>> moves = ApplyMoves(w.config, &w.state);
  ASSERT_TRUE(moves.ok()) << moves.status();
  EXPECT_THAT(*moves,
              ElementsAre(Move{Vol("models"), Vol("weights"), "vol-1"},
                          Move{PodAt("trainer"), PodAt("worker"), "pod-1"}));
  EXPECT_EQ(w.state.Find(Vol("models")), nullptr);
  EXPECT_EQ(w.state.Find(Vol("weights"))->id, "vol-1");
  EXPECT_EQ(w.state.Find(PodAt("worker"))->resource.volume_key, "weights");
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(Describe(*plan), ElementsAre("no-op volume.weights id=vol-1",
                                           "no-op pod.worker id=pod-1"));
}

TEST(ApplyMovesTest, AMoveWhoseFromIsGoneIsANoOp) {
  World w = RenamedWorld();
  ASSERT_TRUE(ApplyMoves(w.config, &w.state).ok());
  const State after_first = w.state;
  // The next run, with moved: still in the config, finds nothing to move.
  absl::StatusOr<std::vector<Move>> again = ApplyMoves(w.config, &w.state);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(*again, ElementsAre());
  EXPECT_EQ(w.state, after_first);
}

TEST(ApplyMovesTest, BothAddressesInTheStateIsAnErrorAtTheItem) {
  World w = RenamedWorld();
  w.Exists(MakeVolume("weights", 100), "vol-2");
  const State before = w.state;
  absl::StatusOr<std::vector<Move>> moves = ApplyMoves(w.config, &w.state);
  EXPECT_EQ(moves.status(),
            absl::FailedPreconditionError(
                "podform.yaml:12:5: cannot move volume.models to "
                "volume.weights: the state records both (volume.weights with "
                "id vol-2); remove this item from moved:, or forget one of "
                "them with podform state rm"));
  EXPECT_EQ(w.state, before);
}

Plan MovedPlan() {
  World w = RenamedWorld();
  w.config.moved.resize(1);
  w.config.pods.clear();
  w.config.pods["trainer"] = MakePod("trainer", "weights");
  absl::StatusOr<std::vector<Move>> moves = ApplyMoves(w.config, &w.state);
  EXPECT_TRUE(moves.ok()) << moves.status();
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  EXPECT_TRUE(plan.ok()) << plan.status();
  plan->moves = *moves;
  return *plan;
}

TEST(MovedPlanRenderTest, TextSaysWhatMovedAndCountsIt) {
  Plan plan = MovedPlan();
  EXPECT_TRUE(plan.HasChanges());
  EXPECT_FALSE(plan.HasActions());
  EXPECT_EQ(RenderText(plan, false),
            "podform will perform the following actions:\n"
            "\n"
            "  # volume.models has moved to volume.weights (nothing is sent "
            "to RunPod)\n"
            "\n"
            "Plan: 0 to add, 0 to change, 0 to replace, 0 to destroy, 1 to "
            "move.\n"
            "\n"
            "Storage: $7.00/month -> $7.00/month\n"
            "Pods: $1.64/hour -> $1.64/hour\n"
            "Prices as of 2026-12 (RunPod's published list); volumes bill "
            "hourly whether or not a pod runs; a stopped pod costs no GPU "
            "time.\n");
}

TEST(MovedPlanRenderTest, MarkdownHasAMoveRow) {
  EXPECT_EQ(RenderMarkdown(MovedPlan()),
            "### podform plan\n"
            "\n"
            "**Plan: 0 to add, 0 to change, 0 to replace, 0 to destroy, 1 to "
            "move.**\n"
            "\n"
            "| Action | Address | Id | Why |\n"
            "|---|---|---|---|\n"
            "| move | `volume.weights` | `vol-1` | volume.models has moved to "
            "volume.weights; nothing is sent to RunPod |\n"
            "\n"
            "| Cost | Before | After |\n"
            "|---|---|---|\n"
            "| Storage (per month) | $7.00 | $7.00 |\n"
            "| Pods (per hour) | $1.64 | $1.64 |\n"
            "\n"
            "Prices as of 2026-12 (RunPod's published list); volumes bill "
            "hourly whether or not a pod runs; a stopped pod costs no GPU "
            "time.\n");
}

TEST(MovedPlanRenderTest, JsonListsMovesOnlyWhenThereAreSome) {
  nlohmann::json json = RenderJson(MovedPlan());
  EXPECT_EQ(json["has_changes"], true);
  EXPECT_EQ(json["summary"]["move"], 1);
  EXPECT_EQ(json["moves"], nlohmann::json::parse(R"([{
      "from": "volume.models", "to": "volume.weights", "id": "vol-1",
      "message": "volume.models has moved to volume.weights"}])"));
  nlohmann::json none = RenderJson(MixedPlan());
  EXPECT_FALSE(none.contains("moves"));
  EXPECT_FALSE(none["summary"].contains("move"));
}

TEST(MovedPlanFileTest, RoundTripsMoves) {
  Plan plan = MovedPlan();
  std::string text = SerializePlanFile(plan);
  EXPECT_THAT(text, HasSubstr("\"moves\": [\n    {\n      \"from\": "
                              "\"volume.models\",\n      \"id\": \"vol-1\",\n"
                              "      \"to\": \"volume.weights\"\n    }\n  ]"));
  absl::StatusOr<Plan> back = ParsePlanFile(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, plan);
  EXPECT_THAT(SerializePlanFile(MixedPlan()),
              ::testing::Not(HasSubstr("moves")));
}

}  // namespace
}  // namespace podform::testing
