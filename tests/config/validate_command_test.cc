// `podform validate`, run as a process: exit codes, output, and no network.
//
// No network request: validate never constructs a provider. Every run here
// has RUNPOD_GRAPHQL_URL pointing at a socket this test listens on and no
// RUNPOD_API_KEY; after each run the test asserts that nothing connected.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/core/catalog.h"
#include "reconciler/util/embedded.h"
#include "reconciler/util/file.h"
#include "tests/config/subprocess.h"
#include "tests/config/test_util.h"

namespace podform {
namespace {

using ::podform::testing::kSecret;
using ::podform::testing::ProcessResult;
using ::podform::testing::RunProcess;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kSource = PODFORM_SOURCE_DIR;

// A loopback listener that records whether anyone connected.
class Tripwire {
 public:
  Tripwire() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) ||
        ::listen(fd_, 16)) {
      return;
    }
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~Tripwire() { ::close(fd_); }

  int port() const { return port_; }

  // True if a connection is waiting (accepts and closes it).
  bool Tripped() {
    int client = ::accept(fd_, nullptr, nullptr);
    if (client < 0) return false;
    ::close(client);
    return true;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class ValidateCommandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { tripwire_ = new Tripwire(); }
  static void TearDownTestSuite() {
    delete tripwire_;
    tripwire_ = nullptr;
  }

  void SetUp() override { ASSERT_NE(tripwire_->port(), 0); }
  void TearDown() override {
    EXPECT_FALSE(tripwire_->Tripped()) << "validate connected to the endpoint";
  }

  // Runs `podform --file FILE validate [extra...]` in a fixed environment:
  // HF_TOKEN and the examples' other secrets set, RUNPOD_API_KEY unset.
  static ProcessResult Validate(const std::string& file,
                                std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {PODFORM_BINARY, "--file", file,
                                     "validate"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::vector<std::string> env = {
        absl::StrCat("RUNPOD_GRAPHQL_URL=http://127.0.0.1:", tripwire_->port(),
                     "/graphql"),
        absl::StrCat("HF_TOKEN=", kSecret),
        "WANDB_API_KEY=wandb-test-key",
        "VLLM_API_KEY=vllm-test-key",
    };
    // Keep sanitizer settings, if any, for instrumented builds.
    for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
      if (const char* value = std::getenv(name)) {
        env.push_back(absl::StrCat(name, "=", value));
      }
    }
    return RunProcess(argv, env);
  }

  static Tripwire* tripwire_;
};

Tripwire* ValidateCommandTest::tripwire_ = nullptr;

std::vector<std::string> Glob(const std::string& dir, const std::string& ext) {
  std::vector<std::string> out;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ext) out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(ValidateCommandTest, EveryBrokenConfigFailsWithItsDiagnostics) {
  std::vector<std::string> files =
      Glob(kSource + "/tests/config/broken", ".yaml");
  ASSERT_GE(files.size(), 40u);
  const std::regex kPositioned(".+\\.yaml:[0-9]+:[0-9]+: .+");
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    ProcessResult run = Validate(file);
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_EQ(run.out, "");
    std::string name = std::filesystem::path(file).filename().string();
    absl::StatusOr<std::string> expected =
        ReadFile(file.substr(0, file.size() - std::string(".yaml").size()) +
                 ".expected");
    ASSERT_TRUE(expected.ok()) << expected.status();
    // The .expected files show the bare file name; the binary shows the
    // path as given.
    std::string want;
    for (absl::string_view line : absl::StrSplit(*expected, '\n')) {
      if (line.empty()) continue;
      std::string text(line);
      ASSERT_EQ(text.rfind(name + ":", 0), 0u) << text;
      absl::StrAppend(&want, file, text.substr(name.size()), "\n");
    }
    EXPECT_EQ(run.err, want);
    for (absl::string_view line : absl::StrSplit(run.err, '\n')) {
      if (line.empty()) continue;
      EXPECT_TRUE(std::regex_match(std::string(line), kPositioned)) << line;
    }
    EXPECT_THAT(run.err, Not(HasSubstr(kSecret)));
    EXPECT_FALSE(tripwire_->Tripped()) << "validate connected";
  }
}

TEST_F(ValidateCommandTest, EveryExampleIsValid) {
  std::vector<std::string> files;
  for (const auto& dir :
       std::filesystem::directory_iterator(kSource + "/examples")) {
    std::string file = dir.path().string() + "/podform.yaml";
    if (std::filesystem::exists(file)) files.push_back(file);
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 3u);
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    ProcessResult run = Validate(file);
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(run.err, "");  // not even a warning: catalog ids only
    EXPECT_THAT(run.out, ::testing::StartsWith(file + ": valid ("));
    EXPECT_THAT(run.out, Not(HasSubstr(kSecret)));
  }
}

