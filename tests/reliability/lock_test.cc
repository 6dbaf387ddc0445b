// Lock exclusion: two applies on one lock file. One runs; the other fails at
// once naming the holder (pid, host, command, since). Killing the holder with
// SIGKILL frees the lock (the kernel drops a dead process's flock), and the
// next apply settles what the killed one left.

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/reliability/harness.h"

namespace podform::reliability {
namespace {

using nlohmann::json;
using ::testing::MatchesRegex;

using LockTest = ReliabilityTest;

std::string HostName() {
  char name[256] = {};
  ::gethostname(name, sizeof(name) - 1);
  return name;
}

// Escapes `text` for use inside a regular expression.
std::string Quote(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

TEST_F(LockTest, SecondApplyFailsAtOnceNamingTheHolderAndAKillFreesTheLock) {
  // 300 ms per request: the holder's apply (refresh, 2 waves of creates)
  // takes over a second, plenty to try a second apply meanwhile.
  StartSandbox({"--latency-ms", "300"});
  Fleet fleet = Fleet::Of("lock-", 2, 3, 2);
  WriteFileOrDie(Path("podform.yaml"), fleet.Yaml());

  std::unique_ptr<Process> holder = StartPodform({"apply", "--auto-approve"});
  ASSERT_NE(holder, nullptr);
  // It holds the lock once it has written its details into the lock's file.
  ASSERT_TRUE(WaitFor(
      [&] {
        json info = json::parse(ReadFileOrEmpty(Path("podform.lock.flock")),
                                nullptr, false);
        return !info.is_discarded() && info.is_object() &&
               info.value("pid", 0) == holder->pid();
      },
      60))
      << holder->StdoutSoFar();

  RunResult loser = Podform({"apply", "--auto-approve"});
  EXPECT_FALSE(holder->Exited()) << "the holder finished too early to tell";
  EXPECT_EQ(loser.exit_code, 1) << loser;
  EXPECT_LT(loser.seconds, 1.0) << "the second apply waited for the lock";
  EXPECT_THAT(
      loser.err,
      MatchesRegex("podform: " + Quote(Path("podform.lock")) +
                   " is locked by pid " + std::to_string(holder->pid()) +
                   " on host \"" + Quote(HostName()) +
                   "\" running \"podform apply\" since "
                   "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"
                   "\n"))
      << loser;
  EXPECT_EQ(loser.out, "");
  // A destroy is refused the same way (it takes the same lock).
  RunResult destroy = Podform({"destroy", "--auto-approve"});
  EXPECT_EQ(destroy.exit_code, 1) << destroy;
  EXPECT_THAT(destroy.err,
              MatchesRegex("podform: .* is locked by pid " +
                           std::to_string(holder->pid()) +
                           " .* running \"podform apply\" since .*\n"));

  // Kill the holder mid-apply: once it has started creating.
  ASSERT_TRUE(WaitFor(
      [&] {
        return holder->StdoutSoFar().find(": creating...") != std::string::npos;
      },
      60));
  holder->Signal(SIGKILL);
  RunResult killed = holder->Wait();
  ASSERT_EQ(killed.signal, SIGKILL) << killed;

  // The lock is free at once; the third apply settles what the killed one
  // left (announced creates, half the fleet) and completes the config.
  RunResult third = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(third.exit_code, 0) << third;
  ExpectExactly(fleet);
}

}  // namespace
}  // namespace podform::reliability
