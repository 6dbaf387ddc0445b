#include "reconciler/apply/concurrency.h"

#include "gtest/gtest.h"

namespace podform {
namespace {

TEST(ConcurrencyLimitTest, HalvesOnThrottleOncePerCoolDown) {
  ConcurrencyLimit limit(16, absl::Hours(1));
  EXPECT_EQ(limit.limit(), 16);
  limit.OnThrottled();
  EXPECT_EQ(limit.limit(), 8);
  limit.OnThrottled();  // same burst of 429s: no second decrease
  EXPECT_EQ(limit.limit(), 8);
}

TEST(ConcurrencyLimitTest, NeverBelowOneAndGrowsBackAdditively) {
  ConcurrencyLimit limit(4, absl::ZeroDuration());
  for (int i = 0; i < 10; ++i) limit.OnThrottled();
  EXPECT_EQ(limit.limit(), 1);
  // Each success adds 1/limit: 1 -> 2 -> 2.5 -> 2.9 -> 3.24.
  limit.Acquire();
  limit.Release(true);
  EXPECT_EQ(limit.limit(), 2);
  limit.Acquire();
  limit.Release(true);
  limit.Acquire();
  limit.Release(true);
  EXPECT_EQ(limit.limit(), 2);
  limit.Acquire();
  limit.Release(true);
  EXPECT_EQ(limit.limit(), 3);
  // Failures do not grow it; it never exceeds max.
  limit.Acquire();
  limit.Release(false);
  EXPECT_EQ(limit.limit(), 3);
  for (int i = 0; i < 100; ++i) {
    limit.Acquire();
    limit.Release(true);
  }
  EXPECT_EQ(limit.limit(), 4);
}

}  // namespace
}  // namespace podform
