#include "reconciler/config/writers.h"

#include "absl/strings/str_cat.h"

namespace podform {

std::vector<VolumeMounter> ConfigMounters(const Config& config) {
  std::vector<VolumeMounter> out;
  for (const auto& [key, pod] : config.pods) {
    if (pod.volume.empty()) continue;
    out.push_back({pod.volume, absl::StrCat("pod.", key), !pod.read_only,
                   absl::StrCat("pods.", key, ".volume"),
                   pod.volume_location});
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
    return entry.second.size() < 2;
  });
  return writers;
}

std::string SeveralWritersMessage(const std::string& volume,
                                  const std::vector<VolumeMounter>& writers) {
  std::string names;
  for (const VolumeMounter& w : writers) {
    absl::StrAppend(&names, names.empty() ? "" : ", ", w.name);
    if (w.location.line > 0) {
      absl::StrAppend(&names, " (line ", w.location.line, ")");
    }
  }
  return absl::StrCat(
      "volume.", volume, " has ", writers.size(), " read-write mounters: ",
      names,
      "; files written by several at once are corrupted (a network volume "
      "has no file locking): give each writer its own directory on the "
      "volume and mount it read-only everywhere else (access: read-only)");
}

}  // namespace podform
