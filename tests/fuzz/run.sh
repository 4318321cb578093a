#!/usr/bin/env bash
# run.sh: builds the fuzz targets with clang in build-fuzz/ and runs one.
#
#   tests/fuzz/run.sh TARGET SECONDS     e.g. tests/fuzz/run.sh fuzz_image 3600
#
# TARGET is fuzz_image, fuzz_kernel, fuzz_cli, fuzz_walk, fuzz_export or fuzz_state
# (see tests/fuzz/CMakeLists.txt).
# The seeds in tests/fuzz/corpus/TARGET are only read; inputs the run finds
# interesting go to build-fuzz/fuzz-corpus/TARGET, so a later run starts
# from them. A crash or leak stops the run, exits non-zero and leaves the
# input in build-fuzz/fuzz-artifacts/; reproduce it with
#   build-fuzz/fuzz/TARGET build-fuzz/fuzz-artifacts/TARGET-crash-...
# The full log is build-fuzz/fuzz-logs/TARGET.log; the last lines printed
# are libFuzzer's totals (executions, time, coverage).
set -euo pipefail
target=${1:?usage: tests/fuzz/run.sh TARGET SECONDS}
seconds=${2:?usage: tests/fuzz/run.sh TARGET SECONDS}
cd "$(dirname "$0")/../.."
build=build-fuzz
if [ ! -d "tests/fuzz/corpus/$target" ]; then
  echo "run.sh: unknown target '$target' (fuzz_image, fuzz_kernel, fuzz_cli, fuzz_walk, fuzz_export, fuzz_state)" >&2
  exit 2
fi

CC=clang cmake -S . -B "$build" -DLF_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j "$(nproc)" --target "$target" >/dev/null
mkdir -p "$build/fuzz-corpus/$target" "$build/fuzz-artifacts" "$build/fuzz-logs"
log="$build/fuzz-logs/$target.log"

# -timeout: one input taking longer is a finding (a decoder that can be
# made to spin); -rss_limit_mb: so is one that needs more memory than this.
status=0
"$build/fuzz/$target" "$build/fuzz-corpus/$target" "tests/fuzz/corpus/$target" \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
  -artifact_prefix="$build/fuzz-artifacts/$target-" >"$log" 2>&1 || status=$?

if [ "$status" -ne 0 ]; then
  echo "== $target FAILED (exit $status); the end of $log:"
  tail -n 40 "$log"
  exit "$status"
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[^ ]+')
echo "== $target: ${runs:-?} executions in ${secs:-?} s, no crash ($cov)"
