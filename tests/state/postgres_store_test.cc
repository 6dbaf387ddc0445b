#include "reconciler/state/postgres_store.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/state/serialize.h"
#include "tests/state/postgres_server.h"
#include "tests/state/sample_state.h"
#include "tests/state/store_suite.h"
#include "tests/state/test_util.h"

namespace podform {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string NewKey() {
  static std::atomic<int> counter{0};
  return absl::StrCat("key-", ++counter);
}

// A superuser connection for side doors.
class Client {
 public:
  explicit Client(const std::string& uri) : conn_(PQconnectdb(uri.c_str())) {
    EXPECT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
  }
  ~Client() { PQfinish(conn_); }
  // The first column of the first row, or nullopt (no row, NULL, error).
  std::optional<std::string> Query(const std::string& sql,
                                   const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const std::string& p : params) values.push_back(p.c_str());
    PGresult* r = PQexecParams(conn_, sql.c_str(),
                               static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    std::optional<std::string> out;
    ExecStatusType st = PQresultStatus(r);
    EXPECT_TRUE(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        << PQresultErrorMessage(r);
    if (st == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
      out = PQgetvalue(r, 0, 0);
    }
    PQclear(r);
    return out;
  }

 private:
  PGconn* conn_;
};

class PostgresHarness : public StoreHarness {
 public:
  PostgresHarness(TestPostgres* pg, Clock now)
      : uri_(pg->Uri()),
        store_(ParsePostgresUri(absl::StrCat(uri_, "&key=", NewKey()), "",
                                "unused"),
               std::move(now)),
        client_(uri_) {}
  StateStore& store() override { return store_; }
  std::string name() const override { return store_.name(); }
  std::optional<std::string> contents() override {
    // The tables exist once the store has connected.
    if (!client_.Query("SELECT to_regclass('podform_state_versions')::text",
                       {})
             .has_value()) {
      return std::nullopt;
    }
    // The current state as a lock file: the newest version's body when it
    // is whole; a delta is read back through the chain it ends.
    if (client_.Query("SELECT delta::text FROM podform_state_versions WHERE "
                      "key = $1 ORDER BY seq DESC LIMIT 1",
                      {store_.location().key}) == "true") {
      absl::StatusOr<State> state = store_.Read();
      EXPECT_TRUE(state.ok()) << state.status();
      return state.ok() ? SerializeState(*state) : "";
    }
    return client_.Query(
        "SELECT body FROM podform_state_versions WHERE key = $1 ORDER BY seq "
        "DESC LIMIT 1",
        {store_.location().key});
  }
  void set_contents(const std::string& text) override {
    (void)store_.History();  // creates the tables
    client_.Query(
        "INSERT INTO podform_state_versions (key, seq, body) SELECT $1, "
        "coalesce(max(seq), 0) + 1, $2 FROM podform_state_versions WHERE key "
        "= $1",
        {store_.location().key, text});
  }

