// libFuzzer target for the sandbox's two inputs: HTTP requests
// (SandboxService::Handle) and its data file (AccountFromJsonText).
//
// Input: byte 0 picks what the rest is (kind = byte 0 % 16):
//   0..1   a data file: AccountFromJsonText must never crash; what it
//          accepts must serialize (AccountToJsonText), read back, and
//          serialize to the same bytes.
//   2..3   a journal line, replayed over the data file of the objects
//          below: ReplayJournalLine must never crash; what it accepts must
//          serialize, read back and serialize to the same bytes.
//   4..15  a request body, sent as POST /graphql with a key (kind 14: GET;
//          kind 15: no key) to a fresh service that already holds one
//          volume and one pod mounting it (their ids are fixed by the seed;
//          see the corpus), on a data file in a temporary directory. The
//          answer must be one of the statuses the service documents (200,
//          400, 401, 405) with a JSON body holding "data" or "errors",
//          never marked dropped (no faults); after a committed mutation the
//          data file the sandbox would write must read back to the same
//          bytes, and the state on disk (data file and journal) must be the
//          account in memory.
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
#include "reconciler/sandbox/store.h"
#include "reconciler/util/file.h"

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

std::unique_ptr<SandboxService> EmptyService(const std::string& path = "") {
  podform::sandbox::ServiceOptions options;
  options.data_path = path;
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

// The data file of a fresh account holding the template objects.
const std::string& TemplateDataFile() {
  static const std::string* const text = [] {
    const Template& objects = Objects();
    podform::sandbox::Account account(kSeed, FixedNow);
    if (!account.RestoreVolume(objects.volume).ok() ||
        !account.RestorePod(objects.pod).ok()) {
      Fail("setup", "cannot restore the template objects");
    }
    return new std::string(AccountToJsonText(account));
  }();
  return *text;
}

// Where each input's data file goes (removed at exit by the OS's tmp
// cleaning; one directory per process).
const std::string& DataPath() {
  static const std::string* const path = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") +
                      "/sandbox_fuzz_XXXXXX";
    if (mkdtemp(dir.data()) == nullptr) Fail("setup", "mkdtemp failed");
    return new std::string(dir + "/sandbox.json");
  }();
  return *path;
}

std::unique_ptr<SandboxService> NewService() {
  std::remove((DataPath() + ".journal").c_str());
  if (!podform::WriteFileAtomically(DataPath(), TemplateDataFile(), 0600,
                                    podform::Survives::kProcessDeath)
           .ok()) {
    Fail("setup", "cannot write the data file");
  }
  return EmptyService(DataPath());
}

void FuzzJournalLine(const std::string& line) {
  absl::StatusOr<podform::sandbox::Account> account =
      AccountFromJsonText(TemplateDataFile(), kSeed, FixedNow);
  if (!account.ok()) Fail("setup", std::string(account.status().message()));
  absl::Status replayed = podform::sandbox::ReplayJournalLine(line, *account);
  if (!replayed.ok()) {
    if (replayed.code() != absl::StatusCode::kInvalidArgument) {
      Fail("unexpected error code: " + std::string(replayed.message()), line);
    }
    return;
  }
  CheckRoundTrip(AccountToJsonText(*account));
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
    const std::string text = AccountToJsonText(service->store().account());
    CheckRoundTrip(text);
    absl::StatusOr<std::string> on_disk =
        podform::sandbox::SandboxStore::StateOnDisk(DataPath());
    if (!on_disk.ok() || *on_disk != text) {
      Fail("the data file and its journal do not hold the account: " +
               (on_disk.ok() ? *on_disk : std::string(on_disk.status().message())),
           body + "\n--- in memory:\n" + text);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int kind = data[0] % 16;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (kind < 2) {
    FuzzDataFile(rest);
  } else if (kind < 4) {
    FuzzJournalLine(rest);
  } else {
    FuzzRequest(kind, rest);
  }
  return 0;
}
