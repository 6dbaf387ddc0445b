#include "reconciler/util/heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace podform {

void PreferHugePagesForTheHeap() {
  constexpr size_t kHugePage = size_t{2} << 20;
  constexpr size_t kReserve = size_t{256} << 20;
  // Large blocks come from the heap rather than one mmap each, and the heap
  // grows and stays in big steps, so the range advised below is where
  // malloc hands out memory. Address space only: pages are used as touched.
  if (mallopt(M_MMAP_THRESHOLD, 32 << 20) == 0 ||
      mallopt(M_TOP_PAD, kReserve) == 0 ||
      mallopt(M_TRIM_THRESHOLD, 2 * kReserve) == 0) {
    return;
  }
  void* block = std::malloc(kHugePage);  // grows the heap by kReserve
  if (block == nullptr) return;
  const uintptr_t begin =
      (reinterpret_cast<uintptr_t>(block) + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(sbrk(0));
  if (end > begin) {
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
  std::free(block);
}

}  // namespace podform
