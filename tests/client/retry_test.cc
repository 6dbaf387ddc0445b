#include "reconciler/client/retry.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/client_test_util.h"

namespace podform {
namespace {

using ::podform::testing::FakeClock;
using ::podform::testing::FakeTransport;
using ::podform::testing::Post;
using ::testing::ElementsAre;

RetryOptions Options(FakeClock& clock) {
  RetryOptions options;
  options.max_attempts = 8;
  options.initial_backoff = absl::Milliseconds(100);
  options.max_backoff = absl::Seconds(2);
  options.deadline = absl::Seconds(60);
  clock.Install(options);  // uniform draw 0.5
  return options;
}

TEST(RetryTest, BackoffDoublesWithFullJitterUpToTheCap) {
  FakeClock clock;
  Retrier retrier(Options(clock));
  std::vector<absl::Duration> waits;
  for (int retry = 0; retry < 7; ++retry) {
    waits.push_back(retrier.Backoff(retry, ""));
  }
  // Half of min(2 s, 100 ms * 2^n).
  EXPECT_THAT(
      waits,
      ElementsAre(absl::Milliseconds(50), absl::Milliseconds(100),
                  absl::Milliseconds(200), absl::Milliseconds(400),
                  absl::Milliseconds(800), absl::Seconds(1), absl::Seconds(1)));
}

TEST(RetryTest, SeededJitterIsDeterministicAndWithinTheCap) {
  auto sequence = [](uint64_t seed) {
    RetryOptions options;
    options.initial_backoff = absl::Milliseconds(100);
    options.max_backoff = absl::Seconds(2);
    options.seed = seed;
    Retrier retrier(options);
    std::vector<absl::Duration> waits;
    for (int retry = 0; retry < 10; ++retry) {
      waits.push_back(retrier.Backoff(retry, ""));
    }
    return waits;
  };
  std::vector<absl::Duration> first = sequence(42);
  EXPECT_EQ(first, sequence(42));
  EXPECT_NE(first, sequence(43));
  absl::Duration cap = absl::Milliseconds(100);
  for (absl::Duration wait : first) {
    EXPECT_GE(wait, absl::ZeroDuration());
    EXPECT_LE(wait, cap);
    cap = std::min(cap * 2, absl::Seconds(2));
  }
}

TEST(RetryTest, RetryAfterIsAMinimumWait) {
  FakeClock clock;
  Retrier retrier(Options(clock));
  EXPECT_EQ(retrier.Backoff(0, "7"), absl::Seconds(7));
  // A Retry-After shorter than the jittered wait does not shorten it.
  EXPECT_EQ(retrier.Backoff(3, "0"), absl::Milliseconds(400));
  // HTTP-date, 30 s after the fake clock's now.
  std::string date =
      absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT",
                       clock.Now() + absl::Seconds(30), absl::UTCTimeZone());
  EXPECT_EQ(retrier.Backoff(0, date), absl::Seconds(30));
  // Garbage is ignored.
  EXPECT_EQ(retrier.Backoff(0, "soon"), absl::Milliseconds(50));
}

TEST(RetryTest, ParseRetryAfter) {
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  EXPECT_EQ(ParseRetryAfter("120", now), absl::Seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 3 ", now), absl::Seconds(3));
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-1", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("1.5", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("99999999999999999999", now),
            absl::InfiniteDuration());
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:13:40 GMT", now),
            absl::Seconds(20));
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:00:00 GMT", now),
            absl::ZeroDuration());
}

TEST(RetryTest, RetryableStatuses) {
  for (int status : {429, 502, 503, 504}) {
    EXPECT_TRUE(IsRetryableHttpStatus(status)) << status;
  }
  for (int status : {200, 400, 401, 404, 500, 501}) {
    EXPECT_FALSE(IsRetryableHttpStatus(status)) << status;
  }
}

