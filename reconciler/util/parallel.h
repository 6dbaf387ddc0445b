#ifndef PODFORM_RECONCILER_UTIL_PARALLEL_H_
#define PODFORM_RECONCILER_UTIL_PARALLEL_H_

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace podform {

// Calls fn(i) for every i in [0, n), split into contiguous ranges of at
// least `min_per_thread` indices run on up to one thread per core (this
// thread takes the first range). Returns once every call has returned.
// fn must be safe to call from several threads at once for different i.
// Below 2 * min_per_thread, or on one core, everything runs on this thread.
template <typename Fn>
void ParallelFor(size_t n, size_t min_per_thread, Fn fn) {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t threads =
      std::min(cores, n / std::max<size_t>(min_per_thread, 1));
  if (threads < 2) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  auto run = [&fn, n, threads](size_t part) {
    const size_t begin = n * part / threads;
    const size_t end = n * (part + 1) / threads;
    for (size_t i = begin; i < end; ++i) fn(i);
  };
  std::vector<std::thread> others;
  others.reserve(threads - 1);
  for (size_t part = 1; part < threads; ++part) others.emplace_back(run, part);
  run(0);
  for (std::thread& t : others) t.join();
}

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_PARALLEL_H_
