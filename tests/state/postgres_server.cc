#include "tests/state/postgres_server.h"

#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace podform {
namespace {

constexpr char kBin[] = "/usr/lib/postgresql/15/bin";
constexpr uid_t kNobody = 65534;

// Runs `command` through the shell, as nobody when this process is root.
absl::Status Run(const std::string& command, const std::string& log) {
  std::string line = command;
  if (::geteuid() == 0) {
    line = absl::StrCat("setpriv --reuid=", kNobody, " --regid=", kNobody,
                        " --clear-groups ", command);
  }
  line = absl::StrCat(line, " >>", log, " 2>&1");
  int rc = std::system(line.c_str());
  if (rc != 0) {
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    return absl::UnavailableError(absl::StrCat(
        "`", command, "` failed (status ", rc, "): ", text.str()));
  }
  return absl::OkStatus();
}

// The cluster, once a test asked for it.
absl::StatusOr<TestPostgres*>* started = nullptr;

class StopAtExit : public ::testing::Environment {
 public:
  void TearDown() override {
    if (started != nullptr && started->ok()) (**started)->Stop();
  }
};

[[maybe_unused]] ::testing::Environment* const kStopAtExit =
    ::testing::AddGlobalTestEnvironment(new StopAtExit);

}  // namespace

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

absl::StatusOr<TestPostgres*> TestPostgres::Get() {
  if (started == nullptr) {
    auto* pg = new TestPostgres();
    absl::Status status = pg->Start();
    started = new absl::StatusOr<TestPostgres*>(pg);
    if (!status.ok()) *started = status;
  }
  return *started;
}

absl::Status TestPostgres::Start() {
  std::string dir = "/tmp/podform-pg-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    return absl::InternalError("mkdtemp failed");
  }
  dir_ = dir;
  if (::geteuid() == 0 && ::chown(dir.c_str(), kNobody, kNobody) != 0) {
    return absl::InternalError(absl::StrCat("cannot chown ", dir));
  }
  password_ = absl::StrCat("pw-", ::getpid(), "-s3cret");
  const std::string pwfile = dir + "/pw";
  {
    std::ofstream out(pwfile);
    out << password_ << "\n";
  }
  if (::geteuid() == 0) (void)::chown(pwfile.c_str(), kNobody, kNobody);
  const std::string log = dir + "/log";
  if (absl::Status s = Run(
          absl::StrCat(kBin, "/initdb -D ", dir, "/data -U podform "
                       "--auth=scram-sha-256 --pwfile=", pwfile,
                       " --no-sync -E UTF8 --no-instructions"),
          log + ".initdb");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Run(
          absl::StrCat(kBin, "/pg_ctl -D ", dir, "/data -l ", log,
                       " -w -o \"-k ", dir,
                       " -c listen_addresses='' -F\" start"),
          log + ".pg_ctl");
      !s.ok()) {
    return s;
  }
  running_ = true;
  return absl::OkStatus();
}

void TestPostgres::Stop() {
  if (!running_) return;
  running_ = false;
  (void)Run(absl::StrCat(kBin, "/pg_ctl -D ", dir_, "/data -m immediate -w "
                         "stop"),
            dir_ + "/log.pg_ctl");
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::Status TestPostgres::Restart() {
  return Run(absl::StrCat(kBin, "/pg_ctl -D ", dir_, "/data -l ", dir_,
                          "/log -m fast -w restart"),
             dir_ + "/log.pg_ctl");
}

std::string TestPostgres::Uri(const std::string& database) const {
  return absl::StrCat("postgresql://podform:", password_, "@/", database,
                      "?host=", dir_);
}

absl::Status TestPostgres::Sql(const std::string& sql,
                               const std::string& database) const {
  PGconn* conn = PQconnectdb(Uri(database).c_str());
  absl::Status status;
  if (PQstatus(conn) != CONNECTION_OK) {
    status = absl::UnavailableError(PQerrorMessage(conn));
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      status = absl::InternalError(
          absl::StrCat(sql, ": ", PQresultErrorMessage(r)));
    }
    PQclear(r);
  }
  PQfinish(conn);
  return status;
}

absl::StatusOr<std::string> TestPostgres::NewDatabase() const {
  static std::atomic<int> counter{0};
  std::string name = absl::StrCat("db", ++counter);
  if (absl::Status s = Sql(absl::StrCat("CREATE DATABASE ", name)); !s.ok()) {
    return s;
  }
  return name;
}

}  // namespace podform