TEST(RetryTest, RetriesUnprocessedAnswersThenSucceeds) {
  FakeClock clock;
  int rate_limited = 0;
  RetryOptions options = Options(clock);
  options.on_rate_limited = [&] { ++rate_limited; };
  Retrier retrier(options);
  FakeTransport transport;
  transport.Answer(absl::UnavailableError("refused"));
  transport.Answer(503, "busy");
  transport.Answer(429, "slow down", "2");
  transport.Answer(502, "bad gateway");
  transport.Answer(504, "gateway timeout");
  transport.Answer(200, "{\"data\":{}}");
  RetryResult result = retrier.Send(transport, Post("BODY", false));
  ASSERT_TRUE(result.response.ok()) << result.response.status();
  EXPECT_EQ(result.response->status, 200);
  EXPECT_EQ(result.response->body, "{\"data\":{}}");
  EXPECT_EQ(result.attempts, 6);
  EXPECT_EQ(rate_limited, 1);
  EXPECT_THAT(transport.bodies(),
              ElementsAre("BODY", "BODY", "BODY", "BODY", "BODY", "BODY"));
  // The 429's Retry-After (2 s) outweighs its jittered 200 ms.
  EXPECT_THAT(clock.sleeps(),
              ElementsAre(absl::Milliseconds(50), absl::Milliseconds(100),
                          absl::Seconds(2), absl::Milliseconds(400),
                          absl::Milliseconds(800)));
}

