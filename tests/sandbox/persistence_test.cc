// The data file: holds every mutation before it is answered, continued after a restart,
// refused (never reset) when corrupt, safe under concurrent requests.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/sandbox/account_json.h"
#include "reconciler/sandbox/store.h"
#include "reconciler/util/file.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace podform::sandbox {
namespace {

using nlohmann::json;
using testing::Harness;
using testing::MakeTempDir;

// The state on disk: the data file with its journal replayed.
json ReadJson(const std::string& path) {
  absl::StatusOr<std::string> text = SandboxStore::StateOnDisk(path);
  EXPECT_TRUE(text.ok()) << text.status();
  return json::parse(text.value_or("null"));
}

// The account of `h`'s store as the data file would hold it.
std::string OnDiskText(Harness& h) {
  auto lock = h.service->store().Lock();
  return AccountToJsonText(h.service->store().account());
}

// Copies the data file at `path` and its journal into DIR/killed, as a kill
// of the sandbox would leave them, and returns the copy's data file path.
std::string CopyAsAKillLeavesThem(const std::string& path,
                                  const std::string& dir) {
  std::filesystem::create_directory(dir + "/killed");
  const std::string copy = dir + "/killed/sandbox.json";
  std::filesystem::copy(path, copy);
  if (std::filesystem::exists(path + ".journal")) {
    std::filesystem::copy(path + ".journal", copy + ".journal");
  }
  return copy;
}

// `h`'s sandbox lists exactly one network volume, `id`.
void ExpectOnlyVolume(Harness& h, const std::string& id) {
  EXPECT_EQ(h.Data("{ myself { networkVolumes { id } } }"),
            json::parse(R"({"myself": {"networkVolumes": [{"id": ")" + id +
                        R"("}]}})"));
}

// Points the journal of `h`'s data file `path` at a full disk; then a
// create fails as RunPod fails, and `h` still lists only volume `id`.
void ExpectACreateOnAFullDiskIsUndone(Harness& h, const std::string& path,
                                      const std::string& id) {
  std::filesystem::remove(path + ".journal");
  std::filesystem::create_symlink("/dev/full", path + ".journal");
  testing::GqlResult r = h.Post(
      R"(mutation { createNetworkVolume(input: {name: "w", size: 10, dataCenterId: "EU-RO-1"}) { id } })");
  EXPECT_EQ(r.body["data"], json::parse(R"({"createNetworkVolume": null})"));
  EXPECT_EQ(testing::OnlyError(r),
            testing::RunPodError("Something went wrong. Please try again "
                                 "later or contact support.",
                                 {"createNetworkVolume"},
                                 "INTERNAL_SERVER_ERROR"));
  ExpectOnlyVolume(h, id);
}

std::string CreateVolume(Harness& h, int size = 10) {
  return h.Data("mutation { createNetworkVolume(input: {name: \"v\", size: " +
                std::to_string(size) +
                ", dataCenterId: \"EU-RO-1\"}) { id } }")
      ["createNetworkVolume"]["id"];
}

std::string DeployPod(Harness& h, const std::string& volume_id) {
  return h.Data(R"(mutation { podFindAndDeployOnDemand(input: {name: "p",
      imageName: "img", gpuTypeId: "NVIDIA L40S", cloudType: SECURE,
      networkVolumeId: ")" + volume_id + R"(", env: [{key: "A", value: "1"}],
      ports: "22/tcp"}) { id } })")["podFindAndDeployOnDemand"]["id"];
}

TEST(PersistenceTest, OpeningAMissingFileCreatesItAndItsDirectory) {
  std::string path = MakeTempDir() + "/nested/dir/sandbox.json";
  Harness h(path, 5);
  json file = ReadJson(path);
  EXPECT_EQ(file["version"], 1);
  EXPECT_EQ(file["networkVolumes"], json::array());
  EXPECT_EQ(file["pods"], json::array());
  EXPECT_EQ(file["defaultCapacity"], 1000);
  EXPECT_EQ(std::filesystem::status(path).permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read |
                std::filesystem::perms::owner_write);
}