TEST_F(ValidateCommandTest, CountsVolumesAndPods) {
  struct Example {
    std::string dir;
    std::string counts;
  };
  for (const Example& example : {Example{"quickstart", "1 volumes, 1 pods"},
                                 Example{"training", "3 volumes, 4 pods"},
                                 Example{"inference", "0 volumes, 3 pods"},
                                 Example{"serverless",
                                         "2 volumes, 1 pods, 1 endpoints"}}) {
    std::string file = kSource + "/examples/" + example.dir + "/podform.yaml";
    ProcessResult run = Validate(file);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, file + ": valid (" + example.counts + ")\n");
  }
}

TEST_F(ValidateCommandTest, UsesThePathAsGiven) {
  std::string dir =
      ::testing::TempDir() + "/validate_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteFileAtomically(dir + "/podform.yaml",
                                  "version: 1\nvolumes:\n  v: {size: 10, "
                                  "dataCenter: EU-RO-1}\n")
                  .ok());
  std::string relative =
      std::filesystem::relative(dir + "/podform.yaml").string();
  ProcessResult run = Validate(relative);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, relative + ": valid (1 volumes, 0 pods)\n");
  std::filesystem::remove_all(dir);
}

TEST_F(ValidateCommandTest, WarningsDoNotFail) {
  std::string dir =
      ::testing::TempDir() + "/validate_warn_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::string file = dir + "/podform.yaml";
  ASSERT_TRUE(WriteFileAtomically(file,
                                  "version: 1\npods:\n  p: {image: i, "
                                  "gpuType: NVIDIA B300 Quantum, dataCenter: "
                                  "EU-RO-1}\n")
                  .ok());
  ProcessResult run = Validate(file);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.err, file +
                         ":3:26: warning: pods.p.gpuType: unknown GPU type "
                         "\"NVIDIA B300 Quantum\" (not in podform's catalog; "
                         "RunPod may have added it)\n");
  EXPECT_EQ(run.out, file + ": valid (0 volumes, 1 pods)\n");
  std::filesystem::remove_all(dir);
}

TEST_F(ValidateCommandTest, UnsetSecretFailsWithoutPrintingValues) {
  ProcessResult run = RunProcess(
      {PODFORM_BINARY, "--file", kSource + "/examples/training/podform.yaml",
       "validate"},
      {absl::StrCat("RUNPOD_GRAPHQL_URL=http://127.0.0.1:", tripwire_->port(),
                    "/graphql"),
       "HF_TOKEN=only-this-one-is-set"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("pods.trainer.env.WANDB_API_KEY: environment "
                                 "variable WANDB_API_KEY is not set\n"));
  EXPECT_THAT(run.err, Not(HasSubstr("only-this-one-is-set")));
}

TEST_F(ValidateCommandTest, MissingFileFails) {
  ProcessResult run = Validate("/nonexistent/podform.yaml");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err,
            "/nonexistent/podform.yaml: cannot read: No such file or "
            "directory\n");
}

TEST_F(ValidateCommandTest, PrintsTheEmbeddedSchema) {
  absl::StatusOr<std::string> schema =
      ReadFile(kSource + "/schema/podform.schema.json");
  ASSERT_TRUE(schema.ok());
  ProcessResult run = Validate("unused.yaml", {"--print-schema"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, *schema);
  EXPECT_EQ(run.err, "");
}

TEST(EmbeddedSchemaTest, IsTheFileUnderSchema) {
  absl::StatusOr<std::string> schema =
      ReadFile(kSource + "/schema/podform.schema.json");
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(EmbeddedFile("schema/podform.schema.json"), *schema);
}

// The schema's enum of serverless pools is the catalog's, in its order, so
// that an editor accepts exactly what validate accepts.
TEST(SchemaTest, ServerlessPoolsAreTheCatalogs) {
  absl::StatusOr<std::string> text =
      ReadFile(kSource + "/schema/podform.schema.json");
  ASSERT_TRUE(text.ok());
  const nlohmann::json schema = nlohmann::json::parse(*text);
  const nlohmann::json& pools =
      schema.at(nlohmann::json::json_pointer(
          "/definitions/endpoint/properties/gpu/"
          "properties/pools/items/enum"));
  std::vector<std::string> catalog(KnownGpuPools().begin(),
                                   KnownGpuPools().end());
  EXPECT_EQ(pools.get<std::vector<std::string>>(), catalog);
}

}  // namespace
}  // namespace podform
