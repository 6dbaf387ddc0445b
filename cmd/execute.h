#ifndef PODFORM_CMD_EXECUTE_H_
#define PODFORM_CMD_EXECUTE_H_

// Carrying out a plan from the command line: confirmation, progress lines,
// Ctrl-C, the summary and the exit code. Shared by apply and destroy.

#include "cmd/planning.h"
#include "cmd/workspace.h"

namespace podform {

struct ExecuteFlags {
  bool auto_approve = false;
  int parallelism = 8;
  bool no_wait = false;              // --no-wait
  std::string wait_timeout = "15m";  // --wait-timeout (absl duration)
  bool detailed_exitcode = false;    // apply --detailed-exitcode
};

// Declares --auto-approve, --parallelism, --no-wait and --wait-timeout on
// `command`.
void AddExecuteFlags(CLI::App* command, ExecuteFlags* flags);

// Applies `plan` to `state` (which must hold the lock file's contents, and
// the caller the lock). When `confirm`, asks for "yes" on a terminal, or
// refuses without --auto-approve when there is none. Returns the exit code:
// 0 done (or nothing to do), 1 a step failed or was refused, 130 when
// interrupted by SIGINT/SIGTERM; with flags.detailed_exitcode, 2 instead of
// 0 when changes were applied. The secret values sent are
// workspace.secret_values().
int ExecutePlan(Workspace& workspace, const Config& config, State state,
                const Plan& plan, const ExecuteFlags& flags, bool confirm);

// The whole of `podform apply` without a plan file (and, with `destroy`, of
// `podform destroy`): takes the lock, plans, shows the plan, asks, applies.
int PlanAndApply(const CommandContext& context, const PlanFlags& plan_flags,
                 const ExecuteFlags& execute, bool destroy);

// Takes the lock file's lock for `command`, or prints who holds it.
absl::StatusOr<std::unique_ptr<StateLock>> TakeLock(Workspace& workspace,
                                                    const std::string& command);

}  // namespace podform

#endif  // PODFORM_CMD_EXECUTE_H_
