#include "reconciler/plan/diff.h"

#include <algorithm>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace podform::plan_internal {
namespace {

std::string Drifted(std::string_view attribute, std::string_view live_value) {
  return absl::StrCat(std::string(attribute), " changed outside podform (was ",
                      std::string(live_value), " live)");
}

const char* StatusWord(bool running) { return running ? "running" : "stopped"; }

const char* AccessWord(bool read_only) {
  return read_only ? "read-only" : "read-write";
}

}  // namespace

bool SamePorts(const std::vector<std::string>& a,
               const std::vector<std::string>& b) {
  std::vector<std::string> sa = a, sb = b;
  std::sort(sa.begin(), sa.end());
  std::sort(sb.begin(), sb.end());
  return sa == sb;
}

Corrected CorrectVolume(const Resource& recorded, const LiveVolume& live) {
  Corrected out{recorded, {}};
  VolumeSpec& v = out.before.volume;
  if (!live.spec.name.empty() && live.spec.name != v.name) {
    out.drift.push_back(Drifted("name", live.spec.name));
    v.name = live.spec.name;
  }
  if (live.spec.size_gb > 0 && live.spec.size_gb != v.size_gb) {
    out.drift.push_back(Drifted("size", absl::StrCat(live.spec.size_gb)));
    v.size_gb = live.spec.size_gb;
  }
  if (!live.spec.data_center.empty() &&
      live.spec.data_center != v.data_center) {
    out.drift.push_back(Drifted("dataCenter", live.spec.data_center));
    v.data_center = live.spec.data_center;
  }
  // Reported by REST v2 only. A volume recorded without a type (none was
  // declared) takes the tier RunPod chose; that is no drift.
  if (!live.spec.type.empty() && live.spec.type != v.type) {
    if (!v.type.empty()) out.drift.push_back(Drifted("type", live.spec.type));
    v.type = live.spec.type;
  }
  return out;
}

void CorrectEnv(const std::map<std::string, std::string>& recorded_env,
                const std::set<std::string>& recorded_secret_env,
                const std::map<std::string, std::string>& live_env,
                const std::set<std::string>& desired_env_keys,
                const std::set<std::string>& desired_secret_env,
                std::map<std::string, std::string>* env,
                std::set<std::string>* secret_env,
                std::vector<std::string>* drift) {
  // The recorded and desired keys, as live has them; secrets marked.
  std::set<std::string> keys = desired_env_keys;
  for (const auto& [key, value] : recorded_env) keys.insert(key);
  keys.insert(recorded_secret_env.begin(), recorded_secret_env.end());
  std::set<std::string> secret = recorded_secret_env;
  secret.insert(desired_secret_env.begin(), desired_secret_env.end());
  env->clear();
  secret_env->clear();
  for (const std::string& key : keys) {
    auto live_it = live_env.find(key);
    const bool was_recorded = recorded_env.count(key) > 0 ||
                              recorded_secret_env.count(key) > 0;
    if (live_it == live_env.end()) {
      if (was_recorded) {
        drift->push_back(absl::StrCat("env.", key, " removed outside podform"));
      }
      continue;
    }
    const std::string& live_value = live_it->second;
    auto rec_it = recorded_env.find(key);
    if (!was_recorded) {
      drift->push_back(absl::StrCat("env.", key, " set outside podform"));
    } else if (rec_it != recorded_env.end() && live_value != rec_it->second) {
      // A key recorded plain that is now declared secret: its live value
      // may already be the secret.
      drift->push_back(
          secret.count(key) > 0
              ? absl::StrCat("env.", key, " changed outside podform (sensitive)")
              : Drifted(absl::StrCat("env.", key), live_value));
    }
    if (secret.count(key) > 0) {
      secret_env->insert(key);
    } else {
      (*env)[key] = live_value;
    }
  }
}