 private:
  std::string uri_;
  PostgresStateStore store_;
  Client client_;
};

INSTANTIATE_TEST_SUITE_P(
    Postgres, StoreSuite,
    ::testing::Values(StoreBackend{
        "Postgres",
        [](Clock now) -> std::unique_ptr<StoreHarness> {
          return std::make_unique<PostgresHarness>(*TestPostgres::Get(),
                                                   std::move(now));
        },
        [] { return TestPostgres::Get().status(); }}),
    StoreBackendName);

TEST(PostgresUriTest, TakesTheKeyOutAndThePasswordOffTheDisplay) {
  PostgresLocation l = ParsePostgresUri(
      "postgresql://alice:p%40ss@db.example:5432/podform?sslmode=require&"
      "key=team%2Fgpu&application_name=x",
      "env-key", "dir");
  EXPECT_EQ(l.key, "team/gpu");
  EXPECT_EQ(l.conninfo,
            "postgresql://alice:p%40ss@db.example:5432/podform?sslmode=require&"
            "application_name=x");
  EXPECT_EQ(l.display,
            "postgresql://alice@db.example:5432/podform?sslmode=require&"
            "application_name=x");
  EXPECT_EQ(l.password, "p@ss");
}

TEST(PostgresUriTest, KeyFromTheEnvironmentElseTheDirectory) {
  EXPECT_EQ(ParsePostgresUri("postgres://h/db", "env-key", "dir").key,
            "env-key");
  PostgresLocation l = ParsePostgresUri(
      "postgres:///db?host=/run/pg&password=hunter22", "", "dir");
  EXPECT_EQ(l.key, "dir");
  EXPECT_EQ(l.conninfo, "postgres:///db?host=/run/pg&password=hunter22");
  EXPECT_EQ(l.display, "postgres:///db?host=/run/pg");
  EXPECT_EQ(l.password, "hunter22");
  EXPECT_TRUE(IsPostgresUri("postgresql://x"));
  EXPECT_TRUE(IsPostgresUri("postgres://x"));
  EXPECT_FALSE(IsPostgresUri("podform.lock"));
  EXPECT_FALSE(IsPostgresUri("postgres.lock"));
}

TEST(PostgresStoreTest, NamesItselfWithoutThePassword) {
  PODFORM_REQUIRE_POSTGRES(pg);
  PostgresStateStore store(ParsePostgresUri(pg->Uri() + "&key=k", "", ""));
  EXPECT_EQ(store.name(), absl::StrCat("state \"k\" in postgresql://podform@/"
                                       "postgres?host=",
                                       pg->socket_dir()));
}

TEST(PostgresStoreTest, TwoStoresRacingAWriteOneWinsTheOtherIsAborted) {
  PODFORM_REQUIRE_POSTGRES(pg);
  const std::string uri = absl::StrCat(pg->Uri(), "&key=", NewKey());
  for (int round = 0; round < 10; ++round) {
    PostgresStateStore setup(ParsePostgresUri(uri, "", ""));
    absl::StatusOr<State> read = setup.Read();
    State base;
    if (read.ok()) {
      base = *read;
    } else {
      base.lineage = "0b7c0e44-2d5f-4b4e-9a39-6f1f2c3d4e5f";
      ASSERT_TRUE(setup.Write(&base).ok());
    }
    PostgresStateStore a(ParsePostgresUri(uri, "", ""));
    PostgresStateStore b(ParsePostgresUri(uri, "", ""));
    ASSERT_TRUE(a.Read().ok());  // both connected before the race
    ASSERT_TRUE(b.Read().ok());
    State sa = base, sb = base;
    absl::Status ra, rb;
    std::thread ta([&] { ra = a.Write(&sa); });
    std::thread tb([&] { rb = b.Write(&sb); });
    ta.join();
    tb.join();
    ASSERT_NE(ra.ok(), rb.ok()) << ra << " / " << rb;
    const absl::Status& lost = ra.ok() ? rb : ra;
    EXPECT_EQ(lost.code(), absl::StatusCode::kAborted) << lost;
    EXPECT_THAT(lost.message(),
                HasSubstr(absl::StrCat("was written by another run since this "
                                       "one read it (serial ",
                                       base.serial + 1, ", this run has ",
                                       base.serial, ")")));
    EXPECT_EQ(ra.ok() ? sb.serial : sa.serial, base.serial);
    absl::StatusOr<State> now = setup.Read();
    ASSERT_TRUE(now.ok());
    EXPECT_EQ(now->serial, base.serial + 1);
    absl::StatusOr<std::vector<PostgresStateStore::Version>> history =
        setup.History();
    ASSERT_TRUE(history.ok());
    EXPECT_EQ(history->size(), static_cast<size_t>(base.serial + 1));
  }
}

TEST(PostgresStoreTest, KeepsEveryVersionWithWhoAndHowManyChanged) {
  PODFORM_REQUIRE_POSTGRES(pg);
  PostgresStateStore store(
      ParsePostgresUri(absl::StrCat(pg->Uri(), "&key=", NewKey()), "", ""));
  absl::StatusOr<std::unique_ptr<StateLock>> lock =
      store.Lock("podform apply");
  ASSERT_TRUE(lock.ok()) << lock.status();
  State state = SampleState();
  state.serial = 0;
  ASSERT_TRUE(store.Write(&state).ok());
  state.resources.erase({Kind::kPod, "trainer"});
  ASSERT_TRUE(store.Write(&state).ok());
  ASSERT_TRUE(store.Write(&state).ok());
  absl::StatusOr<std::vector<PostgresStateStore::Version>> history =
      store.History();
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 3u);
  const size_t total = SampleState().resources.size();
  EXPECT_EQ((*history)[0].serial, 1);
  EXPECT_EQ((*history)[0].changes, static_cast<int64_t>(total));
  EXPECT_EQ((*history)[1].serial, 2);
  EXPECT_EQ((*history)[1].changes, 1);
  EXPECT_EQ((*history)[2].serial, 3);
  EXPECT_EQ((*history)[2].changes, 0);
  for (const auto& v : *history) {
    EXPECT_EQ(v.host, HostName());
    EXPECT_EQ(v.pid, ::getpid());
    EXPECT_EQ(v.command, "podform apply");
    EXPECT_EQ(v.written_at.size(), 20u) << v.written_at;
  }
  // Once the lock is released, a write is no longer that command's.
  lock->reset();
  ASSERT_TRUE(store.Write(&state).ok());
  history = store.History();
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 4u);
  EXPECT_EQ((*history)[3].command, "");
}