// `sandbox serve --data /tmp/rp.json` once took /tmp's sticky bit away:
// only the directories the sandbox creates are its own (mode 0700).
TEST(PersistenceTest, ADataFileInAnExistingDirectoryLeavesItsModeAlone) {
  const std::string shared = MakeTempDir();
  namespace fs = std::filesystem;
  fs::permissions(shared, fs::perms::all | fs::perms::sticky_bit);
  {
    Harness h(shared + "/rp.json", 5);
  }
  {
    Harness h(shared + "/new/rp.json", 5);
  }
  EXPECT_EQ(fs::status(shared).permissions(),
            fs::perms::all | fs::perms::sticky_bit);
  EXPECT_EQ(fs::status(shared + "/new").permissions(), fs::perms::owner_all);
  EXPECT_TRUE(fs::exists(shared + "/rp.json"));
}

TEST(PersistenceTest, EveryMutationIsInTheFileAtOnce) {
  std::string path = MakeTempDir() + "/sandbox.json";
  Harness h(path);
  std::string vol = CreateVolume(h, 10);
  EXPECT_EQ(ReadJson(path)["networkVolumes"],
            json::parse(R"([{"id": ")" + vol + R"(", "name": "v", "size": 10,
                "dataCenterId": "EU-RO-1"}])"));
  std::string pod = DeployPod(h, vol);
  json file_pod = ReadJson(path)["pods"][0];
  EXPECT_EQ(file_pod["id"], pod);
  EXPECT_EQ(file_pod["env"], json::parse(R"([{"key": "A", "value": "1"}])"));
  EXPECT_EQ(file_pod["desiredStatus"], "RUNNING");
  EXPECT_EQ(file_pod["createdAt"], "2024-02-09T14:01:47Z");
  h.Data(R"(mutation { podStop(input: {podId: ")" + pod + R"("}) { id } })");
  EXPECT_EQ(ReadJson(path)["pods"][0]["desiredStatus"], "EXITED");
  h.Data(R"(mutation { podTerminate(input: {podId: ")" + pod + R"("}) })");
  EXPECT_EQ(ReadJson(path)["pods"], json::array());
  // A refused mutation leaves the files as they were.
  const std::string before = *ReadFile(path);
  const std::string journal_before = *ReadFile(path + ".journal");
  h.Post(R"(mutation { updateNetworkVolume(input: {id: ")" + vol +
         R"(", size: 5}) { id } })");
  EXPECT_EQ(*ReadFile(path), before);
  EXPECT_EQ(*ReadFile(path + ".journal"), journal_before);
}

TEST(PersistenceTest, ARestartedSandboxContinuesWhereItStopped) {
  std::string dir = MakeTempDir();
  std::string vol, pod, next_after_restart;
  const std::string query =
      "{ myself { id networkVolumes { id name size dataCenterId } pods { id "
      "name imageName env desiredStatus networkVolumeId costPerHr "
      "lastStatusChange machineId machine { podHostId } } } }";
  json before;
  {
    Harness h(dir + "/a.json", 77);
    vol = CreateVolume(h, 300);
    pod = DeployPod(h, vol);
    h.Data(R"(mutation { podStop(input: {podId: ")" + pod + R"("}) { id } })");
    before = h.Data(query);
  }
  {
    // The seed of a restart does not matter: the file's state continues.
    Harness h(dir + "/a.json", 12345);
    EXPECT_EQ(h.Data(query), before);
    next_after_restart = CreateVolume(h);
  }
  {
    // One uninterrupted run with the same seed draws the same next id.
    Harness h(dir + "/b.json", 77);
    EXPECT_EQ(CreateVolume(h, 300), vol);
    EXPECT_EQ(DeployPod(h, vol), pod);
    h.Data(R"(mutation { podStop(input: {podId: ")" + pod + R"("}) { id } })");
    EXPECT_EQ(CreateVolume(h), next_after_restart);
  }
  // The GPUs of the stopped pod are free after the restart, the running
  // ones held: resuming needs capacity again.
  {
    std::string path = dir + "/a.json";
    json file = ReadJson(path);
    file["capacity"] = {{"EU-RO-1", {{"NVIDIA L40S", 0}}}};
    ASSERT_TRUE(WriteFileAtomically(path, file.dump()).ok());
    Harness h(path);
    testing::GqlResult r = h.Post(R"(mutation { podResume(input: {podId: ")" +
                                  pod + R"("}) { id } })");
    EXPECT_EQ(testing::OnlyError(r),
              testing::RunPodError("There are not enough free GPUs on the "
                                   "host machine to start this pod.",
                                   {"podResume"}, "SUPPLY_CONSTRAINT"));
  }
}

