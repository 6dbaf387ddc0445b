// The endpoint half of diff.h: drift of a recorded endpoint and the change
// from one endpoint's attributes to another's.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/plan/diff.h"

namespace podform::plan_internal {
namespace {

std::string Drifted(std::string_view attribute, std::string_view live_value) {
  return absl::StrCat(std::string(attribute), " changed outside podform (was ",
                      std::string(live_value), " live)");
}

std::string ListWord(const std::vector<std::string>& list) {
  return list.empty() ? "none" : absl::StrJoin(list, ",");
}

std::string ScalingWord(const EndpointSpec& e) {
  return absl::StrCat(e.scaler_type == kScalerRequestCount ? "requestCount "
                                                           : "queueDelay ",
                      e.scaler_value);
}

}  // namespace

bool SameSet(const std::vector<std::string>& a,
             const std::vector<std::string>& b) {
  std::vector<std::string> sa = a, sb = b;
  std::sort(sa.begin(), sa.end());
  std::sort(sb.begin(), sb.end());
  return sa == sb;
}

Corrected CorrectEndpoint(const Resource& recorded, const LiveEndpoint& live,
                          const std::set<std::string>& desired_env_keys,
                          const std::set<std::string>& desired_secret_env) {
  Corrected out{recorded, {}};
  EndpointSpec& e = out.before.endpoint;
  const EndpointSpec& l = live.spec;
  auto text = [&](const char* attribute, std::string* field,
                  const std::string& value) {
    if (!value.empty() && value != *field) {
      out.drift.push_back(Drifted(attribute, value));
      *field = value;
    }
  };
  auto set = [&](const char* attribute, std::vector<std::string>* field,
                 const std::vector<std::string>& value, bool always) {
    if ((always || !value.empty()) && !SameSet(value, *field)) {
      out.drift.push_back(Drifted(attribute, ListWord(value)));
      *field = value;
    }
  };
  auto number = [&](const char* attribute, auto* field, auto value,
                    bool always) {
    if ((always || value > 0) && value != *field) {
      out.drift.push_back(Drifted(attribute, absl::StrCat(value)));
      *field = value;
    }
  };
  text("name", &e.name, l.name);
  text("image", &e.image, l.image);
  text("type", &e.type, l.type);
  set("gpuPools", &e.gpu_pools, l.gpu_pools, false);
  number("gpuCount", &e.gpu_count, l.gpu_count, false);
  number("workersMin", &e.workers_min, l.workers_min, true);
  number("workersMax", &e.workers_max, l.workers_max, true);
  number("idleTimeout", &e.idle_timeout, l.idle_timeout, true);
  if (!l.scaler_type.empty() &&
      (l.scaler_type != e.scaler_type || l.scaler_value != e.scaler_value)) {
    out.drift.push_back(Drifted("scaling", ScalingWord(l)));
    e.scaler_type = l.scaler_type;
    e.scaler_value = l.scaler_value;
  }
  set("networkVolumeIds", &e.network_volume_ids, l.network_volume_ids, true);
  set("dataCenters", &e.data_centers, l.data_centers, false);
  number("timeoutMs", &e.timeout_ms, l.timeout_ms, false);
  text("flashboot", &e.flashboot, l.flashboot);
  CorrectEnv(recorded.endpoint.env, recorded.secret_env, l.env,
             desired_env_keys, desired_secret_env, &e.env,
             &out.before.secret_env, &out.drift);
  return out;
}

Diff DiffEndpoint(const Resource& before, const Resource& after,
                  const std::vector<std::string>& secret_env_changes,
                  const std::string& volume_replaced_reason,
                  const std::string& volume_recreated_reason) {
  Diff d;
  const EndpointSpec& b = before.endpoint;
  const EndpointSpec& a = after.endpoint;
  if (a.type != b.type) {
    d.replace_attributes.push_back("type");
    d.reasons.push_back(absl::StrCat(
        "type ", b.type, " -> ", a.type,
        " forces replacement (RunPod cannot change an endpoint's type; the "
        "new endpoint has a new id and URL)"));
  }
  if (!volume_replaced_reason.empty()) {
    d.replace_attributes.push_back("volumes");
    d.reasons.push_back(volume_replaced_reason);
  }
  if (!d.replace_attributes.empty()) {
    d.action = Action::kReplace;
    return d;
  }
  std::vector<std::string> edits;
  if (a.name != b.name) edits.push_back("name");
  if (a.image != b.image) edits.push_back("image");
  if (a.env != b.env || after.secret_env != before.secret_env ||
      !secret_env_changes.empty()) {
    edits.push_back("env");
  }
  if (!SameSet(a.gpu_pools, b.gpu_pools)) edits.push_back("gpuPools");
  if (a.gpu_count != b.gpu_count) edits.push_back("gpuCount");
  if (a.workers_min != b.workers_min) edits.push_back("workersMin");
  if (a.workers_max != b.workers_max) edits.push_back("workersMax");
  if (a.idle_timeout != b.idle_timeout) edits.push_back("idleTimeout");
  if (a.scaler_type != b.scaler_type || a.scaler_value != b.scaler_value) {
    edits.push_back("scaling");
  }
  const bool volume_ids_differ =
      !a.network_volume_ids.empty() &&
      !SameSet(a.network_volume_ids, b.network_volume_ids);
  if (after.volume_keys != before.volume_keys || volume_ids_differ ||
      !volume_recreated_reason.empty()) {
    edits.push_back("volumes");
  }
  if (!SameSet(a.data_centers, b.data_centers)) {
    edits.push_back("dataCenters");
  }
  if (a.timeout_ms != b.timeout_ms) edits.push_back("timeoutMs");
  if (a.flashboot != b.flashboot) edits.push_back("flashboot");
  if (!edits.empty()) {
    d.action = Action::kUpdate;
    const bool release = absl::c_linear_search(edits, "image") ||
                         absl::c_linear_search(edits, "env");
    d.reasons.push_back(absl::StrCat(
        "updates ", absl::StrJoin(edits, ", "), " in place",
        release ? " (a new release: workers pick it up as they cycle; "
                  "running jobs finish on the old one)"
                : ""));
    if (!volume_recreated_reason.empty()) {
      d.reasons.push_back(volume_recreated_reason);
    }
  }
  if (after.read_only != before.read_only) {
    if (d.action == Action::kNoOp) d.action = Action::kUpdate;
    d.reasons.push_back(absl::StrCat(
        "access ", before.read_only ? "read-only" : "read-write", " -> ",
        after.read_only ? "read-only" : "read-write",
        " (recorded in the lock file only; RunPod does not enforce it)"));
  }
  return d;
}

}  // namespace podform::plan_internal
