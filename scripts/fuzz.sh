#!/usr/bin/env bash
# Fuzzes the config loader (tests/fuzz/fuzz_config.cpp) with libFuzzer + AddressSanitizer +
# UndefinedBehaviorSanitizer for a bounded time, starting from tests/fuzz/corpus and the earlier
# findings in tests/fuzz/regressions.
#
# Installs clang-14 and libFuzzer's runtime (libclang-rt-14-dev) when missing, builds
# build-fuzz/fuzz_config (TRAINSCAPE_FUZZ=ON), fuzzes a copy of the corpus in build-fuzz/run-<time>,
# and copies every crash / timeout / leak / out-of-memory input to tests/fuzz/regressions/.
# Exits 1 if there was any such finding (0 if none), 2 on a usage error.
#
# Usage: scripts/fuzz.sh [--seconds N] [--jobs J] [--max-len BYTES]
#   --seconds N   total fuzzing time (default 300)
#   --jobs J      fuzzing processes in parallel (default 1; the run keeps going after a finding)
#   --max-len B   largest input the fuzzer generates (default 16384)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=300
jobs=1
max_len=16384
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="${2:?--seconds needs a value}"; shift 2 ;;
    --jobs) jobs="${2:?--jobs needs a value}"; shift 2 ;;
    --max-len) max_len="${2:?--max-len needs a value}"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "scripts/fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for v in "$seconds" "$jobs" "$max_len"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "scripts/fuzz.sh: '$v' is not a positive integer" >&2; exit 2; }
done

scripts/install_deps.sh
# clang and libFuzzer. Debian ships libFuzzer in compiler-rt's development package; without it
# clang fails at link time with "cannot find ... libclang_rt.fuzzer-x86_64.a".
missing=()
command -v clang++-14 >/dev/null 2>&1 || missing+=(clang-14)
compgen -G "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null ||
  missing+=(libclang-rt-14-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "scripts/fuzz.sh: installing ${missing[*]}" >&2
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
      -DCMAKE_CXX_COMPILER=clang++-14 -DTRAINSCAPE_FUZZ=ON -DTRAINSCAPE_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz --target fuzz_config -j"$(nproc)"

run="build-fuzz/run-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$run/corpus" "$run/artifacts"
cp tests/fuzz/corpus/* "$run/corpus/"
# Earlier findings are seeds too: the fuzzer then explores around each fixed bug.
find tests/fuzz/regressions -maxdepth 1 -type f ! -name '*.md' -exec cp {} "$run/corpus/" \;

echo "scripts/fuzz.sh: fuzzing for ${seconds} s with ${jobs} job(s) in $run" >&2
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# Fork mode keeps fuzzing after a finding (each one is saved under artifacts/) instead of stopping
# at the first. -timeout: seconds one input may take; -rss_limit_mb: memory per process.
set +e
build-fuzz/fuzz_config "$run/corpus" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
  -dict=tests/fuzz/config.dict -print_funcs=0 -artifact_prefix="$run/artifacts/" -print_final_stats=1 2>&1 | tee "$run/fuzz.log"
status=${PIPESTATUS[0]}
set -e

mkdir -p tests/fuzz/regressions
findings=0
for f in "$run"/artifacts/crash-* "$run"/artifacts/timeout-* "$run"/artifacts/leak-* "$run"/artifacts/oom-*; do
  [ -e "$f" ] || continue
  cp "$f" tests/fuzz/regressions/
  echo "scripts/fuzz.sh: finding $(basename "$f") -> tests/fuzz/regressions/" >&2
  findings=$((findings + 1))
done
# Fork mode's status lines start with "#<executions>:".
execs=$(grep -Eo '^#[0-9]+' "$run/fuzz.log" | tail -1 | tr -d '#' || true)
echo "scripts/fuzz.sh: ${seconds} s, ${execs:-?} executions, $findings finding(s), fuzzer exit status $status; log: $run/fuzz.log" >&2
if [ "$findings" -gt 0 ]; then
  exit 1
fi
# Without -ignore_* a finding would show only as a failed status; with them, a non-zero status
# without artifacts means the fuzzer itself failed.
[ "$status" -eq 0 ] || { echo "scripts/fuzz.sh: the fuzzer exited with status $status" >&2; exit 1; }
