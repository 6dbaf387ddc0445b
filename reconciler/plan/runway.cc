#include "reconciler/plan/runway.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace podform {
namespace {

constexpr double kHoursPerDay = 24;

std::string Usd(double usd) { return absl::StrFormat("$%.2f", usd); }

std::optional<double> DaysOf(double balance, double per_day) {
  if (per_day <= 0) return std::nullopt;
  return std::max(0.0, balance) / per_day;
}

std::string Lasts(const std::optional<double>& days) {
  return days.has_value() ? DaysText(*days) : "lasts indefinitely";
}

}  // namespace

std::string DaysText(double days) {
  std::string text = absl::StrFormat("%.1f", days);
  if (absl::EndsWith(text, ".0")) text.resize(text.size() - 2);
  return absl::StrCat(text, text == "1" ? " day" : " days");
}

Runway ComputeRunway(const AccountFigures& account, double hourly_change,
                     double storage_monthly_change) {
  Runway runway;
  runway.balance = account.balance;
  runway.spend_limit = account.spend_limit;
  runway.per_day_now = std::max(0.0, account.spend_per_hour) * kHoursPerDay;
  const double change_per_day =
      hourly_change * kHoursPerDay +
      storage_monthly_change * kHoursPerDay / kHoursPerMonth;
  runway.per_day_after = std::max(0.0, runway.per_day_now + change_per_day);
  runway.per_hour_after = runway.per_day_after / kHoursPerDay;
  runway.days_now = DaysOf(runway.balance, runway.per_day_now);
  runway.days_after = DaysOf(runway.balance, runway.per_day_after);
  return runway;
}

Runway UnknownRunway(const std::string& reason) {
  Runway runway;
  runway.unknown_reason = absl::StrReplaceAll(
      absl::StripAsciiWhitespace(reason), {{"\r\n", " "}, {"\n", " "},
                                           {"\r", " "}});
  if (runway.unknown_reason.empty()) runway.unknown_reason = "no reason given";
  return runway;
}

std::string RunwayLine(const Runway& runway) {
  if (!runway.known()) {
    return absl::StrCat("Balance unknown: ", runway.unknown_reason, ".");
  }
  const bool bound = !runway.unpriced_changes.empty();
  std::string after = Lasts(runway.days_after);
  if (bound) {
    after = runway.days_after.has_value() ? "at most " + after : "unknown";
  }
  return absl::StrCat(
      "Balance ", Usd(runway.balance), ": ", Lasts(runway.days_now),
      " at today's ", Usd(runway.per_day_now), "/day; ", after,
      " after this plan (", Usd(runway.per_day_after), "/day",
      bound ? absl::StrCat(" without ",
                           absl::StrJoin(runway.unpriced_changes, ", "),
                           ", whose price RunPod does not publish")
            : "",
      ").");
}

std::vector<std::string> RunwayWarnings(const Runway& runway, bool guarded) {
  std::vector<std::string> warnings;
  if (!runway.known()) return warnings;
  if (!guarded && runway.days_after.has_value() &&
      *runway.days_after < kShortRunwayDays) {
    warnings.push_back(absl::StrCat(
        "the balance (", Usd(runway.balance), ") lasts ",
        DaysText(*runway.days_after), " after this plan at ",
        Usd(runway.per_day_after),
        "/day: at $0 RunPod stops every pod and may then delete network "
        "volumes for good; add credit (--min-runway DAYS makes this an "
        "error)"));
  }
  if (runway.spend_limit > 0 && runway.per_hour_after > runway.spend_limit) {
    warnings.push_back(absl::StrCat(
        "the account would spend ", Usd(runway.per_hour_after),
        "/hour after this plan, above its spend limit of ",
        Usd(runway.spend_limit),
        "/hour: RunPod refuses pods beyond the limit; ask RunPod to raise "
        "it, or plan fewer GPUs"));
  }
  return warnings;
}

absl::Status CheckMinRunway(const Runway& runway,
                            std::optional<double> min_days,
                            const std::string& source) {
  if (!min_days.has_value()) return absl::OkStatus();
  const std::string wanted =
      absl::StrCat("the ", DaysText(*min_days), " ", source, " asks for");
  if (!runway.known()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "balance unknown (", runway.unknown_reason, "): cannot check ",
        wanted));
  }
  if (!runway.days_after.has_value() || *runway.days_after >= *min_days) {
    if (runway.unpriced_changes.empty()) return absl::OkStatus();
    // Long enough without what has no price; with it, perhaps not.
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot check ", wanted, ": RunPod publishes no price for ",
        absl::StrJoin(runway.unpriced_changes, ", "),
        ", which this plan creates or changes; the balance (",
        Usd(runway.balance), ") lasts ",
        runway.days_after.has_value()
            ? absl::StrCat("at most ", DaysText(*runway.days_after),
                           " after it")
            : "indefinitely only without them"));
  }
  const double short_days = *min_days - *runway.days_after;
  const double needed =
      *min_days * runway.per_day_after - std::max(0.0, runway.balance);
  return absl::FailedPreconditionError(absl::StrCat(
      "the balance (", Usd(runway.balance), ") lasts ",
      DaysText(*runway.days_after), " after this plan, ",
      DaysText(short_days), " short of ", wanted, "; add at least ",
      Usd(std::ceil(needed * 100) / 100), " of credit, or plan less"));
}

}  // namespace podform
