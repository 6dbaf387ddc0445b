#include "cmd/files.h"

#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "reconciler/plan/plan_file.h"
#include "reconciler/util/file.h"

namespace podform {
namespace {

struct Role {
  std::string what;  // "the lock file"
  std::string path;
  bool written;
};

}  // namespace

absl::Status CheckOwnFiles(const GlobalOptions& global,
                           const std::string& plan_out) {
  const std::string state = StatePath(global);
  absl::StatusOr<std::string> real_state = ResolveSymlinks(state);
  std::vector<Role> roles = {
      {"the config (--file)", global.file, false},
      {"the lock file", state, true},
      {"the lock file's lock", (real_state.ok() ? *real_state : state) + ".flock",
       true},
  };
  if (const std::string data = SandboxDataPath(global); !data.empty()) {
    roles.push_back({"the sandbox's data file", data, true});
    roles.push_back({"the sandbox's journal", data + ".journal", true});
    roles.push_back({"the sandbox's lock", data + ".flock", true});
  }
  if (!plan_out.empty()) roles.push_back({"--out", plan_out, true});
  for (size_t i = 0; i < roles.size(); ++i) {
    for (size_t j = i + 1; j < roles.size(); ++j) {
      if (!roles[i].written && !roles[j].written) continue;
      if (!SameFile(roles[i].path, roles[j].path)) continue;
      return absl::InvalidArgumentError(absl::StrCat(
          roles[j].what, " ", roles[j].path, " is ", roles[i].what, " (",
          roles[i].path, "); podform never writes over it"));
    }
  }
  if (!plan_out.empty()) {
    absl::StatusOr<std::string> existing = ReadFile(plan_out);
    if (existing.ok() && !IsPlanFile(*existing)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--out ", plan_out,
          " exists and is not a podform plan; podform never writes over "
          "it (remove it, or choose another file)"));
    }
    if (!existing.ok() && !absl::IsNotFound(existing.status())) {
      return existing.status();
    }
  }
  return absl::OkStatus();
}

}  // namespace podform
