#ifndef PODFORM_TESTS_E2E_HARNESS_H_
#define PODFORM_TESTS_E2E_HARNESS_H_

// End-to-end harness: runs the real podform binary (PODFORM_BINARY) against
// `podform sandbox serve` on 127.0.0.1, each test in a fresh temporary
// directory. Nothing here ever contacts a non-loopback address.

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace podform::e2e {

// The API key every podform run gets in RUNPOD_API_KEY; tests check that it
// never shows up in any output or file.
inline constexpr char kApiKey[] = "e2e-key-7f3a9c0d5b1e";

// What a finished process did.
struct RunResult {
  int exit_code = -1;  // -1 when it did not exit normally (e.g. a signal)
  std::string out;
  std::string err;
  double seconds = 0;  // wall time from spawn to exit
};

std::ostream& operator<<(std::ostream& os, const RunResult& r);

// A process started with posix_spawn: stdin /dev/null, stdout and stderr
// into files. Killed (SIGKILL) and reaped on destruction if still running.
class Child {
 public:
  // `argv[0]` is an absolute path; `env` is the whole environment.
  // `out_path`/`err_path` receive stdout/stderr. Fails the test (and returns
  // null) when the spawn fails.
  static std::unique_ptr<Child> Spawn(const std::vector<std::string>& argv,
                                      const std::vector<std::string>& env,
                                      const std::string& out_path,
                                      const std::string& err_path);
  ~Child();

  pid_t pid() const { return pid_; }
  // True once the process has exited (reaps it).
  bool Exited();
  // Waits for the exit; returns the RunResult with the captured output.
  RunResult Wait();

 private:
  Child() = default;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string out_path_, err_path_;
  double started_ = 0;
};

// `podform sandbox serve --listen 127.0.0.1:0 --data DATA [extra flags]`.
class SandboxServer {
 public:
  // Starts the server and reads its first stdout line ("listening on
  // http://127.0.0.1:PORT/graphql"). Fails the test (null) otherwise.
  static std::unique_ptr<SandboxServer> Start(
      const std::string& dir, const std::string& data_path,
      const std::vector<std::string>& extra_flags);
  // Kills the server if Stop() was not called.
  ~SandboxServer();

  const std::string& url() const { return url_; }
  const std::string& data_path() const { return data_path_; }

  // SIGTERM, then waits; returns the exit code (-1 on a signal death).
  int Stop();

  // POSTs {"query": document} with the test API key; returns the parsed
  // response body (fails the test and returns null on transport errors).
  nlohmann::json GraphQL(const std::string& document) const;

  // Every network volume and pod of the account:
  // {"networkVolumes": [{id name size dataCenterId}], "pods": [{id name
  // imageName gpuCount desiredStatus networkVolumeId env machine{...}}]}
  nlohmann::json Live() const;

 private:
  SandboxServer() = default;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string url_;
  std::string data_path_;
  std::string err_path_;
};

inline constexpr char kImage[] =
    "runpod/pytorch:2.4.0-py3.11-cuda12.4.1-devel-ubuntu22.04";
inline constexpr char kNewImage[] =
    "runpod/pytorch:2.5.1-py3.11-cuda12.4.1-devel-ubuntu22.04";

// The config most tests start from: volume.models in EU-RO-1 and, unless
// `pod` is false, pod.trainer mounting it.
struct TestConfig {
  int size = 50;
  bool pod = true;
  std::string image = kImage;
  std::string gpu = "NVIDIA RTX A6000";
  std::string status = "running";

  TestConfig& Size(int v) {
    size = v;
    return *this;
  }
  TestConfig& Pod(bool v) {
    pod = v;
    return *this;
  }
  TestConfig& Image(std::string v) {
    image = std::move(v);
    return *this;
  }
  TestConfig& Gpu(std::string v) {
    gpu = std::move(v);
    return *this;
  }
  TestConfig& Status(std::string v) {
    status = std::move(v);
    return *this;
  }

  std::string Yaml() const;
};

// The environment every podform run gets: RUNPOD_API_KEY, HOME, and the
// sanitizer options of this process (if any).
std::vector<std::string> BaseEnv(const std::string& home);

std::string ReadFileOrDie(const std::string& path);
void WriteFileOrDie(const std::string& path, const std::string& text);

// A temporary directory, a sandbox server and helpers to run podform in it.
class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Stops the sandbox (expecting exit 0) and removes the directory.
  void TearDown() override;

  // DIR/name.
  std::string Path(const std::string& name) const;

  // Starts the sandbox server with `extra_flags` (e.g. --latency-ms 300);
  // the first call to sandbox() starts one without flags.
  SandboxServer& StartSandbox(const std::vector<std::string>& extra_flags = {},
                              const std::string& data_name = "sandbox.json");
  SandboxServer& sandbox();

  // Writes DIR/podform.yaml.
  void WriteConfig(const std::string& yaml) const;

  // Runs `podform --endpoint URL --file DIR/podform.yaml ARGS...` with
  // BaseEnv() plus `extra_env` ("NAME=value"), stdin /dev/null.
  RunResult Podform(const std::vector<std::string>& args,
                    const std::vector<std::string>& extra_env = {});
  // The same command line, started in the background.
  std::unique_ptr<Child> StartPodform(
      const std::vector<std::string>& args,
      const std::vector<std::string>& extra_env = {});
  // Runs `podform --endpoint URL --file CONFIG ARGS...` against `server`.
  RunResult PodformAt(const SandboxServer& server, const std::string& config,
                      const std::vector<std::string>& args,
                      const std::vector<std::string>& extra_env = {});
  // Runs podform with exactly `args` (no --endpoint/--file added).
  RunResult PodformRaw(const std::vector<std::string>& args,
                       const std::vector<std::string>& extra_env = {});

  // BaseEnv(), then env_, then `extra_env`; a later NAME=... replaces an
  // earlier one.
  std::vector<std::string> RunEnv(
      const std::vector<std::string>& extra_env) const;

  // DIR/podform.lock.
  std::string LockPath() const { return Path("podform.lock"); }
  bool LockExists() const;
  std::string LockText() const;
  nlohmann::json Lock() const;
  // The recorded id of `address` ("volume.models"), "" if not recorded.
  std::string LockId(const std::string& address) const;

  // Every podform output so far (stdout and stderr of every run), for
  // checks that a value never appeared anywhere.
  const std::string& transcript() const { return transcript_; }

  std::string dir_;
  std::unique_ptr<SandboxServer> sandbox_;
  std::vector<std::string> env_;  // added to every run
  std::string transcript_;
  int runs_ = 0;
};

// The live volume / pod with `id` in `live` (SandboxServer::Live()), or null
// json when there is none.
nlohmann::json FindById(const nlohmann::json& list, const std::string& id);

// Index of the first occurrence of `needle` in `haystack`; fails the test
// (and returns npos) when absent.
size_t PositionOf(const std::string& haystack, const std::string& needle);

}  // namespace podform::e2e

#endif  // PODFORM_TESTS_E2E_HARNESS_H_
