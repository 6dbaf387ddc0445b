#include "tests/harness/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"

namespace podform::harness {
namespace {

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const std::string& s : strings) {
    out.push_back(const_cast<char*>(s.c_str()));
  }
  out.push_back(nullptr);
  return out;
}

}  // namespace

double Now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool WaitFor(const std::function<bool()>& condition, double timeout_seconds) {
  const double deadline = Now() + timeout_seconds;
  while (!condition()) {
    if (Now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

std::ostream& operator<<(std::ostream& os, const RunResult& r) {
  os << "exit " << r.exit_code;
  if (r.signal != 0) os << " (signal " << r.signal << ")";
  return os << " after " << r.seconds << " s\n--- stdout ---\n"
            << r.out << "--- stderr ---\n"
            << r.err << "--------------";
}

// --- Process ---

std::unique_ptr<Process> Process::Spawn(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& env,
                                        const std::string& out_path,
                                        const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                   O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args = CStrings(argv);
  std::vector<char*> envp = CStrings(env);
  std::unique_ptr<Process> p(new Process());
  p->out_path_ = out_path;
  p->err_path_ = err_path;
  p->started_ = Now();
  int rc = posix_spawn(&p->pid_, args[0], &actions, nullptr, args.data(),
                       envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "posix_spawn " << argv[0] << ": " << std::strerror(rc);
    return nullptr;
  }
  return p;
}

Process::~Process() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
  }
}

void Process::Signal(int signal) {
  if (pid_ > 0 && !reaped_) ::kill(pid_, signal);
}

bool Process::Exited() {
  if (reaped_) return true;
  if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
    reaped_ = true;
    ended_ = Now();
  }
  return reaped_;
}

RunResult Process::Wait(double timeout_seconds) {
  const double deadline = Now() + timeout_seconds;
  while (!Exited()) {
    if (Now() > deadline) {
      ADD_FAILURE() << "pid " << pid_ << " still running after "
                    << timeout_seconds << " s; killed\n"
                    << ReadFileOrEmpty(out_path_) << ReadFileOrEmpty(err_path_);
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status_, 0);
      reaped_ = true;
      ended_ = Now();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  RunResult r;
  r.seconds = ended_ - started_;
  r.exit_code = WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  r.signal = WIFSIGNALED(status_) ? WTERMSIG(status_) : 0;
  r.out = ReadFileOrEmpty(out_path_);
  r.err = ReadFileOrEmpty(err_path_);
  return r;
}

std::string Process::StdoutSoFar() const { return ReadFileOrEmpty(out_path_); }

// --- Environment and files ---

std::vector<std::string> BaseEnv(const std::string& home,
                                 const std::string& api_key) {
  std::vector<std::string> env = {"RUNPOD_API_KEY=" + api_key, "HOME=" + home,
                                  "PATH=/usr/bin:/bin", "LANG=C"};
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) {
      env.push_back(std::string(name) + "=" + value);
    }
  }
  return env;
}

std::vector<std::string> WithEnv(std::vector<std::string> env,
                                 const std::vector<std::string>& changes) {
  for (const std::string& change : changes) {
    const size_t eq = change.find('=');
    const std::string name = change.substr(0, eq);
    std::erase_if(env, [&](const std::string& entry) {
      return entry.compare(0, name.size() + 1, name + "=") == 0;
    });
    if (eq != std::string::npos) env.push_back(change);
  }
  return env;
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFileOrDie(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) ADD_FAILURE() << "cannot write " << path;
}

}  // namespace podform::harness
