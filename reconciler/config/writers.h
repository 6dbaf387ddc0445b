#ifndef PODFORM_RECONCILER_CONFIG_WRITERS_H_
#define PODFORM_RECONCILER_CONFIG_WRITERS_H_

// The several-writers guard (docs/GUARDS.md): a network volume has no file
// locking, so two mounters writing the same files corrupt them. Every kind
// that mounts a volume lists its mounters here; today pods (and, seen live
// while planning, unmanaged pods). Endpoints will add theirs, each counted
// read-write when its max workers exceed 1 (every worker is a writer).

#include <map>
#include <string>
#include <vector>

#include "reconciler/config/config.h"

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
};

// The config's mounters: each pod with a volume, in address order.
std::vector<VolumeMounter> ConfigMounters(const Config& config);

// The read-write mounters of each volume that has more than one, in the
// order given, by volume key.
std::map<std::string, std::vector<VolumeMounter>> SeveralWriters(
    const std::vector<VolumeMounter>& mounters);

// The one-line message for `volume` and its read-write `writers` (at least
// two): names each writer (with its line in the config when it has one)
// and says the safe pattern, e.g.
//   volume.models has 2 read-write mounters: pod.a (line 9), pod.b (line
//   14); files written by several at once are corrupted (a network volume
//   has no file locking): give each writer its own directory on the volume
//   and mount it read-only everywhere else (access: read-only)
std::string SeveralWritersMessage(const std::string& volume,
                                  const std::vector<VolumeMounter>& writers);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CONFIG_WRITERS_H_
