#ifndef PODFORM_RECONCILER_SANDBOX_RANDOM_H_
#define PODFORM_RECONCILER_SANDBOX_RANDOM_H_

#include <cstdint>
#include <string>

namespace podform::sandbox {

// A small deterministic pseudo-random generator (SplitMix64). The whole state
// is one 64-bit word, so it is persisted in the sandbox data file and a
// restarted sandbox continues the same sequence. The same seed gives the same
// sequence on every platform (no std:: distributions are involved).
// Not thread-safe; callers serialize access.
class Random {
 public:
  explicit Random(uint64_t seed = 0) : state_(seed) {}

  // The next 64 random bits.
  uint64_t Next();
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n);
  // Uniform in [0, 1).
  double Unit();
  // true with probability `p` (p <= 0: never draws and returns false;
  // p >= 1: never draws and returns true).
  bool Chance(double p);
  // `length` characters drawn from `alphabet`. REQUIRES: alphabet non-empty.
  std::string String(size_t length, const std::string& alphabet);

  uint64_t state() const { return state_; }
  void set_state(uint64_t state) { state_ = state; }

 private:
  uint64_t state_;
};

// A seed from the operating system, for sandboxes started without --seed.
uint64_t RandomSeed();

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_RANDOM_H_
