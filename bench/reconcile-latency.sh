#!/usr/bin/env bash
# How long a declared change takes to be served: the time from `aditctl service create`
# returning (the spec is in etcd) to the agent accepting connections on the new port, then the
# same for `service update --accept` (a restart on another port) and `service delete` (the port
# closed). Runs against the local cluster of deploy/local-cluster.sh (node1, echo backend).
# Prints the median and p90 of each. Not part of CI.
#
#   bench/reconcile-latency.sh [RUNS]       RUNS defaults to 20
#
# Needs `deploy/local-cluster.sh up` first. Ports: ${ADIT_BENCH_PORT:-16100} and the next one.
set -euo pipefail

runs=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
aditctl="$root/deploy/bin/aditctl"
export ADIT_CONFIG=${ADIT_CONFIG:-$root/.adit-local/controller/admin.conf}
backend=127.0.0.1:${ADIT_BACKEND_PORT:-7000}
port_a=${ADIT_BENCH_PORT:-16100}
port_b=$((port_a + 1))
name=bench-reconcile

[ -r "$ADIT_CONFIG" ] || { echo "cannot read $ADIT_CONFIG: run deploy/local-cluster.sh up first" >&2; exit 1; }
"$aditctl" node list >/dev/null || { echo "aditctl cannot reach the controller: is the local cluster up?" >&2; exit 1; }

work=$(mktemp -d)
cleanup() { "$aditctl" service delete "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
cleanup_quiet() { "$aditctl" service delete "$name" >/dev/null 2>&1 || true; }
cleanup_quiet

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
now_ns() { date +%s%N; }

# Waits (polling every 5 ms, at most 10 s) until "$@" succeeds; prints the milliseconds waited.
wait_ms() {
  local start=$1; shift
  local deadline=$((start + 10000000000))
  until "$@"; do
    [ "$(now_ns)" -lt "$deadline" ] || { echo "timed out after 10 s waiting for: $*" >&2; exit 1; }
    sleep 0.005
  done
  echo $(( ($(now_ns) - start) / 1000000 ))
}
not_listening() { ! listening "$1"; }

stats() { # milliseconds, one per line -> "median p90"
  sort -n | awk '{ t[NR] = $1 } END {
    n = NR; median = (n % 2) ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2
    r = int(0.9 * n); if (r < 0.9 * n) r++
    printf "median %5.0f ms   p90 %5.0f ms   (%d runs)\n", median, t[r], n }'
}

for i in $(seq "$runs"); do
  "$aditctl" service create "$name" --accept "127.0.0.1:$port_a" --connect "$backend" --node node1 \
    --verify none >/dev/null 2>&1
  t=$(now_ns); wait_ms "$t" listening "$port_a" >>"$work/create"
  "$aditctl" service update "$name" --accept "127.0.0.1:$port_b" >/dev/null 2>&1
  t=$(now_ns); wait_ms "$t" listening "$port_b" >>"$work/update"
  "$aditctl" service delete "$name" >/dev/null 2>&1
  t=$(now_ns); wait_ms "$t" not_listening "$port_b" >>"$work/delete"
done

printf 'create → listening:          %s\n' "$(stats <"$work/create")"
printf 'update --accept → listening: %s\n' "$(stats <"$work/update")"
printf 'delete → port closed:        %s\n' "$(stats <"$work/delete")"
