#ifndef PODFORM_RECONCILER_STATE_SERIALIZE_H_
#define PODFORM_RECONCILER_STATE_SERIALIZE_H_

// The podform.lock format (DESIGN.md "Lock file"), version 1:
//
//   {
//     "deposed": {                       <- only while a replaced pod is left
//       "pod.x": [{"attributes": {...}, "id": "..."}]  (sorted by id)
//     },
//     "intents": {                       <- only while a create is unfinished
//       "pod.x": {"attributes": {...}, "dataCenter": "...", "name": "...",
//                 "startedAt": "..."}
//     },
//     "lineage": "<uuid>",
//     "resources": {
//       "pod.trainer": {"attributes": {...}, "id": "..."},
//       "volume.models": {"attributes": {...}, "id": "...", "protect": true}
//     },
//     "serial": 3,
//     "target": {"account": "user_...", "endpoint": "https://..."},
//     "version": 1
//   }
//
// "target" (State::target, core/target.h) and an intent's "attributes"
// (what the config declared when the create was sent) are absent from lock
// files of older podforms, which still load: the target is recorded on the
// next write; an intent without attributes is settled from the config.
// "target" is omitted while it is empty, and "account" while it is unknown.
// "deposed" (State::deposed) is omitted while there is none, so that lock
// files without one are byte for byte what older podforms wrote; an older
// podform refuses a lock file that has one (an unknown field) rather than
// lose track of a pod that is still billed.
//
// JSON with keys sorted, 2-space indent and a trailing newline, so that a git
// diff shows exactly what changed. "attributes" is ToAttributes() of the
// resource (core/resource.h); a volume's "protect" is mirrored at the
// resource level and must agree with attributes.protect.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "reconciler/state/state.h"

namespace podform {

// The lock file's bytes for `state`. Deterministic: equal states give equal
// bytes. Each resource is written under its map key's address. Strings that
// are not valid UTF-8 have the offending bytes replaced by U+FFFD (the lock
// file is always valid JSON).
std::string SerializeState(const State& state);

// SerializeState for a state that changes a few entries at a time, as it
// does during apply (the lock file is rewritten after every step): each
// resource's and intent's rendered text is kept with the value it was
// rendered from and rendered again only when that value changes, so a write
// costs a comparison per entry and one concatenation, not a JSON tree of the
// whole state. Serialize(state, serial) == SerializeState(state with
// `serial`), byte for byte.
class StateSerializer {
 public:
  std::string Serialize(const State& state, int64_t serial);

  // Entries rendered since construction (a cache miss each): for tests.
  size_t renders() const { return renders_; }

 private:
  template <typename Value>
  struct Rendered {
    Value value;
    std::string text;  // `    "ADDRESS": {...}` as it appears in the file
  };
  template <typename Value>
  using Cache = std::map<Address, Rendered<Value>>;

  template <typename Value, typename Render>
  void Sync(const std::map<Address, Value>& values, Cache<Value>* cache,
            const Render& render);

  Cache<ResourceState> resources_;
  Cache<CreateIntent> intents_;
  Cache<std::vector<ResourceState>> deposed_;
  size_t renders_ = 0;
};

// Parses lock-file bytes. `path_for_messages` names the file in errors, which
// read "PATH: ..." and say what is wrong and where:
//   - FailedPrecondition: written by a newer podform (version > 1);
//   - InvalidArgument: empty, not JSON (with line and column), nested too
//     deeply, a field missing, of the wrong type or unknown, a bad resource
//     address, an attribute that is not in canonical form (e.g. a float where
//     an integer belongs), a volume's "protect" disagreeing with its
//     attributes, a version below 1.
// Never throws. ParseState(SerializeState(s)) == s for every state whose
// resources and intents are keyed by their own address and whose resources
// hold only their kind's fields (what ToAttributes records).
absl::StatusOr<State> ParseState(const std::string& text,
                                 const std::string& path_for_messages);

}  // namespace podform

#endif  // PODFORM_RECONCILER_STATE_SERIALIZE_H_
