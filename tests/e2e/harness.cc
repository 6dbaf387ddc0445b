#include "tests/e2e/harness.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace podform::e2e {
namespace {

using nlohmann::json;

double Now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const std::string& s : strings)
    out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

int ExitCode(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

size_t AppendToString(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

void InitCurlOnce() {
  static bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const RunResult& r) {
  return os << "exit " << r.exit_code << " after " << r.seconds
            << " s\n--- stdout ---\n"
            << r.out << "--- stderr ---\n"
            << r.err << "--------------";
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

void WriteFileOrDie(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) ADD_FAILURE() << "cannot write " << path;
}

std::vector<std::string> BaseEnv(const std::string& home) {
  std::vector<std::string> env = {
      std::string("RUNPOD_API_KEY=") + kApiKey,
      "HOME=" + home,
      "PATH=/usr/bin:/bin",
      "LANG=C",
  };
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) {
      env.push_back(std::string(name) + "=" + value);
    }
  }
  return env;
}

std::string TestConfig::Yaml() const {
  std::string yaml =
      "version: 1\nvolumes:\n  models:\n    size: " + std::to_string(size) +
      "\n    dataCenter: EU-RO-1\n";
  if (pod) {
    yaml += "pods:\n  trainer:\n    image: " + image + "\n    gpuType: " + gpu +
            "\n    volume: models\n    ports: [8888/http, 22/tcp]\n" +
            "    env: {HF_HOME: /workspace/hf}\n    status: " + status + "\n";
  }
  return yaml;
}

// --- Child ---

std::unique_ptr<Child> Child::Spawn(const std::vector<std::string>& argv,
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
  std::unique_ptr<Child> child(new Child());
  child->out_path_ = out_path;
  child->err_path_ = err_path;
  child->started_ = Now();
  int rc = posix_spawn(&child->pid_, args[0], &actions, nullptr, args.data(),
                       envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "posix_spawn " << argv[0] << ": " << std::strerror(rc);
    return nullptr;
  }
  return child;
}

Child::~Child() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
  }
}

bool Child::Exited() {
  if (reaped_) return true;
  pid_t got = ::waitpid(pid_, &status_, WNOHANG);
  if (got == pid_) reaped_ = true;
  return reaped_;
}

RunResult Child::Wait() {
  if (!reaped_) {
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
  RunResult result;
  result.seconds = Now() - started_;
  result.exit_code = ExitCode(status_);
  result.out = ReadFileOrDie(out_path_);
  result.err = ReadFileOrDie(err_path_);
  return result;
}

// --- SandboxServer ---

std::unique_ptr<SandboxServer> SandboxServer::Start(
    const std::string& dir, const std::string& data_path,
    const std::vector<std::string>& extra_flags) {
  std::unique_ptr<SandboxServer> server(new SandboxServer());
  server->data_path_ = data_path;
  server->err_path_ =
      data_path + ".stderr";  // kept beside the data for failure messages
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return nullptr;
  }
  std::vector<std::string> argv = {PODFORM_BINARY, "sandbox",     "serve",
                                   "--listen",     "127.0.0.1:0", "--data",
                                   data_path};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                   O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO,
                                   server->err_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args = CStrings(argv);
  std::vector<std::string> env_strings = BaseEnv(dir);
  std::vector<char*> envp = CStrings(env_strings);
  int rc = posix_spawn(&server->pid_, args[0], &actions, nullptr, args.data(),
                       envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  server->stdout_fd_ = fds[0];
  if (rc != 0) {
    ADD_FAILURE() << "posix_spawn sandbox: " << std::strerror(rc);
    server->pid_ = -1;
    return nullptr;
  }
  // The first line, within 20 s (generous for sanitizer builds).
  std::string line;
  double deadline = Now() + 20;
  while (line.empty() || line.back() != '\n') {
    int left_ms = static_cast<int>((deadline - Now()) * 1000);
    if (left_ms <= 0) break;
    pollfd p = {server->stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, left_ms) <= 0) continue;
    char c;
    ssize_t n = ::read(server->stdout_fd_, &c, 1);
    if (n <= 0) break;
    line.push_back(c);
  }
  const std::string prefix = "listening on http://127.0.0.1:";
  const std::string suffix = "/graphql\n";
  if (line.rfind(prefix, 0) != 0 ||
      line.size() <= prefix.size() + suffix.size() ||
      line.compare(line.size() - suffix.size(), suffix.size(), suffix) != 0) {
    ADD_FAILURE() << "sandbox serve printed \"" << line
                  << "\" instead of its address; stderr:\n"
                  << ReadFileOrDie(server->err_path_);
    return nullptr;
  }
  server->url_ = line.substr(std::string("listening on ").size());
  server->url_.pop_back();
  return server;
}

SandboxServer::~SandboxServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status;
    ::waitpid(pid_, &status, 0);
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

