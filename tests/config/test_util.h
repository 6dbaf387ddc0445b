#ifndef PODFORM_TESTS_CONFIG_TEST_UTIL_H_
#define PODFORM_TESTS_CONFIG_TEST_UTIL_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reconciler/config/config.h"

namespace podform::testing {

// An environment holding exactly `variables`.
inline EnvLookup FakeEnv(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](
             const std::string& name) -> std::optional<std::string> {
    auto it = variables.find(name);
    if (it == variables.end()) return std::nullopt;
    return it->second;
  };
}

// Every diagnostic of `result`, formatted.
inline std::vector<std::string> Messages(const LoadResult& result) {
  std::vector<std::string> out;
  for (const Diagnostic& d : result.diagnostics) out.push_back(d.ToString());
  return out;
}

// Parses `text` as "podform.yaml" in an environment where only HF_TOKEN is
// set.
inline constexpr char kSecret[] = "hf_s3cr3t_value_never_printed";
inline LoadResult Parse(const std::string& text) {
  return ParseConfig("podform.yaml", text, FakeEnv({{"HF_TOKEN", kSecret}}));
}

}  // namespace podform::testing

#endif  // PODFORM_TESTS_CONFIG_TEST_UTIL_H_