// SampleState() with `pods` pods more, each mounting volume.models.
State LargeState(int pods) {
  State state = SampleState();
  state.serial = 0;
  const ResourceState& trainer = state.resources.at({Kind::kPod, "trainer"});
  for (int i = 0; i < pods; ++i) {
    ResourceState pod = trainer;
    pod.resource.address = {Kind::kPod, absl::StrCat("worker-", i)};
    pod.resource.pod.name = absl::StrCat("worker-", i);
    pod.id = absl::StrCat("pod", i);
    state.resources[pod.resource.address] = pod;
  }
  return state;
}

// The kinds of the versions of `key`, oldest first: 'w' whole, 'd' delta.
std::string VersionKinds(Client& client, const std::string& key) {
  return client
      .Query("SELECT string_agg(CASE WHEN delta THEN 'd' ELSE 'w' END, '' "
             "ORDER BY seq) FROM podform_state_versions WHERE key = $1",
             {key})
      .value_or("");
}

TEST(PostgresStoreTest, AWriteKeepsOnlyWhatChangedAndReadsBackWhole) {
  PODFORM_REQUIRE_POSTGRES(pg);
  const std::string key = NewKey();
  PostgresStateStore store(
      ParsePostgresUri(absl::StrCat(pg->Uri(), "&key=", key), "", ""));
  Client client(pg->Uri());
  State state = LargeState(100);
  ASSERT_TRUE(store.Write(&state).ok());
  const int64_t whole = std::stoll(
      client.Query("SELECT length(body)::text FROM podform_state_versions "
                   "WHERE key = $1",
                   {key})
          .value());
  // One pod changes, one goes, an intent appears.
  state.resources.at({Kind::kPod, "worker-7"}).resource.pod.image = "img:2";
  state.resources.erase({Kind::kPod, "worker-8"});
  CreateIntent intent;
  intent.address = {Kind::kPod, "extra"};
  intent.name = "extra";
  intent.started_at = "2026-12-05T00:00:00Z";
  state.intents[intent.address] = intent;
  ASSERT_TRUE(store.Write(&state).ok());
  EXPECT_EQ(VersionKinds(client, key), "wd");
  EXPECT_EQ(client.Query("SELECT removed FROM podform_state_versions WHERE "
                         "key = $1 AND seq = 2",
                         {key}),
            R"({"intents":[],"resources":["pod.worker-8"]})");
  const int64_t delta = std::stoll(
      client.Query("SELECT length(body)::text FROM podform_state_versions "
                   "WHERE key = $1 AND seq = 2",
                   {key})
          .value());
  EXPECT_LT(delta * 20, whole) << delta << " against " << whole;
  // Another run (another store object) reads it back whole, and writes its
  // own change as a delta of the chain it read.
  PostgresStateStore other(
      ParsePostgresUri(absl::StrCat(pg->Uri(), "&key=", key), "", ""));
  absl::StatusOr<State> read = other.Read();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, state);
  read->intents.clear();
  ASSERT_TRUE(other.Write(&*read).ok());
  EXPECT_EQ(VersionKinds(client, key), "wdd");
  EXPECT_EQ(client.Query("SELECT removed FROM podform_state_versions WHERE "
                         "key = $1 AND seq = 3",
                         {key}),
            R"({"intents":["pod.extra"],"resources":[]})");
  absl::StatusOr<State> again = store.Read();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *read);
  absl::StatusOr<std::vector<PostgresStateStore::Version>> history =
      store.History();
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].changes, 102);
  EXPECT_EQ((*history)[1].changes, 2);
  EXPECT_EQ((*history)[2].changes, 0);
}

