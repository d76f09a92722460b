#!/usr/bin/env bash
# Runs the whole test suite N times in a row (default 5) while busy loops keep both cores of
# the machine busy, and prints one result line per run: the tests must pass under load, not only
# on an idle machine (no test may depend on a process starting or answering in time).
#
#   scripts/test-under-load.sh [N]
#
# Each run's result (passed/failed, exit code, vitest's "Test Files", "Tests" and "Duration"
# lines, wall time) goes to standard output and to scratch/test-under-load-<time>.log; each
# run's full output to scratch/test-under-load-<time>-run<i>.out (scratch/ is git-ignored).
# The busy loops (and a test run under way) are stopped on exit, also on Ctrl-C or SIGTERM.
# Exits 1 if any run failed, 2 on a usage error.
#
# Environment:
#   TEST_CMD   the command to run (default "npm test"); e.g. a dry run of the script itself:
#              TEST_CMD='echo " Tests  1 passed (1)"' scripts/test-under-load.sh 1
#   LOAD       how many busy loops to start (default 2, one per core of the 2-core machine)
set -u

runs=${1:-5}
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [N]  (N, the number of runs, a positive integer; got '$runs')" >&2
  exit 2
fi
load=${LOAD:-2}
if ! [[ $load =~ ^[0-9]+$ ]]; then
  echo "$0: LOAD must be a number of busy loops (got '$load')" >&2
  exit 2
fi
test_cmd=${TEST_CMD:-npm test}

cd "$(dirname "$0")/.." || exit 2
mkdir -p scratch
stamp=$(date +%Y%m%dT%H%M%S)
log="scratch/test-under-load-$stamp.log"

busy=()
test_pid=""
cleanup() {
  # The test run is a process group of its own (setsid below): end all of it.
  if [[ -n $test_pid ]]; then kill -TERM -- "-$test_pid" 2>/dev/null; fi
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
}
trap cleanup EXIT
trap 'echo "interrupted" | tee -a "$log"; exit 130' INT
trap 'echo "terminated" | tee -a "$log"; exit 143' TERM

say() { echo "$*" | tee -a "$log"; }

for ((i = 0; i < load; i++)); do
  node -e 'for(;;){}' &
  busy+=($!)
done
say "test-under-load: $runs run(s) of '$test_cmd' with $load busy loop(s) (pids ${busy[*]:-none}), $(date -u +%FT%TZ)"

failed=0
for ((run = 1; run <= runs; run++)); do
  out="scratch/test-under-load-$stamp-run$run.out"
  start=$(date +%s)
  # In the background and waited for, so that a signal's trap runs at once, not at the run's end.
  setsid bash -c "$test_cmd" >"$out" 2>&1 &
  test_pid=$!
  wait "$test_pid"
  rc=$?
  test_pid=""
  seconds=$(($(date +%s) - start))
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "$out" |
    grep -E '^[[:space:]]*(Test Files|Tests|Duration)[[:space:]]' |
    sed -E 's/^[[:space:]]+//; s/[[:space:]]+/ /g' | paste -sd ';' - | sed 's/;/; /g')
  if [[ $rc -eq 0 ]]; then verdict=passed; else
    verdict=failed
    failed=$((failed + 1))
  fi
  say "run $run/$runs: $verdict (exit $rc) in ${seconds}s; ${summary:-no vitest summary line} [$out]"
done

say "test-under-load: $((runs - failed)) of $runs run(s) passed; log $log"
[[ $failed -eq 0 ]]
