#include "cmd/execute.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "reconciler/apply/applier.h"
#include "reconciler/apply/concurrency.h"
#include "reconciler/plan/render.h"
#include "reconciler/state/file_store.h"
#include "reconciler/state/serialize.h"

namespace podform {
namespace {

std::atomic<bool> g_interrupted{false};

void OnSignal(int signal) {
  if (g_interrupted.exchange(true)) {
    // A second Ctrl-C: stop now, as the user insists.
    ::signal(signal, SIG_DFL);
    ::raise(signal);
  }
}

// Routes SIGINT/SIGTERM to g_interrupted while alive.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = false;
    struct sigaction action = {};
    action.sa_handler = OnSignal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
  }
  ~InterruptGuard() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ = {};
  struct sigaction old_term_ = {};
};

// "creating" / "created" for a step.
const char* Verb(Action action, Phase phase, bool done) {
  if (phase == Phase::kDestroy) return done ? "destroyed" : "destroying";
  switch (action) {
    case Action::kCreate:
    case Action::kReplace:
      return done ? "created" : "creating";
    case Action::kUpdate:
      return done ? "updated" : "updating";
    case Action::kStop:
      return done ? "stopped" : "stopping";
    case Action::kResume:
      return done ? "resumed" : "resuming";
    default:
      return done ? "done" : "working";
  }
}

void PrintEvent(std::ostream& out, bool color, const StepEvent& e) {
  std::string address = e.address.ToString();
  if (e.type == StepEvent::Type::kStarted) {
    out << address << ": " << Verb(e.action, e.phase, false) << "...\n";
    out.flush();
    return;
  }
  if (e.type == StepEvent::Type::kProgress) {
    out << address << ": " << e.detail << "\n";
    out.flush();
    return;
  }
  std::string seconds =
      absl::StrFormat("[%.1fs]", absl::ToDoubleSeconds(e.elapsed));
  const char* red = color ? "\033[31m" : "";
  const char* green = color ? "\033[32m" : "";
  const char* reset = color ? "\033[0m" : "";
  switch (e.outcome) {
    case StepOutcome::kSucceeded:
      out << green << address << ": " << Verb(e.action, e.phase, true) << reset;
      if (!e.detail.empty()) out << " (id " << e.detail << ")";
      out << " " << seconds << "\n";
      break;
    case StepOutcome::kFailed:
      out << red << address << ": FAILED" << reset << ": " << e.detail << " "
          << seconds << "\n";
      break;
    case StepOutcome::kSkipped:
      out << address << ": " << e.detail << "\n";
      break;
  }
  out.flush();
}

bool Confirm(Workspace& workspace, const ExecuteFlags& flags) {
  if (flags.auto_approve) return true;
  workspace.out() << "\nDo you want to perform these actions?\n"
                  << "  Only 'yes' will be accepted to approve.\n\n"
                  << "  Enter a value: ";
  workspace.out().flush();
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "yes";
}

}  // namespace

void AddExecuteFlags(CLI::App* command, ExecuteFlags* flags) {
  command->add_flag("--auto-approve", flags->auto_approve,
                    "Do not ask for confirmation (needed without a terminal)");
  command
      ->add_option("--parallelism", flags->parallelism,
                   "Steps in flight at most")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  command->add_flag("--no-wait", flags->no_wait,
                    "Do not wait for created or started pods to be RUNNING "
                    "(REST v2)");
  command
      ->add_option("--wait-timeout", flags->wait_timeout,
                   "How long to wait for each created or started pod to be "
                   "RUNNING, e.g. 15m, 90s")
      ->capture_default_str();
}

absl::StatusOr<std::unique_ptr<StateLock>> TakeLock(
    Workspace& workspace, const std::string& command) {
  return workspace.store().Lock(command);
}

