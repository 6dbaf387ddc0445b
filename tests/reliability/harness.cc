#include "tests/reliability/harness.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace podform::reliability {
namespace {

using nlohmann::json;

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const std::string& s : strings) {
    out.push_back(const_cast<char*>(s.c_str()));
  }
  out.push_back(nullptr);
  return out;
}

size_t AppendToString(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

void InitCurlOnce() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

}  // namespace

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

std::vector<std::string> BaseEnv(const std::string& home) {
  std::vector<std::string> env = {std::string("RUNPOD_API_KEY=") + kApiKey,
                                  "HOME=" + home, "PATH=/usr/bin:/bin",
                                  "LANG=C"};
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) {
      env.push_back(std::string(name) + "=" + value);
    }
  }
  return env;
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

// --- Sandbox ---

std::unique_ptr<Sandbox> Sandbox::Start(const std::string& data_path,
                                        const std::vector<std::string>& flags) {
  std::unique_ptr<Sandbox> s(new Sandbox());
  s->data_path_ = data_path;
  s->err_path_ = data_path + ".stderr";
  std::filesystem::create_directories(
      std::filesystem::path(data_path).parent_path());
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return nullptr;
  }
  std::vector<std::string> argv = {PODFORM_BINARY, "sandbox",     "serve",
                                   "--listen",     "127.0.0.1:0", "--data",
                                   data_path,      "--api-key",   kApiKey};
  argv.insert(argv.end(), flags.begin(), flags.end());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                   O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO,
                                   s->err_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args = CStrings(argv);
  std::string home = std::filesystem::path(data_path).parent_path().string();
  std::vector<std::string> env_strings = BaseEnv(home);
  std::vector<char*> envp = CStrings(env_strings);
  int rc = posix_spawn(&s->pid_, args[0], &actions, nullptr, args.data(),
                       envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  s->stdout_fd_ = fds[0];
  if (rc != 0) {
    ADD_FAILURE() << "posix_spawn sandbox: " << std::strerror(rc);
    s->pid_ = -1;
    return nullptr;
  }
  // The first line, within 30 s (generous for sanitizer builds on a busy
  // machine).
  std::string line;
  const double deadline = Now() + 30;
  while (line.empty() || line.back() != '\n') {
    int left_ms = static_cast<int>((deadline - Now()) * 1000);
    if (left_ms <= 0) break;
    pollfd p = {s->stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, left_ms) <= 0) continue;
    char c;
    if (::read(s->stdout_fd_, &c, 1) <= 0) break;
    line.push_back(c);
  }
  const std::string prefix = "listening on http://127.0.0.1:";
  const std::string suffix = "/graphql\n";
  if (line.rfind(prefix, 0) != 0 ||
      line.size() <= prefix.size() + suffix.size() ||
      line.compare(line.size() - suffix.size(), suffix.size(), suffix) != 0) {
    ADD_FAILURE() << "sandbox serve printed \"" << line
                  << "\" instead of its address; stderr:\n"
                  << ReadFileOrEmpty(s->err_path_);
    return nullptr;
  }
  s->url_ = line.substr(std::string("listening on ").size());
  s->url_.pop_back();
  return s;
}

Sandbox::~Sandbox() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status;
    ::waitpid(pid_, &status, 0);
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

int Sandbox::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  const double deadline = Now() + 20;
  while (::waitpid(pid_, &status, WNOHANG) != pid_) {
    if (Now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      ADD_FAILURE() << "sandbox serve did not stop on SIGTERM";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code != 0) {
    ADD_FAILURE() << "sandbox serve exited " << code << "; stderr:\n"
                  << ReadFileOrEmpty(err_path_);
  }
  return code;
}

