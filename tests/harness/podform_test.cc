#include "tests/harness/podform_test.h"

#include <stdlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>

namespace podform::harness {

std::string TestApi() {
  const char* api = std::getenv("PODFORM_TEST_API");
  return api != nullptr && std::string(api) == "rest" ? "rest" : "graphql";
}

bool TestingRest() { return TestApi() == "rest"; }

std::string EndpointOf(const Sandbox& server) {
  std::string url = server.url();
  const std::string graphql = "/graphql";
  if (TestingRest() && url.size() > graphql.size() &&
      url.compare(url.size() - graphql.size(), graphql.size(), graphql) == 0) {
    url = url.substr(0, url.size() - graphql.size()) + "/v2";
  }
  return url;
}

void PodformTest::SetUp() {
  std::string pattern = (std::filesystem::temp_directory_path() /
                         ("podform-" + options_.name + "-XXXXXX"))
                            .string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
  dir_ = pattern;
  std::filesystem::create_directories(Path("runs"));
}

void PodformTest::TearDown() {
  if (sandbox_ != nullptr && sandbox_->running()) {
    EXPECT_EQ(sandbox_->Stop(), 0) << "sandbox serve should exit 0 on SIGTERM";
  }
  sandbox_.reset();
  if (!HasFailure()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  } else {
    std::cerr << options_.name << ": kept " << dir_ << " for inspection\n";
  }
}

std::string PodformTest::Path(const std::string& name) const {
  return dir_ + "/" + name;
}

Sandbox& PodformTest::StartSandbox(const std::vector<std::string>& flags,
                                   const std::string& data_name) {
  std::vector<std::string> all_flags;
  if (sandbox_ != nullptr && sandbox_->data_path() == Path(data_name)) {
    // The same account again, at the same address: over REST v2, which
    // names no account, a lock file belongs to the endpoint it was made at.
    const std::string& url = sandbox_->url();
    const size_t host = url.find("//") + 2;
    all_flags = {"--listen", url.substr(host, url.find('/', host) - host)};
  }
  if (sandbox_ != nullptr && sandbox_->running()) {
    EXPECT_EQ(sandbox_->Stop(), 0);
  }
  if (options_.sandbox_checks_key) {
    all_flags.insert(all_flags.end(), {"--api-key", options_.api_key});
  }
  all_flags.insert(all_flags.end(), flags.begin(), flags.end());
  sandbox_ = Sandbox::Start(Path(data_name), all_flags, options_.api_key);
  if (sandbox_ == nullptr) {
    // The failure is recorded; end the test (GoogleTest reports the
    // exception) rather than run it against nothing.
    throw std::runtime_error("could not start podform sandbox serve");
  }
  return *sandbox_;
}

Sandbox& PodformTest::sandbox() {
  if (sandbox_ == nullptr) StartSandbox();
  return *sandbox_;
}

std::vector<std::string> PodformTest::RunEnv(
    const std::vector<std::string>& extra_env) const {
  return WithEnv(WithEnv(BaseEnv(dir_, options_.api_key), env_), extra_env);
}

std::unique_ptr<Process> PodformTest::Spawn(
    const std::vector<std::string>& args,
    const std::vector<std::string>& extra_env) {
  std::vector<std::string> argv = {PODFORM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string n = std::to_string(++runs_);
  return Process::Spawn(argv, RunEnv(extra_env), Path("runs/" + n + ".out"),
                        Path("runs/" + n + ".err"));
}

RunResult PodformTest::Finish(std::unique_ptr<Process> process) {
  if (process == nullptr) return {};
  RunResult r = process->Wait();
  transcript_ += r.out + r.err;
  return r;
}

std::unique_ptr<Process> PodformTest::StartPodform(
    const std::vector<std::string>& args,
    const std::vector<std::string>& extra_env, const std::string& config) {
  std::vector<std::string> full = {
      "--endpoint", EndpointOf(sandbox()), "--file",
      config.empty() ? Path("podform.yaml") : config};
  full.insert(full.end(), args.begin(), args.end());
  return Spawn(full, extra_env);
}

RunResult PodformTest::Podform(const std::vector<std::string>& args,
                               const std::vector<std::string>& extra_env,
                               const std::string& config) {
  return Finish(StartPodform(args, extra_env, config));
}

RunResult PodformTest::PodformAt(const Sandbox& server,
                                 const std::string& config,
                                 const std::vector<std::string>& args,
                                 const std::vector<std::string>& extra_env) {
  std::vector<std::string> full = {"--endpoint", EndpointOf(server),
                                   "--file", config};
  full.insert(full.end(), args.begin(), args.end());
  return PodformRaw(full, extra_env);
}

RunResult PodformTest::PodformRaw(const std::vector<std::string>& args,
                                  const std::vector<std::string>& extra_env) {
  return Finish(Spawn(args, extra_env));
}

}  // namespace podform::harness