int ExecutePlan(Workspace& workspace, const Config& config, State state,
                const Plan& plan, const ExecuteFlags& flags, bool confirm) {
  std::ostream& out = workspace.out();
  if (!plan.HasChanges()) return 0;
  if (confirm) {
    if (!flags.auto_approve && !::isatty(STDIN_FILENO)) {
      workspace.err() << "podform: not applying: there is no terminal to "
                         "confirm on; re-run with --auto-approve\n";
      return 1;
    }
    if (!Confirm(workspace, flags)) {
      out << "\nApply cancelled.\n";
      return 1;
    }
  }
  out << "\n";
  if (!plan.moves.empty()) {
    // Recorded before any step: nothing is sent to RunPod for a move.
    if (absl::Status written = workspace.store().Write(&state); !written.ok()) {
      return workspace.Fail(written);
    }
    for (const Move& move : plan.moves) {
      out << move.from.ToString() << ": moved to " << move.to.ToString()
          << "\n";
    }
  }
  // ", N moved" after the counts, when anything moved.
  const std::string moved =
      plan.moves.empty() ? "" : absl::StrCat(", ", plan.moves.size(), " moved");
  if (!plan.HasActions()) {
    out << "\nApply complete! Resources: 0 added, 0 changed, 0 destroyed"
        << moved << ".\n";
    return flags.detailed_exitcode ? 2 : 0;
  }
  ConcurrencyLimit limit(flags.parallelism);
  workspace.OnRateLimited([&limit] { limit.OnThrottled(); });
  absl::Cleanup forget_limit = [&workspace] { workspace.OnRateLimited({}); };
  absl::StatusOr<Provider*> provider = workspace.OpenProvider();
  if (!provider.ok()) return workspace.Fail(provider.status());

  absl::Duration wait_timeout;
  if (!absl::ParseDuration(flags.wait_timeout, &wait_timeout) ||
      wait_timeout <= absl::ZeroDuration()) {
    return workspace.Fail(absl::InvalidArgumentError(absl::StrCat(
        "--wait-timeout \"", flags.wait_timeout,
        "\": expected a positive duration such as 15m or 90s")));
  }

  InterruptGuard guard;
  ApplyOptions options;
  // Only REST v2 answers a create or a start before the pod runs.
  options.wait.enabled = !flags.no_wait && workspace.api() == Api::kRest;
  options.wait.timeout = wait_timeout;
  options.parallelism = flags.parallelism;
  options.limit = &limit;
  options.interrupt = &g_interrupted;
  bool color = workspace.color();
  options.on_event = [&out, color](const StepEvent& e) {
    PrintEvent(out, color, e);
  };
  ApplyResult result = Apply(plan, config, workspace.secret_values(), &state,
                             &workspace.store(), *provider, options);

  int created = 0, changed = 0, destroyed = 0;
  for (const StepResult& step : result.steps) {
    if (step.outcome != StepOutcome::kSucceeded) continue;
    if (step.phase == Phase::kDestroy) {
      ++destroyed;
    } else if (step.action == Action::kCreate ||
               step.action == Action::kReplace) {
      ++created;
    } else {
      ++changed;
    }
  }
  if (!result.error.ok()) {
    workspace.err() << "podform: " << result.error.message() << "\n";
  }
  // What the lock file lacks goes to a file of its own, named here.
  std::string unrecorded_note;
  if (result.unrecorded) {
    absl::StatusOr<std::string> saved =
        SaveUnrecorded(workspace.UnrecordedBase(), state, absl::Now());
    if (saved.ok() && workspace.state_in_postgres()) {
      // The database keeps the intents written before each create: the
      // next apply settles those creates without this file.
      workspace.err() << "podform: what happened is saved in " << *saved
                      << " (a complete lock file), for reference: the next "
                         "apply settles the creates that "
                      << workspace.state_path()
                      << " lacks through their recorded intents\n";
      unrecorded_note = absl::StrCat(
          "The state does not record every step that happened; ", *saved,
          " does.\n");
    } else if (saved.ok()) {
      workspace.err() << "podform: what happened is saved in " << *saved
                      << " (a complete lock file): check it, then copy it "
                         "over "
                      << workspace.state_path()
                      << " before running podform again\n";
      unrecorded_note = absl::StrCat(
          "The lock file does not record every step that happened; ", *saved,
          " does.\n");
    } else {
      workspace.err() << "podform: " << saved.status().message()
                      << "; what happened, as a lock file:\n"
                      << SerializeState(state);
      unrecorded_note =
          "The lock file does not record every step that happened; the "
          "state printed above does.\n";
    }
  }
  if (result.ok()) {
    out << absl::StrFormat(
        "\nApply complete! Resources: %d added, %d changed, %d destroyed%s.\n",
        created, changed, destroyed, moved);
    return flags.detailed_exitcode ? 2 : 0;
  }
  if (result.steps.empty()) {  // stopped before its first step
    out << "\nNothing was applied.\n";
    return 1;
  }
  out << absl::StrFormat(
      "\nApply %s: %d succeeded, %d failed, %d skipped "
      "(%d added, %d changed, %d destroyed).\n",
      result.interrupted ? "interrupted" : "failed",
      result.Count(StepOutcome::kSucceeded), result.Count(StepOutcome::kFailed),
      result.Count(StepOutcome::kSkipped), created, changed, destroyed);
  for (const StepResult& step : result.steps) {
    if (step.outcome == StepOutcome::kFailed) {
      out << "  " << step.address.ToString() << ": " << step.detail << "\n";
    }
  }
  if (result.unrecorded) {
    out << unrecorded_note;
  } else {
    out << "The lock file records every step that happened; run podform "
           "plan to see what is left.\n";
  }
  return result.interrupted ? 130 : 1;
}

}  // namespace podform
