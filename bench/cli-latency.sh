#!/bin/sh
# Wall time of `aditctl service list` against a running controller, as scripts calling aditctl
# in a loop see it: plain `java -jar aditctl.jar`, and deploy/bin/aditctl (C1, serial GC and
# an AppCDS archive made on its first call). Prints the median and p90 of each. Not part of CI.
#
#   bench/cli-latency.sh CONFIG [RUNS]      CONFIG: an admin credential (e.g. DATA_DIR/admin.conf)
#
# RUNS defaults to 20, after 2 warm-up calls. Uses hyperfine when it is installed, else a loop
# timed with date +%s%N.
set -eu

[ $# -ge 1 ] || { echo "usage: $0 CONFIG [RUNS]" >&2; exit 2; }
config=$1
runs=${2:-20}
warmup=2
root=$(cd "$(dirname "$0")/.." && pwd)
jar=$root/cli/target/aditctl.jar
wrapper=$root/deploy/bin/aditctl
[ -f "$jar" ] || { echo "$jar is missing: build the cli module first" >&2; exit 1; }
[ -r "$config" ] || { echo "cannot read $config" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A cache of its own, so that the wrapper's first call makes the archive (in the warm-up).
XDG_CACHE_HOME=$work/cache
export XDG_CACHE_HOME

java -jar "$jar" service list --config "$config" >/dev/null \
  || { echo "aditctl service list --config $config fails: is the controller running?" >&2; exit 1; }

# Seconds, one per line, sorted -> "median p90" in milliseconds (p90 by nearest rank).
stats() {
  sort -g | awk '{ t[NR] = $1 * 1000 }
    END {
      n = NR
      median = (n % 2) ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2
      r = int(0.9 * n); if (r < 0.9 * n) r++
      printf "median %6.0f ms   p90 %6.0f ms   (%d runs)\n", median, t[r], n
    }'
}

# Runs "$@" RUNS times after the warm-ups; prints the wall times in seconds, one per line.
measure() {
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --style none --shell=none --warmup "$warmup" --runs "$runs" \
      --export-json "$work/run.json" -- "$*" >/dev/null 2>&1
    # The "times" array of the JSON report, one number per line.
    tr -d ' \n' <"$work/run.json" | sed 's/.*"times":\[\([^]]*\)\].*/\1/' | tr ',' '\n'
  else
    i=0
    while [ $i -lt $((warmup + runs)) ]; do
      start=$(date +%s%N)
      "$@" >/dev/null 2>&1
      end=$(date +%s%N)
      [ $i -lt $warmup ] || awk -v ns=$((end - start)) 'BEGIN { printf "%.6f\n", ns / 1e9 }'
      i=$((i + 1))
    done
  fi
}

printf '%-34s' "java -jar aditctl.jar:"
measure java -jar "$jar" service list --config "$config" | stats
printf '%-34s' "deploy/bin/aditctl (AppCDS):"
measure "$wrapper" service list --config "$config" | stats