json Sandbox::GraphQL(const std::string& document) const {
  InitCurlOnce();
  const std::string body = json{{"query", document}}.dump();
  // A sandbox started with fault flags answers some requests with 429, 502
  // or 503 without doing anything: those are retried (at most 200 times,
  // 50 ms apart), as any RunPod client would.
  for (int attempt = 0;; ++attempt) {
    CURL* curl = curl_easy_init();
    std::string response;
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(
        headers, (std::string("Authorization: Bearer ") + kApiKey).c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendToString);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    CURLcode rc = curl_easy_perform(curl);
    long http = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
      ADD_FAILURE() << "GraphQL request to " << url_ << ": "
                    << curl_easy_strerror(rc);
      return nullptr;
    }
    if ((http == 429 || http == 502 || http == 503) && attempt < 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    json parsed = json::parse(response, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || http != 200) {
      ADD_FAILURE() << "GraphQL HTTP " << http << ": " << response;
      return nullptr;
    }
    return parsed;
  }
}

json Sandbox::Live() const {
  json r = GraphQL(
      "query { myself { networkVolumes { id name size dataCenterId } "
      "pods { id name imageName networkVolumeId desiredStatus env } } }");
  if (r.is_null() || r.contains("errors") || !r.contains("data")) {
    ADD_FAILURE() << "live state query failed: " << r.dump();
    return json{{"networkVolumes", json::array()}, {"pods", json::array()}};
  }
  return r["data"]["myself"];
}

// --- Counting ---

LiveCounts CountNames(const json& live) {
  LiveCounts counts;
  for (const json& v : live.value("networkVolumes", json::array())) {
    ++counts.volumes[v.value("name", "")];
  }
  for (const json& p : live.value("pods", json::array())) {
    ++counts.pods[p.value("name", "")];
  }
  return counts;
}

std::ostream& operator<<(std::ostream& os, const LiveCounts& c) {
  os << "volumes {";
  for (const auto& [name, n] : c.volumes) os << " " << name << "x" << n;
  os << " } pods {";
  for (const auto& [name, n] : c.pods) os << " " << name << "x" << n;
  return os << " }";
}

Fleet Fleet::Of(std::string prefix, int volumes, int pods, int mounted,
                int stopped) {
  Fleet fleet;
  fleet.prefix = std::move(prefix);
  fleet.volumes = volumes;
  fleet.pods = pods;
  fleet.mounted = mounted;
  fleet.stopped = stopped;
  return fleet;
}

std::string Fleet::Yaml() const {
  std::string yaml = "version: 1\n";
  if (volumes > 0) yaml += "volumes:\n";
  for (int i = 0; i < volumes; ++i) {
    yaml += "  v" + std::to_string(i) + ":\n    name: " + prefix + "vol-" +
            std::to_string(i) +
            "\n    size: 10\n    dataCenter: EU-RO-1\n    protect: false\n";
  }
  if (pods > 0) yaml += "pods:\n";
  for (int i = 0; i < pods; ++i) {
    yaml += "  p" + std::to_string(i) + ":\n    name: " + prefix + "pod-" +
            std::to_string(i) +
            "\n    image: runpod/pytorch:2.4.0-py3.11-cuda12.4.1-devel-"
            "ubuntu22.04\n    gpuType: NVIDIA RTX A6000\n";
    if (i < mounted && i < volumes) {
      yaml += "    volume: v" + std::to_string(i) + "\n";
    }
    yaml += "    ports: [8888/http, 22/tcp]\n";
    if (i >= pods - stopped) yaml += "    status: stopped\n";
    yaml += pod_extra;
  }
  return yaml;
}

LiveCounts Fleet::Declared() const {
  LiveCounts counts;
  for (int i = 0; i < volumes; ++i) {
    counts.volumes[prefix + "vol-" + std::to_string(i)] = 1;
  }
  for (int i = 0; i < pods; ++i) {
    counts.pods[prefix + "pod-" + std::to_string(i)] = 1;
  }
  return counts;
}

// --- ReliabilityTest ---

void ReliabilityTest::SetUp() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "podform-rel-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
  dir_ = pattern;
  std::filesystem::create_directories(Path("runs"));
}

void ReliabilityTest::TearDown() {
  if (sandbox_ != nullptr) {
    EXPECT_EQ(sandbox_->Stop(), 0);
    sandbox_.reset();
  }
  if (!HasFailure()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  } else {
    std::cerr << "reliability: kept " << dir_ << " for inspection\n";
  }
}

