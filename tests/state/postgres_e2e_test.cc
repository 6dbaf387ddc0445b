// Issue 16 end to end: the podform binary applying against `podform sandbox
// serve` with its state in the test's PostgreSQL cluster, from two
// directories sharing one key.

#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/state/postgres_store.h"
#include "reconciler/state/serialize.h"
#include "tests/harness/podform_test.h"
#include "tests/harness/process.h"
#include "tests/harness/sandbox.h"
#include "tests/state/postgres_server.h"

namespace podform {
namespace {

using harness::Process;
using harness::RunResult;
using harness::WaitFor;
using harness::WriteFileOrDie;
using nlohmann::json;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kApiKey[] = "pg-e2e-key-4c1d8e2a9b";

// volume.models and pod.trainer mounting it.
constexpr char kConfig[] =
    "version: 1\n"
    "volumes:\n"
    "  models:\n"
    "    size: 50\n"
    "    dataCenter: EU-RO-1\n"
    "pods:\n"
    "  trainer:\n"
    "    image: runpod/pytorch:2.4.0\n"
    "    gpuType: NVIDIA RTX A6000\n"
    "    volume: models\n";

// The first column of the first row of `sql`, or nullopt (no row, NULL,
// or an error).
std::optional<std::string> QueryOne(const std::string& uri,
                                    const std::string& sql,
                                    const std::vector<std::string>& params) {
  PGconn* conn = PQconnectdb(uri.c_str());
  std::optional<std::string> out;
  if (PQstatus(conn) == CONNECTION_OK) {
    std::vector<const char*> values;
    for (const std::string& p : params) values.push_back(p.c_str());
    PGresult* r = PQexecParams(conn, sql.c_str(),
                               static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
        !PQgetisnull(r, 0, 0)) {
      out = PQgetvalue(r, 0, 0);
    }
    PQclear(r);
  }
  PQfinish(conn);
  return out;
}

std::string HostName() {
  char name[256] = {};
  ::gethostname(name, sizeof(name) - 1);
  return name;
}

class PostgresE2eTest : public harness::PodformTest {
 protected:
  PostgresE2eTest()
      : PodformTest({.name = "pg-e2e",
                     .api_key = kApiKey,
                     .sandbox_checks_key = false}) {}

  void SetUp() override {
    PodformTest::SetUp();
    PODFORM_REQUIRE_POSTGRES(pg);
    pg_ = pg;
    absl::StatusOr<std::string> database = pg_->NewDatabase();
    ASSERT_TRUE(database.ok()) << database.status();
    uri_ = pg_->Uri(*database);
    name_ = PostgresStateStore(ParsePostgresUri(uri_, "team", "")).name();
    // Both directories share the key "team" (else each would default to
    // its own directory's name).
    env_ = {"PODFORM_STATE=" + uri_, "PODFORM_STATE_KEY=team"};
    for (const char* dir : {"one", "two"}) {
      std::filesystem::create_directories(Path(dir));
      WriteFileOrDie(Config(dir), kConfig);
    }
  }

  std::string Config(const std::string& dir) const {
    return Path(dir + "/podform.yaml");
  }

  // The pid in the holder row of key "team", if any.
  std::optional<std::string> HolderPid() const {
    return QueryOne(uri_, "SELECT pid::text FROM podform_locks WHERE key = $1",
                    {"team"});
  }
  // The newest stored state of key "team" (parsed), or NotFound.
  absl::StatusOr<State> Stored() const {
    return PostgresStateStore(ParsePostgresUri(uri_, "team", "")).Read();
  }
  // Waits until `process`, still running, has stored an intent (it does so
  // before it sends the create).
  ::testing::AssertionResult WaitForIntent(Process& process) {
    auto has_intent = [&] {
      absl::StatusOr<State> stored = Stored();
      return stored.ok() && !stored->intents.empty();
    };
    WaitFor([&] { return has_intent() || process.Exited(); }, 30);
    if (has_intent() && !process.Exited()) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "the apply stored no intent while it ran: " << process.Wait();
  }
  // Waits until `process` holds the lock (its holder row is written).
  ::testing::AssertionResult WaitForHolder(Process& process) {
    const std::string pid = absl::StrCat(process.pid());
    if (WaitFor([&] { return HolderPid() == pid || process.Exited(); }, 30) &&
        HolderPid() == pid) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "the apply never held the lock: " << process.Wait();
  }

