// libFuzzer target for the sandbox's REST v2 front-end
// (SandboxService::HandleRest).
//
// Input: byte 0 picks the method and the key (kind = byte 0 % 8):
//   0 GET, 1 POST, 2 PATCH, 3 DELETE, 4 PUT, with a key;
//   5 GET, 6 POST without a key; 7 POST with a key.
// The rest is "PATH?QUERY\nBODY": the request goes to "/v2/" + PATH?QUERY
// with that body, on a fresh in-memory service that already holds one
// network volume and one pod mounting it (made through REST at start-up);
// "{volume}" and "{pod}" in the path or the body stand for their ids.
//
// The answer must be one of the statuses rest_api.h and service.h document
// (200, 201, 204, 400, 401, 404, 405, 409, 413, 422); a 204 has no body;
// every other answer is a JSON object: application/json for 2xx, and
// application/problem+json {"title", "status" (the HTTP status), "detail",
// "errors"?} for errors; no answer is marked dropped (no faults); after a
// committed mutation the data file the sandbox would write reads back to the
// same bytes.
//
// Seeds: fuzz/corpus/rest_fuzz/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "reconciler/sandbox/account_json.h"
#include "reconciler/sandbox/service.h"

namespace {

using podform::sandbox::SandboxResponse;
using podform::sandbox::SandboxService;

constexpr uint64_t kSeed = 7;

absl::Time FixedNow() { return absl::FromUnixSeconds(1767225600); }

[[noreturn]] void Fail(const std::string& what, const std::string& detail) {
  std::fprintf(stderr, "rest_fuzz: %s\n%s\n", what.c_str(), detail.c_str());
  std::abort();
}

struct World {
  std::unique_ptr<SandboxService> service;
  std::string volume_id, pod_id;
};

// A service holding one volume and one pod mounting it, always the same
// (fixed seed and clock).
World NewWorld() {
  podform::sandbox::ServiceOptions options;
  options.api_key = "k";
  options.faults.seed = kSeed;
  options.clock = FixedNow;
  options.provision_ms = 1000;
  absl::StatusOr<std::unique_ptr<SandboxService>> service =
      SandboxService::Create(std::move(options));
  if (!service.ok()) Fail("setup", std::string(service.status().message()));
  World world{*std::move(service), "", ""};
  SandboxResponse made = world.service->HandleRest(
      "POST", "/v2/network-volumes", "k",
      R"({"name": "models", "size": 50, "dataCenter": "EU-RO-1"})");
  nlohmann::json volume = nlohmann::json::parse(made.body, nullptr, false);
  if (made.status != 201 || !volume.is_object()) Fail("setup", made.body);
  world.volume_id = volume["id"];
  made = world.service->HandleRest(
      "POST", "/v2/pods", "k",
      nlohmann::json{{"name", "trainer"},
                     {"image", "runpod/pytorch:2.4.0"},
                     {"gpu", {{"id", "NVIDIA RTX A6000"}}},
                     {"ports", {"8888/http", "22/tcp"}},
                     {"env", {{"A", "b"}}},
                     {"mounts",
                      {{"network",
                        nlohmann::json::array({{{"volumeId", world.volume_id},
                                                {"path", "/workspace"}}})}}}}
          .dump());
  nlohmann::json pod = nlohmann::json::parse(made.body, nullptr, false);
  if (made.status != 201 || !pod.is_object()) Fail("setup", made.body);
  world.pod_id = pod["id"];
  return world;
}

void CheckRoundTrip(const std::string& text) {
  absl::StatusOr<podform::sandbox::Account> again =
      podform::sandbox::AccountFromJsonText(text, kSeed, FixedNow);
  if (!again.ok()) {
    Fail("a data file the sandbox writes does not read back: " +
             std::string(again.status().message()),
         text);
  }
  if (podform::sandbox::AccountToJsonText(*again) != text) {
    Fail("the data file is not byte-stable across a read", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* const kMethods[] = {"GET",    "POST", "PATCH", "DELETE",
                                         "PUT",    "GET",  "POST",  "POST"};
  const int kind = data[0] % 8;
  std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  World world = NewWorld();
  rest = absl::StrReplaceAll(
      rest, {{"{volume}", world.volume_id}, {"{pod}", world.pod_id}});
  const size_t newline = rest.find('\n');
  const std::string target =
      "/v2/" + rest.substr(0, newline);
  const std::string body =
      newline == std::string::npos ? "" : rest.substr(newline + 1);
  const std::string key = kind == 5 || kind == 6 ? "" : "k";
  uint64_t commits_before;
  {
    auto lock = world.service->store().Lock();
    commits_before = world.service->store().commits();
  }
  const SandboxResponse response =
      world.service->HandleRest(kMethods[kind], target, key, body);
  const std::string request = std::string(kMethods[kind]) + " " + target +
                              "\n" + body;
  if (response.dropped) Fail("an answer was dropped without faults", request);
  static const std::set<int> kStatuses = {200, 201, 204, 400, 401,
                                          404, 405, 409, 413, 422};
  const int s = response.status;
  if (kStatuses.count(s) == 0) {
    Fail("unexpected HTTP status " + std::to_string(s), request);
  }
  if (s == 204) {
    if (!response.body.empty()) Fail("a 204 with a body", request);
  } else {
    nlohmann::json parsed =
        nlohmann::json::parse(response.body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      Fail("the answer is not a JSON object: " + response.body, request);
    }
    if (s < 300 && response.content_type != "application/json") {
      Fail("a success that is not application/json", request);
    }
    if (s >= 400 &&
        (response.content_type != "application/problem+json" ||
         !parsed["title"].is_string() || parsed["status"] != s ||
         !parsed["detail"].is_string() ||
         (parsed.contains("errors") && !parsed["errors"].is_array()))) {
      Fail("an error that is not problem+json: " + response.body, request);
    }
  }
  auto lock = world.service->store().Lock();
  if (world.service->store().commits() != commits_before) {
    CheckRoundTrip(
        podform::sandbox::AccountToJsonText(world.service->store().account()));
  }
  return 0;
}
