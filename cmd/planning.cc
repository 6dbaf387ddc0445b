#include "cmd/planning.h"

#include <filesystem>
#include <future>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/plan/capacity.h"
#include "reconciler/plan/moves.h"
#include "reconciler/util/file.h"
#include "reconciler/util/status_macros.h"

namespace podform {

void AddPlanFlags(CLI::App* command, PlanFlags* flags, bool with_target) {
  // ADDR: shell completion offers the state's addresses (cmd/completion.cc).
  command
      ->add_option("--allow-destroy", flags->allow_destroy,
                   "Allow deleting or replacing this protected volume "
                   "(volume.NAME); repeatable")
      ->type_name("ADDR");
  if (with_target) {
    command
        ->add_option("--target", flags->targets,
                     "Limit the plan to ADDR and what it depends on; "
                     "repeatable")
        ->type_name("ADDR");
    command
        ->add_option("--min-runway", flags->min_runway,
                     "Fail when the account's balance lasts fewer than DAYS "
                     "after the plan (overrides guards.minRunwayDays)")
        ->type_name("DAYS")
        ->check(CLI::NonNegativeNumber);
  }
}

MinRunway ChooseMinRunway(const PlanFlags& flags, const Config& config) {
  if (flags.min_runway.has_value()) return {flags.min_runway, "--min-runway"};
  if (config.guards.min_runway_days.has_value()) {
    return {config.guards.min_runway_days, "guards.minRunwayDays"};
  }
  return {};
}

// The addresses of cost.unpriced_* that `plan` creates or changes: what
// may cost more after it than its figures say. (One it leaves alone costs
// what it did, which RunPod's spend per hour already holds.)
std::vector<std::string> UnpricedChanges(const Plan& plan) {
  std::set<Address> unpriced(plan.cost.unpriced_pods.begin(),
                             plan.cost.unpriced_pods.end());
  unpriced.insert(plan.cost.unpriced_volumes.begin(),
                  plan.cost.unpriced_volumes.end());
  // An endpoint with active workers bills without use, here at a price
  // the catalog does not have.
  unpriced.insert(plan.cost.unpriced_active_endpoints.begin(),
                  plan.cost.unpriced_active_endpoints.end());
  std::set<std::string> changed;
  for (const Change& c : plan.changes) {
    if (c.action != Action::kNoOp && c.action != Action::kDelete &&
        unpriced.count(c.address) > 0) {
      changed.insert(c.address.ToString());
    }
  }
  return {changed.begin(), changed.end()};
}

Runway ReadRunway(Workspace& workspace, const Plan& plan) {
  absl::StatusOr<AccountFigures> account = workspace.ReadAccount();
  if (!account.ok()) return UnknownRunway(std::string(account.status().message()));
  const Cost& cost = plan.cost;
  Runway runway = ComputeRunway(
      *account,
      cost.pods_hourly_after - cost.pods_hourly_before +
          cost.endpoints_hourly_after - cost.endpoints_hourly_before,
      cost.storage_monthly_after - cost.storage_monthly_before);
  runway.unpriced_changes = UnpricedChanges(plan);
  return runway;
}

void AddRunway(Workspace& workspace, const MinRunway& min, Plan* plan) {
  plan->runway = ReadRunway(workspace, *plan);
  for (std::string& warning :
       RunwayWarnings(*plan->runway, min.days.has_value())) {
    plan->warnings.push_back(std::move(warning));
  }
}

absl::Status CheckRunwayGuard(const Plan& plan, const MinRunway& min) {
  if (!min.days.has_value()) return absl::OkStatus();
  return CheckMinRunway(plan.runway.value_or(UnknownRunway("not read")),
                        min.days, min.source);
}

void AddStrictFlag(CLI::App* command, bool* strict) {
  command->add_flag("--strict", *strict,
                    "Make guard warnings errors: several read-write "
                    "mounters of a volume (as guards.strict: true)");
}

absl::StatusOr<PlanOptions> ToPlanOptions(const PlanFlags& flags,
                                          bool destroy) {
  PlanOptions options;
  options.destroy = destroy;
  options.strict = flags.strict;
  for (const std::string& text : flags.allow_destroy) {
    ASSIGN_OR_RETURN(Address address, Address::Parse(text));
    options.allow_destroy.insert(address);
  }
  for (const std::string& text : flags.targets) {
    ASSIGN_OR_RETURN(Address address, Address::Parse(text));
    options.targets.insert(address);
  }
  return options;
}

absl::Status CheckApiCanCarryOut(const Plan& plan, Api api) {
  std::vector<std::string> lines;
  for (const Change& c : plan.changes) {
    if (c.gpu_count_by_resume && api != Api::kGraphQL) {
      lines.push_back(absl::StrCat(
          c.address.ToString(),
          ": the plan changes gpuCount by resuming the pod with the new "
          "count, which only RunPod's GraphQL podResume can do; apply it "
          "with --api graphql, or plan again (over REST v2 the change is a "
          "replacement)"));
    }
    if (api != Api::kGraphQL) continue;
    // A lock file that records endpoints (made over REST v2), planned over
    // GraphQL: nothing about them can be done.
    if (c.address.kind == Kind::kEndpoint && c.action != Action::kNoOp) {
      lines.push_back(absl::StrCat(
          c.address.ToString(), ": ", std::string(ActionName(c.action)),
          " of a serverless endpoint cannot be done over RunPod's GraphQL "
          "API (REST v2 only); use REST v2 (the default, without --api "
          "graphql)"));
      continue;
    }
    if (c.action != Action::kCreate && c.action != Action::kReplace) continue;
    if (!c.after.has_value() || c.address.kind != Kind::kVolume ||
        c.after->volume.type.empty()) {
      continue;
    }
    lines.push_back(absl::StrCat(
        c.address.ToString(), ": type ", c.after->volume.type,
        " cannot be chosen over RunPod's GraphQL API, which creates volumes "
        "in the data center's default tier; use REST v2 (the default, "
        "without --api graphql) or remove type"));
  }
  if (lines.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrJoin(lines, "\n"));
}

absl::Status RefuseEndpoints(const Config& config, const Workspace& workspace) {
  if (config.endpoints.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(Api api, workspace.ChosenApi());
  std::vector<std::string> names;
  for (const auto& [key, endpoint] : config.endpoints) {
    names.push_back(absl::StrCat("endpoint.", key));
  }
  if (api != Api::kGraphQL) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      absl::StrJoin(names, ", "),
      ": serverless endpoints are managed over RunPod's REST v2 API "
      "only; use REST v2 (the default, without --api graphql) or "
      "remove the endpoints: section. Nothing was read or changed."));
}

