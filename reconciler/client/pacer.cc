#include "reconciler/client/pacer.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "reconciler/client/retry.h"

namespace podform {
namespace {

// The members of a structured-field list: name and integer parameters.
struct Member {
  std::string name;
  std::map<std::string, int64_t> params;
};

std::vector<Member> ParseMembers(std::string_view header) {
  std::vector<Member> out;
  for (absl::string_view item :
       absl::StrSplit(absl::string_view(header.data(), header.size()), ',')) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, ';');
    absl::string_view name = absl::StripAsciiWhitespace(parts[0]);
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
    } else if (name.empty() || name.find('=') != absl::string_view::npos) {
      continue;
    }
    Member member;
    member.name = std::string(name);
    for (size_t i = 1; i < parts.size(); ++i) {
      std::vector<absl::string_view> kv =
          absl::StrSplit(parts[i], absl::MaxSplits('=', 1));
      int64_t value = 0;
      if (kv.size() == 2 &&
          absl::SimpleAtoi(absl::StripAsciiWhitespace(kv[1]), &value)) {
        member.params[std::string(absl::StripAsciiWhitespace(kv[0]))] = value;
      }
    }
    out.push_back(std::move(member));
  }
  return out;
}

}  // namespace

std::vector<RateLimitWindow> ParseRateLimit(std::string_view header) {
  std::vector<RateLimitWindow> out;
  for (const Member& m : ParseMembers(header)) {
    auto r = m.params.find("r");
    auto t = m.params.find("t");
    if (r == m.params.end() || t == m.params.end() || t->second < 0) continue;
    out.push_back({m.name, r->second, absl::Seconds(t->second)});
  }
  return out;
}

std::vector<RateLimitPolicy> ParseRateLimitPolicy(std::string_view header) {
  std::vector<RateLimitPolicy> out;
  for (const Member& m : ParseMembers(header)) {
    auto q = m.params.find("q");
    auto w = m.params.find("w");
    if (q == m.params.end() || w == m.params.end() || w->second <= 0) continue;
    out.push_back({m.name, q->second, absl::Seconds(w->second)});
  }
  return out;
}

Pacer::Pacer(PacerOptions options)
    : options_(std::move(options)), blocked_until_(absl::InfinitePast()) {}

absl::Time Pacer::Now() const {
  return options_.now ? options_.now() : absl::Now();
}

void Pacer::Admit() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    const absl::Time now = Now();
    absl::Time wait_until = blocked_until_;
    for (auto it = windows_.begin(); it != windows_.end();) {
      Window& w = it->second;
      if (now >= w.reset_at) {
        if (w.quota < 0 || w.length <= absl::ZeroDuration() ||
            w.reset_at == absl::InfinitePast()) {
          it = windows_.erase(it);  // unknown until the next answer
          continue;
        }
        // The window has ended: full quota. RunPod's next window starts
        // with the next request it counts, at the earliest now, so it ends
        // no earlier than now + length (answers move that later if RunPod
        // says so, never earlier).
        w.remaining = w.quota;
        w.reset_at = now + w.length;
      }
      if (w.remaining <= 0) wait_until = std::max(wait_until, w.reset_at);
      ++it;
    }
    if (wait_until <= now) break;
    lock.unlock();
    if (options_.sleep) {
      options_.sleep(wait_until - now);
    } else {
      absl::SleepFor(wait_until - now);
    }
    lock.lock();
  }
  for (auto& [name, w] : windows_) --w.remaining;
}

void Pacer::Learn(const HttpResponse& response) {
  const absl::Time now = Now();
  std::lock_guard<std::mutex> lock(mutex_);
  for (const RateLimitPolicy& p : ParseRateLimitPolicy(response.rate_limit_policy)) {
    Window& w = windows_[p.name];
    w.quota = p.quota;
    w.length = p.window;
  }
  for (const RateLimitWindow& r : ParseRateLimit(response.rate_limit)) {
    auto [it, inserted] = windows_.try_emplace(r.name);
    Window& w = it->second;
    absl::Time reset_at = now + r.reset_in;
    // A later reset than the one known is a new window: RunPod's count
    // starts over. An answer about a window that has since ended (sent
    // before it ended, answered after) says nothing about this one. Within
    // the same window, the lower count wins (ours includes requests still in
    // flight, RunPod's those of other clients), and so does the later reset
    // (t is whole seconds, and RunPod's window may have started after the
    // moment this pacer assumed).
    // (t is whole seconds, so within a window the reset RunPod reports moves
    // by up to a second.)
    const absl::Duration slack = std::max(absl::Seconds(1), w.length / 2);
    if (inserted || reset_at > w.reset_at + slack) {
      w.remaining = r.remaining;
      w.reset_at = reset_at;
    } else if (w.length > absl::ZeroDuration() &&
               reset_at < w.reset_at - w.length / 2) {
      // Stale: ignored.
    } else {
      w.remaining = std::min(w.remaining, r.remaining);
      w.reset_at = std::max(w.reset_at, reset_at);
    }
  }
  if (response.status == 429) {
    std::optional<absl::Duration> wait =
        ParseRetryAfter(response.retry_after, now);
    if (wait.has_value() && *wait < absl::InfiniteDuration()) {
      blocked_until_ = std::max(blocked_until_, now + *wait);
    }
  }
}

PacedTransport::PacedTransport(std::unique_ptr<Transport> inner,
                               std::shared_ptr<Pacer> pacer)
    : inner_(std::move(inner)), pacer_(std::move(pacer)) {}

PacedTransport::PacedTransport(std::unique_ptr<Transport> inner,
                               PacerOptions options)
    : PacedTransport(std::move(inner),
                     std::make_shared<Pacer>(std::move(options))) {}

absl::StatusOr<HttpResponse> PacedTransport::Send(const HttpRequest& request) {
  pacer_->Admit();
  absl::StatusOr<HttpResponse> response = inner_->Send(request);
  if (response.ok()) pacer_->Learn(*response);
  return response;
}

}  // namespace podform
