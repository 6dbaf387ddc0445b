#include "reconciler/state/postgres_store.h"

#include <libpq-fe.h>
#include <unistd.h>

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
  ASSERT_TRUE(pg->Sql("UPDATE podform_schema SET version = 2", *db).ok());
  PostgresStateStore later(ParsePostgresUri(pg->Uri(*db) + "&key=k", "", ""));
  const std::string expected = absl::StrCat(
      later.name(),
      ": the database's podform tables are schema version 2, made by a newer "
      "podform; this podform uses version 1: upgrade podform");
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
  EXPECT_EQ(client.Query("SELECT version::text FROM podform_schema", {}), "1");
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
