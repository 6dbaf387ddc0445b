#include "reconciler/plan/runway.h"

#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/plan/render.h"
#include "tests/plan/fixtures.h"

namespace podform::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// $42.10 at $0.2875/hour ($6.90/day); the plan adds a pod at $0.15/hour
// ($3.60/day).
TEST(RunwayTest, DaysBeforeAndAfterAPlan) {
  Runway r = ComputeRunway({42.10, 0.2875, 80}, 0.15, 0);
  EXPECT_TRUE(r.known());
  EXPECT_DOUBLE_EQ(r.per_day_now, 6.90);
  EXPECT_DOUBLE_EQ(r.per_day_after, 10.50);
  EXPECT_DOUBLE_EQ(r.per_hour_after, 0.4375);
  ASSERT_TRUE(r.days_now.has_value());
  ASSERT_TRUE(r.days_after.has_value());
  EXPECT_DOUBLE_EQ(*r.days_now, 42.10 / 6.90);
  EXPECT_DOUBLE_EQ(*r.days_after, 42.10 / 10.50);
  EXPECT_EQ(RunwayLine(r),
            "Balance $42.10: 6.1 days at today's $6.90/day; 4 days after "
            "this plan ($10.50/day).");
}

TEST(RunwayTest, StorageCountsPerDayOverA730HourMonth) {
  // $73/month of storage = $0.10/hour = $2.40/day.
  Runway r = ComputeRunway({24, 0, 80}, 0, 73);
  EXPECT_DOUBLE_EQ(r.per_day_now, 0);
  EXPECT_DOUBLE_EQ(r.per_day_after, 2.40);
  EXPECT_FALSE(r.days_now.has_value());
  EXPECT_DOUBLE_EQ(*r.days_after, 10);
  EXPECT_EQ(RunwayLine(r),
            "Balance $24.00: lasts indefinitely at today's $0.00/day; 10 "
            "days after this plan ($2.40/day).");
}

TEST(RunwayTest, ZeroSpendLastsIndefinitelyWithoutDividingByZero) {
  Runway r = ComputeRunway({5, 0, 80}, 0, 0);
  EXPECT_FALSE(r.days_now.has_value());
  EXPECT_FALSE(r.days_after.has_value());
  EXPECT_EQ(RunwayLine(r),
            "Balance $5.00: lasts indefinitely at today's $0.00/day; lasts "
            "indefinitely after this plan ($0.00/day).");
}

TEST(RunwayTest, APlanThatStopsEverythingLastsIndefinitelyAfterIt) {
  // The plan removes more than today's spend (rounding): never below 0.
  Runway r = ComputeRunway({10, 0.5, 80}, -0.5000001, 0);
  EXPECT_DOUBLE_EQ(r.per_day_after, 0);
  EXPECT_FALSE(r.days_after.has_value());
  EXPECT_DOUBLE_EQ(*r.days_now, 10 / 12.0);
}

TEST(RunwayTest, AnEmptyOrNegativeBalanceLastsZeroDays) {
  Runway r = ComputeRunway({-3, 1, 80}, 0, 0);
  EXPECT_DOUBLE_EQ(*r.days_now, 0);
  EXPECT_DOUBLE_EQ(*r.days_after, 0);
  EXPECT_EQ(RunwayLine(r),
            "Balance $-3.00: 0 days at today's $24.00/day; 0 days after "
            "this plan ($24.00/day).");
}

TEST(RunwayTest, UnknownIsOneLineWithItsReason) {
  Runway r = UnknownRunway("myself: HTTP 403\nfrom RunPod\n");
  EXPECT_FALSE(r.known());
  EXPECT_EQ(RunwayLine(r), "Balance unknown: myself: HTTP 403 from RunPod.");
  EXPECT_EQ(RunwayLine(UnknownRunway("")), "Balance unknown: no reason given.");
  EXPECT_THAT(RunwayWarnings(r, false), IsEmpty());
}

TEST(RunwayTest, DaysText) {
  EXPECT_EQ(DaysText(1), "1 day");
  EXPECT_EQ(DaysText(0.96), "1 day");
  EXPECT_EQ(DaysText(3), "3 days");
  EXPECT_EQ(DaysText(3.94), "3.9 days");
  EXPECT_EQ(DaysText(0), "0 days");
}

