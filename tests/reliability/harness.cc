#include "tests/reliability/harness.h"

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>
#include <utility>

#include "gtest/gtest.h"
#include "reconciler/client/curl_transport.h"

namespace podform::reliability {

using nlohmann::json;

// --- Counting, fleets, intents ---

LiveCounts CountNames(const json& live) {
  LiveCounts counts;
  for (const json& v : live.value("networkVolumes", json::array())) {
    ++counts.volumes[v.value("name", "")];
  }
  for (const json& p : live.value("pods", json::array())) {
    ++counts.pods[p.value("name", "")];
  }
  for (const json& e : live.value("endpoints", json::array())) {
    ++counts.endpoints[e.value("name", "")];
  }
  return counts;
}

std::ostream& operator<<(std::ostream& os, const LiveCounts& c) {
  os << "volumes {";
  for (const auto& [name, n] : c.volumes) os << " " << name << "x" << n;
  os << " } pods {";
  for (const auto& [name, n] : c.pods) os << " " << name << "x" << n;
  os << " } endpoints {";
  for (const auto& [name, n] : c.endpoints) os << " " << name << "x" << n;
  return os << " }";
}

Fleet Fleet::Of(std::string prefix, int volumes, int pods, int mounted,
                int stopped) {
  Fleet fleet;
  fleet.prefix = std::move(prefix);
  fleet.volumes = volumes;
  fleet.pods = pods;
  fleet.mounted = mounted;
  fleet.stopped = stopped;
  return fleet;
}

std::string Fleet::Yaml() const {
  std::string yaml = "version: 1\n";
  if (volumes > 0) yaml += "volumes:\n";
  for (int i = 0; i < volumes; ++i) {
    yaml += "  v" + std::to_string(i) + ":\n    name: " + prefix + "vol-" +
            std::to_string(i) +
            "\n    size: 10\n    dataCenter: EU-RO-1\n    protect: false\n";
  }
  if (pods > 0) yaml += "pods:\n";
  for (int i = 0; i < pods; ++i) {
    yaml += "  p" + std::to_string(i) + ":\n    name: " + prefix + "pod-" +
            std::to_string(i) +
            "\n    image: runpod/pytorch:2.4.0-py3.11-cuda12.4.1-devel-"
            "ubuntu22.04\n    gpuType: NVIDIA RTX A6000\n";
    if (i < mounted && i < volumes) {
      yaml += "    volume: v" + std::to_string(i) + "\n";
    }
    yaml += "    ports: [8888/http, 22/tcp]\n";
    if (i >= pods - stopped) yaml += "    status: stopped\n";
    yaml += pod_extra;
  }
  if (endpoints > 0) yaml += "endpoints:\n";
  for (int i = 0; i < endpoints; ++i) {
    yaml += "  e" + std::to_string(i) + ":\n    name: " + prefix + "ep-" +
            std::to_string(i) +
            "\n    image: ghcr.io/acme/embed-worker:1.4\n" +
            (load_balancer
                 ? "    type: load-balancer\n    scaling: {requestCount: 2}\n"
                 : "    type: queue\n") +
            "    gpu: {pools: [ADA_24]}\n    workers: {min: 0, max: 2}\n";
    if (volumes > 0) {
      yaml += "    volumes: [v" + std::to_string(i % volumes) +
              "]\n    access: read-only\n";
    } else {
      yaml += "    dataCenters: [EU-RO-1]\n";
    }
  }
  return yaml;
}

LiveCounts Fleet::Declared() const {
  LiveCounts counts;
  for (int i = 0; i < volumes; ++i) {
    counts.volumes[prefix + "vol-" + std::to_string(i)] = 1;
  }
  for (int i = 0; i < pods; ++i) {
    counts.pods[prefix + "pod-" + std::to_string(i)] = 1;
  }
  for (int i = 0; i < endpoints; ++i) {
    counts.endpoints[prefix + "ep-" + std::to_string(i)] = 1;
  }
  return counts;
}

json LiveNames(const Sandbox& sandbox) {
  json r = sandbox.GraphQL(
      "query { myself { networkVolumes { id name } pods { id name } "
      "endpoints { id name templateId } } }");
  if (r.is_null() || r.contains("errors") || !r.contains("data")) {
    ADD_FAILURE() << "live names query failed: " << r.dump();
    return json{{"networkVolumes", json::array()},
                {"pods", json::array()},
                {"endpoints", json::array()}};
  }
  return r["data"]["myself"];
}

json LiveTemplates(const Sandbox& sandbox) {
  // The REST v2 base beside the GraphQL URL (".../graphql" -> ".../v2").
  std::string base = sandbox.url();
  base = base.substr(0, base.rfind('/')) + "/v2";
  absl::StatusOr<std::unique_ptr<Transport>> transport =
      MakeCurlTransport(base, kApiKey);
  if (!transport.ok()) {
    ADD_FAILURE() << transport.status();
    return json::array();
  }
  HttpRequest request;
  request.method = "GET";
  // More than the tests' fleets hold: one page.
  request.path = "/templates?limit=500";
  request.replay = Replay::kHarmless;
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<HttpResponse> response = (*transport)->Send(request);
    if (!response.ok()) {
      ADD_FAILURE() << "GET " << base << request.path << ": "
                    << response.status();
      return json::array();
    }
    // Fault flags (--fail-rate, --rate-limit): nothing was done; again.
    if ((response->status == 429 || response->status == 502 ||
         response->status == 503) &&
        attempt < 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    json page = json::parse(response->body, nullptr, false);
    if (response->status != 200 || page.is_discarded() ||
        !page.contains("templates") || !page["templates"].is_array() ||
        page.value("/pagination/hasNextPage"_json_pointer, false)) {
      ADD_FAILURE() << "GET " << base << request.path << ": HTTP "
                    << response->status << " " << response->body;
      return json::array();
    }
    return page["templates"];
  }
}

int PendingIntents(const std::string& path) {
  json lock = json::parse(ReadFileOrEmpty(path), nullptr, false);
  if (lock.is_discarded() || !lock.contains("intents")) return 0;
  return static_cast<int>(lock["intents"].size());
}

// --- ReliabilityTest ---

int Occurrences(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

std::unique_ptr<Process> ReliabilityTest::ApplyUntilCreatesStarted(
    const Fleet& fleet, int latency_ms, int creates) {
  StartSandbox({"--latency-ms", std::to_string(latency_ms)});
  WriteFileOrDie(Path("podform.yaml"), fleet.Yaml());
  std::unique_ptr<Process> apply = StartPodform({"apply", "--auto-approve"});
  if (apply == nullptr) return nullptr;
  if (!WaitFor(
          [&] {
            return Occurrences(apply->StdoutSoFar(), ": creating...\n") >=
                       creates &&
                   PendingIntents(Path("podform.lock")) > 0;
          },
          60)) {
    ADD_FAILURE() << "never " << creates << " creates started:\n"
                  << apply->StdoutSoFar();
    return nullptr;
  }
  return apply;
}

void ReliabilityTest::ExpectExactly(const Fleet& fleet,
                                    const std::string& config) {
  const std::string config_path =
      config.empty() ? Path("podform.yaml") : config;
  json live = LiveNames(sandbox());
  EXPECT_EQ(CountNames(live), fleet.Declared()) << "live: " << live.dump();

  // Every endpoint has its bound template, and no template is left without
  // its endpoint (an interrupted create adopted, not made twice).
  std::multiset<std::string> bound, templates;
  for (const json& e : live["endpoints"]) {
    bound.insert(e.value("templateId", ""));
  }
  const json live_templates = LiveTemplates(sandbox());
  for (const json& t : live_templates) templates.insert(t.value("id", ""));
  EXPECT_EQ(templates, bound) << "templates: " << live_templates.dump()
                              << "\nendpoints: " << live["endpoints"].dump();

  const std::string lock_path =
      (std::filesystem::path(config_path).parent_path() / "podform.lock")
          .string();
  json lock = json::parse(ReadFileOrEmpty(lock_path), nullptr, false);
  ASSERT_FALSE(lock.is_discarded()) << lock_path << " is not JSON";
  EXPECT_FALSE(lock.contains("intents")) << lock.dump(2);
  const json& resources = lock["resources"];
  EXPECT_EQ(static_cast<int>(resources.size()), fleet.Resources())
      << lock.dump(2);
  std::map<std::string, std::string> live_id_names;
  for (const json& v : live["networkVolumes"]) {
    live_id_names[v["id"]] = v["name"];
  }
  for (const json& p : live["pods"]) live_id_names[p["id"]] = p["name"];
  for (const json& e : live["endpoints"]) live_id_names[e["id"]] = e["name"];
  for (int i = 0; i < fleet.volumes; ++i) {
    const std::string address = "volume.v" + std::to_string(i);
    ASSERT_TRUE(resources.contains(address)) << lock.dump(2);
    EXPECT_EQ(live_id_names[resources[address]["id"]],
              fleet.prefix + "vol-" + std::to_string(i))
        << address;
  }
  for (int i = 0; i < fleet.pods; ++i) {
    const std::string address = "pod.p" + std::to_string(i);
    ASSERT_TRUE(resources.contains(address)) << lock.dump(2);
    EXPECT_EQ(live_id_names[resources[address]["id"]],
              fleet.prefix + "pod-" + std::to_string(i))
        << address;
  }
  for (int i = 0; i < fleet.endpoints; ++i) {
    const std::string address = "endpoint.e" + std::to_string(i);
    ASSERT_TRUE(resources.contains(address)) << lock.dump(2);
    EXPECT_EQ(live_id_names[resources[address]["id"]],
              fleet.prefix + "ep-" + std::to_string(i))
        << address;
  }
  RunResult plan = Podform({"plan", "--detailed-exitcode"}, {}, config_path);
  EXPECT_EQ(plan.exit_code, 0) << plan;
}

}  // namespace podform::reliability