  // The sandbox holds one volume and one pod, the state of key "team"
  // records exactly them with no intent left, and a plan from `dir` has
  // nothing to do. Returns the live volume's id ("" on failure).
  std::string ExpectConvergedFrom(const std::string& dir) {
    json live = sandbox().Live();
    EXPECT_EQ(live["networkVolumes"].size(), 1u) << live.dump(2);
    EXPECT_EQ(live["pods"].size(), 1u) << live.dump(2);
    absl::StatusOr<State> stored = Stored();
    EXPECT_TRUE(stored.ok()) << stored.status();
    if (!stored.ok() || live["networkVolumes"].size() != 1 ||
        live["pods"].size() != 1 || stored->resources.size() != 2) {
      ADD_FAILURE() << "not converged";
      return "";
    }
    EXPECT_TRUE(stored->intents.empty());
    const std::string volume = live["networkVolumes"][0]["id"];
    EXPECT_EQ(stored->Find({Kind::kVolume, "models"})->id, volume);
    EXPECT_EQ(stored->Find({Kind::kPod, "trainer"})->id, live["pods"][0]["id"]);
    RunResult plan =
        PodformAt(sandbox(), Config(dir), {"plan", "--detailed-exitcode"});
    EXPECT_EQ(plan.exit_code, 0) << plan;
    return volume;
  }