Corrected CorrectPod(const Resource& recorded, const LivePod& live,
                     const std::set<std::string>& desired_env_keys,
                     const std::set<std::string>& desired_secret_env) {
  Corrected out{recorded, {}};
  PodSpec& p = out.before.pod;
  const PodSpec& l = live.spec;
  if (!l.image.empty() && l.image != p.image) {
    out.drift.push_back(Drifted("image", l.image));
    p.image = l.image;
  }
  // An id: the provider reports live state in podform's vocabulary.
  if (!l.gpu_type.empty() && l.gpu_type != p.gpu_type) {
    out.drift.push_back(Drifted("gpuType", l.gpu_type));
    p.gpu_type = l.gpu_type;
  }
  // Reported by REST v2 only (empty over GraphQL); a pod placed by RunPod
  // without a data center in the config keeps whichever it got.
  if (!l.cloud_type.empty() && l.cloud_type != p.cloud_type) {
    out.drift.push_back(Drifted("cloudType", l.cloud_type));
    p.cloud_type = l.cloud_type;
  }
  if (!l.data_center.empty() && !p.data_center.empty() &&
      l.data_center != p.data_center) {
    out.drift.push_back(Drifted("dataCenter", l.data_center));
    p.data_center = l.data_center;
  }
  if (l.gpu_count > 0 && l.gpu_count != p.gpu_count) {
    out.drift.push_back(Drifted("gpuCount", absl::StrCat(l.gpu_count)));
    p.gpu_count = l.gpu_count;
  }
  if (!l.mount_path.empty() && l.mount_path != p.mount_path) {
    out.drift.push_back(Drifted("mountPath", l.mount_path));
    p.mount_path = l.mount_path;
  }
  if (l.container_disk_gb > 0 && l.container_disk_gb != p.container_disk_gb) {
    out.drift.push_back(
        Drifted("containerDiskGb", absl::StrCat(l.container_disk_gb)));
    p.container_disk_gb = l.container_disk_gb;
  }
  if (l.docker_args != p.docker_args) {
    out.drift.push_back(
        Drifted("dockerArgs", l.docker_args.empty() ? "empty" : l.docker_args));
    p.docker_args = l.docker_args;
  }
  if (!SamePorts(l.ports, p.ports)) {
    out.drift.push_back(Drifted(
        "ports", l.ports.empty() ? "none" : absl::StrJoin(l.ports, ",")));
    p.ports = l.ports;
  }
  bool running = live.Running();
  if (running != p.running) {
    out.drift.push_back(Drifted("status", StatusWord(running)));
    p.running = running;
  }

  CorrectEnv(recorded.pod.env, recorded.secret_env, l.env, desired_env_keys,
             desired_secret_env, &p.env, &out.before.secret_env, &out.drift);
  return out;
}

Diff DiffVolume(const Resource& before, const Resource& after,
                bool size_drifted) {
  Diff d;
  const std::string address = before.address.ToString();
  const VolumeSpec& b = before.volume;
  const VolumeSpec& a = after.volume;
  if (a.data_center != b.data_center) {
    d.replace_attributes.push_back("dataCenter");
    d.reasons.push_back("dataCenter forces replacement");
  }
  // Undeclared, any tier will do; unknown (recorded undeclared, and GraphQL
  // reports none), nothing can be compared.
  if (!a.type.empty() && !b.type.empty() && a.type != b.type) {
    d.replace_attributes.push_back("type");
    d.reasons.push_back(
        "type forces replacement (a volume's storage tier is set when it is "
        "created)");
  }
  if (!d.replace_attributes.empty()) {
    d.action = Action::kReplace;
    return d;
  }
  if (a.size_gb < b.size_gb) {
    if (size_drifted) {
      d.errors.push_back(absl::StrCat(
          address, ": size is ", b.size_gb,
          " GB live (grown outside podform) but ", a.size_gb,
          " GB in the configuration; RunPod volumes only grow: set size: ",
          b.size_gb));
    } else {
      d.errors.push_back(absl::StrCat(address, ": size cannot shrink from ",
                                      b.size_gb, " to ", a.size_gb,
                                      " GB (RunPod volumes only grow)"));
    }
    return d;
  }
  if (a.size_gb > b.size_gb) {
    d.reasons.push_back(absl::StrCat("size grows ", b.size_gb, " -> ",
                                     a.size_gb, " GB in place"));
  }
  if (a.name != b.name) {
    d.reasons.push_back(
        absl::StrCat("renamed ", b.name, " -> ", a.name, " in place"));
  }
  if (after.protect != before.protect) {
    d.reasons.push_back(absl::StrCat(
        "protect ", before.protect ? "true" : "false", " -> ",
        after.protect ? "true" : "false", " (recorded in the lock file only)"));
  }
  if (!d.reasons.empty()) d.action = Action::kUpdate;
  return d;
}

