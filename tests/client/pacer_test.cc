// PacedTransport against a fake RunPod that counts requests per window on
// a fake clock.

#include "reconciler/client/pacer.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/client_test_util.h"

namespace podform {
namespace {

using ::podform::testing::FakeClock;
using ::testing::ElementsAre;

TEST(PacerTest, ParsesRunPodsHeaders) {
  std::vector<RateLimitWindow> windows = ParseRateLimit(
      R"("minute";r=0;t=12, "hour";r=2800;t=1812, day;r=49500;t=45012)");
  ASSERT_EQ(windows.size(), 3u);
  EXPECT_EQ(windows[0].name, "minute");
  EXPECT_EQ(windows[0].remaining, 0);
  EXPECT_EQ(windows[0].reset_in, absl::Seconds(12));
  EXPECT_EQ(windows[2].name, "day");
  EXPECT_EQ(windows[2].remaining, 49500);
  std::vector<RateLimitPolicy> policies = ParseRateLimitPolicy(
      R"("minute";q=60;w=60, "hour";q=3000;w=3600)");
  ASSERT_EQ(policies.size(), 2u);
  EXPECT_EQ(policies[1].name, "hour");
  EXPECT_EQ(policies[1].quota, 3000);
  EXPECT_EQ(policies[1].window, absl::Seconds(3600));
  // Not RunPod's shape: ignored.
  EXPECT_TRUE(ParseRateLimit("limit=5, remaining=0, reset=1").empty());
  EXPECT_TRUE(ParseRateLimit("").empty());
  EXPECT_TRUE(ParseRateLimitPolicy(R"("minute";q=60)").empty());
}

// A RunPod with `quota` requests per `window`. Fixed windows start at the
// clock's first reading; anchored ones each at the first request after the
// previous one ended (as `sandbox serve --rate-limit` counts).
class QuotaServer : public Transport {
 public:
  QuotaServer(FakeClock* clock, int quota, absl::Duration window,
              bool anchored = false)
      : clock_(clock), quota_(quota), window_(window), anchored_(anchored),
        window_end_(clock->Now() + window) {}

  absl::StatusOr<HttpResponse> Send(const HttpRequest&) override {
    std::lock_guard<std::mutex> lock(mutex_);
    absl::Time now = clock_->Now();
    if (anchored_ && now >= window_end_) {
      window_end_ = now + window_;
      used_ = 0;
    }
    while (now >= window_end_) {
      window_end_ += window_;
      used_ = 0;
    }
    int64_t reset = absl::ToInt64Seconds(absl::Ceil(window_end_ - now,
                                                    absl::Seconds(1)));
    HttpResponse response;
    response.rate_limit_policy = absl::StrCat(
        "\"minute\";q=", quota_, ";w=", absl::ToInt64Seconds(window_));
    if (used_ >= quota_) {
      response.status = 429;
      response.retry_after = absl::StrCat(reset);
      ++refused_;
    } else {
      ++used_;
      response.status = 200;
    }
    response.rate_limit =
        absl::StrCat("\"minute\";r=", quota_ - used_, ";t=", reset);
    return response;
  }

  int refused() const { return refused_; }

 private:
  std::mutex mutex_;
  FakeClock* clock_;
  const int quota_;
  const absl::Duration window_;
  const bool anchored_;
  absl::Time window_end_;
  int used_ = 0;
  int refused_ = 0;
};

TEST(PacerTest, MoreRequestsThanTheQuotaWaitForTheWindowWithoutA429) {
  FakeClock clock;
  auto server = std::make_unique<QuotaServer>(&clock, 5, absl::Seconds(60));
  QuotaServer* quota = server.get();
  PacerOptions options;
  options.now = [&] { return clock.Now(); };
  options.sleep = [&](absl::Duration d) { clock.Sleep(d); };
  PacedTransport paced(std::move(server), options);
  for (int i = 0; i < 12; ++i) {
    clock.Advance(absl::Seconds(1));  // each request takes a second
    absl::StatusOr<HttpResponse> response = paced.Send(HttpRequest());
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 200) << i;
  }
  EXPECT_EQ(quota->refused(), 0);
  // Five requests at 1..5 s; the sixth waits from 6 s for the window's end
  // at 60 s; five more at 60..64 s; the eleventh waits from 65 s to 120 s.
  EXPECT_THAT(clock.sleeps(),
              ElementsAre(absl::Seconds(54), absl::Seconds(55)));
}

TEST(PacerTest, AWindowThatStartsWithItsFirstRequestIsNotAssumedEarlier) {
  FakeClock clock;
  const absl::Time start = clock.Now();
  auto server = std::make_unique<QuotaServer>(&clock, 5, absl::Seconds(10),
                                              /*anchored=*/true);
  QuotaServer* quota = server.get();
  PacerOptions options;
  options.now = [&] { return clock.Now(); };
  options.sleep = [&](absl::Duration d) { clock.Sleep(d); };
  PacedTransport paced(std::move(server), options);
  auto send_at = [&](absl::Duration at) {
    if (clock.Now() < start + at) clock.Advance(start + at - clock.Now());
    absl::StatusOr<HttpResponse> response = paced.Send(HttpRequest());
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 200) << at;
  };
  // RunPod's first window is 0..10 s. Its second starts with the request
  // at 10.5 s and ends at 20.5 s, not at 20 s: a request at 20.2 s waits.
  for (int i = 1; i <= 5; ++i) send_at(absl::Seconds(i));
  send_at(absl::Milliseconds(10500));
  for (int i = 11; i <= 14; ++i) send_at(absl::Seconds(i));
  send_at(absl::Milliseconds(20200));
  EXPECT_EQ(quota->refused(), 0);
  // Until 21 s: t counts whole seconds, so the pacer cannot tell 20.5 s
  // from anything up to 21 s.
  EXPECT_THAT(clock.sleeps(), ElementsAre(absl::Milliseconds(800)));
}