// Warns of pods the plan creates where RunPod has no GPUs for them, with
// one request per cloud type of those pods (none when it creates no pod).
// Advice, not a condition of the plan: an API that cannot say adds
// nothing, a failed read one warning.
void AddCapacityWarnings(Provider& provider, Plan* plan) {
  std::map<std::string, GpuAvailability> availability;
  for (const std::string& cloud : CloudTypesToCheck(*plan)) {
    absl::StatusOr<GpuAvailability> read = provider.PodGpuAvailability(cloud);
    if (read.ok()) {
      availability[cloud] = std::move(*read);
    } else if (!absl::IsUnimplemented(read.status())) {
      plan->warnings.push_back(
          absl::StrCat("GPU availability unknown, not checked: ",
                       read.status().message()));
    }
  }
  for (std::string& warning : CapacityWarnings(*plan, availability)) {
    plan->warnings.push_back(std::move(warning));
  }
}

absl::StatusOr<PlanReads> ReadStateAndLive(Workspace& workspace,
                                           LockCheck lock, bool refresh) {
  PlanReads reads;
  // RunPod is read on a thread of its own while the state is: neither
  // waits for the other, and the state's lock and store are not the
  // provider's. (Its future waits for it on every return below.)
  std::future<absl::StatusOr<LiveState>> live;
  if (refresh) {
    live = std::async(std::launch::async, [&workspace] {
      return ReadLiveState(workspace);
    });
  }
  ASSIGN_OR_RETURN(reads.state, workspace.ReadState());
  // Without a lock file there is nothing another run could be doing to it
  // (an apply writes it before its first request), so nothing to probe.
  if (lock == LockCheck::kProbe && reads.state.serial > 0) {
    absl::StatusOr<std::unique_ptr<StateLock>> held =
        workspace.store().Lock(workspace.global().command);
    if (!held.ok() &&
        held.status().code() == absl::StatusCode::kFailedPrecondition) {
      reads.in_progress = absl::StrCat(held.status().message(),
                                       ": another run is in progress");
    } else if (!held.ok() && !reads.state.intents.empty()) {
      // Only intents make it matter (a read-only checkout, say).
      reads.in_progress =
          absl::StrCat("cannot tell whether another run is in progress (",
                       held.status().message(), ")");
    }
    // Read again if it changed meanwhile: while the lock is held, nobody
    // else writes it.
    if (!workspace.store().Unchanged()) {
      ASSIGN_OR_RETURN(reads.state, workspace.ReadState());
    }
  }
  if (live.valid()) {
    ASSIGN_OR_RETURN(reads.live, live.get());
  }
  return reads;
}

