#!/usr/bin/env bash
# A local Adit cluster on this machine, for trying it out: etcd (Debian's etcd-server, run as a
# child process with its own data dir and ports), one controller, one node agent, an echo
# backend, and the stunnel walkthrough's two tunnels declared with aditctl and checked with ncat.
#
#   deploy/local-cluster.sh up      build, start (or reuse) the cluster, and show it working
#   deploy/local-cluster.sh status  what is running
#   deploy/local-cluster.sh down    stop it (data stays in .adit-local/)
#   deploy/local-cluster.sh clean   stop it and delete .adit-local/
#
# Ports: etcd on 127.0.0.1:${ADIT_ETCD_PORT:-23790}, the controller on 127.0.0.1:${ADIT_CONTROLLER_PORT:-17443},
# the echo backend on ${ADIT_BACKEND_PORT:-7000}, service1 on ${ADIT_SERVICE1_PORT:-6000}, service2 on ${ADIT_SERVICE2_PORT:-5000}.
# Any system etcd that Debian's package started (on 2379) is left alone.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state="$root/.adit-local"
etcd_port=${ADIT_ETCD_PORT:-23790}
peer_port=$((etcd_port + 1))
ctl_port=${ADIT_CONTROLLER_PORT:-17443}
backend_port=${ADIT_BACKEND_PORT:-7000}
port1=${ADIT_SERVICE1_PORT:-6000}
port2=${ADIT_SERVICE2_PORT:-5000}
aditctl="$root/deploy/bin/aditctl"
config="$state/controller/admin.conf"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'local-cluster: %s\n' "$*" >&2; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

need() { # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian's $2 ($1 is not on PATH)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null 2>&1 || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null; }
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    say "installing Debian's $2 with sudo ($1 is not on PATH)"
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null
  else
    die "$1 is not installed. Install it with:  sudo apt-get install -y $2   then run this again."
  fi
  command -v "$1" >/dev/null 2>&1 || die "$1 is still not on PATH after installing $2"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # what, seconds, command...
  local what=$1 secs=$2; shift 2
  local i=0
  while ! "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -le $((secs * 10)) ] || return 1
    sleep 0.1
  done
  [ -n "$what" ] || true
}

start_etcd() {
  if alive "$state/etcd.pid"; then echo "etcd already running (pid $(cat "$state/etcd.pid"))"; return; fi
  port_busy "$etcd_port" && die "port $etcd_port is in use by another program: set ADIT_ETCD_PORT to a free port"
  mkdir -p "$state/etcd"
  nohup etcd --name adit-local --data-dir "$state/etcd/data" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "adit-local=http://127.0.0.1:$peer_port" \
    --logger zap --log-outputs "$state/etcd/etcd.log" >"$state/etcd/etcd.out" 2>&1 &
  echo $! >"$state/etcd.pid"
  if ! wait_for etcd 20 etcd_healthy; then
    if grep -q "address already in use" "$state/etcd/etcd.log" 2>/dev/null; then
      die "etcd cannot listen on 127.0.0.1:$etcd_port or $peer_port: the port is taken (perhaps by an outgoing connection); set ADIT_ETCD_PORT to another port, below 32768"
    fi
    die "etcd did not become healthy; see $state/etcd/etcd.log"
  fi
  echo "etcd on http://127.0.0.1:$etcd_port (pid $(cat "$state/etcd.pid"), log $state/etcd/etcd.log)"
}

etcd_healthy() {
  exec 3<>"/dev/tcp/127.0.0.1/$etcd_port" || return 1
  printf 'GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
  grep -q '"health":"true"' <&3
}

start_controller() {
  if alive "$state/controller.pid"; then echo "controller already running (pid $(cat "$state/controller.pid"))"; return; fi
  port_busy "$ctl_port" && die "port $ctl_port is in use by another program: set ADIT_CONTROLLER_PORT to a free port"
  mkdir -p "$state/controller"
  nohup "$root/deploy/bin/adit-controller" --etcd "http://127.0.0.1:$etcd_port" --listen "127.0.0.1:$ctl_port" \
    --data-dir "$state/controller" >"$state/controller.log" 2>&1 &
  echo $! >"$state/controller.pid"
  wait_for controller 60 controller_ready || { tail -n 20 "$state/controller.log" >&2; die "the controller did not start; see $state/controller.log"; }
  echo "controller on 127.0.0.1:$ctl_port (pid $(cat "$state/controller.pid"), log $state/controller.log)"
}

start_backend() {
  if alive "$state/backend.pid"; then echo "echo backend already running (pid $(cat "$state/backend.pid"))"; return; fi
  port_busy "$backend_port" && die "port $backend_port is in use by another program: set ADIT_BACKEND_PORT to a free port"
  # The listen address first: then each connection gets a pipe of its own (with PIPE first,
  # forked connections share one and steal each other's echoes).
  nohup socat "TCP-LISTEN:$backend_port,bind=127.0.0.1,reuseaddr,fork" PIPE >"$state/backend.log" 2>&1 &
  echo $! >"$state/backend.pid"
  wait_for backend 10 port_busy "$backend_port" || die "the echo backend did not start; see $state/backend.log"
  echo "echo backend on 127.0.0.1:$backend_port (socat PIPE, pid $(cat "$state/backend.pid"))"
}

