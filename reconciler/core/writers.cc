#include "reconciler/core/writers.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace podform {

std::vector<VolumeMounter> ConfigMounters(const Desired& config) {
  std::vector<VolumeMounter> out;
  for (const auto& [key, pod] : config.pods) {
    if (pod.volume.empty()) continue;
    out.push_back({pod.volume, absl::StrCat("pod.", key), !pod.read_only,
                   absl::StrCat("pods.", key, ".volume"),
                   pod.volume_location});
  }
  for (const auto& [key, endpoint] : config.endpoints) {
    for (const std::string& volume : endpoint.volumes) {
      out.push_back(
          {volume, absl::StrCat("endpoint.", key), !endpoint.read_only,
           absl::StrCat("endpoints.", key, ".volumes"),
           endpoint.volumes_location, std::max(1, endpoint.spec.workers_max)});
    }
  }
  return out;
}

std::map<std::string, std::vector<VolumeMounter>> SeveralWriters(
    const std::vector<VolumeMounter>& mounters) {
  std::map<std::string, std::vector<VolumeMounter>> writers;
  for (const VolumeMounter& m : mounters) {
    if (m.read_write) writers[m.volume].push_back(m);
  }
  std::erase_if(writers, [](const auto& entry) {
    int count = 0;
    for (const VolumeMounter& m : entry.second) count += m.writers;
    return count < 2;
  });
  return writers;
}

std::string SeveralWritersMessage(const std::string& volume,
                                  const std::vector<VolumeMounter>& writers) {
  std::string names;
  bool workers = false;
  for (const VolumeMounter& w : writers) {
    absl::StrAppend(&names, names.empty() ? "" : ", ", w.name);
    std::vector<std::string> notes;
    if (w.location.line > 0) {
      notes.push_back(absl::StrCat("line ", w.location.line));
    }
    if (w.writers > 1) {
      workers = true;
      notes.push_back(absl::StrCat("up to ", w.writers, " workers"));
    }
    if (!notes.empty()) {
      absl::StrAppend(&names, " (", absl::StrJoin(notes, ", "), ")");
    }
  }
  return absl::StrCat(
      "volume.", volume, " has ",
      workers ? absl::StrCat(writers.size(), " read-write mounter",
                             writers.size() == 1 ? "" : "s",
                             " with several writers")
              : absl::StrCat(writers.size(), " read-write mounters"),
      ": ", names,
      "; files written by several at once are corrupted (a network volume "
      "has no file locking): give each writer its own directory on the "
      "volume and mount it read-only everywhere else (access: read-only)");
}

}  // namespace podform
