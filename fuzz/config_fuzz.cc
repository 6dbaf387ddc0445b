// libFuzzer target for the podform.yaml loader: ParseConfig must never crash
// or throw on any bytes, and what it returns must keep its contract:
//   - a Config iff no diagnostic is an error; every diagnostic names the
//     file, and an error has a message;
//   - a ${env:NAME} value is a secret: it never appears in a diagnostic
//     unless the input itself spells it out, and an accepted pod holds it
//     only in secret_values, under a key listed in secret_env, never in its
//     env;
//   - an accepted config's references hold: a pod's volume is a declared
//     volume, and every address key is the map key.
// The environment is fixed (EnvLookup below), so every crash reproduces.
//
// Seeds: fuzz/corpus/config_fuzz/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "reconciler/config/config.h"

namespace {

constexpr char kSecret[] = "fuzz-secret-V4LUE";

std::optional<std::string> FixedEnv(const std::string& name) {
  if (name == "HF_TOKEN" || name == "SECRET") return std::string(kSecret);
  if (name == "EMPTY") return std::string();
  return std::nullopt;
}

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "config_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const podform::LoadResult result =
      podform::ParseConfig("podform.yaml", text, FixedEnv);
  const bool input_has_secret = text.find(kSecret) != std::string::npos;
  bool has_error = false;
  for (const podform::Diagnostic& d : result.diagnostics) {
    if (d.severity == podform::Diagnostic::Severity::kError) {
      has_error = true;
      if (d.message.empty()) Fail("error without a message", d.ToString());
    }
    if (d.file != "podform.yaml") Fail("diagnostic names another file", d.file);
    const std::string shown = d.ToString();
    if (shown.rfind("podform.yaml", 0) != 0) {
      Fail("diagnostic does not start with the file", shown);
    }
    if (!input_has_secret && shown.find(kSecret) != std::string::npos) {
      Fail("a secret value appears in a diagnostic", shown);
    }
  }
  if (result.config.has_value() == has_error) {
    Fail("config present iff no error is violated",
         result.config.has_value() ? "config with errors" : "no config, no error");
  }
  if (!result.config.has_value()) return 0;
  const podform::Config& config = *result.config;
  for (const auto& [key, volume] : config.volumes) {
    if (volume.key != key) Fail("volume key mismatch", key);
  }
  for (const auto& [key, pod] : config.pods) {
    if (pod.key != key) Fail("pod key mismatch", key);
    if (!pod.volume.empty() && config.volumes.count(pod.volume) == 0) {
      Fail("pod mounts an undeclared volume", key + " -> " + pod.volume);
    }
    for (const auto& [name, value] : pod.spec.env) {
      if (value == kSecret && !input_has_secret) {
        Fail("a secret value is in the config's env", key + "." + name);
      }
    }
    const std::map<std::string, std::string>& secrets =
        result.secret_values.EnvAt({podform::Kind::kPod, key});
    for (const std::string& name : pod.secret_env) {
      if (secrets.count(name) == 0) {
        Fail("secret_env names a key that has no secret value",
             key + "." + name);
      }
    }
  }
  return 0;
}
