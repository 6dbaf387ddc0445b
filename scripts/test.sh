#!/usr/bin/env bash
# Installs what is missing, then builds and runs podform's whole test suite:
#   1. g++ build, every test (unit + end-to-end), then the Debian package
#      built from it and checked (scripts/check-deb.sh);
#   2. clang build with AddressSanitizer + UndefinedBehaviorSanitizer, every
#      test again, then each libFuzzer target for a bounded time.
# Both builds treat warnings as errors (PODFORM_WERROR=OFF in the environment
# turns that off). FUZZ_SECONDS (default 20) bounds each fuzz target.
# Run as root, or as a user with sudo: packages are installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
# PostgreSQL is installed now: a test that needs a server and cannot start
# one fails instead of skipping (tests/state/postgres_server.h), as in CI.
export CI=true
fuzz_seconds=${FUZZ_SECONDS:-20}
start=$SECONDS

echo "== build 1/2: g++"
# The release's optimization (RelWithDebInfo: -O2 -DNDEBUG) without its debug
# info: -g costs about a third of the compile time, and nothing here reads it.
cmake -S . -B build-ci -G Ninja -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_CXX_FLAGS="-O2 -DNDEBUG" -DCMAKE_CXX_COMPILER=g++ \
  -DPODFORM_WERROR="${PODFORM_WERROR:-ON}" >/dev/null
cmake --build build-ci -j2
(cd build-ci && ctest -j2 --output-on-failure --timeout 600)
echo "== package: the .deb from build-ci, unpacked and checked"
scripts/check-deb.sh build-ci

echo "== build 2/2: clang ASan+UBSan (+ fuzz targets)"
# -O1 and line tables only: what the sanitizers need for useful reports, and
# much less to compile than -O2 -g.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" \
  -DCMAKE_CXX_COMPILER=clang++ -DPODFORM_SANITIZE=ON -DPODFORM_FUZZ=ON \
  -DPODFORM_WERROR="${PODFORM_WERROR:-ON}" >/dev/null
cmake --build build-asan -j2
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest -j2 --output-on-failure --timeout 900)

echo "== fuzzing (${fuzz_seconds}s per target)"
for target in build-asan/fuzz/*_fuzz; do
  name=$(basename "$target")
  corpus="fuzz/corpus/$name"
  work=$(mktemp -d)
  [[ -d "$corpus" ]] && cp -r "$corpus/." "$work/"
  "$target" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$work" 2>"$work.log" || { tail -50 "$work.log"; exit 1; }
  grep -E "stat::number_of_executed_units|cov:" "$work.log" | tail -2 | sed "s/^/$name: /"
  rm -rf "$work" "$work.log"
done
echo "== all green in $((SECONDS - start))s"
