#!/bin/bash
# Compares the one-thread speed of two builds on the standard scenario, side by side: runs
# BUILD_A/bench/forecast_timing and BUILD_B/bench/forecast_timing alternately PAIRS times and
# prints each build's median, the median of the per-pair ratios B / A, and the minimums. The
# machine's load drifts over minutes, so only runs close together in time are compared.
#
#   bench/ab_pairs.sh BUILD_A BUILD_B [PAIRS (12)] [PATHS (2000)]
#
# A baseline build of an earlier commit, for example:
#   git worktree add --detach /tmp/base COMMIT && cmake -S /tmp/base -B /tmp/base/build -G Ninja \
#     -DCMAKE_BUILD_TYPE=RelWithDebInfo && ninja -C /tmp/base/build bench/forecast_timing
#   bench/ab_pairs.sh /tmp/base/build build
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
a="$1/bench/forecast_timing" b="$2/bench/forecast_timing" pairs="${3:-12}" paths="${4:-2000}"
for binary in "$a" "$b"; do
  [ -x "$binary" ] || { echo "ab_pairs: no $binary (build the bench/forecast_timing target)" >&2; exit 1; }
done
for i in $(seq "$pairs"); do
  # "min X median Y": each run's median ns per path-month
  echo "$("$a" --paths "$paths" --runs 3 | awk '{print $4}') $("$b" --paths "$paths" --runs 3 | awk '{print $4}')"
done | /usr/bin/python3 -c '
import statistics, sys
pairs = [tuple(map(float, line.split())) for line in sys.stdin]
a = [x for x, _ in pairs]
b = [y for _, y in pairs]
print(f"A median {statistics.median(a):.0f} ns, B median {statistics.median(b):.0f} ns per path-month; "
      f"B / A median of {len(pairs)} pair ratios {statistics.median(y / x for x, y in pairs):.3f}; "
      f"min A {min(a):.0f}, min B {min(b):.0f}")
'