TEST(PersistenceTest, CapacityIsSetInAHandWrittenFile) {
  std::string path = MakeTempDir() + "/sandbox.json";
  ASSERT_TRUE(WriteFileAtomically(
                  path,
                  R"({"version": 1, "capacity": {"EU-RO-1":
                      {"NVIDIA H100 80GB HBM3": 1}}})")
                  .ok());
  Harness h(path);
  const std::string deploy = R"(mutation { podFindAndDeployOnDemand(input: {
      imageName: "img", gpuTypeId: "NVIDIA H100 80GB HBM3", cloudType: SECURE,
      dataCenterId: "EU-RO-1"}) { id } })";
  EXPECT_TRUE(h.Post(deploy).body["data"]["podFindAndDeployOnDemand"].is_object());
  EXPECT_EQ(testing::OnlyError(h.Post(deploy))["extensions"]["code"],
            "SUPPLY_CONSTRAINT");
  // The capacity stays in the file as written.
  EXPECT_EQ(ReadJson(path)["capacity"],
            json::parse(R"({"EU-RO-1": {"NVIDIA H100 80GB HBM3": 1}})"));
}

TEST(PersistenceTest, ACorruptFileIsRefusedAndLeftAlone) {
  std::string dir = MakeTempDir();
  struct Case {
    std::string contents;
    std::string problem;
  };
  const Case cases[] = {
      {"", "not JSON: line 1, column 1: unexpected end of input"},
      {"{\"version\": 1, \"pods\": [",
       "not JSON: line 1, column 25: unexpected end of input"},
      {"{\"version\": 1]", "not JSON: line 1, column 14: unexpected ']'; "
                          "expected '}'"},
      {"[]", "expected an object"},
      {"{}", "version: required"},
      {"{\"version\": 2}", "version 2 is not supported (this podform reads "
                           "version 1)"},
      {"{\"version\": 1, \"capacty\": {}}", "capacty: unknown key"},
      {"{\"version\": 1, \"networkVolumes\": [{\"id\": \"a\", \"size\": 10, "
       "\"dataCenterId\": \"MARS\"}]}",
       "networkVolumes[0].dataCenterId: unknown data center \"MARS\""},
      {"{\"version\": 1, \"networkVolumes\": [{\"id\": \"a\", \"size\": 10, "
       "\"dataCenterId\": \"EU-RO-1\"}, {\"id\": \"a\", \"size\": 10, "
       "\"dataCenterId\": \"EU-RO-1\"}]}",
       "networkVolumes[1]: network volume id a appears twice"},
      {"{\"version\": 1, \"pods\": [{\"id\": \"p\", \"imageName\": \"i\", "
       "\"gpuTypeId\": \"NVIDIA L4\", \"dataCenterId\": \"EU-RO-1\", "
       "\"networkVolumeId\": \"gone\"}]}",
       "pods[0].networkVolumeId: no network volume \"gone\""},
      {"{\"version\": 1, \"pods\": [{\"id\": \"p\", \"imageName\": \"i\", "
       "\"gpuTypeId\": \"NVIDIA L4\", \"dataCenterId\": \"EU-RO-1\", "
       "\"gpuCount\": \"2\"}]}",
       "pods[0].gpuCount: expected an integer"},
      {"{\"version\": 1, \"capacity\": {\"EU-RO-1\": {\"NVIDIA L4\": -1}}}",
       "capacity.EU-RO-1.NVIDIA L4: expected a non-negative integer"},
      {"{\"version\": 1, \"pods\": [{\"id\": \"p\", \"imageName\": \"i\", "
       "\"gpuTypeId\": \"NVIDIA L4\", \"dataCenterId\": \"EU-RO-1\", "
       "\"gpuCount\": -3}]}",
       "pods[0].gpuCount: out of range: -3"},
      {"{\"version\": 1, \"pods\": [{\"id\": \"p\", \"imageName\": \"i\", "
       "\"gpuTypeId\": \"NVIDIA L4\", \"dataCenterId\": \"EU-RO-1\", "
       "\"gpuCount\": 18446744073709551615}]}",
       "pods[0].gpuCount: out of range: 18446744073709551615"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.contents);
    std::string path = dir + "/sandbox.json";
    ASSERT_TRUE(WriteFileAtomically(path, c.contents).ok());
    ServiceOptions options;
    options.data_path = path;
    absl::StatusOr<std::unique_ptr<SandboxService>> service =
        SandboxService::Create(options);
    ASSERT_FALSE(service.ok());
    EXPECT_EQ(service.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(service.status().message(),
              path + ": not a valid sandbox data file: " + c.problem +
                  " (fix the file or remove it to start an empty sandbox)");
    EXPECT_EQ(*ReadFile(path), c.contents);
  }
}

TEST(PersistenceTest, TheFileRoundTrips) {
  Harness h;
  std::string vol = CreateVolume(h, 20);
  DeployPod(h, vol);
  std::string text;
  {
    auto lock = h.service->store().Lock();
    h.service->store().account().SetCapacity("US-GA-1", "NVIDIA L4", 3);
    text = AccountToJsonText(h.service->store().account());
  }
  absl::StatusOr<Account> again = AccountFromJsonText(text, 0, h.clock.AsClock());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(AccountToJsonText(*again), text);
  EXPECT_EQ(again->GpusInUse("EU-RO-1", "NVIDIA L40S"), 1);
  EXPECT_EQ(again->PodsUsingVolume(vol), 1);
  EXPECT_EQ(again->Capacity("US-GA-1", "NVIDIA L4"), 3);
}

TEST(PersistenceTest, AFailedWriteUndoesTheMutation) {
  std::string dir = MakeTempDir();
  std::string path = dir + "/sandbox.json";
  std::string vol;
  {
    Harness h(path);
    vol = CreateVolume(h);
  }
  Harness h(path);
  ExpectACreateOnAFullDiskIsUndone(h, path, vol);
}

// A commit appends a line to the journal; the data file is written whole
// only when the journal has grown as large as it (64 KiB at least).
TEST(PersistenceTest, ACommitAppendsALineAndTheDataFileIsRewrittenRarely) {
  std::string path = MakeTempDir() + "/sandbox.json";
  Harness h(path);
  const std::string empty = *ReadFile(path);
  constexpr int kVolumes = 100;
  for (int i = 0; i < kVolumes; ++i) CreateVolume(h);
  {
    auto lock = h.service->store().Lock();
    EXPECT_EQ(h.service->store().writes(), uint64_t{kVolumes});
    EXPECT_EQ(h.service->store().data_file_writes(), 0u);
  }
  EXPECT_EQ(*ReadFile(path), empty);
  const std::string journal = *ReadFile(path + ".journal");
  EXPECT_EQ(std::count(journal.begin(), journal.end(), '\n'), kVolumes);
  EXPECT_EQ(ReadJson(path)["networkVolumes"].size(), size_t{kVolumes});

  // Past 64 KiB of journal: the data file takes it all, the journal empties.
  while (true) {
    CreateVolume(h);
    auto lock = h.service->store().Lock();
    if (h.service->store().data_file_writes() > 0) break;
  }
  EXPECT_EQ(*ReadFile(path + ".journal"), "");
  EXPECT_EQ(*ReadFile(path), OnDiskText(h));
}

// Closing the store folds the journal into the data file: a stopped sandbox
// is one file. Opening folds one left by a killed sandbox.
TEST(PersistenceTest, TheJournalIsFoldedIntoTheDataFileOnCloseAndOnOpen) {
  std::string dir = MakeTempDir();
  std::string path = dir + "/sandbox.json";
  std::string live;
  {
    Harness h(path);
    DeployPod(h, CreateVolume(h));
    live = OnDiskText(h);
    CopyAsAKillLeavesThem(path, dir);  // mid-run
    EXPECT_NE(*ReadFile(path), live);
  }
  EXPECT_FALSE(std::filesystem::exists(path + ".journal"));
  EXPECT_EQ(*ReadFile(path), live);

  Harness again(dir + "/killed/sandbox.json");
  EXPECT_EQ(*ReadFile(dir + "/killed/sandbox.json"), live);
  EXPECT_FALSE(std::filesystem::exists(dir + "/killed/sandbox.json.journal"));
}

// A kill can cut the line being appended short; that mutation was never
// answered, and the next open leaves it out.
TEST(PersistenceTest, ALineCutShortByAKillIsLeftOut) {
  std::string dir = MakeTempDir();
  std::string path = dir + "/sandbox.json";
  Harness h(path);
  std::string kept = CreateVolume(h);
  const std::string before = OnDiskText(h);
  CreateVolume(h);
  std::string journal = *ReadFile(path + ".journal");
  const size_t second_line = journal.find('\n') + 1;
  const std::string killed = CopyAsAKillLeavesThem(path, dir);
  ASSERT_TRUE(WriteFileAtomically(killed + ".journal",
                                  journal.substr(0, second_line + 40))
                  .ok());
  Harness again(killed);
  EXPECT_EQ(*ReadFile(killed), before);
  ExpectOnlyVolume(again, kept);
}

// Journal lines are numbered and the data file records the last one it
// holds: a journal left beside a newer data file (a kill between writing
// the data file and emptying the journal) changes nothing, even where later
// changes undid what its lines say.
TEST(PersistenceTest, AStaleJournalBesideANewerDataFileIsSkipped) {
  std::string dir = MakeTempDir();
  std::string path = dir + "/sandbox.json";
  std::string journal, live;
  {
    Harness h(path, 3);
    std::string vol = CreateVolume(h, 10);
    std::string pod = DeployPod(h, vol);
    h.Data(R"(mutation { updateNetworkVolume(input: {id: ")" + vol +
           R"(", size: 20}) { id } })");
    journal = *ReadFile(path + ".journal");
    ASSERT_EQ(std::count(journal.begin(), journal.end(), '\n'), 3);
    h.Data(R"(mutation { podTerminate(input: {podId: ")" + pod + R"("}) })");
    h.Data(R"(mutation { updateNetworkVolume(input: {id: ")" + vol +
           R"(", size: 30}) { id } })");
    live = OnDiskText(h);
  }
  ASSERT_EQ(*ReadFile(path), live);  // folded on close
  EXPECT_EQ(ReadJson(path)["journalSequence"], 5);
  ASSERT_TRUE(WriteFileAtomically(path + ".journal", journal).ok());
  Harness again(path);
  EXPECT_EQ(*ReadFile(path), live);
  EXPECT_EQ(again.Data("{ myself { pods { id } } }"),
            json::parse(R"({"myself": {"pods": []}})"));
}

