#ifndef PODFORM_RECONCILER_UTIL_HEAP_H_
#define PODFORM_RECONCILER_UTIL_HEAP_H_

namespace podform {

// Asks the kernel for transparent huge pages on the main heap. Call once at
// the start of main, before the heap grows.
//
// A 10,000-resource plan allocates about 90 MB in millions of small pieces
// (yaml-cpp's node tree above all), and on a VM each first touch of a 4 KB
// page is a costly fault: a fifth of that plan's time went to 22,000 of
// them. Where hosts give huge pages only when asked (THP "madvise" mode,
// the common default), the same plan then takes about 1,500 faults and a
// quarter less time (docs/BENCHMARKS.md). Where THP is off, or under a
// sanitizer's allocator, nothing changes. glibc's own switch for this is
// GLIBC_TUNABLES=glibc.malloc.hugetlb=1, which a program cannot set for
// itself.
void PreferHugePagesForTheHeap();

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_HEAP_H_
