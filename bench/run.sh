#!/usr/bin/env bash
# npm run bench: the pipeline benchmark on the mem driver (see bench/README.md).
#
# Builds cix_bench (Release, in its own build directory so that a Debug or
# sanitizer build elsewhere never ends up measured), reserves 2 MB hugepages
# for the buffer pool when it can and gives them back afterwards, even when
# the run fails or is interrupted, runs the bench pinned to one core, and
# puts the results into bench/RESULTS.md. Arguments go to cix_bench
# (--packets, --reps, --burst, --only, --mem ...); with --quick nothing is
# written.
#
# Environment: CIX_BENCH_CPU (core to pin to; default the last one),
# CIX_BENCH_HUGEPAGES (2 MB pages to have free; default 16, 0: none),
# CIX_BENCH_BUILD (build directory; default build/bench).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${CIX_BENCH_BUILD:-build/bench}
cpu=${CIX_BENCH_CPU:-$(($(nproc) - 1))}
pages=${CIX_BENCH_HUGEPAGES:-16}
nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
results=bench/RESULTS.md

say() { printf '==> %s\n' "$*"; }

write=1
for a in "$@"; do
  [ "$a" = "--quick" ] && write=0
done

# The live stage (bench/live/run.sh; needs root): after the pipeline's, or
# alone with `--only live` (the other arguments then go to it); any other
# --only is the pipeline's alone, and CIX_BENCH_LIVE=0 leaves it out. It gets
# --quick, or --markdown bench/RESULTS.md.
stage=all
live_rest=()
prev=""
for a in "$@"; do
  if [ "$prev" = "--only" ]; then
    if [ "$a" = live ]; then stage=live; else stage=pipeline; fi
  elif [ "$a" != "--only" ] && [ "$a" != "--quick" ]; then
    live_rest+=("$a")
  fi
  prev=$a
done
if [ "$stage" = all ] && [ "${CIX_BENCH_LIVE:-1}" = 0 ]; then
  stage=pipeline
fi
live_args=(--quick)
if [ "$write" = 1 ]; then
  live_args=(--markdown "$results")
fi
if [ "$stage" = live ]; then
  exec bash bench/live/run.sh "${live_args[@]}" "${live_rest[@]}"
fi

say "building cix_bench (Release, $build)"
mkdir -p "$build"
if ! { cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCIX_NATIVE_ARCH=OFF &&
       cmake --build "$build" --target cix_bench -j"$(nproc)"; } >"$build/bench-build.log" 2>&1; then
  tail -40 "$build/bench-build.log" >&2
  echo "bench: build failed" >&2
  exit 1
fi

# Hugepages: top the pool of free 2 MB pages up to $pages, and put the
# system's setting back on the way out, whatever happens.
restore=""
give_back() {
  if [ -n "$restore" ]; then
    echo "$restore" >"$nr" 2>/dev/null || echo "bench: could not give the hugepages back ($nr: $restore)" >&2
    say "hugepages given back ($nr = $restore)"
    restore=""
  fi
}
child=""
stop() {
  # The bench runs in the background so that a signal is seen at once;
  # end it (by its id) and wait for it to let go of its pages.
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  give_back
}
trap give_back EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

hp_free() { awk '/^HugePages_Free:/ {print $2}' /proc/meminfo; }
note="hugepages: none asked for"
if [ "$pages" -gt 0 ]; then
  free=$(hp_free)
  if [ "${free:-0}" -ge "$pages" ]; then
    note="hugepages: $free free already"
  elif [ -w "$nr" ]; then
    before=$(cat "$nr")
    restore=$before
    echo $((before + pages - free)) >"$nr" 2>/dev/null || true
    got=$(hp_free)
    note="hugepages: reserved $((got - free)) x 2 MB for the run ($nr $before -> $(cat "$nr"), put back after)"
    say "$note"
  else
    note="hugepages: cannot reserve ($nr not writable; run as root), transparent huge pages instead"
    say "$note"
  fi
fi

pin=()
if command -v taskset >/dev/null 2>&1; then
  pin=(taskset -c "$cpu")
  say "running on CPU $cpu"
else
  say "taskset not found: running unpinned"
fi

args=(--note "cmake Release (-O3), CIX_NATIVE_ARCH off; $note")
if [ "$write" = 1 ]; then
  args+=(--markdown "$results")
fi
"${pin[@]}" "$build/cix_bench" "${args[@]}" "$@" &
child=$!
rc=0
wait "$child" || rc=$?
child=""
if [ "$rc" = 0 ] && [ "$stage" = all ]; then
  give_back # the hugepages were the pipeline's; the live stage needs none
  if [ "$(id -u)" = 0 ]; then
    bash bench/live/run.sh "${live_args[@]}" || rc=$?
  else
    say "live stage skipped: it needs root (network namespaces); see bench/README.md"
  fi
fi
exit "$rc"