// Review finding: after a journal was folded at open, a failed write undid
// the account to the data file as it was before the fold.
TEST(PersistenceTest, AFailedWriteAfterAFoldAtOpenKeepsWhatTheJournalHeld) {
  std::string dir = MakeTempDir();
  std::string path = dir + "/sandbox.json";
  std::string vol;
  Harness h(path);
  vol = CreateVolume(h);
  // The volume is in the journal only.
  const std::string killed = CopyAsAKillLeavesThem(path, dir);
  Harness again(killed);
  ExpectACreateOnAFullDiskIsUndone(again, killed, vol);
}

TEST(PersistenceTest, ADamagedJournalIsRefusedAndLeftAlone) {
  std::string dir = MakeTempDir();
  std::string path = dir + "/sandbox.json";
  {
    Harness h(path);
    CreateVolume(h);
  }
  const std::string data = *ReadFile(path);
  const std::string head = R"({"seq":2,"random":"0000000000000001",)";
  struct Case {
    std::string line;
    std::string error;
  } cases[] = {
      {head + R"("networkVolumes":[{"id":"x"}]})",
       "line 1: not a valid sandbox journal line: networkVolumes[0].size: "
       "required"},
      {R"({"random":"0000000000000001"})",
       "line 1: not a valid sandbox journal line: seq: required"},
      {head + R"("pods":[{"id":"p","imageName":"i","gpuTypeId":"NVIDIA )"
              R"(L40S","dataCenterId":"EU-RO-1","networkVolumeId":"nope"}]})",
       "line 1: not a valid sandbox journal line: pods[0].networkVolumeId: no "
       "network volume \"nope\""},
      {"not json", "line 1: not a valid sandbox journal line: not JSON: "},
      {R"({"seq":7,"random":"0000000000000001"})",
       "line 1: not a valid sandbox journal line: seq: 7 does not follow 1"},
  };
  for (const Case& c : cases) {
    const std::string journal = c.line + "\n";
    ASSERT_TRUE(WriteFileAtomically(path + ".journal", journal).ok());
    StoreOptions options;
    options.path = path;
    absl::StatusOr<std::unique_ptr<SandboxStore>> store =
        SandboxStore::Open(std::move(options));
    ASSERT_FALSE(store.ok()) << c.line;
    EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(std::string(store.status().message())
                  .rfind(path + ".journal: " + c.error, 0),
              0u)
        << store.status();
    EXPECT_TRUE(absl::EndsWith(
        store.status().message(),
        "(remove the file to go back to the data file's state)"))
        << store.status();
    EXPECT_EQ(*ReadFile(path), data);
    EXPECT_EQ(*ReadFile(path + ".journal"), journal);
  }
}