TEST(PostgresStoreTest, EveryVersionReadsBackAndPruneKeepsTheOldestWhole) {
  PODFORM_REQUIRE_POSTGRES(pg);
  const std::string key = NewKey();
  PostgresStateStore store(
      ParsePostgresUri(absl::StrCat(pg->Uri(), "&key=", key), "", ""));
  Client client(pg->Uri());
  State state = LargeState(40);
  std::vector<State> versions;
  for (int i = 0; i < 60; ++i) {
    state.resources.at({Kind::kPod, absl::StrCat("worker-", i % 40)})
        .resource.pod.image = absl::StrCat("img:", i);
    ASSERT_TRUE(store.Write(&state).ok());
    versions.push_back(state);
  }
  // Deltas until they add up to a quarter of the whole version, then whole
  // again: more than one whole version, most versions deltas.
  const std::string kinds = VersionKinds(client, key);
  ASSERT_EQ(kinds.size(), 60u);
  const auto wholes = std::count(kinds.begin(), kinds.end(), 'w');
  EXPECT_GE(wholes, 2) << kinds;
  EXPECT_LE(wholes, 15) << kinds;
  EXPECT_EQ(kinds[0], 'w');
  for (const State& version : versions) {
    absl::StatusOr<State> read = store.ReadSerial(version.serial);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(*read, version) << "serial " << version.serial;
  }
  // The oldest version kept is a delta: prune keeps it whole.
  const size_t first_delta_kept = kinds.find_last_of('w') + 1;
  ASSERT_LT(first_delta_kept, kinds.size()) << kinds;
  const int64_t keep = static_cast<int64_t>(kinds.size() - first_delta_kept);
  absl::StatusOr<int64_t> pruned = store.Prune(keep);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(*pruned, 60 - keep);
  EXPECT_EQ(VersionKinds(client, key),
            "w" + std::string(static_cast<size_t>(keep - 1), 'd'));
  for (size_t i = first_delta_kept; i < versions.size(); ++i) {
    absl::StatusOr<State> read = store.ReadSerial(versions[i].serial);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(*read, versions[i]) << "serial " << versions[i].serial;
  }
  EXPECT_EQ(store.ReadSerial(versions[0].serial).status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<State> read = store.Read();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, versions.back());
  // And the store goes on writing after the prune.
  state.resources.erase({Kind::kPod, "worker-0"});
  ASSERT_TRUE(store.Write(&state).ok());
  read = store.Read();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, state);
}

TEST(PostgresStoreTest, UpgradesTheTablesOfSchemaVersion1InPlace) {
  PODFORM_REQUIRE_POSTGRES(pg);
  absl::StatusOr<std::string> db = pg->NewDatabase();
  ASSERT_TRUE(db.ok()) << db.status();
  // The tables as podform with schema version 1 made them, with a state.
  ASSERT_TRUE(
      pg->Sql("CREATE TABLE podform_schema (version integer NOT NULL); "
              "INSERT INTO podform_schema VALUES (1); "
              "CREATE TABLE podform_state_versions (key text NOT NULL, seq "
              "bigint NOT NULL, serial bigint, lineage text, body text NOT "
              "NULL, written_at timestamptz NOT NULL DEFAULT now(), host text "
              "NOT NULL DEFAULT '', os_user text NOT NULL DEFAULT '', pid "
              "bigint NOT NULL DEFAULT 0, command text NOT NULL DEFAULT '', "
              "changes bigint, PRIMARY KEY (key, seq)); "
              "CREATE TABLE podform_locks (key text PRIMARY KEY, backend_pid "
              "integer NOT NULL, pid bigint NOT NULL, host text NOT NULL, "
              "command text NOT NULL, since text NOT NULL)",
              *db)
          .ok());
  Client client(pg->Uri(*db));
  client.Query("INSERT INTO podform_state_versions (key, seq, serial, lineage, "
               "body) VALUES ('k', 1, 7, $1, $2)",
               {kLineage, SampleLockFile()});
  PostgresStateStore store(ParsePostgresUri(pg->Uri(*db) + "&key=k", "", ""));
  absl::StatusOr<State> read = store.Read();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, SampleState());
  EXPECT_EQ(client.Query("SELECT version::text FROM podform_schema", {}), "2");
  read->resources.erase({Kind::kPod, "trainer"});
  ASSERT_TRUE(store.Write(&*read).ok());
  absl::StatusOr<State> again = store.Read();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *read);
  absl::StatusOr<State> old = store.ReadSerial(7);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(*old, SampleState());
}

