#ifndef PODFORM_RECONCILER_PLAN_PLAN_FILE_H_
#define PODFORM_RECONCILER_PLAN_PLAN_FILE_H_

// The saved plan (`podform plan --out PLANFILE`, `podform apply PLANFILE`):
// the whole Plan, so that apply needs nothing else but the raw secret values,
// which it re-reads from the environment (through the config).
//
// Format (JSON, sorted keys, 2-space indent, trailing newline):
//   {"podform_plan": 2, "checksum": "sha256:<hex>", "lineage", "serial",
//    "config_digest", "destroy", "changes": [{"address", "action", "id",
//    "before", "after", "reasons", "replace_attributes", "destroys_data",
//    "depends_on", "destroy_depends_on", "live_fingerprint",
//    "secret_env_changes"}...],
//    "unmanaged": [{"kind", "id", "name"}...], "warnings": [...],
//    "cost": {"storage_monthly_before", ...}}
// before/after are ToAttributes objects (or null). Secret env keys are
// listed in "secretEnv" and have no entry in "env": the file holds no
// secret, nor any digest of one (nor accepts one).
// "checksum" is the SHA-256 of the compact JSON of everything else, so an
// edited file is refused. docs/PLAN_FORMAT.md describes the fields.

#include <string>

#include "absl/status/statusor.h"
#include "reconciler/plan/plan.h"

namespace podform {

// Never throws; strings that are not valid UTF-8 are written with U+FFFD in
// place of the bad bytes.
std::string SerializePlanFile(const Plan& plan);

// The plan in `text`, exactly as serialized. InvalidArgument whose message
// starts with "plan file" and names what is wrong when the text is not JSON
// (e.g. truncated), is not a podform plan, has a format version other than
// 2, has an unknown key, a missing or mistyped field, an unknown action or
// address, attributes that do not match the action, a value under a secret
// env key, a secret_env_changes key that is not a secret of "after",
// dependencies that name no change or form a cycle, or a checksum that does
// not match (edited by hand). Never throws.
absl::StatusOr<Plan> ParsePlanFile(const std::string& text);

// True when `text` is a JSON object with a "podform_plan" member: a plan
// file, of any format version, that `plan --out` may replace. Never throws.
bool IsPlanFile(const std::string& text);

}  // namespace podform

#endif  // PODFORM_RECONCILER_PLAN_PLAN_FILE_H_