TEST(RunwayTest, AShortRunwayWarnsOnlyWithoutTheGuard) {
  // $10 at $0.5/hour = $12/day: 0.8 days.
  Runway r = ComputeRunway({10, 0.5, 80}, 0, 0);
  EXPECT_THAT(
      RunwayWarnings(r, false),
      ElementsAre("the balance ($10.00) lasts 0.8 days after this plan at "
                  "$12.00/day: at $0 RunPod stops every pod and may then "
                  "delete network volumes for good; add credit "
                  "(--min-runway DAYS makes this an error)"));
  EXPECT_THAT(RunwayWarnings(r, true), IsEmpty());
  // Exactly one day is not short.
  EXPECT_THAT(RunwayWarnings(ComputeRunway({12, 0.5, 80}, 0, 0), false),
              IsEmpty());
}

TEST(RunwayTest, SpendAboveTheSpendLimitWarns) {
  // Today $70/hour; the plan adds $12/hour: $82 > $80.
  Runway r = ComputeRunway({1e6, 70, 80}, 12, 0);
  EXPECT_THAT(RunwayWarnings(r, true),
              ElementsAre("the account would spend $82.00/hour after this "
                          "plan, above its spend limit of $80.00/hour: "
                          "RunPod refuses pods beyond the limit; ask RunPod "
                          "to raise it, or plan fewer GPUs"));
  // Exactly at the limit is allowed; no limit (0) never warns.
  EXPECT_THAT(RunwayWarnings(ComputeRunway({1e6, 70, 80}, 10, 0), true),
              IsEmpty());
  EXPECT_THAT(RunwayWarnings(ComputeRunway({1e6, 70, 0}, 12, 0), true),
              IsEmpty());
}

TEST(RunwayGuardTest, NoGuardAlwaysPasses) {
  EXPECT_TRUE(CheckMinRunway(ComputeRunway({0, 5, 80}, 0, 0), std::nullopt,
                             "--min-runway")
                  .ok());
  EXPECT_TRUE(
      CheckMinRunway(UnknownRunway("x"), std::nullopt, "--min-runway").ok());
}

TEST(RunwayGuardTest, ShortRunwayFailsSayingByHowMuch) {
  // $42.10 at $10.50/day after the plan: 4.0 days; 6 asked: 2 days and
  // $20.90 short.
  Runway r = ComputeRunway({42.10, 0.2875, 80}, 0.15, 0);
  absl::Status s = CheckMinRunway(r, 6, "--min-runway");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "the balance ($42.10) lasts 4 days after this plan, 2 days short "
            "of the 6 days --min-runway asks for; add at least $20.90 of "
            "credit, or plan less");
}

TEST(RunwayGuardTest, EnoughRunwayOrNoSpendPasses) {
  Runway r = ComputeRunway({42.10, 0.2875, 80}, 0.15, 0);
  EXPECT_TRUE(CheckMinRunway(r, 4, "guards.minRunwayDays").ok());
  EXPECT_TRUE(CheckMinRunway(r, 0, "guards.minRunwayDays").ok());
  EXPECT_EQ(CheckMinRunway(r, 4.1, "guards.minRunwayDays").message(),
            "the balance ($42.10) lasts 4 days after this plan, 0.1 days "
            "short of the 4.1 days guards.minRunwayDays asks for; add at "
            "least $0.95 of credit, or plan less");
  EXPECT_TRUE(
      CheckMinRunway(ComputeRunway({0, 0, 80}, 0, 0), 30, "--min-runway")
          .ok());
}

TEST(RunwayGuardTest, UnknownBalanceFailsClosedWithTheReason) {
  absl::Status s =
      CheckMinRunway(UnknownRunway("POST http://127.0.0.1:1/graphql: "
                                   "connection refused"),
                     3, "--min-runway");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "balance unknown (POST http://127.0.0.1:1/graphql: connection "
            "refused): cannot check the 3 days --min-runway asks for");
}

