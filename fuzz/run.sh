#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, one after the other, from the
# seed corpora (fuzz/seed.sh), and prints executions, coverage and findings per target.
#
#   fuzz/run.sh [SECONDS] [TARGET…]        (default: 60 seconds, every target)
#
# The build is cargo-fuzz's default (optimized, debug assertions, AddressSanitizer).
# FUZZ_QUICK=1 builds without optimizations or sanitizer instead: it compiles in a
# fraction of the time, for the short smoke run of .ci/run. FUZZ_SANITIZER=none keeps the
# optimized build but drops AddressSanitizer: about twice the executions per second, and
# only the grammars' C code can make the memory errors it catches. FUZZ_RUNS=N stops a
# target after N executions, whichever of N and SECONDS comes first; the long run is
# `FUZZ_RUNS=10000000 fuzz/run.sh 1800`.
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
# Builds land in fuzz/target. A finding is saved under fuzz/artifacts/<target>/ and makes
# the script exit 1 after the other targets ran; minimize it with
# `cargo +nightly fuzz tmin <target> <file>` and add it as a regression test under
# tests/data/fuzz/.
set -uo pipefail
fuzz="$(cd "$(dirname "$0")" && pwd)"
cd "$(dirname "$fuzz")"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
"$fuzz/seed.sh" >/dev/null || exit 1
profile=release
build=()
if [ "${FUZZ_QUICK:-0}" = 1 ]; then
    profile=debug
    build=(--dev --sanitizer none)
elif [ -n "${FUZZ_SANITIZER:-}" ]; then
    build=(--sanitizer "$FUZZ_SANITIZER")
fi
limits=(-max_total_time="$seconds")
if [ -n "${FUZZ_RUNS:-}" ]; then
    limits+=(-runs="$FUZZ_RUNS")
fi
# Sanitizer builds stay in fuzz/target, apart from a shared CARGO_TARGET_DIR.
env -u CARGO_TARGET_DIR cargo +nightly fuzz build "${build[@]}" || exit 1
logs="$fuzz/target/logs"
mkdir -p "$logs"
status=0
printf '%-12s %8s %12s %8s %8s  %s\n' target seconds executions cov ft result
# The binaries are run directly: `cargo fuzz run` would rebuild each one whenever a file
# of the repository changed.
bin="$fuzz/target/x86_64-unknown-linux-gnu/$profile"
for target in "${targets[@]}"; do
    log="$logs/$target.log"
    mkdir -p "$fuzz/artifacts/$target"
    # -timeout: an input taking 5 s (a sanitizer build with debug assertions) is a hang.
    started=$SECONDS
    "$bin/$target" "$fuzz/corpus/$target" -artifact_prefix="$fuzz/artifacts/$target/" \
        "${limits[@]}" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$log" 2>&1
    code=$?
    elapsed=$((SECONDS - started))
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)"
    ft="$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)"
    result=ok
    if [ $code -ne 0 ]; then
        result="FINDING (exit $code, see $log)"
        status=1
    fi
    printf '%-12s %8s %12s %8s %8s  %s\n' "$target" "$elapsed" "${runs:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
exit $status
