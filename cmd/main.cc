#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>

#include "cmd/command.h"

namespace {

// A 10,000-resource plan allocates about 90 MB in millions of small pieces
// (yaml-cpp's node tree above all), and on a VM each first touch of a 4 KB
// page is a costly fault: a fifth of the plan's time went to 22,000 of
// them. This asks the kernel for transparent huge pages on the main heap,
// where hosts only give them when asked (THP "madvise" mode, the common
// default): the same plan then takes about 3,500 faults and 20% less time
// (docs/BENCHMARKS.md). Where THP is off or the call fails, nothing
// changes. glibc's own switch for this is the GLIBC_TUNABLES environment
// variable glibc.malloc.hugetlb=1, which a program cannot set for itself.
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

}  // namespace

int main(int argc, char** argv) {
  PreferHugePagesForTheHeap();
  return podform::RunCli(argc, argv, std::cout, std::cerr);
}
