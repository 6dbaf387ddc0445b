#ifndef PODFORM_RECONCILER_CORE_WRITERS_H_
#define PODFORM_RECONCILER_CORE_WRITERS_H_

// The several-writers guard (docs/GUARDS.md): a network volume has no file
// locking, so two mounters writing the same files corrupt them. Every kind
// that mounts a volume lists its mounters here: pods (and, seen live while
// planning, unmanaged pods) and endpoints, an endpoint once per volume it
// mounts. Every worker of an endpoint is a writer, so a read-write endpoint
// whose workers.max exceeds 1 is several writers by itself.

#include <map>
#include <string>
#include <vector>

#include "reconciler/core/desired.h"

namespace podform {

// One thing that mounts a network volume.
struct VolumeMounter {
  std::string volume;  // key of the mounted volume (volume.KEY)
  // How messages name it: "pod.trainer", or for a pod podform does not
  // manage, "unmanaged pod ID \"NAME\"".
  std::string name;
  bool read_write = true;
  // Of its `volume:` in podform.yaml ("pods.trainer.volume"); "" and line
  // 0 when it is not in the config.
  std::string path = {};
  SourceLocation location = {};
  // How many may write at once: 1 for a pod, workers.max for an endpoint.
  int writers = 1;
};

// The config's mounters: each pod with a volume, then each endpoint once
// per volume it mounts, in address order.
std::vector<VolumeMounter> ConfigMounters(const Desired& config);

// The read-write mounters of each volume written by more than one writer
// (counting VolumeMounter::writers), in the order given, by volume key.
// A volume's list may hold a single endpoint.
std::map<std::string, std::vector<VolumeMounter>> SeveralWriters(
    const std::vector<VolumeMounter>& mounters);

// The one-line message for `volume` and its read-write `writers` (as
// SeveralWriters gives them): names each writer (with its line in the
// config when it has one, and an endpoint's workers) and says the safe
// pattern, e.g.
//   volume.models has 2 read-write mounters: pod.a (line 9), pod.b (line
//   14); files written by several at once are corrupted (a network volume
//   has no file locking): give each writer its own directory on the volume
//   and mount it read-only everywhere else (access: read-only)
std::string SeveralWritersMessage(const std::string& volume,
                                  const std::vector<VolumeMounter>& writers);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CORE_WRITERS_H_