TEST(PersistenceTest, ConcurrentMutationsNeverCorruptTheFile) {
  std::string path = MakeTempDir() + "/sandbox.json";
  Harness h(path);
  constexpr int kThreads = 6, kEach = 15;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < kEach; ++i) {
        SandboxRequest request;
        request.authorization = "Bearer k";
        request.body = json({{"query",
                              "mutation M($i: CreateNetworkVolumeInput!) { "
                              "createNetworkVolume(input: $i) { id } }"},
                             {"variables",
                              {{"i",
                                {{"name", "t" + std::to_string(t)},
                                 {"size", 10 + i},
                                 {"dataCenterId", "EU-RO-1"}}}}}})
                           .dump();
        SandboxResponse response = h.service->Handle(request);
        EXPECT_EQ(response.status, 200) << response.body;
        // Readers run alongside the writers.
        request.body = R"({"query": "{ myself { networkVolumes { id } } }"})";
        EXPECT_EQ(h.service->Handle(request).status, 200);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  json volumes = ReadJson(path)["networkVolumes"];
  ASSERT_EQ(volumes.size(), size_t{kThreads * kEach});
  std::set<std::string> ids;
  std::map<std::string, int> per_thread;
  for (const json& v : volumes) {
    ids.insert(v["id"].get<std::string>());
    ++per_thread[v["name"].get<std::string>()];
  }
  EXPECT_EQ(ids.size(), size_t{kThreads * kEach});
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(per_thread["t" + std::to_string(t)], kEach);
  }
  // And a restart (once the first has stopped: one owner per data file)
  // reads it all back.
  h.service.reset();
  Harness again(path);
  EXPECT_EQ(again.Data("{ myself { networkVolumes { id } } }")["myself"]
                     ["networkVolumes"].size(),
            size_t{kThreads * kEach});
}

