#include "reconciler/util/parallel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace podform {
namespace {

// How many times each index was called, and on which threads.
struct Calls {
  explicit Calls(size_t n) : count(n) {}
  std::vector<std::atomic<int>> count;
  std::mutex mutex;
  std::set<std::thread::id> threads;

  void Record(size_t i) {
    count[i]++;
    std::lock_guard<std::mutex> lock(mutex);
    threads.insert(std::this_thread::get_id());
  }
};

TEST(ParallelForTest, CallsEveryIndexExactlyOnce) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{511}, size_t{512},
                   size_t{10001}}) {
    Calls calls(n);
    ParallelFor(n, 256, [&](size_t i) { calls.Record(i); });
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(calls.count[i].load(), 1) << "n=" << n << " i=" << i;
    }
  }
}

TEST(ParallelForTest, BelowTwiceTheMinimumEverythingRunsOnTheCallingThread) {
  Calls calls(511);
  ParallelFor(511, 256, [&](size_t i) { calls.Record(i); });
  EXPECT_EQ(calls.threads,
            std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST(ParallelForTest, FromTwiceTheMinimumOneThreadPerCoreAtMost) {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  Calls calls(10000);
  ParallelFor(10000, 256, [&](size_t i) { calls.Record(i); });
  EXPECT_EQ(calls.threads.size(), std::min<size_t>(cores, 10000 / 256));
  EXPECT_EQ(calls.threads.count(std::this_thread::get_id()), 1u);
}

TEST(ParallelForTest, AZeroMinimumCountsAsOne) {
  Calls calls(3);
  ParallelFor(3, 0, [&](size_t i) { calls.Record(i); });
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(calls.count[i].load(), 1);
}

}  // namespace
}  // namespace podform
