#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "reconciler/config/drafts.h"
#include "reconciler/config/suggest.h"
#include "reconciler/core/writers.h"
#include "reconciler/core/catalog.h"

namespace podform {
namespace {

std::string DidYouMean(const std::optional<std::string>& suggestion) {
  return suggestion.has_value()
             ? absl::StrCat(" (did you mean \"", *suggestion, "\"?)")
             : std::string();
}

void WarnUnknownDataCenter(const std::string& path, const std::string& id,
                           SourceLocation location, Diagnostics& diagnostics) {
  if (id.empty() || FindDataCenter(id) != nullptr) return;
  std::vector<std::string_view> known;
  for (const DataCenterInfo& dc : KnownDataCenters()) known.push_back(dc.id);
  std::optional<std::string> suggestion = SuggestCatalogId(id, known);
  diagnostics.Warning(
      location,
      absl::StrCat(path, ": unknown data center \"", id, "\"",
                   suggestion.has_value()
                       ? DidYouMean(suggestion)
                       : " (not in podform's catalog; RunPod may have added "
                         "it)"));
}

void WarnUnknownGpuType(const PodDraft& pod, Diagnostics& diagnostics) {
  const std::string& id = pod.spec.gpu_type;
  if (id.empty() || FindGpuType(id) != nullptr) return;
  std::optional<std::string> suggestion;
  if (const GpuTypeInfo* gpu = FindGpuTypeByDisplayName(id)) {
    suggestion = std::string(gpu->id);
  } else {
    std::vector<std::string_view> ids, display_names;
    for (const GpuTypeInfo& gpu : KnownGpuTypes()) {
      ids.push_back(gpu.id);
      display_names.push_back(gpu.display_name);
    }
    suggestion = SuggestCatalogId(id, ids);
    if (!suggestion.has_value()) {
      if (auto name = SuggestCatalogId(id, display_names)) {
        suggestion = std::string(FindGpuTypeByDisplayName(*name)->id);
      }
    }
  }
  diagnostics.Warning(
      pod.gpu_type_location,
      absl::StrCat(pod.path, ".gpuType: unknown GPU type \"", id, "\"",
                   suggestion.has_value()
                       ? DidYouMean(suggestion)
                       : " (not in podform's catalog; RunPod may have added "
                         "it)"));
}

// Reports a RunPod name used twice within one kind, at the later use.
struct NameUse {
  std::string path;  // of the resource
  std::string name;
  bool explicit_name;
  SourceLocation location;  // of the name, else of the key
};

void CheckUniqueNames(const std::vector<NameUse>& uses, const std::string& kind,
                      Diagnostics& diagnostics) {
  std::map<std::string, const NameUse*> first;
  for (const NameUse& use : uses) {
    if (use.name.empty()) continue;
    auto [it, inserted] = first.emplace(use.name, &use);
    if (inserted) continue;
    diagnostics.Error(
        use.location,
        absl::StrCat(
            use.explicit_name ? absl::StrCat(use.path, ".name") : use.path,
            ": RunPod name \"", use.name, "\" is already used by ",
            it->second->path, " at line ", it->second->location.line,
            "; names must be unique among ", kind));
  }
}

}  // namespace

void CheckReferences(Drafts& drafts, Diagnostics& diagnostics) {
  std::map<std::string, const VolumeDraft*> volumes;
  std::vector<std::string_view> volume_keys;
  for (const std::string& key : drafts.volume_keys) volume_keys.push_back(key);
  for (const VolumeDraft& volume : drafts.volumes) {
    volumes.emplace(volume.key, &volume);
  }

  for (PodDraft& pod : drafts.pods) {
    if (pod.volume.empty()) continue;
    if (pod.spec.cloud_type == "COMMUNITY") {
      diagnostics.Error(
          pod.cloud_type_location,
          absl::StrCat(pod.path,
                       ".cloudType: COMMUNITY pods cannot mount a network "
                       "volume; use SECURE or remove \"volume\""));
    }
    if (drafts.volume_keys.count(pod.volume) == 0) {
      diagnostics.Error(
          pod.volume_location,
          absl::StrCat(pod.path, ".volume: \"", pod.volume,
                       "\" is not a key under volumes",
                       DidYouMean(SuggestClosest(pod.volume, volume_keys))));
      continue;
    }
    auto it = volumes.find(pod.volume);
    if (it == volumes.end()) continue;
    const std::string& volume_dc = it->second->spec.data_center;
    if (volume_dc.empty()) continue;  // the volume's own problem
    if (!pod.has_data_center) {
      pod.spec.data_center = volume_dc;
    } else if (!pod.spec.data_center.empty() &&
               pod.spec.data_center != volume_dc) {
      diagnostics.Error(
          pod.data_center_location,
          absl::StrCat(pod.path, ".dataCenter: \"", pod.spec.data_center,
                       "\" differs from the data center of volumes.",
                       pod.volume, " (\"", volume_dc,
                       "\"); a pod must be in its volume's data center"));
    }
  }

  std::vector<NameUse> volume_names, pod_names;
  for (const VolumeDraft& volume : drafts.volumes) {
    volume_names.push_back(
        {volume.path, volume.spec.name, volume.has_name,
         volume.has_name ? volume.name_location : volume.location});
  }
  for (const PodDraft& pod : drafts.pods) {
    pod_names.push_back({pod.path, pod.spec.name, pod.has_name,
                         pod.has_name ? pod.name_location : pod.location});
  }
  CheckUniqueNames(volume_names, "volumes", diagnostics);
  CheckUniqueNames(pod_names, "pods", diagnostics);

  WarnUnknownDataCenter("defaults.dataCenter", drafts.default_data_center,
                        drafts.default_data_center_location, diagnostics);
  for (const VolumeDraft& volume : drafts.volumes) {
    if (!volume.has_data_center) continue;
    WarnUnknownDataCenter(volume.path + ".dataCenter", volume.spec.data_center,
                          volume.data_center_location, diagnostics);
  }
  for (const PodDraft& pod : drafts.pods) {
    if (pod.has_data_center) {
      WarnUnknownDataCenter(pod.path + ".dataCenter", pod.spec.data_center,
                            pod.data_center_location, diagnostics);
    }
    WarnUnknownGpuType(pod, diagnostics);
  }
}

void CheckWriters(const Drafts& drafts, bool strict, Diagnostics& diagnostics) {
  std::vector<VolumeMounter> mounters;
  for (const PodDraft& pod : drafts.pods) {
    if (pod.volume.empty() || drafts.volume_keys.count(pod.volume) == 0) {
      continue;
    }
    mounters.push_back({pod.volume, absl::StrCat("pod.", pod.key),
                        !pod.read_only, absl::StrCat(pod.path, ".volume"),
                        pod.volume_location});
  }
  for (const EndpointDraft& endpoint : drafts.endpoints) {
    for (const std::string& volume : endpoint.volumes) {
      if (drafts.volume_keys.count(volume) == 0) continue;
      mounters.push_back(
          {volume, absl::StrCat("endpoint.", endpoint.key), !endpoint.read_only,
           absl::StrCat(endpoint.path, ".volumes"), endpoint.volumes_location,
           std::max(1, endpoint.spec.workers_max)});
    }
  }
  for (const auto& [volume, writers] : SeveralWriters(mounters)) {
    // At the mount that made it several (an endpoint with several workers
    // is several by itself).
    const VolumeMounter& several =
        writers[0].writers > 1 || writers.size() < 2 ? writers[0] : writers[1];
    SourceLocation at = several.location;
    std::string message = absl::StrCat(several.path, ": ",
                                       SeveralWritersMessage(volume, writers));
    if (strict) {
      diagnostics.Error(at, absl::StrCat(message,
                                         " (an error with --strict or "
                                         "guards.strict)"));
    } else {
      diagnostics.Warning(at, std::move(message));
    }
  }
}

}  // namespace podform
