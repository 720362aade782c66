#!/usr/bin/env bash
# Every test, in order of speed: C unit tests (plain, then ASan+UBSan), the
# libFuzzer smoke run over the whole pipeline, the benchmark's smoke run
# (it checks the bench works, not how fast), then the TypeScript and
# end-to-end tests (ava). Run through `npm test`, which bootstraps first.
set -uo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0
log_dir=build/test-logs
mkdir -p "$log_dir"

say() { printf '\n==> %s\n' "$*"; }

# Adds the "cix-unit NAME: N passed, M failed" lines of a log to the totals.
count_unit() {
  local p f
  p=$(grep -hoE 'cix-unit [^:]+: [0-9]+ passed' "$1" | awk '{s+=$(NF-1)} END {print s+0}')
  f=$(grep -hoE 'cix-unit [^:]+: [0-9]+ passed, [0-9]+ failed' "$1" | awk '{s+=$(NF-1)} END {print s+0}')
  passed=$((passed + p))
  failed=$((failed + f))
}

run_ctest() {
  local dir=$1 name=$2
  shift 2
  say "C unit tests ($name)"
  if ! cmake -S . -B "$dir" "$@" >"$log_dir/$name-configure.log" 2>&1 ||
     ! cmake --build "$dir" -j"$jobs" >"$log_dir/$name-build.log" 2>&1; then
    cat "$log_dir/$name-configure.log" "$log_dir/$name-build.log" 2>/dev/null | tail -40
    echo "C build ($name) failed"
    failed=$((failed + 1))
    return
  fi
  (cd "$dir" && ctest -V -j"$jobs") >"$log_dir/$name-ctest.log" 2>&1
  local rc=$?
  grep -oE 'cix-unit .*|[0-9]+% tests passed.*' "$log_dir/$name-ctest.log"
  count_unit "$log_dir/$name-ctest.log"
  if [ $rc -ne 0 ]; then
    grep -E 'FAIL|CHECK|Error|error' "$log_dir/$name-ctest.log" | head -60
    failed=$((failed + 1))
  fi
}

run_ctest build/native release -DCMAKE_BUILD_TYPE=Release
run_ctest build/asan sanitizers -DCMAKE_BUILD_TYPE=Debug -DCIX_SANITIZE=ON

say "fuzz smoke run (libFuzzer, ASan+UBSan, whole pipeline)"
if cmake -S . -B build/fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
     -DCIX_FUZZ=ON -DCIX_SANITIZE=ON >"$log_dir/fuzz-build.log" 2>&1 &&
   cmake --build build/fuzz --target cix_fuzz_pipeline -j"$jobs" >>"$log_dir/fuzz-build.log" 2>&1; then
  corpus=$(mktemp -d)
  cp native/fuzz/corpus/* "$corpus"/ 2>/dev/null
  if timeout 300 build/fuzz/cix_fuzz_pipeline -runs=200000 -max_len=4096 -seed=1 "$corpus" \
       >"$log_dir/fuzz.log" 2>&1; then
    echo "fuzz: $(grep -oE 'Done [0-9]+ runs.*' "$log_dir/fuzz.log")"
    passed=$((passed + 1))
  else
    tail -40 "$log_dir/fuzz.log"
    echo "fuzz smoke run failed"
    failed=$((failed + 1))
  fi
  rm -rf "$corpus"
else
  tail -40 "$log_dir/fuzz-build.log"
  failed=$((failed + 1))
fi

say "benchmark smoke run (checks the bench works; speed is not asserted)"
if cmake --build build/native --target cix_bench -j"$jobs" >"$log_dir/bench-build.log" 2>&1 &&
   build/native/cix_bench --quick >"$log_dir/bench.log" 2>&1; then
  tail -12 "$log_dir/bench.log"
  passed=$((passed + 1))
else
  tail -40 "$log_dir/bench-build.log" "$log_dir/bench.log" 2>/dev/null
  failed=$((failed + 1))
fi

say "live benchmark self-test (search, results file, both senders on a veth pair)"
if bash bench/live/run.sh --self-test >"$log_dir/bench-live-selftest.log" 2>&1; then
  p=$(grep -aoE '^# pass [0-9]+' "$log_dir/bench-live-selftest.log" | tail -1 | grep -oE '[0-9]+')
  echo "bench/live self-test: ${p:-0} passed"
  passed=$((passed + ${p:-0}))
else
  tail -40 "$log_dir/bench-live-selftest.log"
  failed=$((failed + 1))
fi

say "TypeScript and end-to-end tests (ava)"
npx --no-install ava 2>&1 | tee "$log_dir/ava.log"
ava_rc=${PIPESTATUS[0]}
ava_pass=$(grep -aoE '[0-9]+ tests? passed' "$log_dir/ava.log" | tail -1 | grep -oE '^[0-9]+')
# ava prints no "passed" total when a test fails: count the ticks instead.
[ -n "$ava_pass" ] || ava_pass=$(grep -ac '^ *✔' "$log_dir/ava.log")
ava_fail=$(grep -aoE '[0-9]+ tests? failed' "$log_dir/ava.log" | tail -1 | grep -oE '^[0-9]+')
passed=$((passed + ${ava_pass:-0}))
failed=$((failed + ${ava_fail:-0}))
if [ "$ava_rc" -ne 0 ] && [ "${ava_fail:-0}" -eq 0 ]; then failed=$((failed + 1)); fi

echo
echo "cix: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
