#include "tests/e2e/harness.h"

#include <filesystem>

#include "gtest/gtest.h"

namespace podform::e2e {

using nlohmann::json;

std::string TestConfig::Yaml() const {
  std::string yaml =
      "version: 1\nvolumes:\n  models:\n    size: " + std::to_string(size) +
      "\n    dataCenter: EU-RO-1\n";
  if (pod) {
    yaml += "pods:\n  trainer:\n    image: " + image + "\n    gpuType: " + gpu +
            "\n    volume: models\n    ports: [8888/http, 22/tcp]\n" +
            "    env: {HF_HOME: /workspace/hf}\n    status: " + status + "\n";
    if (gpu_count != 1) {
      yaml += "    gpuCount: " + std::to_string(gpu_count) + "\n";
    }
  }
  return yaml;
}

json FindById(const json& list, const std::string& id) {
  for (const json& item : list) {
    if (item.value("id", "") == id) return item;
  }
  return nullptr;
}

size_t PositionOf(const std::string& haystack, const std::string& needle) {
  size_t at = haystack.find(needle);
  if (at == std::string::npos) {
    ADD_FAILURE() << "\"" << needle << "\" not found in:\n" << haystack;
  }
  return at;
}

// --- E2eTest ---

void E2eTest::WriteConfig(const std::string& yaml) const {
  WriteFileOrDie(Path("podform.yaml"), yaml);
}

bool E2eTest::LockExists() const { return std::filesystem::exists(LockPath()); }

std::string E2eTest::LockText() const { return ReadFileOrDie(LockPath()); }

json E2eTest::Lock() const {
  json parsed = json::parse(LockText(), nullptr, false);
  if (parsed.is_discarded()) {
    ADD_FAILURE() << LockPath() << " is not JSON:\n" << LockText();
    return json::object();
  }
  return parsed;
}

std::string E2eTest::LockId(const std::string& address) const {
  json lock = Lock();
  if (!lock.contains("resources") || !lock["resources"].contains(address)) {
    return "";
  }
  return lock["resources"][address].value("id", "");
}

}  // namespace podform::e2e
