#!/usr/bin/env bash
# The live benchmark (bench/README.md, "The live benchmark"): NDR and PDR of
# cix forwarding 64-byte frames between network namespaces, against the
# Linux bridge and the bare generator -> sink path, in one run.
#
# Builds the generator (cix_live_gen, Release, in the bench's build
# directory) and the runner (TypeScript, bench/live/tsconfig.json), then runs
# dist/bench/live/main.js; arguments go to it (--only, --duration, --quick,
# --markdown FILE, ...; --help; --self-test runs the bench's own tests
# instead). cix itself must be built already (npm run
# build, or npm run bench which bootstraps): without dist/src/cli/main.js the
# cix case is reported as not measured.
#
# Needs root. Everything it makes is named cxb-*; whatever happens (error,
# Ctrl-C, SIGTERM, even a runner killed hard) the namespaces, veths and XDP
# programs are removed on the way out.
#
# Environment: CIX_BENCH_BUILD (build directory; default build/bench).
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${CIX_BENCH_BUILD:-build/bench}
say() { printf '==> %s\n' "$*"; }

self_test=0
for a in "$@"; do
  case "$a" in
    --help | -h)
      if [ -f dist/bench/live/main.js ]; then node dist/bench/live/main.js --help; exit 0; fi
      node_modules/.bin/tsc -p bench/live/tsconfig.json && node dist/bench/live/main.js --help
      exit
      ;;
    --self-test) self_test=1 ;;
  esac
done

if [ "$(id -u)" != 0 ]; then
  echo "live bench: needs root (it makes network namespaces and veth pairs)" >&2
  exit 1
fi
for tool in ip bridge nsenter ethtool; do
  command -v "$tool" >/dev/null 2>&1 || { echo "live bench: $tool not found (iproute2, util-linux, ethtool)" >&2; exit 1; }
done

say "building the live bench (cix_live_gen in $build, runner in dist/bench/live)"
mkdir -p "$build"
if ! { cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCIX_NATIVE_ARCH=OFF &&
       cmake --build "$build" --target cix_live_gen -j"$(nproc)" &&
       node_modules/.bin/tsc -p bench/live/tsconfig.json; } >"$build/live-build.log" 2>&1; then
  tail -40 "$build/live-build.log" >&2
  echo "live bench: build failed" >&2
  exit 1
fi

# --self-test: the bench's own tests (search, RESULTS.md placement, the frame
# checked by scapy, the generator on a veth pair); they clean up after
# themselves.
if [ "$self_test" = 1 ]; then
  CIX_LIVE_GEN="$build/cix_live_gen" exec node --test dist/bench/live/test/
fi

# Removes every cxb-* namespace (and with it its veths and XDP programs) and
# any cxb-* interface left in this namespace. The runner removes what it made
# itself; this is for the runs that could not (killed hard).
sweep() {
  local ns link
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^cxb/ {print $1}'); do
    ip netns del "$ns" 2>/dev/null || echo "live bench: could not remove namespace $ns" >&2
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '$2 ~ /^cxb/ {sub(/@.*/, "", $2); print $2}'); do
    ip link del dev "$link" 2>/dev/null || true
  done
}

child=""
stop() {
  # The runner is in the background so that a signal is seen at once; let it
  # stop its trial and clean up (it has its own handler), then sweep.
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
    child=""
  fi
  sweep
}
trap sweep EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

node dist/bench/live/main.js --generator "$build/cix_live_gen" "$@" &
child=$!
rc=0
wait "$child" || rc=$?
child=""
exit "$rc"