absl::StatusOr<LiveState> ReadLiveState(Workspace& workspace) {
  ASSIGN_OR_RETURN(Provider * provider, workspace.OpenProvider());
  workspace.StartAccountRead();  // for the runway, beside the refresh
  return provider->Refresh();
}

bool MayDeclareEndpoints(std::string_view config_text) {
  // A key is its text: plain and quoted scalars spell it out, folding makes
  // spaces, an alias repeats an anchored node's text; only an escape in a
  // double-quoted scalar ("\x65ndpoints") spells it otherwise.
  return config_text.find("endpoints") != std::string_view::npos ||
         config_text.find('\\') != std::string_view::npos;
}

std::future<absl::StatusOr<PlanReads>> StartReadsBesideConfig(
    Workspace& workspace, LockCheck lock) {
  // The in-process sandbox makes its data file (and the directory of its
  // lock file) when it opens: before it exists, nothing is read early, so
  // that a config that does not load leaves nothing behind.
  if (workspace.global().sandbox.has_value()) {
    std::error_code ec;
    if (!std::filesystem::exists(SandboxDataPath(workspace.global()), ec)) {
      return {};
    }
  }
  absl::StatusOr<Api> api = workspace.ChosenApi();
  if (!api.ok()) return {};
  // Over GraphQL a config with endpoints is refused before RunPod is read
  // (RefuseEndpoints): RunPod is read early only when the config's text
  // cannot declare any. (Read only if it is a file: a pipe read here would
  // be empty when the config loads.)
  bool refresh = *api == Api::kRest;
  std::error_code ec;
  if (!refresh &&
      std::filesystem::is_regular_file(workspace.global().file, ec)) {
    absl::StatusOr<std::string> text = ReadFile(workspace.global().file);
    refresh = text.ok() && !MayDeclareEndpoints(*text);
  }
  return std::async(std::launch::async, [&workspace, lock, refresh] {
    return ReadStateAndLive(workspace, lock, refresh);
  });
}

absl::StatusOr<Planned> RefreshAndPlan(
    Workspace& workspace, const Config& config, const PlanOptions& options,
    LockCheck lock, std::future<absl::StatusOr<PlanReads>> started) {
  RETURN_IF_ERROR(RefuseEndpoints(config, workspace));
  ASSIGN_OR_RETURN(PlanReads reads,
                   started.valid() ? started.get()
                                   : ReadStateAndLive(workspace, lock, false));
  if (!reads.live.has_value()) {
    ASSIGN_OR_RETURN(reads.live, ReadLiveState(workspace));
  }
  Planned planned;
  planned.state = std::move(reads.state);
  planned.live = *std::move(reads.live);
  planned.in_progress = std::move(reads.in_progress);
  ASSIGN_OR_RETURN(Provider * provider, workspace.OpenProvider());
  RETURN_IF_ERROR(workspace.AdoptTarget(&planned.state, planned.live));
  // Renamed first: interrupted creates are found by their address.
  ASSIGN_OR_RETURN(std::vector<Move> moves, ApplyMoves(config, &planned.state));
  if (!planned.in_progress.empty()) {
    // Creates of a run that may still be going on: not interrupted, and
    // not this plan's to adopt.
    for (const auto& [address, intent] : planned.state.intents) {
      planned.intents.push_back(
          {address, "",
           absl::StrCat(address.ToString(),
                        ": being created by the run in progress (started ",
                        intent.started_at,
                        "); shown as a create until it is recorded")});
    }
    planned.state.intents.clear();
  } else {
    ASSIGN_OR_RETURN(planned.intents,
                     ResolveIntents(config, planned.live, &planned.state));
  }
  PlanOptions with_api = options;
  with_api.resume_sets_gpu_count = workspace.api() == Api::kGraphQL;
  ASSIGN_OR_RETURN(planned.plan,
                   MakePlan(config, planned.state, planned.live, with_api));
  planned.plan.moves = std::move(moves);
  RETURN_IF_ERROR(CheckApiCanCarryOut(planned.plan, workspace.api()));
  AddCapacityWarnings(*provider, &planned.plan);
  return planned;
}

const Config* ConfigForDestroy(Workspace& workspace, Config* empty) {
  std::error_code ec;
  if (!std::filesystem::exists(workspace.global().file, ec)) {
    empty->path = workspace.global().file;
    return empty;
  }
  return workspace.LoadConfig();
}

}  // namespace podform
