#!/usr/bin/env bash
# Builds podform and the benchmarks (Release, in build-bench/), runs every
# benchmark and prints its figures as Markdown tables (docs/BENCHMARKS.md).
#
#   bash bench/run.sh            # the full run (about 13 minutes on 2 cores)
#   bash bench/run.sh --quick    # fewer repeats and sizes (about 5 minutes)
#
# REST v2 and GraphQL are measured side by side in the same run.
#
# (plus the first build of build-bench/, about 5 minutes with 2 jobs).
#
# BENCH_JOBS=N sets the build's parallelism (default: all cores).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *) echo "usage: bash bench/run.sh [--quick]" >&2; exit 2 ;;
esac

build=build-bench
benches=(bench_plan_scale bench_parse_floor bench_plan_stages
         bench_refresh_requests bench_apply_throughput
         bench_sandbox_throughput bench_rest_list_throughput
         bench_apply_bookkeeping bench_apply_quota bench_workload
         bench_state_postgres)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DPODFORM_TESTS=OFF >/dev/null
cmake --build "$build" -j "${BENCH_JOBS:-$(nproc)}" --target podform \
  "${benches[@]}" >/dev/null

work="$build/bench-work"
rm -rf "$work"
mkdir -p "$work"
podform="$build/podform"

if [[ $quick == 1 ]]; then
  repeat=3 parallelism=8,32 rest_parallelism=8 bookkeeping=500,1000 seconds=1
else
  repeat=5 parallelism=1,4,8,16,32 rest_parallelism=1,8,32
  bookkeeping=1000,10000 seconds=3
fi

echo "# podform benchmarks"
echo
echo '```'
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
echo "podform: $("$podform" version 2>/dev/null | head -1)"
echo "uname:   $(uname -a)"
lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|Socket)' | sed 's/  */ /g'
echo "memory:  $(free -m | awk '/^Mem:/ {print $2 " MB"}')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo '```'

"$build/bench/bench_plan_scale" --podform="$podform" --work="$work" \
  --floor="$build/bench/bench_parse_floor" \
  --refresh=schema/operations/Refresh.graphql --sizes=1000,10000 \
  --repeat="$repeat" --apis=rest,graphql
"$build/bench/bench_plan_stages" --work="$work" --sizes=1000,10000 \
  --repeat="$repeat"
"$build/bench/bench_refresh_requests" --podform="$podform" --work="$work" \
  --sizes=10,10000 --apis=rest,graphql
"$build/bench/bench_apply_throughput" --podform="$podform" --work="$work" \
  --api=rest --resources=1000 --latency-ms=50 --provision-ms=500 \
  --parallelism="$rest_parallelism"
"$build/bench/bench_apply_throughput" --podform="$podform" --work="$work" \
  --api=graphql --resources=1000 --latency-ms=50 --provision-ms=500 \
  --parallelism="$parallelism"
if [[ $quick == 0 ]]; then
  # The same at 10x the size: how apply grows under RunPod-like latency.
  "$build/bench/bench_apply_throughput" --podform="$podform" --work="$work" \
    --api=graphql --resources=10000 --latency-ms=50 --parallelism=8
fi
"$build/bench/bench_apply_quota" --podform="$podform" --work="$work" \
  --resources=1000 --quota-per-min=600 --latency-ms=0 --provision-ms=500
"$build/bench/bench_sandbox_throughput" --podform="$podform" --work="$work" \
  --operations=schema/operations --sizes=0,10000 --clients=4 \
  --seconds="$seconds"
"$build/bench/bench_rest_list_throughput" --podform="$podform" \
  --work="$work" --sizes=20000 --limit=1000 --clients=4 --seconds="$seconds"
"$build/bench/bench_apply_bookkeeping" --podform="$podform" --work="$work" \
  --sizes="$bookkeeping" --write-sizes=1000,10000 --repeat="$repeat"

# The state in PostgreSQL: a throwaway server of Debian's PostgreSQL 15
# (scripts/install-deps.sh --test installs it), as nobody when run as root,
# on a Unix socket only, with PostgreSQL's default durability (fsync on).
pg_bin=/usr/lib/postgresql/15/bin
if [[ -x $pg_bin/initdb ]]; then
  pg_dir=$(mktemp -d /tmp/podform-bench-pg.XXXXXX)
  as_owner=()
  if [[ $(id -u) == 0 ]]; then
    chown nobody:nogroup "$pg_dir"
    as_owner=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  fi
  "${as_owner[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U podform \
    --auth=trust -E UTF8 --no-instructions >/dev/null
  "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
    -o "-k $pg_dir -c listen_addresses=''" start >/dev/null
  trap '"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop \
    >/dev/null; rm -rf "$pg_dir"' EXIT
  "$build/bench/bench_state_postgres" --podform="$podform" --work="$work" \
    --postgres="postgresql://podform@/postgres?host=$pg_dir" \
    --plan-sizes=10000 --sizes="$bookkeeping" --repeat="$repeat"
else
  echo
  echo "(PostgreSQL state: skipped, $pg_bin/initdb not found)"
fi

echo
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
rm -rf "$work"
