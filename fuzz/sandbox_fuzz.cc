// libFuzzer target for the sandbox's two inputs: HTTP requests
// (SandboxService::Handle) and its data file (AccountFromJsonText).
//
// Input: byte 0 picks what the rest is (kind = byte 0 % 16):
//   0..3   a data file: AccountFromJsonText must never crash; what it
//          accepts must serialize (AccountToJsonText), read back, and
//          serialize to the same bytes.
//   4..15  a request body, sent as POST /graphql with a key (kind 14: GET;
//          kind 15: no key) to a fresh in-memory service that already holds
//          one volume and one pod mounting it (their ids are fixed by the
//          seed; see the corpus). The answer must be one of the statuses the
//          service documents (200, 400, 401, 405) with a JSON body holding
//          "data" or "errors", never marked dropped (no faults), and after a
//          committed mutation the data file the sandbox would write must read
//          back to the same bytes.
//
// Seeds: fuzz/corpus/sandbox_fuzz/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "reconciler/sandbox/account_json.h"
#include "reconciler/sandbox/service.h"

namespace {

using podform::sandbox::AccountFromJsonText;
using podform::sandbox::AccountToJsonText;
using podform::sandbox::SandboxRequest;
using podform::sandbox::SandboxResponse;
using podform::sandbox::SandboxService;

constexpr uint64_t kSeed = 7;

absl::Time FixedNow() { return absl::FromUnixSeconds(1767225600); }

[[noreturn]] void Fail(const std::string& what, const std::string& detail) {
  std::fprintf(stderr, "sandbox_fuzz: %s\n%s\n", what.c_str(), detail.c_str());
  std::abort();
}

// The data file of `text` must read back to the same bytes.
void CheckRoundTrip(const std::string& text) {
  absl::StatusOr<podform::sandbox::Account> again =
      AccountFromJsonText(text, kSeed, FixedNow);
  if (!again.ok()) {
    Fail("a data file the sandbox writes does not read back: " +
             std::string(again.status().message()),
         text);
  }
  if (AccountToJsonText(*again) != text) {
    Fail("the data file is not byte-stable across a read", text);
  }
}

void FuzzDataFile(const std::string& text) {
  absl::StatusOr<podform::sandbox::Account> account =
      AccountFromJsonText(text, kSeed, FixedNow);
  if (!account.ok()) {
    if (account.status().code() != absl::StatusCode::kInvalidArgument) {
      Fail("unexpected error code: " + std::string(account.status().message()),
           text);
    }
    return;
  }
  CheckRoundTrip(AccountToJsonText(*account));
}

std::unique_ptr<SandboxService> EmptyService() {
  podform::sandbox::ServiceOptions options;
  options.api_key = "k";
  options.faults.seed = kSeed;
  options.clock = FixedNow;
  absl::StatusOr<std::unique_ptr<SandboxService>> service =
      SandboxService::Create(std::move(options));
  if (!service.ok()) Fail("setup", std::string(service.status().message()));
  return *std::move(service);
}

// One volume and one pod mounting it, made once through GraphQL; every
// input starts from a service holding copies of them, so that queries and
// mutations on existing objects reach their resolvers.
struct Template {
  podform::sandbox::NetworkVolume volume;
  podform::sandbox::Pod pod;
};

const Template& Objects() {
  static const Template* const objects = [] {
    std::unique_ptr<SandboxService> service = EmptyService();
    SandboxRequest request;
    request.authorization = "Bearer k";
    request.body =
        R"({"query": "mutation { createNetworkVolume(input: {name: \"models\", size: 50, dataCenterId: \"EU-RO-1\"}) { id } }"})";
    SandboxResponse made = service->Handle(request);
    nlohmann::json volume = nlohmann::json::parse(made.body, nullptr, false);
    if (made.status != 200 || volume.is_discarded() ||
        !volume["data"]["createNetworkVolume"].is_object()) {
      Fail("setup: createNetworkVolume", made.body);
    }
    const std::string volume_id = volume["data"]["createNetworkVolume"]["id"];
    request.body =
        nlohmann::json{
            {"query",
             "mutation($v: String) { podFindAndDeployOnDemand(input: {name: "
             "\"trainer\", imageName: \"runpod/pytorch:2.4.0\", gpuTypeId: "
             "\"NVIDIA RTX A6000\", cloudType: SECURE, gpuCount: 1, "
             "dataCenterId: \"EU-RO-1\", networkVolumeId: $v, "
             "volumeMountPath: \"/workspace\", containerDiskInGb: 20, ports: "
             "\"8888/http\", env: [{key: \"A\", value: \"b\"}]}) { id } }"},
            {"variables", {{"v", volume_id}}}}
            .dump();
    made = service->Handle(request);
    if (made.status != 200 ||
        made.body.find("\"errors\"") != std::string::npos) {
      Fail("setup: podFindAndDeployOnDemand", made.body);
    }
    auto lock = service->store().Lock();
    const podform::sandbox::Account& account = service->store().account();
    return new Template{account.volumes().front(), account.pods().front()};
  }();
  return *objects;
}

std::unique_ptr<SandboxService> NewService() {
  const Template& objects = Objects();
  std::unique_ptr<SandboxService> service = EmptyService();
  auto lock = service->store().Lock();
  podform::sandbox::Account& account = service->store().account();
  if (!account.RestoreVolume(objects.volume).ok() ||
      !account.RestorePod(objects.pod).ok()) {
    Fail("setup", "cannot restore the template objects");
  }
  return service;
}

void FuzzRequest(int kind, const std::string& body) {
  std::unique_ptr<SandboxService> service = NewService();
  uint64_t commits_before;
  {
    auto lock = service->store().Lock();
    commits_before = service->store().commits();
  }
  SandboxRequest request;
  request.body = body;
  request.authorization = kind == 15 ? "" : "Bearer k";
  if (kind == 14) request.method = "GET";
  const SandboxResponse response = service->Handle(request);
  if (response.dropped) Fail("an answer was dropped without faults", body);
  const int s = response.status;
  if (s != 200 && s != 400 && s != 401 && s != 405) {
    Fail("unexpected HTTP status " + std::to_string(s), body);
  }
  nlohmann::json parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() ||
      (!parsed.contains("data") && !parsed.contains("errors"))) {
    Fail("the answer is not a GraphQL response: " + response.body, body);
  }
  if ((s == 200) != parsed.contains("data")) {
    Fail("HTTP " + std::to_string(s) + " with" +
             (parsed.contains("data") ? "" : "out") + " data",
         response.body);
  }
  auto lock = service->store().Lock();
  if (service->store().commits() != commits_before) {
    CheckRoundTrip(AccountToJsonText(service->store().account()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int kind = data[0] % 16;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (kind < 4) {
    FuzzDataFile(rest);
  } else {
    FuzzRequest(kind, rest);
  }
  return 0;
}
