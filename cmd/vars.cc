#include "cmd/vars.h"

#include <cstdlib>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "reconciler/config/env_reference.h"
#include "reconciler/util/file.h"
#include "yaml-cpp/yaml.h"

namespace podform {
namespace {

using Values = std::map<std::string, std::string>;

// Adds the mapping in `path` to `values`, replacing what is there.
absl::Status ReadVarFile(const std::string& path, Values* values) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return absl::InvalidArgumentError(text.status().message());
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("--var-file ", path, ": not valid YAML: ", e.what()));
  }
  if (root.IsNull()) return absl::OkStatus();
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--var-file ", path, ": expected a mapping of names to values"));
  }
  for (const auto& pair : root) {
    const YAML::Node& key = pair.first;
    const YAML::Node& value = pair.second;
    const int line = key.Mark().line + 1;
    if (!key.IsScalar() || !IsEnvVariableName(key.Scalar())) {
      return absl::InvalidArgumentError(
          absl::StrCat("--var-file ", path, ":", line,
                       ": a name must match [A-Za-z_][A-Za-z0-9_]*"));
    }
    if (!value.IsScalar()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--var-file ", path, ":", line, ": ", key.Scalar(),
                       ": expected a string, a number or a boolean"));
    }
    (*values)[key.Scalar()] = value.Scalar();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<EnvLookup> VarLookup(const GlobalOptions& global) {
  auto values = std::make_shared<Values>();
  for (const std::string& path : global.var_files) {
    absl::Status read = ReadVarFile(path, values.get());
    if (!read.ok()) return read;
  }
  for (const std::string& assignment : global.vars) {
    const size_t equals = assignment.find('=');
    const std::string name = assignment.substr(0, equals);
    if (equals == std::string::npos || !IsEnvVariableName(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--var \"", assignment,
                       "\": expected NAME=VALUE, NAME matching "
                       "[A-Za-z_][A-Za-z0-9_]*"));
    }
    (*values)[name] = assignment.substr(equals + 1);
  }
  return EnvLookup(
      [values](const std::string& name) -> std::optional<std::string> {
        if (auto it = values->find(name); it != values->end()) {
          return it->second;
        }
        const std::string variable = "PODFORM_VAR_" + name;
        if (const char* value = std::getenv(variable.c_str())) {
          return std::string(value);
        }
        return std::nullopt;
      });
}

}  // namespace podform