TEST(RetryTest, MutationIsNeverResentWhenItsOutcomeIsUnknown) {
  FakeClock clock;
  Retrier retrier(Options(clock));
  FakeTransport transport;
  transport.Answer(absl::DeadlineExceededError("timed out after sending"));
  RetryResult result = retrier.Send(transport, Post("MUTATION", false));
  EXPECT_EQ(result.response.status(),
            absl::DeadlineExceededError("timed out after sending"));
  EXPECT_EQ(result.attempts, 1);
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(RetryTest, OnlyReadsMayBeReplayedByTheTransport) {
  FakeClock clock;
  Retrier retrier(Options(clock));
  FakeTransport transport;
  transport.Answer(200, "{}");
  transport.Answer(200, "{}");
  retrier.Send(transport, Post("READ", true));
  retrier.Send(transport, Post("MUTATION", false));
  EXPECT_THAT(transport.replays(), ElementsAre(Transport::Replay::kHarmless,
                                               Transport::Replay::kForbidden));
}

TEST(RetryTest, RestRequestsAreRetriedByTheirReplayRule) {
  FakeClock clock;
  Retrier retrier(Options(clock));
  FakeTransport transport;
  // A GET is a read: retried after an unknown outcome and a 500, and sent
  // again unchanged (method, path, body).
  transport.Answer(absl::DeadlineExceededError("timed out"));
  transport.Answer(500, "oops");
  transport.Answer(200, R"({"pods":[]})");
  HttpRequest get;
  get.method = "GET";
  get.path = "/pods?limit=1000";
  get.replay = Replay::kHarmless;
  RetryResult read = retrier.Send(transport, get);
  ASSERT_TRUE(read.response.ok()) << read.response.status();
  EXPECT_EQ(read.attempts, 3);
  // A DELETE is a mutation: its lost answer goes back to the caller at once.
  transport.Answer(absl::DeadlineExceededError("connection reset"));
  HttpRequest del;
  del.method = "DELETE";
  del.path = "/pods/p1";
  RetryResult deleted = retrier.Send(transport, del);
  EXPECT_EQ(deleted.response.status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(deleted.attempts, 1);
  std::vector<std::string> sent;
  for (const HttpRequest& r : transport.requests()) {
    sent.push_back(r.method + " " + r.path);
  }
  EXPECT_THAT(sent, ElementsAre("GET /pods?limit=1000", "GET /pods?limit=1000",
                                "GET /pods?limit=1000", "DELETE /pods/p1"));
}

TEST(RetryTest, MutationGets500BackUnretried) {
  FakeClock clock;
  Retrier retrier(Options(clock));
  FakeTransport transport;
  transport.Answer(500, "oops");
  RetryResult result = retrier.Send(transport, Post("MUTATION", false));
  ASSERT_TRUE(result.response.ok());
  EXPECT_EQ(result.response->status, 500);
  EXPECT_EQ(result.attempts, 1);
}

TEST(RetryTest, ReadIsRetriedOnTimeoutsAnd500) {
  FakeClock clock;
  Retrier retrier(Options(clock));
  FakeTransport transport;
  transport.Answer(absl::DeadlineExceededError("timed out"));
  transport.Answer(500, "oops");
  transport.Answer(200, "{}");
  RetryResult result = retrier.Send(transport, Post("QUERY", true));
  ASSERT_TRUE(result.response.ok());
  EXPECT_EQ(result.response->status, 200);
  EXPECT_EQ(result.attempts, 3);
}

TEST(RetryTest, OtherAnswersAreReturnedAtOnce) {
  FakeClock clock;
  Retrier retrier(Options(clock));
  FakeTransport transport;
  transport.Answer(400, "bad");
  transport.Answer(401, "");
  transport.Answer(absl::FailedPreconditionError("bad certificate"));
  EXPECT_EQ(retrier.Send(transport, Post("Q", true)).response->status, 400);
  EXPECT_EQ(retrier.Send(transport, Post("Q", true)).response->status, 401);
  RetryResult tls = retrier.Send(transport, Post("Q", true));
  EXPECT_EQ(tls.response.status(),
            absl::FailedPreconditionError("bad certificate"));
  EXPECT_EQ(tls.attempts, 1);
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(RetryTest, GivesUpAfterMaxAttempts) {
  FakeClock clock;
  RetryOptions options = Options(clock);
  options.max_attempts = 3;
  Retrier retrier(options);
  FakeTransport transport;
  for (int i = 0; i < 3; ++i) transport.Answer(429, "", "1");
  RetryResult result = retrier.Send(transport, Post("Q", false));
  EXPECT_EQ(
      result.response.status(),
      absl::UnavailableError(
          "HTTP 429 from RunPod (rate limited); gave up after 3 attempts"));
  EXPECT_EQ(result.attempts, 3);
  EXPECT_THAT(clock.sleeps(), ElementsAre(absl::Seconds(1), absl::Seconds(1)));

  transport.Answer(absl::UnavailableError("POST x: refused; nothing was sent"));
  options.max_attempts = 1;
  Retrier once(options);
  EXPECT_EQ(once.Send(transport, Post("Q", false)).response.status(),
            absl::UnavailableError(
                "POST x: refused; nothing was sent; gave up after 1 attempt"));
}

TEST(RetryTest, GivesUpWhenTheNextWaitWouldPassTheDeadline) {
  FakeClock clock;
  RetryOptions options = Options(clock);
  options.deadline = absl::Seconds(10);
  Retrier retrier(options);
  FakeTransport transport;
  transport.Answer(503, "", "4");
  transport.Answer(503, "", "4");
  transport.Answer(503, "", "4");  // 8 s spent; another 4 s would be 12 s
  RetryResult result = retrier.Send(transport, Post("Q", true));
  EXPECT_EQ(
      result.response.status(),
      absl::UnavailableError("HTTP 503 from RunPod; gave up after 3 attempts"));
  EXPECT_THAT(clock.sleeps(), ElementsAre(absl::Seconds(4), absl::Seconds(4)));
  EXPECT_EQ(transport.unanswered(), 0u);

  // A Retry-After longer than the whole deadline gives up at once.
  transport.Answer(429, "", "3600");
  RetryResult now = retrier.Send(transport, Post("Q", true));
  EXPECT_EQ(now.attempts, 1);
  EXPECT_EQ(
      now.response.status(),
      absl::UnavailableError(
          "HTTP 429 from RunPod (rate limited); gave up after 1 attempt"));
}

TEST(RetryTest, ReadTimeoutsExhaustedKeepTheirCode) {
  FakeClock clock;
  RetryOptions options = Options(clock);
  options.max_attempts = 2;
  Retrier retrier(options);
  FakeTransport transport;
  transport.Answer(absl::DeadlineExceededError("POST x: Timeout was reached"));
  transport.Answer(absl::DeadlineExceededError("POST x: Timeout was reached"));
  EXPECT_EQ(retrier.Send(transport, Post("Q", true)).response.status(),
            absl::DeadlineExceededError(
                "POST x: Timeout was reached; gave up after 2 attempts"));
}

TEST(RetryTest, ConcurrentSendsShareTheRetrier) {
  RetryOptions options;
  options.max_attempts = 20;  // one thread may meet every 429
  options.initial_backoff = absl::Microseconds(1);
  options.max_backoff = absl::Microseconds(10);
  options.seed = 7;
  std::atomic<int> rate_limited{0};
  options.on_rate_limited = [&] { rate_limited++; };
  Retrier retrier(options);
  FakeTransport transport;
  constexpr int kThreads = 8;
  for (int i = 0; i < kThreads; ++i) {
    transport.Answer(429, "");
    transport.Answer(200, "ok");
  }
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      RetryResult r = retrier.Send(transport, Post("Q", true));
      if (r.response.ok() && r.response->status == 200) ok++;
    });
  }
  for (std::thread& t : threads) t.join();
  // Each thread ends with a 200; every 429 was seen by the hook.
  EXPECT_EQ(ok.load(), kThreads);
  EXPECT_EQ(rate_limited.load(), kThreads);
}

}  // namespace
}  // namespace podform