TEST(PacerTest, WithoutHeadersNothingWaits) {
  FakeClock clock;
  auto inner = std::make_unique<testing::FakeTransport>();
  testing::FakeTransport* fake = inner.get();
  for (int i = 0; i < 3; ++i) fake->Answer(200, "{}");
  PacerOptions options;
  options.now = [&] { return clock.Now(); };
  options.sleep = [&](absl::Duration d) { clock.Sleep(d); };
  PacedTransport paced(std::move(inner), options);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(paced.Send(HttpRequest()).ok());
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(PacerTest, A429HoldsBackEveryRequestForItsRetryAfter) {
  FakeClock clock;
  auto inner = std::make_unique<testing::FakeTransport>();
  testing::FakeTransport* fake = inner.get();
  fake->Answer(429, "{}", "7");
  fake->Answer(200, "{}");
  PacerOptions options;
  options.now = [&] { return clock.Now(); };
  options.sleep = [&](absl::Duration d) { clock.Sleep(d); };
  PacedTransport paced(std::move(inner), options);
  EXPECT_EQ(paced.Send(HttpRequest())->status, 429);
  EXPECT_EQ(paced.Send(HttpRequest())->status, 200);
  EXPECT_THAT(clock.sleeps(), ElementsAre(absl::Seconds(7)));
}

// Sends to a QuotaServer it does not own: two clients of one RunPod key.
class ToServer : public Transport {
 public:
  explicit ToServer(QuotaServer* server) : server_(server) {}
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    return server_->Send(request);
  }

 private:
  QuotaServer* server_;
};

// Alternates 12 requests, one a second, between two transports to one
// RunPod with 5 requests a minute; returns how many it refused.
int RefusedOfTwoClients(bool share_the_pacer) {
  FakeClock clock;
  QuotaServer server(&clock, 5, absl::Seconds(60));
  PacerOptions options;
  options.now = [&] { return clock.Now(); };
  options.sleep = [&](absl::Duration d) { clock.Sleep(d); };
  auto shared = std::make_shared<Pacer>(options);
  PacedTransport provider(std::make_unique<ToServer>(&server),
                          share_the_pacer ? shared
                                          : std::make_shared<Pacer>(options));
  PacedTransport account(std::make_unique<ToServer>(&server),
                         share_the_pacer ? shared
                                         : std::make_shared<Pacer>(options));
  for (int i = 0; i < 12; ++i) {
    clock.Advance(absl::Seconds(1));
    EXPECT_TRUE((i % 2 == 0 ? provider : account).Send(HttpRequest()).ok());
  }
  if (share_the_pacer) {
    // As one client would: waits at 6 s and at 65 s.
    EXPECT_THAT(clock.sleeps(),
                ElementsAre(absl::Seconds(54), absl::Seconds(55)));
  }
  return server.refused();
}

TEST(PacerTest, TransportsSharingAPacerCountEachOthersRequests) {
  EXPECT_EQ(RefusedOfTwoClients(/*share_the_pacer=*/true), 0);
  // Each on its own pacer thinks it has requests left that the other used.
  EXPECT_GT(RefusedOfTwoClients(/*share_the_pacer=*/false), 0);
}

}  // namespace
}  // namespace podform
