#ifndef PODFORM_RECONCILER_PLAN_RUNWAY_H_
#define PODFORM_RECONCILER_PLAN_RUNWAY_H_

// How long the account's balance lasts before and after a plan
// (docs/GUARDS.md, "Balance runway"), the warnings that go with it, and the
// --min-runway guard. Pure arithmetic on what RunPod's GraphQL `myself`
// reports (clientBalance, currentSpendPerHr, spendLimit) and the plan's
// cost change; no I/O.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "reconciler/core/account.h"

namespace podform {

// Hours in RunPod's billing month (365 x 24 / 12), as RunPod turns a
// monthly storage price into the hourly charge it bills.
inline constexpr double kHoursPerMonth = 730;
// Without a --min-runway guard, a runway after the plan shorter than this
// is a warning.
inline constexpr double kShortRunwayDays = 1;

struct Runway {
  // Why the balance could not be read, in one line; "" when it was.
  std::string unknown_reason;
  // The rest is set only when known().
  double balance = 0;             // USD
  double spend_limit = 0;         // USD per hour; 0 when RunPod sets none
  double per_day_now = 0;         // currentSpendPerHr x 24
  double per_day_after = 0;       // per_day_now + the plan's change per day
  double per_hour_after = 0;      // per_day_after / 24
  // Days the balance lasts (0 when it is 0 or less); nullopt when nothing
  // is spent: it lasts indefinitely.
  std::optional<double> days_now;
  std::optional<double> days_after;
  // What the plan creates or changes whose price RunPod does not publish
  // (cost.unpriced_*), as addresses: left out of per_day_after, which is
  // then a lower bound, and days_after an upper one.
  std::vector<std::string> unpriced_changes;

  bool known() const { return unknown_reason.empty(); }
  bool operator==(const Runway&) const = default;
};

// The runway of `account` before and after a plan that changes the hourly
// cost of GPU time (pods, and endpoints' active workers) by
// `hourly_change` and the storage's monthly cost by
// `storage_monthly_change` (USD; either may be negative). Per day:
// currentSpendPerHr x 24, plus hourly_change x 24, plus
// storage_monthly_change x 24 / kHoursPerMonth. A spend per day after the
// plan below 0 counts as 0.
Runway ComputeRunway(const AccountFigures& account, double hourly_change,
                     double storage_monthly_change);

// A runway that could not be read; `reason` is made one line (line breaks
// become spaces). An empty reason becomes "no reason given".
Runway UnknownRunway(const std::string& reason);

// The line below the cost lines:
//   "Balance $42.10: 6.1 days at today's $6.90/day; 3.9 days after this
//    plan ($10.70/day)."
// "lasts indefinitely" in place of "N days" where nothing is spent;
// unknown: "Balance unknown: REASON." With unpriced_changes, the part
// after the plan is "at most 3.9 days after this plan ($10.70/day
// without pod.big, whose price RunPod does not publish)", or "unknown
// after this plan (...)" where nothing else is spent.
std::string RunwayLine(const Runway& runway);

// Warnings for the plan's `warnings`, in this order:
//   - the runway after the plan is shorter than kShortRunwayDays (only
//     when `guarded` is false: with --min-runway the guard speaks);
//   - the account's spend per hour after the plan exceeds its spend limit
//     (RunPod refuses pods beyond it).
// None when the runway is unknown.
std::vector<std::string> RunwayWarnings(const Runway& runway, bool guarded);

// The --min-runway guard. OK when `min_days` is nullopt, or the runway
// after the plan is at least `min_days` (or indefinite). Otherwise
// FailedPrecondition, naming `source` ("--min-runway" or
// "guards.minRunwayDays"):
//   short:   "the balance ($42.10) lasts 3.9 days after this plan, 2.1 days
//            short of the 6 days --min-runway asks for; add at least $22.10
//            of credit, or plan less"
//   unknown: "balance unknown (REASON): cannot check the 6 days
//            --min-runway asks for"
//   unpriced (the upper bound is long enough, but the runway may be
//            shorter): "cannot check the 6 days --min-runway asks for:
//            RunPod publishes no price for pod.big, which this plan
//            creates or changes; the balance ($42.10) lasts at most 9.9
//            days after it"
absl::Status CheckMinRunway(const Runway& runway,
                            std::optional<double> min_days,
                            const std::string& source);

// "6.1 days", "1 day", "0.5 days": `days` with at most one decimal.
std::string DaysText(double days);

}  // namespace podform

#endif  // PODFORM_RECONCILER_PLAN_RUNWAY_H_
