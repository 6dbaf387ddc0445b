#ifndef PODFORM_CMD_IMPORT_H_
#define PODFORM_CMD_IMPORT_H_

// `podform import ADDR ID` and `podform import --all` share one way of
// recording an adopted resource.

#include <string>

#include "absl/status/status.h"
#include "cmd/workspace.h"
#include "reconciler/config/config.h"
#include "reconciler/core/model.h"
#include "reconciler/state/state.h"

namespace podform {

// Records live resource `id` as `address` in `state` (in memory), as
// `config` declares it: what RunPod reports, completed from the config
// where RunPod reports nothing (a pod's data center and cloud type, a mount
// path where no volume is mounted, a volume's protection); a secret env
// key is only marked. Pods recorded earlier that mount volume `id` learn
// its address; endpoints learn the keys of those of their volumes the state
// records, in the order of their volume ids. NotFound when `live` has no
// such resource.
// REQUIRES: `config` declares `address`.
absl::Status RecordImport(const Config& config, const LiveState& live,
                          const Address& address, const std::string& id,
                          State* state);

// What `import --all` is asked to select.
struct ImportAllFlags {
  std::string only;  // "", "volume", "pod" or "endpoint"
  // An endpoint is in it when one of its data centers is (none: not in
  // any); a pod's is its volume's.
  std::string data_center;
  std::string name_regex;
  std::string out;  // --out FILE; "" = into --file
  bool dry_run = false;
};

// `podform import --all` (README: import --all): every volume, pod and
// endpoint (REST v2 only: over GraphQL none is read) the state does not
// manage, selected by `flags`, declared in --file (or --out) and recorded in
// the state. Errors: a config with errors, a state with unsettled creates,
// --only endpoint over GraphQL, a section that cannot take entries as text,
// and those of the state store and the provider.
absl::Status ImportAll(Workspace& workspace, const ImportAllFlags& flags);

}  // namespace podform

#endif  // PODFORM_CMD_IMPORT_H_
