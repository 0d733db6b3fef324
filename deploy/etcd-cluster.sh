#!/usr/bin/env bash
# A 3-member etcd cluster on this machine's loopback, for trying Adit's control plane in HA:
# several controllers (and agents) on one etcd cluster that survives the loss of one member.
# Uses Debian's etcd-server (`etcd` on PATH); each member is a child process with its own data
# dir, log and pid file.
#
#   deploy/etcd-cluster.sh up       start the three members (or say they run) and print --etcd
#   deploy/etcd-cluster.sh status   each member: running or stopped, healthy or not
#   deploy/etcd-cluster.sh down     stop all three (data stays)
#   deploy/etcd-cluster.sh clean    stop them and delete the data
#
# Member i (1..3) serves clients on 127.0.0.1:$((ADIT_ETCD_HA_PORT + 2*(i-1))) and its peers on the
# next port: 22379/22380, 22381/22382, 22383/22384 by default. Keep ADIT_ETCD_HA_PORT below
# 32768 (above, outgoing connections may hold the port). The data goes to ADIT_ETCD_HA_DIR
# (default .adit-etcd-ha in the current directory).
set -euo pipefail

base=${ADIT_ETCD_HA_PORT:-22379}
dir=${ADIT_ETCD_HA_DIR:-$PWD/.adit-etcd-ha}
members=(1 2 3)

die() { printf 'etcd-cluster: %s\n' "$*" >&2; exit 1; }
if ! [[ $base =~ ^[0-9]+$ ]] || [ "$base" -lt 1024 ] || [ "$base" -gt 65530 ]; then
  die "ADIT_ETCD_HA_PORT must be a port number from 1024 to 65530, not '$base'"
fi

client_port() { echo $((base + 2 * ($1 - 1))); }
peer_port() { echo $((base + 2 * ($1 - 1) + 1)); }
pidfile() { echo "$dir/m$1.pid"; }
alive() { [ -f "$(pidfile "$1")" ] && kill -0 "$(cat "$(pidfile "$1")")" 2>/dev/null; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

endpoints() {
  local e=() i
  for i in "${members[@]}"; do e+=("http://127.0.0.1:$(client_port "$i")"); done
  (IFS=,; echo "${e[*]}")
}

healthy() { # member: etcd's /health says true (which needs a quorum)
  exec 3<>"/dev/tcp/127.0.0.1/$(client_port "$1")" || return 1
  printf 'GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
  grep -q '"health":"true"' <&3
}

wait_for() { # seconds, command...
  local secs=$1 i=0; shift
  until "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -le $((secs * 10)) ] || return 1
    sleep 0.1
  done
}

up() {
  command -v etcd >/dev/null || die "etcd is not installed: apt-get install -y etcd-server"
  local i initial=() state=new
  for i in "${members[@]}"; do initial+=("m$i=http://127.0.0.1:$(peer_port "$i")"); done
  # A member that has data rejoins its cluster; the flags below only matter the first time.
  [ -d "$dir/m1/data/member" ] && state=existing
  mkdir -p "$dir"
  for i in "${members[@]}"; do
    if alive "$i"; then echo "member m$i already running (pid $(cat "$(pidfile "$i")"))"; continue; fi
    for p in "$(client_port "$i")" "$(peer_port "$i")"; do
      port_busy "$p" && die "port $p is in use by another program: set ADIT_ETCD_HA_PORT to another port (below 32768)"
    done
    mkdir -p "$dir/m$i"
    nohup etcd --name "m$i" --data-dir "$dir/m$i/data" \
      --listen-client-urls "http://127.0.0.1:$(client_port "$i")" \
      --advertise-client-urls "http://127.0.0.1:$(client_port "$i")" \
      --listen-peer-urls "http://127.0.0.1:$(peer_port "$i")" \
      --initial-advertise-peer-urls "http://127.0.0.1:$(peer_port "$i")" \
      --initial-cluster "$(IFS=,; echo "${initial[*]}")" --initial-cluster-state "$state" \
      --initial-cluster-token adit-etcd-ha \
      --logger zap --log-outputs "$dir/m$i/etcd.log" >"$dir/m$i/etcd.out" 2>&1 &
    echo $! >"$(pidfile "$i")"
  done
  for i in "${members[@]}"; do
    wait_for 30 healthy "$i" || {
      alive "$i" || die "member m$i exited; see $dir/m$i/etcd.log"
      die "member m$i did not become healthy in 30 s; see $dir/m$i/etcd.log"
    }
  done
  echo "3 etcd members healthy, data in $dir"
  echo "give the controllers:  --etcd $(endpoints)"
}

status() {
  local i
  for i in "${members[@]}"; do
    if alive "$i"; then
      if healthy "$i" 2>/dev/null; then h=healthy; else h="not healthy"; fi
      echo "m$i: running (pid $(cat "$(pidfile "$i")")), $h, http://127.0.0.1:$(client_port "$i")"
    else
      echo "m$i: stopped"
    fi
  done
}

down() {
  local i pid
  for i in "${members[@]}"; do
    if alive "$i"; then
      pid=$(cat "$(pidfile "$i")")
      kill "$pid" 2>/dev/null || true
      wait_for 10 sh -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
      echo "stopped m$i"
    fi
    rm -f "$(pidfile "$i")"
  done
}

case "${1:-}" in
  up) up ;;
  status) status ;;
  down) down ;;
  clean) down; rm -rf "$dir"; echo "removed $dir" ;;
  *) die "usage: deploy/etcd-cluster.sh up|status|down|clean" ;;
esac