TEST(PersistenceTest, MutationsMadeDuringAWriteShareTheNextOne) {
  // A mutation is answered once the file holds it; the mutations that
  // arrive while the file is being written go out together in the next
  // write instead of queueing behind one write each.
  std::string path = MakeTempDir() + "/sandbox.json";
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool hold = false, held = false;
  StoreOptions options;
  options.path = path;
  options.seed = 1;
  options.before_write = [&] {
    std::unique_lock<std::mutex> lock(gate_mu);
    if (!hold) return;
    hold = false;
    held = true;
    gate_cv.notify_all();
    gate_cv.wait(lock, [&] { return !held; });
  };
  absl::StatusOr<std::unique_ptr<SandboxStore>> store =
      SandboxStore::Open(std::move(options));
  ASSERT_TRUE(store.ok()) << store.status();
  auto volumes = [&] {
    std::unique_lock<std::mutex> lock = (*store)->Lock();
    return (*store)->account().volumes().size();
  };
  auto create = [&](const std::string& name) {
    std::unique_lock<std::mutex> lock = (*store)->Lock();
    ASSERT_TRUE((*store)->account().CreateVolume({name, 10, "EU-RO-1"}).ok());
    ASSERT_TRUE((*store)->Commit().ok());
    const json file = ReadJson(path);  // the file holds it on return
    int in_file = 0;
    for (const json& v : file["networkVolumes"]) in_file += v["name"] == name;
    EXPECT_EQ(in_file, 1) << name;
  };
  {
    std::lock_guard<std::mutex> lock(gate_mu);
    hold = true;  // the next write waits
  }
  std::thread first(create, "first");
  {
    std::unique_lock<std::mutex> lock(gate_mu);
    gate_cv.wait(lock, [&] { return held; });
  }
  constexpr int kOthers = 7;
  std::vector<std::thread> others;
  for (int i = 0; i < kOthers; ++i) {
    others.emplace_back(create, "other" + std::to_string(i));
  }
  // All of them are in the account (and waiting) before the write ends.
  while (volumes() < size_t{1 + kOthers}) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  {
    std::lock_guard<std::mutex> lock(gate_mu);
    held = false;
    gate_cv.notify_all();
  }
  first.join();
  for (std::thread& t : others) t.join();
  std::unique_lock<std::mutex> lock = (*store)->Lock();
  EXPECT_EQ((*store)->commits(), uint64_t{1 + kOthers});
  EXPECT_EQ((*store)->writes(), 2u);  // the first, then one for the others
  EXPECT_EQ(ReadJson(path)["networkVolumes"].size(), size_t{1 + kOthers});
}

}  // namespace
}  // namespace podform::sandbox