  TestPostgres* pg_ = nullptr;
  std::string uri_;
  std::string name_;
};

TEST_F(PostgresE2eTest, TwoAppliesFromTwoDirectoriesOneRunsTheOtherIsRefused) {
  StartSandbox({"--latency-ms", "1500"});
  std::unique_ptr<Process> first =
      StartPodform({"apply", "--auto-approve"}, {}, Config("one"));
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(WaitForHolder(*first));

  RunResult second = PodformAt(sandbox(), Config("two"),
                               {"apply", "--auto-approve"});
  const bool first_still_running = !first->Exited();
  EXPECT_EQ(second.exit_code, 1) << second;
  EXPECT_EQ(second.out, "");
  EXPECT_THAT(second.err,
              ContainsRegex(absl::StrCat(
                  "^podform: state \"team\" in [^\n]* is locked by pid ",
                  first->pid(), " on host \"", HostName(),
                  "\" running \"podform apply\" since "
                  "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"
                  "\n$")));
  EXPECT_THAT(second.err, HasSubstr(name_ + " is locked by pid "));
  EXPECT_TRUE(first_still_running) << "the refused apply waited";

  RunResult done = first->Wait();
  EXPECT_EQ(done.exit_code, 0) << done;
  EXPECT_THAT(done.out, HasSubstr("Apply complete! Resources: 2 added"));
  // The other directory sees the same state: nothing to do.
  ExpectConvergedFrom("two");
  EXPECT_FALSE(HolderPid().has_value());
  EXPECT_EQ(transcript().find(pg_->password()), std::string::npos);
}

TEST_F(PostgresE2eTest, KillingTheHolderLetsTheNextApplyStartAtOnce) {
  StartSandbox({"--latency-ms", "1000"});
  std::unique_ptr<Process> first =
      StartPodform({"apply", "--auto-approve"}, {}, Config("one"));
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(WaitForHolder(*first));
  // Let it record the intent to create the volume (which it does before
  // sending the create, whose answer the latency holds back).
  ASSERT_TRUE(WaitForIntent(*first));
  ::kill(first->pid(), SIGKILL);
  RunResult killed = first->Wait();
  EXPECT_EQ(killed.signal, SIGKILL) << killed;

  // At once: the server frees the dead holder's lock when its backend sees
  // the connection end, within moments of the kill, not after a timeout.
  {
    PostgresStateStore store(ParsePostgresUri(uri_, "team", ""));
    absl::StatusOr<std::unique_ptr<StateLock>> lock =
        absl::UnavailableError("not tried");
    ASSERT_TRUE(WaitFor(
        [&] {
          lock = store.Lock("podform test");
          return lock.ok();
        },
        2))
        << lock.status();
  }
  // Let the create it had in flight finish on the server.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // The apply from the other directory settles what the dead one began.
  RunResult next =
      PodformAt(sandbox(), Config("two"), {"apply", "--auto-approve"});
  EXPECT_EQ(next.exit_code, 0) << next;
  EXPECT_THAT(next.err, Not(HasSubstr("locked")));
  ExpectConvergedFrom("one");
}

TEST_F(PostgresE2eTest, AServerRestartStopsTheApplyAndTheNextConverges) {
  StartSandbox({"--latency-ms", "1000"});
  std::unique_ptr<Process> first =
      StartPodform({"apply", "--auto-approve"}, {}, Config("one"));
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(WaitForHolder(*first));
  ASSERT_TRUE(WaitForIntent(*first));
  // The create in flight, the server restarts: the run's lock ends with
  // its connection.
  absl::Status restarted = pg_->Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;

  RunResult done = first->Wait();
  EXPECT_EQ(done.exit_code, 1) << done;
  EXPECT_THAT(done.err,
              HasSubstr(absl::StrCat(
                  "podform: ", name_,
                  ": the connection holding this run's lock ended (the server "
                  "restarted or the network failed), so another run may hold "
                  "the lock now; refusing to write")))
      << done;
  // The step in flight finished. Outcomes are written in the background,
  // so the pod's step may have started before a write failed (then it
  // finished too) or not (then it never starts).
  EXPECT_THAT(done.out, HasSubstr("\nvolume.models: created (id "));
  if (done.out.find("\npod.trainer: created (id ") == std::string::npos) {
    EXPECT_THAT(done.out,
                HasSubstr("\npod.trainer: not started: the state could not "
                          "be written ("));
    EXPECT_THAT(done.out, HasSubstr("\nApply failed: 1 succeeded, 0 failed, 1 "
                                    "skipped (1 added, 0 changed, 0 "
                                    "destroyed).\n"));
  } else {
    EXPECT_THAT(done.out, HasSubstr("\nApply failed: 2 succeeded, 0 failed, 0 "
                                    "skipped (2 added, 0 changed, 0 "
                                    "destroyed).\n"));
  }
  // What the database lacks is saved beside the config, named after the key.
  std::string saved;
  for (const auto& entry : std::filesystem::directory_iterator(Path("one"))) {
    if (entry.path().filename().string().starts_with(
            "podform-team.lock.unrecorded-")) {
      saved = entry.path().string();
    }
  }
  ASSERT_FALSE(saved.empty()) << done;
  EXPECT_THAT(done.err,
              HasSubstr(absl::StrCat(
                  "\npodform: what happened is saved in ", saved,
                  " (a complete lock file), for reference: the next apply "
                  "settles the creates that ",
                  name_, " lacks through their recorded intents\n")));
  absl::StatusOr<State> unrecorded =
      ParseState(harness::ReadFileOrDie(saved), saved);
  ASSERT_TRUE(unrecorded.ok()) << unrecorded.status();
  const ResourceState* volume =
      unrecorded->Find({Kind::kVolume, "models"});
  ASSERT_NE(volume, nullptr);

  // The next run settles what the first did not record, through its intents.
  RunResult next =
      PodformAt(sandbox(), Config("two"), {"apply", "--auto-approve"});
  EXPECT_EQ(next.exit_code, 0) << next;
  EXPECT_EQ(ExpectConvergedFrom("one"), volume->id);
  EXPECT_EQ(transcript().find(pg_->password()), std::string::npos);
}

// Issue 18: import --all with the state in PostgreSQL adopts what the
// state lacks (here: a pod made by hand with a token in its env, mounting
// the managed volume), the next plan is empty, and no stored version holds
// the token.
TEST_F(PostgresE2eTest, ImportAllRecordsInTheDatabaseAndKeepsSecretsOut) {
  RunResult applied =
      Podform({"apply", "--auto-approve"}, {}, Config("one"));
  ASSERT_EQ(applied.exit_code, 0) << applied;
  absl::StatusOr<State> before = Stored();
  ASSERT_TRUE(before.ok()) << before.status();
  const std::string volume = before->Find({Kind::kVolume, "models"})->id;
  const std::string token = "ghp_pgImportSecret9Xq2Lm7Zt";
  json deployed = sandbox().GraphQL(
      "mutation { podFindAndDeployOnDemand(input: {name: \"Notebook\", "
      "imageName: \"runpod/pytorch:2.4.0\", gpuTypeId: \"NVIDIA RTX A6000\", "
      "cloudType: SECURE, containerDiskInGb: 20, networkVolumeId: \"" +
      volume + "\", env: [{key: \"GH\", value: \"" + token +
      "\"}]}) { id } }");
  const std::string pod = deployed["data"]["podFindAndDeployOnDemand"]["id"];

  RunResult imported = Podform({"import", "--all"}, {}, Config("one"));
  ASSERT_EQ(imported.exit_code, 0) << imported;
  EXPECT_THAT(imported.out, HasSubstr("Imported pod.notebook (id " + pod +
                                      ")\nAdded them to " + Config("one") +
                                      " and recorded them in " + name_ +
                                      ".\n"));
  EXPECT_THAT(imported.out, HasSubstr("  export GH=...  # env GH of "
                                      "pod.notebook\n"));
  EXPECT_EQ(harness::ReadFileOrDie(Config("one")),
            std::string(kConfig) +
                "  notebook:\n    name: Notebook\n    image: "
                "runpod/pytorch:2.4.0\n    gpuType: NVIDIA RTX A6000\n"
                "    volume: models\n    env:\n      GH: \"${env:GH}\"\n");
  EXPECT_FALSE(std::filesystem::exists(Path("one/podform.lock")));
  absl::StatusOr<State> after = Stored();
  ASSERT_TRUE(after.ok()) << after.status();
  const ResourceState* recorded = after->Find({Kind::kPod, "notebook"});
  ASSERT_NE(recorded, nullptr);
  EXPECT_EQ(recorded->id, pod);
  EXPECT_EQ(recorded->resource.secret_env, std::set<std::string>{"GH"});
  EXPECT_EQ(recorded->resource.volume_key, "models");
  EXPECT_EQ(QueryOne(uri_,
                     "SELECT count(*)::text FROM podform_state_versions "
                     "WHERE strpos(body, $1) > 0",
                     {token}),
            "0");
  EXPECT_EQ(transcript().find(token), std::string::npos);

  RunResult plan = Podform({"plan", "--detailed-exitcode"}, {"GH=" + token},
                           Config("one"));
  EXPECT_EQ(plan.exit_code, 0) << plan;
}

}  // namespace
}  // namespace podform
