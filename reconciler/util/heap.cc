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
  // glibc's defaults (mallopt(3)); M_TOP_PAD is set back once the heap has
  // grown, so that later growth (and every thread's arena) asks for no
  // more than usual.
  constexpr int kDefaultPad = 128 << 10;
  // Large blocks come from the heap rather than one mmap each, and the heap
  // grows by kReserve and is not trimmed back, so the range advised below is
  // where malloc hands out memory. Address space only: pages are used as
  // touched.
  if (mallopt(M_MMAP_THRESHOLD, 32 << 20) == 0) return;  // not glibc's malloc
  mallopt(M_TRIM_THRESHOLD, 2 * kReserve);
  mallopt(M_TOP_PAD, kReserve);
  void* block = std::malloc(kHugePage);  // grows the heap by kReserve
  mallopt(M_TOP_PAD, kDefaultPad);
  if (block == nullptr) {  // no room for the reservation: back to defaults
    mallopt(M_MMAP_THRESHOLD, kDefaultPad);
    mallopt(M_TRIM_THRESHOLD, kDefaultPad);
    return;
  }
  const uintptr_t begin =
      (reinterpret_cast<uintptr_t>(block) + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(sbrk(0));
  if (end > begin) {
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
  std::free(block);
}

}  // namespace podform
