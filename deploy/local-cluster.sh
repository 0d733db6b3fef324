#!/usr/bin/env bash
# A local Adit cluster on this machine, for trying it out: etcd (Debian's etcd-server, run as a
# child process with its own data dir and ports), one controller, and aditctl working against it.
#
#   deploy/local-cluster.sh up      build, start (or reuse) the cluster, and show it working
#   deploy/local-cluster.sh status  what is running
#   deploy/local-cluster.sh down    stop it (data stays in .adit-local/)
#   deploy/local-cluster.sh clean   stop it and delete .adit-local/
#
# Ports: etcd on 127.0.0.1:${ADIT_ETCD_PORT:-23790}, the controller on 127.0.0.1:${ADIT_CONTROLLER_PORT:-17443}.
# Any system etcd that Debian's package started (on 2379) is left alone.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state="$root/.adit-local"
etcd_port=${ADIT_ETCD_PORT:-23790}
peer_port=$((etcd_port + 1))
ctl_port=${ADIT_CONTROLLER_PORT:-17443}
aditctl="$root/deploy/bin/aditctl"
config="$state/controller/admin.conf"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'local-cluster: %s\n' "$*" >&2; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

need_etcd() {
  command -v etcd >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian's etcd-server (etcd is not on PATH)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y etcd-server >/dev/null || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y etcd-server >/dev/null; }
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    say "installing Debian's etcd-server with sudo (etcd is not on PATH)"
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y etcd-server >/dev/null
  else
    die "etcd is not installed. Install it with:  sudo apt-get install -y etcd-server   then run this again."
  fi
  command -v etcd >/dev/null 2>&1 || die "etcd is still not on PATH after installing etcd-server"
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
  wait_for etcd 20 etcd_healthy || die "etcd did not become healthy; see $state/etcd/etcd.log"
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

controller_ready() {
  alive "$state/controller.pid" || { tail -n 20 "$state/controller.log" >&2; die "the controller exited; see $state/controller.log"; }
  [ -f "$config" ] && grep -q "controller listening" "$state/controller.log"
}

run() { printf '\n$ %s\n' "$*"; "$@"; }

demo() {
  export ADIT_CONFIG="$config"
  say "aditctl, with the admin credential the controller wrote ($config)"
  "$aditctl" service get service1 >/dev/null 2>&1 ||
    run "$aditctl" service create service1 --accept 6000 --connect 127.0.0.1:7000 --node node1 --verify none
  "$aditctl" service get service2 >/dev/null 2>&1 ||
    run "$aditctl" service create service2 --accept 5000 --connect 127.0.0.1:7000 --node node1 --allow client1
  "$aditctl" identity get client1 >/dev/null 2>&1 || run "$aditctl" identity create client1
  run "$aditctl" identity issue client1 --out "$state/client1" --force
  run "$aditctl" service list
  run "$aditctl" identity list
  printf '\n$ openssl x509 -noout -subject -ext subjectAltName,extendedKeyUsage -enddate -in %s\n' "$state/client1/client1.crt"
  openssl x509 -noout -subject -ext subjectAltName,extendedKeyUsage -enddate -in "$state/client1/client1.crt" 2>/dev/null ||
    openssl x509 -noout -subject -enddate -in "$state/client1/client1.crt"
  printf '\n$ openssl verify -x509_strict -CAfile %s %s\n' "$state/client1/ca.crt" "$state/client1/client1.crt"
  openssl verify -x509_strict -CAfile "$state/client1/ca.crt" "$state/client1/client1.crt"
  printf '\n$ aditctl node token create --ttl 10m\n'
  "$aditctl" node token create --ttl 10m
  say "the cluster is up"
  cat <<EOT
  export ADIT_CONFIG=$config
  $aditctl service list            # the services declared above
  $aditctl --help                  # everything else
  deploy/local-cluster.sh down     # stop etcd and the controller
The node agent that serves these tunnels arrives with the node-agent work; the token above is what it joins with.
EOT
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
    need_etcd
    build
    mkdir -p "$state"
    say "starting etcd and the controller"
    start_etcd
    start_controller
    demo
    ;;
  status)
    alive "$state/etcd.pid" && echo "etcd: running (pid $(cat "$state/etcd.pid"))" || echo "etcd: stopped"
    alive "$state/controller.pid" && echo "controller: running (pid $(cat "$state/controller.pid"))" || echo "controller: stopped"
    ;;
  down)
    stop_pid "$state/controller.pid" controller
    stop_pid "$state/etcd.pid" etcd
    ;;
  clean)
    stop_pid "$state/controller.pid" controller
    stop_pid "$state/etcd.pid" etcd
    rm -rf "$state"
    echo "removed $state"
    ;;
  *) die "usage: deploy/local-cluster.sh [up|status|down|clean]" ;;
esac
