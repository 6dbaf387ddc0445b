#ifndef PODFORM_TESTS_STATE_POSTGRES_SERVER_H_
#define PODFORM_TESTS_STATE_POSTGRES_SERVER_H_

// A throwaway PostgreSQL cluster for the tests of one process: initdb in a
// new directory under /tmp (as the unprivileged user "nobody" when the
// tests run as root), listening only on a Unix socket in that directory,
// password authentication (scram-sha-256) for the superuser "podform".
// Started on first use, stopped (pg_ctl stop -m immediate, directory
// removed) when the test program ends.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace podform {

class TestPostgres {
 public:
  // The cluster of this process, started on the first call; the reason it
  // could not start otherwise (the same reason on every later call).
  static absl::StatusOr<TestPostgres*> Get();

  // A connection URI for `database` with the password in it.
  std::string Uri(const std::string& database = "postgres") const;
  const std::string& password() const { return password_; }
  const std::string& socket_dir() const { return dir_; }

  // Runs SQL as the superuser in `database` (for test set-up and side doors).
  absl::Status Sql(const std::string& sql,
                   const std::string& database = "postgres") const;
  // A new empty database with a unique name; returns its name.
  absl::StatusOr<std::string> NewDatabase() const;

  void Stop();
  // pg_ctl restart -m fast: every connection is ended; the server is back
  // (same socket, same data) when this returns.
  absl::Status Restart();

 private:
  TestPostgres() = default;
  absl::Status Start();

  std::string dir_;
  std::string password_;
  bool running_ = false;
};

// True when the tests run in CI (CI=true), where a server that cannot
// start fails the tests instead of skipping them.
bool InCi();

}  // namespace podform

// In a TEST body: `pg` is the cluster, or the test fails (CI) or is skipped.
#define PODFORM_REQUIRE_POSTGRES(pg)                                        \
  ::podform::TestPostgres* pg = nullptr;                                    \
  do {                                                                      \
    absl::StatusOr<::podform::TestPostgres*> started_ =                     \
        ::podform::TestPostgres::Get();                                     \
    if (!started_.ok()) {                                                   \
      if (::podform::InCi()) FAIL() << started_.status();                  \
      GTEST_SKIP() << "no PostgreSQL server: " << started_.status();        \
    }                                                                       \
    pg = *started_;                                                         \
  } while (false)

#endif  // PODFORM_TESTS_STATE_POSTGRES_SERVER_H_