TEST(PostgresStoreTest, LockHeldByOneConnectionIsRefusedToAnotherNamingIt) {
  PODFORM_REQUIRE_POSTGRES(pg);
  const std::string uri = absl::StrCat(pg->Uri(), "&key=", NewKey());
  PostgresStateStore first(ParsePostgresUri(uri, "", ""), [] {
    return LockTime();
  });
  PostgresStateStore second(ParsePostgresUri(uri, "", ""));
  absl::StatusOr<std::unique_ptr<StateLock>> held = first.Lock("podform apply");
  ASSERT_TRUE(held.ok()) << held.status();
  absl::StatusOr<std::unique_ptr<StateLock>> refused =
      second.Lock("podform apply");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().message(),
            absl::StrCat(second.name(), " is locked by pid ", ::getpid(),
                         " on host \"", HostName(),
                         "\" running \"podform apply\" since "
                         "2026-11-26T22:00:00Z"));
  // Another key in the same database is not locked.
  PostgresStateStore other(
      ParsePostgresUri(absl::StrCat(pg->Uri(), "&key=", NewKey()), "", ""));
  EXPECT_TRUE(other.Lock("podform apply").ok());
  held->reset();
  EXPECT_TRUE(second.Lock("podform apply").ok());
}

TEST(PostgresStoreTest, LockIsFreedWhenTheHoldersConnectionIsKilled) {
  PODFORM_REQUIRE_POSTGRES(pg);
  const std::string key = NewKey();
  const std::string uri = absl::StrCat(pg->Uri(), "&key=", key);
  PostgresStateStore first(ParsePostgresUri(uri, "", ""));
  absl::StatusOr<std::unique_ptr<StateLock>> held = first.Lock("podform apply");
  ASSERT_TRUE(held.ok()) << held.status();
  PostgresStateStore second(ParsePostgresUri(uri, "", ""));
  ASSERT_FALSE(second.Lock("podform apply").ok());
  // The holder's connection dies (kill -9 of the holder, a lost network).
  Client admin(pg->Uri());
  ASSERT_EQ(admin.Query("SELECT count(pg_terminate_backend(backend_pid)) FROM "
                        "podform_locks WHERE key = $1",
                        {key}),
            "1");
  absl::StatusOr<std::unique_ptr<StateLock>> next;
  for (int i = 0; i < 100; ++i) {  // the backend exits asynchronously
    next = second.Lock("podform apply");
    if (next.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(next.ok()) << next.status();
  // The killed holder's lock object is destroyed without harm.
  held->reset();
  EXPECT_FALSE(first.Lock("podform apply").ok());
}

TEST(PostgresStoreTest, RefusesTablesFromANewerPodform) {
  PODFORM_REQUIRE_POSTGRES(pg);
  absl::StatusOr<std::string> db = pg->NewDatabase();
  ASSERT_TRUE(db.ok()) << db.status();
  PostgresStateStore store(ParsePostgresUri(pg->Uri(*db) + "&key=k", "", ""));
  State state;
  state.lineage = "0b7c0e44-2d5f-4b4e-9a39-6f1f2c3d4e5f";
  ASSERT_TRUE(store.Write(&state).ok());
  ASSERT_TRUE(pg->Sql("UPDATE podform_schema SET version = 3", *db).ok());
  PostgresStateStore later(ParsePostgresUri(pg->Uri(*db) + "&key=k", "", ""));
  const std::string expected = absl::StrCat(
      later.name(),
      ": the database's podform tables are schema version 3, made by a newer "
      "podform; this podform uses version 2: upgrade podform");
  absl::Status read = later.Read().status();
  EXPECT_EQ(read.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(read.message(), expected);
  absl::Status write = later.Write(&state);
  EXPECT_EQ(write.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(write.message(), expected);
  EXPECT_EQ(later.Lock("podform apply").status().message(), expected);
}

TEST(PostgresStoreTest, CreatesItsTablesOnFirstUse) {
  PODFORM_REQUIRE_POSTGRES(pg);
  absl::StatusOr<std::string> db = pg->NewDatabase();
  ASSERT_TRUE(db.ok()) << db.status();
  PostgresStateStore store(ParsePostgresUri(pg->Uri(*db) + "&key=k", "", ""));
  EXPECT_EQ(store.Read().status().code(), absl::StatusCode::kNotFound);
  Client client(pg->Uri(*db));
  EXPECT_EQ(client.Query("SELECT version::text FROM podform_schema", {}), "2");
  EXPECT_EQ(client.Query("SELECT count(*)::text FROM podform_state_versions",
                         {}),
            "0");
}

TEST(PostgresStoreTest, ThePasswordIsInNoError) {
  PODFORM_REQUIRE_POSTGRES(pg);
  // A wrong password in the URI.
  const std::string wrong = "wrong-pw-Zq81";
  std::string uri = pg->Uri();
  uri.replace(uri.find(pg->password()), pg->password().size(), wrong);
  PostgresStateStore bad(ParsePostgresUri(uri + "&key=k", "", ""));
  absl::Status read = bad.Read().status();
  EXPECT_EQ(read.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(read.message(), HasSubstr("cannot connect to state \"k\" in "
                                        "postgresql://podform@/postgres"));
  EXPECT_THAT(read.message(), HasSubstr("password authentication failed"));
  EXPECT_THAT(read.message(), Not(HasSubstr(wrong)));
  State state;
  state.lineage = "0b7c0e44-2d5f-4b4e-9a39-6f1f2c3d4e5f";
  EXPECT_THAT(bad.Write(&state).message(), Not(HasSubstr(wrong)));
  EXPECT_THAT(bad.Lock("podform apply").status().message(),
              Not(HasSubstr(wrong)));
  // A database that does not exist, the right password.
  PostgresStateStore missing(
      ParsePostgresUri(pg->Uri("nosuchdb") + "&key=k", "", ""));
  absl::Status gone = missing.Read().status();
  EXPECT_THAT(gone.message(), HasSubstr("\"nosuchdb\" does not exist"));
  EXPECT_THAT(gone.message(), Not(HasSubstr(pg->password())));
  // The errors of a working store: locked, aborted, refused lineage.
  const std::string good = absl::StrCat(pg->Uri(), "&key=", NewKey());
  PostgresStateStore a(ParsePostgresUri(good, "", ""));
  PostgresStateStore b(ParsePostgresUri(good, "", ""));
  auto held = a.Lock("podform apply");
  ASSERT_TRUE(held.ok());
  EXPECT_THAT(b.Lock("podform apply").status().message(),
              Not(HasSubstr(pg->password())));
  State s1 = state;
  ASSERT_TRUE(a.Write(&s1).ok());
  ASSERT_TRUE(a.Write(&s1).ok());
  State stale = state;
  EXPECT_THAT(b.Write(&stale).message(), Not(HasSubstr(pg->password())));
  State other = state;
  other.lineage = "11111111-2222-4333-8444-555555555555";
  other.serial = 9;
  EXPECT_THAT(b.Write(&other).message(), Not(HasSubstr(pg->password())));
  // A redacted libpq message: the password where libpq might echo it.
  EXPECT_EQ(RedactSecrets("bad URI postgres://u:hunter2@h and hunter2",
                          {"hunter2", ""}),
            "bad URI postgres://u:***@h and ***");
}

}  // namespace
}  // namespace podform