// What has no published price is left out of the figures after the plan:
// its runway is an upper bound, which the line says and the guard cannot
// trust.
TEST(RunwayGuardTest, WhatHasNoPriceMakesTheRunwayAfterAnUpperBound) {
  Runway r = ComputeRunway({42.10, 0.2875, 80}, 0.15, 0);
  r.unpriced_changes = {"pod.big", "volume.fast"};
  EXPECT_EQ(RunwayLine(r),
            "Balance $42.10: 6.1 days at today's $6.90/day; at most 4 days "
            "after this plan ($10.50/day without pod.big, volume.fast, whose "
            "price RunPod does not publish).");
  // Long enough on the bound: cannot tell, so it fails closed.
  absl::Status s = CheckMinRunway(r, 3, "--min-runway");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "cannot check the 3 days --min-runway asks for: RunPod publishes "
            "no price for pod.big, volume.fast, which this plan creates or "
            "changes; the balance ($42.10) lasts at most 4 days after it");
  // Short even on the bound: short, as without them.
  EXPECT_THAT(CheckMinRunway(r, 6, "--min-runway").message(),
              HasSubstr("lasts 4 days after this plan, 2 days short"));
  EXPECT_TRUE(CheckMinRunway(r, std::nullopt, "--min-runway").ok());
  // Nothing spent otherwise: still not known to last.
  Runway idle = ComputeRunway({10, 0, 80}, 0, 0);
  idle.unpriced_changes = {"pod.big"};
  EXPECT_EQ(CheckMinRunway(idle, 1, "guards.minRunwayDays").message(),
            "cannot check the 1 day guards.minRunwayDays asks for: RunPod "
            "publishes no price for pod.big, which this plan creates or "
            "changes; the balance ($10.00) lasts indefinitely only without "
            "them");
  EXPECT_EQ(RunwayLine(idle),
            "Balance $10.00: lasts indefinitely at today's $0.00/day; unknown "
            "after this plan ($0.00/day without pod.big, whose price RunPod "
            "does not publish).");
}

TEST(RunwayRenderTest, TextMarkdownAndJsonCarryTheSameFigures) {
  Plan plan = MixedPlan();
  plan.runway = ComputeRunway({42.10, 0.2875, 80}, 0.15, 0);
  const std::string line =
      "Balance $42.10: 6.1 days at today's $6.90/day; 4 days after this "
      "plan ($10.50/day).";
  std::string text = RenderText(plan, false);
  // Below the cost lines and what they assume, as the last line.
  const std::string assumptions =
      "Prices as of 2026-12 (RunPod's published list); volumes bill hourly "
      "whether or not a pod runs; a stopped pod costs no GPU time.";
  EXPECT_THAT(text, HasSubstr("/hour\n" + assumptions + "\n" + line + "\n"));
  EXPECT_TRUE(text.ends_with(line + "\n"));
  EXPECT_TRUE(RenderMarkdown(plan).ends_with(" |\n\n" + assumptions + "\n\n" +
                                             line + "\n"))
      << RenderMarkdown(plan);
  nlohmann::json json = RenderJson(plan);
  EXPECT_EQ(json["format_version"], 6);
  EXPECT_EQ(json["runway"],
            (nlohmann::json{{"known", true},
                            {"balance", 42.10},
                            {"spend_limit_hourly", 80.0},
                            {"spend_daily_now", plan.runway->per_day_now},
                            {"spend_daily_after", plan.runway->per_day_after},
                            {"spend_hourly_after", 0.4375},
                            {"days_now", *plan.runway->days_now},
                            {"days_after", *plan.runway->days_after},
                            {"message", line}}));
}

TEST(RunwayRenderTest, JsonOfNoSpendAndOfUnknown) {
  Plan plan = MixedPlan();
  plan.runway = ComputeRunway({5, 0, 80}, 0, 0);
  nlohmann::json json = RenderJson(plan);
  EXPECT_EQ(json["runway"]["days_now"], nullptr);
  EXPECT_EQ(json["runway"]["days_after"], nullptr);
  plan.runway = UnknownRunway("HTTP 403 from RunPod");
  EXPECT_EQ(RenderJson(plan)["runway"],
            (nlohmann::json{
                {"known", false},
                {"reason", "HTTP 403 from RunPod"},
                {"message", "Balance unknown: HTTP 403 from RunPod."}}));
  EXPECT_TRUE(RenderText(plan, false).ends_with(
      "\nBalance unknown: HTTP 403 from RunPod.\n"));
  // Without an account read (a plan file), there is no runway at all.
  plan.runway.reset();
  EXPECT_FALSE(RenderJson(plan).contains("runway"));
  EXPECT_THAT(RenderText(plan, false), Not(HasSubstr("Balance")));
}

}  // namespace
}  // namespace podform::testing