Diff DiffPod(const Resource& before, const Resource& after,
             const std::vector<std::string>& secret_env_changes,
             const std::string& volume_replaced_reason,
             bool resume_sets_gpu_count) {
  Diff d;
  const PodSpec& b = before.pod;
  const PodSpec& a = after.pod;
  auto force = [&](const char* attribute, std::string reason) {
    d.replace_attributes.push_back(attribute);
    d.reasons.push_back(std::move(reason));
  };
  auto force_plain = [&](const char* attribute) {
    force(attribute, absl::StrCat(attribute, " forces replacement"));
  };
  if (a.name != b.name) {
    force("name", "name forces replacement (RunPod cannot rename a pod)");
  }
  if (a.gpu_type != b.gpu_type) force_plain("gpuType");
  if (a.gpu_count != b.gpu_count) force_plain("gpuCount");
  if (a.cloud_type != b.cloud_type) force_plain("cloudType");
  if (a.data_center != b.data_center) force_plain("dataCenter");
  if (after.volume_key != before.volume_key) {
    force("volume",
          "volume forces replacement (a network volume is attached only when "
          "a pod is created)");
  } else if (!volume_replaced_reason.empty()) {
    force("networkVolumeId", volume_replaced_reason);
  } else if (a.network_volume_id != b.network_volume_id) {
    force_plain("networkVolumeId");
  }
  // podResume takes a GPU count: the pod stops, then resumes with it on
  // the same machine. A pod desired stopped keeps the replacement, since
  // the count changes only by starting the pod.
  if (resume_sets_gpu_count && a.running &&
      d.replace_attributes == std::vector<std::string>{"gpuCount"}) {
    d.replace_attributes.clear();
    d.reasons.clear();
    d.gpu_count_by_resume = true;
    d.action = Action::kUpdate;
    d.reasons.push_back(absl::StrCat(
        "gpuCount ", b.gpu_count, " -> ", a.gpu_count, " in place: ",
        b.running ? "stop, then resume" : "resume", " with ", a.gpu_count,
        a.gpu_count == 1 ? " GPU" : " GPUs",
        " on the same machine (podResume); if it has too few free GPUs, "
        "the pod is left stopped"));
  }
  if (!d.replace_attributes.empty()) {
    d.action = Action::kReplace;
    return d;
  }

  std::vector<std::string> edits;
  if (a.image != b.image) edits.push_back("image");
  if (a.env != b.env || after.secret_env != before.secret_env ||
      !secret_env_changes.empty()) {
    edits.push_back("env");
  }
  if (!SamePorts(a.ports, b.ports)) edits.push_back("ports");
  if (a.container_disk_gb != b.container_disk_gb) {
    edits.push_back("containerDiskGb");
  }
  if (a.docker_args != b.docker_args) edits.push_back("dockerArgs");
  if (a.mount_path != b.mount_path) edits.push_back("mountPath");
  bool status_changes = a.running != b.running;
  if (!edits.empty()) {
    d.action = Action::kUpdate;
    // RunPod applies an edit by restarting the container; a new image or
    // env may give it a fresh container disk.
    const bool resets = absl::c_linear_search(edits, "image") ||
                        absl::c_linear_search(edits, "env");
    d.reasons.push_back(absl::StrCat(
        "updates ", absl::StrJoin(edits, ", "),
        " in place (restarts the container",
        resets ? "; a new image or env may reset it: only what is on a volume "
                 "is sure to survive)"
               : ")"));
    if (status_changes) {
      d.reasons.push_back(absl::StrCat(
          "status ", StatusWord(b.running), " -> ", StatusWord(a.running),
          " after the edit (then ", a.running ? "started" : "stopped", ")"));
    }
  } else if (d.gpu_count_by_resume) {
    if (status_changes) {
      d.reasons.push_back(absl::StrCat("status ", StatusWord(b.running),
                                       " -> ", StatusWord(a.running)));
    }
  } else if (status_changes) {
    d.action = a.running ? Action::kResume : Action::kStop;
    d.reasons.push_back(absl::StrCat("status ", StatusWord(b.running), " -> ",
                                     StatusWord(a.running)));
  }
  if (after.read_only != before.read_only) {
    // Like a volume's protect: podform's record only, nothing to send.
    if (d.action == Action::kNoOp) d.action = Action::kUpdate;
    d.reasons.push_back(absl::StrCat(
        "access ", AccessWord(before.read_only), " -> ",
        AccessWord(after.read_only),
        " (recorded in the lock file only; RunPod does not enforce it)"));
  }
  return d;
}

}  // namespace podform::plan_internal