int SandboxServer::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  // At most 20 s, then kill.
  double deadline = Now() + 20;
  while (true) {
    pid_t got = ::waitpid(pid_, &status, WNOHANG);
    if (got == pid_) break;
    if (Now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      ADD_FAILURE() << "sandbox serve did not stop on SIGTERM";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  int code = ExitCode(status);
  if (code != 0) {
    ADD_FAILURE() << "sandbox stderr:\n" << ReadFileOrDie(err_path_);
  }
  return code;
}

json SandboxServer::GraphQL(const std::string& document) const {
  InitCurlOnce();
  std::string body = json{{"query", document}}.dump();
  // The test's own requests ride out the sandbox's fault flags: a 502/503
  // (nothing was done) or a 429 is simply sent again.
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
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
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
    if ((http == 502 || http == 503 || http == 429) && attempt < 50) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(http == 429 ? 1000 : 20));
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

json SandboxServer::Live() const {
  json r = GraphQL(
      "query { myself { networkVolumes { id name size dataCenterId } "
      "pods { id name imageName gpuCount desiredStatus networkVolumeId "
      "volumeMountPath containerDiskInGb env ports "
      "machine { gpuDisplayName } } } }");
  if (r.is_null() || r.contains("errors")) {
    ADD_FAILURE() << "live state query failed: " << r.dump();
    return json{{"networkVolumes", json::array()}, {"pods", json::array()}};
  }
  return r["data"]["myself"];
}

json FindById(const json& list, const std::string& id) {
  for (const json& item : list) {
    if (item.value("id", "") == id) return item;
  }
  return nullptr;
}

size_t PositionOf(const std::string& haystack, const std::string& needle) {
  size_t at = haystack.find(needle);
  if (at == std::string::npos) {
    ADD_FAILURE() << "\"" << needle << "\" not found in:\n" << haystack;
  }
  return at;
}

// --- E2eTest ---

void E2eTest::SetUp() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "podform-e2e-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
  dir_ = pattern;
  std::filesystem::create_directories(Path("runs"));
}

void E2eTest::TearDown() {
  if (sandbox_ != nullptr) {
    EXPECT_EQ(sandbox_->Stop(), 0) << "sandbox serve should exit 0 on SIGTERM";
    sandbox_.reset();
  }
  if (!HasFailure()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  } else {
    std::cerr << "e2e: kept " << dir_ << " for inspection\n";
  }
}

std::string E2eTest::Path(const std::string& name) const {
  return dir_ + "/" + name;
}

SandboxServer& E2eTest::StartSandbox(
    const std::vector<std::string>& extra_flags, const std::string& data_name) {
  sandbox_ = SandboxServer::Start(dir_, Path(data_name), extra_flags);
  if (sandbox_ == nullptr) {
    // The failure is recorded; end the test (GoogleTest reports the
    // exception) rather than run it against nothing.
    throw std::runtime_error("could not start podform sandbox serve");
  }
  return *sandbox_;
}

SandboxServer& E2eTest::sandbox() {
  if (sandbox_ == nullptr) StartSandbox();
  return *sandbox_;
}

void E2eTest::WriteConfig(const std::string& yaml) const {
  WriteFileOrDie(Path("podform.yaml"), yaml);
}

std::vector<std::string> E2eTest::RunEnv(
    const std::vector<std::string>& extra_env) const {
  // Later entries replace earlier ones of the same name.
  std::vector<std::string> env;
  for (const auto* list : {&env_, &extra_env}) {
    for (const std::string& entry : *list) {
      std::string name = entry.substr(0, entry.find('='));
      std::erase_if(env, [&](const std::string& e) {
        return e.substr(0, e.find('=')) == name;
      });
      env.push_back(entry);
    }
  }
  std::vector<std::string> base = BaseEnv(dir_);
  std::erase_if(base, [&](const std::string& b) {
    std::string name = b.substr(0, b.find('='));
    for (const std::string& e : env) {
      if (e.substr(0, e.find('=')) == name) return true;
    }
    return false;
  });
  base.insert(base.end(), env.begin(), env.end());
  return base;
}

std::unique_ptr<Child> E2eTest::StartPodform(
    const std::vector<std::string>& args,
    const std::vector<std::string>& extra_env) {
  std::vector<std::string> full = {"--endpoint", sandbox().url(), "--file",
                                   Path("podform.yaml")};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<std::string> argv = {PODFORM_BINARY};
  argv.insert(argv.end(), full.begin(), full.end());
  std::vector<std::string> env = RunEnv(extra_env);
  int n = ++runs_;
  return Child::Spawn(argv, env, Path("runs/" + std::to_string(n) + ".out"),
                      Path("runs/" + std::to_string(n) + ".err"));
}

RunResult E2eTest::Podform(const std::vector<std::string>& args,
                           const std::vector<std::string>& extra_env) {
  std::unique_ptr<Child> child = StartPodform(args, extra_env);
  if (child == nullptr) return {};
  RunResult r = child->Wait();
  transcript_ += r.out + r.err;
  return r;
}

RunResult E2eTest::PodformAt(const SandboxServer& server,
                             const std::string& config,
                             const std::vector<std::string>& args,
                             const std::vector<std::string>& extra_env) {
  std::vector<std::string> full = {"--endpoint", server.url(), "--file",
                                   config};
  full.insert(full.end(), args.begin(), args.end());
  return PodformRaw(full, extra_env);
}

RunResult E2eTest::PodformRaw(const std::vector<std::string>& args,
                              const std::vector<std::string>& extra_env) {
  std::vector<std::string> argv = {PODFORM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env = RunEnv(extra_env);
  int n = ++runs_;
  std::unique_ptr<Child> child =
      Child::Spawn(argv, env, Path("runs/" + std::to_string(n) + ".out"),
                   Path("runs/" + std::to_string(n) + ".err"));
  if (child == nullptr) return {};
  RunResult r = child->Wait();
  transcript_ += r.out + r.err;
  return r;
}

bool E2eTest::LockExists() const { return std::filesystem::exists(LockPath()); }

std::string E2eTest::LockText() const { return ReadFileOrDie(LockPath()); }

json E2eTest::Lock() const {
  json parsed = json::parse(LockText(), nullptr, false);
  if (parsed.is_discarded()) {
    ADD_FAILURE() << LockPath() << " is not JSON:\n" << LockText();
    return json::object();
  }
  return parsed;
}

std::string E2eTest::LockId(const std::string& address) const {
  json lock = Lock();
  if (!lock.contains("resources") || !lock["resources"].contains(address)) {
    return "";
  }
  return lock["resources"][address].value("id", "");
}

}  // namespace podform::e2e
