#ifndef PODFORM_TESTS_RELIABILITY_HARNESS_H_
#define PODFORM_TESTS_RELIABILITY_HARNESS_H_

// Fault-injection harness: runs the real podform binary (PODFORM_BINARY)
// against `podform sandbox serve` on 127.0.0.1 with the sandbox's fault flags,
// kills or signals it, and reads back what RunPod (the sandbox) holds through
// GraphQL over libcurl. Every test works in a fresh temporary directory;
// nothing here contacts a non-loopback address.

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace podform::reliability {

// The API key the sandbox accepts (sandbox serve --api-key) and every podform
// run gets in RUNPOD_API_KEY. Distinctive, so that a grep for it is exact.
inline constexpr char kApiKey[] = "rel-apikey-Q7ZK4W9XJ2MV";

// Seconds on a monotonic clock.
double Now();

// Polls `condition` every 2 ms until it holds (true) or `timeout_seconds`
// pass (false).
bool WaitFor(const std::function<bool()>& condition, double timeout_seconds);

// What a finished process did.
struct RunResult {
  int exit_code = -1;  // -1 when it did not exit normally
  int signal = 0;      // the signal that ended it, 0 if it exited
  std::string out;
  std::string err;
  double seconds = 0;  // from spawn to exit
};

std::ostream& operator<<(std::ostream& os, const RunResult& r);

// A process started with posix_spawn: stdin /dev/null, stdout and stderr into
// files. Killed (SIGKILL) and reaped on destruction if still running.
class Process {
 public:
  // `argv[0]` is an absolute path; `env` is the whole environment. Fails the
  // test and returns null when the spawn fails.
  static std::unique_ptr<Process> Spawn(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& env,
                                        const std::string& out_path,
                                        const std::string& err_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  double started() const { return started_; }
  // Sends `signal` (no-op once reaped).
  void Signal(int signal);
  // True once the process has exited (reaps it).
  bool Exited();
  // Waits for the exit, at most `timeout_seconds`; after that, kills it with
  // SIGKILL and fails the test. Returns what it did.
  RunResult Wait(double timeout_seconds = 120);
  // What it has written to stdout so far.
  std::string StdoutSoFar() const;

 private:
  Process() = default;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  double started_ = 0;
  double ended_ = 0;
  std::string out_path_, err_path_;
};

// `podform sandbox serve --listen 127.0.0.1:0 --data DATA --api-key kApiKey
// [flags]`.
class Sandbox {
 public:
  // Starts it and reads its first line ("listening on
  // http://127.0.0.1:PORT/graphql"). Fails the test and returns null
  // otherwise. Its stderr goes to DATA.stderr.
  static std::unique_ptr<Sandbox> Start(const std::string& data_path,
                                        const std::vector<std::string>& flags);
  ~Sandbox();  // SIGKILL if Stop() was not called

  const std::string& url() const { return url_; }
  const std::string& data_path() const { return data_path_; }

  // SIGTERM, then waits (at most 20 s); returns the exit code.
  int Stop();

  // POSTs {"query": document} with kApiKey; the parsed body. HTTP 429, 502
  // and 503 (fault flags) are retried. Fails the test and returns null on a
  // transport error, another non-200 answer or a body that is not JSON.
  nlohmann::json GraphQL(const std::string& document) const;

  // {"networkVolumes": [{id name size dataCenterId}], "pods": [{id name
  // imageName networkVolumeId desiredStatus env}]}.
  nlohmann::json Live() const;

 private:
  Sandbox() = default;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string url_, data_path_, err_path_;
};

// How many live volumes / pods carry each name.
struct LiveCounts {
  std::map<std::string, int> volumes;
  std::map<std::string, int> pods;
  bool operator==(const LiveCounts&) const = default;
};
LiveCounts CountNames(const nlohmann::json& live);
std::ostream& operator<<(std::ostream& os, const LiveCounts& c);

// A config of `volumes` volumes (v0.., 10 GB each, EU-RO-1, unprotected)
// and `pods` pods (p0..); pod i mounts volume i when i < `mounted` (and i <
// volumes), the others have no volume; the last `stopped` pods are declared
// `status: stopped`. Every RunPod name starts with `prefix`. `pod_extra` is
// appended under every pod ("    key: value\n").
struct Fleet {
  std::string prefix = "rel-";
  int volumes = 3;
  int pods = 4;
  int mounted = 2;
  int stopped = 0;
  std::string pod_extra;

  static Fleet Of(std::string prefix, int volumes, int pods, int mounted,
                  int stopped = 0);

  std::string Yaml() const;
  // The live names the config declares, each once.
  LiveCounts Declared() const;
  int Resources() const { return volumes + pods; }
};

// The environment of every podform run: RUNPOD_API_KEY=kApiKey, HOME,
// PATH, LANG, and this process's sanitizer options.
std::vector<std::string> BaseEnv(const std::string& home);

// `env` with each of `changes` applied: "NAME=value" replaces any NAME
// entry, a bare "NAME" removes it.
std::vector<std::string> WithEnv(std::vector<std::string> env,
                                 const std::vector<std::string>& changes);

std::string ReadFileOrEmpty(const std::string& path);
void WriteFileOrDie(const std::string& path, const std::string& text);

// A temporary directory (kept when the test failed) and podform runs in it.
class ReliabilityTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // DIR/name.
  std::string Path(const std::string& name) const;

  // Starts a sandbox on DIR/data_name with `flags` and makes it the one
  // Podform() talks to (the previous one is stopped).
  Sandbox& StartSandbox(const std::vector<std::string>& flags,
                        const std::string& data_name = "sandbox.json");
  Sandbox& sandbox() { return *sandbox_; }

  // `podform --endpoint URL --file CONFIG ARGS...` in the environment
  // BaseEnv() changed by env_, then by `extra_env` (see WithEnv), started in
  // the background; CONFIG defaults to DIR/podform.yaml. Output goes to
  // DIR/runs/N.{out,err}.
  std::unique_ptr<Process> Start(const std::vector<std::string>& args,
                                 const std::vector<std::string>& extra_env = {},
                                 const std::string& config = "");
  // The same, waited for.
  RunResult Podform(const std::vector<std::string>& args,
                    const std::vector<std::string>& extra_env = {},
                    const std::string& config = "");
  // podform with exactly `args` (no --endpoint / --file added), in the same
  // environment.
  RunResult PodformRaw(const std::vector<std::string>& args,
                       const std::vector<std::string>& extra_env = {});

  // The end check of every fault test: the sandbox holds exactly `fleet`
  // (live names counted: no orphan, no duplicate), the lock file beside
  // CONFIG records each declared address with a live id and no intent, and
  // `plan --detailed-exitcode` exits 0.
  void ExpectExactly(const Fleet& fleet, const std::string& config = "");

  std::string dir_;
  std::unique_ptr<Sandbox> sandbox_;
  std::vector<std::string> env_;  // changes applied to every podform run
  int runs_ = 0;
};

}  // namespace podform::reliability

#endif  // PODFORM_TESTS_RELIABILITY_HARNESS_H_