std::string ReliabilityTest::Path(const std::string& name) const {
  return dir_ + "/" + name;
}

Sandbox& ReliabilityTest::StartSandbox(const std::vector<std::string>& flags,
                                       const std::string& data_name) {
  if (sandbox_ != nullptr) {
    EXPECT_EQ(sandbox_->Stop(), 0);
    sandbox_.reset();
  }
  sandbox_ = Sandbox::Start(Path(data_name), flags);
  if (sandbox_ == nullptr) {
    throw std::runtime_error("could not start podform sandbox serve");
  }
  return *sandbox_;
}

std::unique_ptr<Process> ReliabilityTest::Start(
    const std::vector<std::string>& args,
    const std::vector<std::string>& extra_env, const std::string& config) {
  std::vector<std::string> argv = {
      PODFORM_BINARY, "--endpoint", sandbox_ == nullptr ? "" : sandbox_->url(),
      "--file", config.empty() ? Path("podform.yaml") : config};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env =
      WithEnv(WithEnv(BaseEnv(dir_), env_), extra_env);
  const std::string n = std::to_string(++runs_);
  return Process::Spawn(argv, env, Path("runs/" + n + ".out"),
                        Path("runs/" + n + ".err"));
}

RunResult ReliabilityTest::Podform(const std::vector<std::string>& args,
                                   const std::vector<std::string>& extra_env,
                                   const std::string& config) {
  std::unique_ptr<Process> p = Start(args, extra_env, config);
  if (p == nullptr) return {};
  return p->Wait();
}

RunResult ReliabilityTest::PodformRaw(
    const std::vector<std::string>& args,
    const std::vector<std::string>& extra_env) {
  std::vector<std::string> argv = {PODFORM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env =
      WithEnv(WithEnv(BaseEnv(dir_), env_), extra_env);
  const std::string n = std::to_string(++runs_);
  std::unique_ptr<Process> p = Process::Spawn(
      argv, env, Path("runs/" + n + ".out"), Path("runs/" + n + ".err"));
  if (p == nullptr) return {};
  return p->Wait();
}

void ReliabilityTest::ExpectExactly(const Fleet& fleet,
                                    const std::string& config) {
  const std::string config_path =
      config.empty() ? Path("podform.yaml") : config;
  json live = sandbox().Live();
  EXPECT_EQ(CountNames(live), fleet.Declared()) << "live: " << live.dump();

  const std::string lock_path =
      (std::filesystem::path(config_path).parent_path() / "podform.lock")
          .string();
  json lock = json::parse(ReadFileOrEmpty(lock_path), nullptr, false);
  ASSERT_FALSE(lock.is_discarded()) << lock_path << " is not JSON";
  EXPECT_FALSE(lock.contains("intents")) << lock.dump(2);
  const json& resources = lock["resources"];
  EXPECT_EQ(static_cast<int>(resources.size()), fleet.Resources())
      << lock.dump(2);
  std::map<std::string, std::string> live_id_names;
  for (const json& v : live["networkVolumes"]) {
    live_id_names[v["id"]] = v["name"];
  }
  for (const json& p : live["pods"]) live_id_names[p["id"]] = p["name"];
  for (int i = 0; i < fleet.volumes; ++i) {
    const std::string address = "volume.v" + std::to_string(i);
    ASSERT_TRUE(resources.contains(address)) << lock.dump(2);
    EXPECT_EQ(live_id_names[resources[address]["id"]],
              fleet.prefix + "vol-" + std::to_string(i))
        << address;
  }
  for (int i = 0; i < fleet.pods; ++i) {
    const std::string address = "pod.p" + std::to_string(i);
    ASSERT_TRUE(resources.contains(address)) << lock.dump(2);
    EXPECT_EQ(live_id_names[resources[address]["id"]],
              fleet.prefix + "pod-" + std::to_string(i))
        << address;
  }
  RunResult plan = Podform({"plan", "--detailed-exitcode"}, {}, config_path);
  EXPECT_EQ(plan.exit_code, 0) << plan;
}

}  // namespace podform::reliability