start_agent() {
  if alive "$state/agent.pid"; then echo "agent already running (pid $(cat "$state/agent.pid"))"; return; fi
  local token=""
  [ -f "$state/agent/node.conf" ] || token=$(ADIT_CONFIG="$config" "$aditctl" node token create --ttl 10m 2>/dev/null)
  mkdir -p "$state/agent"
  nohup "$root/deploy/bin/adit-agent" --controller "127.0.0.1:$ctl_port" ${token:+--join-token "$token"} --name node1 \
    --data-dir "$state/agent" --advertise-address 127.0.0.1 >"$state/agent.log" 2>&1 &
  echo $! >"$state/agent.pid"
  wait_for agent 30 agent_ready || { tail -n 20 "$state/agent.log" >&2; die "the agent did not start; see $state/agent.log"; }
  echo "agent node1 (pid $(cat "$state/agent.pid"), log $state/agent.log)"
}

agent_ready() {
  alive "$state/agent.pid" || { tail -n 20 "$state/agent.log" >&2; die "the agent exited; see $state/agent.log"; }
  grep -q "agent node1 starting" "$state/agent.log"
}

controller_ready() {
  alive "$state/controller.pid" || { tail -n 20 "$state/controller.log" >&2; die "the controller exited; see $state/controller.log"; }
  [ -f "$config" ] && grep -q "controller listening" "$state/controller.log"
}

run() { printf '\n$ %s\n' "$*"; "$@"; }

demo() {
  export ADIT_CONFIG="$config"
  local ca="$state/client1/ca.crt" crt="$state/client1/client1.crt" key="$state/client1/client1.key"
  say "the stunnel walkthrough, declared with aditctl ($config)"
  "$aditctl" service get service1 >/dev/null 2>&1 ||
    run "$aditctl" service create service1 --accept "$port1" --connect "127.0.0.1:$backend_port" --node node1 --verify none
  "$aditctl" service get service2 >/dev/null 2>&1 ||
    run "$aditctl" service create service2 --accept "$port2" --connect "127.0.0.1:$backend_port" --node node1 --allow client1
  "$aditctl" identity get client1 >/dev/null 2>&1 || run "$aditctl" identity create client1
  run "$aditctl" identity issue client1 --out "$state/client1" --force
  printf '\n(waiting for node1 to serve both services)\n'
  wait_for services 30 sh -c "'$aditctl' service get service1 -o json | grep -q Listening && '$aditctl' service get service2 -o json | grep -q Listening" ||
    die "node1 did not start serving; see $state/agent.log"
  run "$aditctl" service list
  run "$aditctl" node list

  say "served by the agent: try these"
  try "echo hello | ncat --ssl --ssl-verify --ssl-servername service1 --ssl-trustfile $ca localhost $port1"
  try "echo hello | ncat --ssl --ssl-verify --ssl-servername service2 --ssl-trustfile $ca localhost $port1   # wrong name: refused"
  try "echo hello | ncat -w 3 localhost $port1   # plaintext: nothing"
  try "echo hello | ncat --ssl --ssl-verify --ssl-servername service2 --ssl-trustfile $ca --ssl-cert $crt --ssl-key $key localhost $port2"
  try "echo hello | ncat --ssl --ssl-verify --ssl-servername service2 --ssl-trustfile $ca localhost $port2   # no certificate: refused"
  printf '\n$ openssl s_client -brief -servername service1 -connect localhost:%s -CAfile %s </dev/null\n' "$port1" "$ca"
  openssl s_client -brief -servername service1 -connect "localhost:$port1" -CAfile "$ca" </dev/null 2>&1 | grep -E "Verification|Protocol|Peer certificate" || true

  say "the cluster is up"
  cat <<EOT
  export ADIT_CONFIG=$config
  $aditctl service get service2    # per-node status: listening, certificate, connections, last failure
  $aditctl --help                  # everything else
  deploy/local-cluster.sh down     # stop everything (state stays in .adit-local/)
EOT
}

try() {
  printf '\n$ %s\n' "$1"
  sh -c "${1%%#*}" 2>&1 | sed 's/^/  /' || true
}

build() {
  say "building (mvn -B -q package -DskipTests)"
  (cd "$root" && mvn -B -q package -DskipTests)
}

stop_pid() {
  local f=$1 name=$2
  if alive "$f"; then
    kill "$(cat "$f")" && wait_for "$name" 10 sh -c "! kill -0 $(cat "$f") 2>/dev/null" || kill -9 "$(cat "$f")" 2>/dev/null || true
    echo "stopped $name"
  fi
  rm -f "$f"
}

case "${1:-up}" in
  up)
    command -v java >/dev/null || die "java is not installed: install a JDK 17 or newer (apt-get install -y openjdk-17-jdk-headless)"
    command -v mvn >/dev/null || die "mvn is not installed: apt-get install -y maven"
    need etcd etcd-server
    need socat socat
    need ncat ncat
    need openssl openssl
    need stunnel stunnel4   # not used by the cluster: the tests (the second command) interoperate with it
    need systemd-analyze systemd   # not used by the cluster: the tests check the systemd units with it
    build
    mkdir -p "$state"
    say "starting etcd, the controller, an echo backend and a node agent"
    start_etcd
    start_controller
    start_backend
    start_agent
    demo
    ;;
  status)
    for p in etcd controller backend agent; do
      alive "$state/$p.pid" && echo "$p: running (pid $(cat "$state/$p.pid"))" || echo "$p: stopped"
    done
    ;;
  down)
    for p in agent backend controller etcd; do stop_pid "$state/$p.pid" "$p"; done
    ;;
  clean)
    for p in agent backend controller etcd; do stop_pid "$state/$p.pid" "$p"; done
    rm -rf "$state"
    echo "removed $state"
    ;;
  *) die "usage: deploy/local-cluster.sh [up|status|down|clean]" ;;
esac
