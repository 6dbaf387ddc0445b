#ifndef PODFORM_TESTS_HARNESS_PROCESS_H_
#define PODFORM_TESTS_HARNESS_PROCESS_H_

// Processes for the suites that run the real podform binary (e2e,
// reliability): spawning with captured output, their environment, the clock
// and file helpers the tests poll with.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace podform::harness {

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

// The environment of every process the tests start: RUNPOD_API_KEY=api_key,
// HOME=home, PATH, LANG, and this process's sanitizer options (if any).
std::vector<std::string> BaseEnv(const std::string& home,
                                 const std::string& api_key);

// `env` with each of `changes` applied in order: "NAME=value" replaces any
// NAME entry (a later one wins), a bare "NAME" removes it.
std::vector<std::string> WithEnv(std::vector<std::string> env,
                                 const std::vector<std::string>& changes);

// The bytes of `path`; fails the test (and returns "") when it cannot be read.
std::string ReadFileOrDie(const std::string& path);
// The bytes of `path`, "" when it cannot be read.
std::string ReadFileOrEmpty(const std::string& path);
// Replaces `path` with `text`; fails the test when it cannot.
void WriteFileOrDie(const std::string& path, const std::string& text);

}  // namespace podform::harness

#endif  // PODFORM_TESTS_HARNESS_PROCESS_H_
