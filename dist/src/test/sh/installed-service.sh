#!/usr/bin/env bash
# Run by InstalledServiceIT inside `unshare -m -n`: a mount namespace whose /etc, /opt, /usr/local
# and /var are overlays (every write lands in WORK, the machine's own files stay as they are) and
# a network namespace of its own (only its loopback, so fixed ports are free).
#
#   installed-service.sh RELEASE_DIR WORK
#
# Installs the release for real (no --root: the user adit is made), then runs the controller and
# the agent from the install as the units do: as adit, with the agent's JVM options and, for the
# agent, CAP_NET_BIND_SERVICE as its only capability, so that a service accepts on port 443.
# Prints what the test checks; every wait is bounded.
set -euo pipefail
release=$1
work=$2

for d in etc opt usr/local var; do
  mkdir -p "$work/overlay/$d/upper" "$work/overlay/$d/work"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$work/overlay/$d/upper,workdir=$work/overlay/$d/work" "/$d"
done
ip link set lo up

pids=()
cleanup() {
  local status=$?
  if [ $status -ne 0 ]; then
    for log in install controller agent; do
      [ ! -f "$work/$log.log" ] || { echo "--- $log.log" >&2; tail -n 30 "$work/$log.log" >&2; }
    done
  fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  exit $status
}
trap cleanup EXIT

wait_for() { # seconds, command...: until the command succeeds, at most that long
  local deadline=$(($(date +%s) + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "timed out waiting for: $*" >&2; return 1; }
    sleep 0.2
  done
}

listening() { # the agent is still running and reports the service listening
  kill -0 "$agent_pid" 2>/dev/null || { echo "the agent exited" >&2; exit 1; }
  aditctl service get web -o json | grep -q Listening
}

sh "$release/install.sh" >"$work/install.log" 2>&1
echo "user: $(id adit)"

unit() { # unit, key: the value of key= in the installed unit
  sed -n "s/^$2=//p" "/etc/systemd/system/$1.service" | head -1
}
java_opts=$(unit adit-agent Environment | sed 's/^"ADIT_JAVA_OPTS=\(.*\)"$/\1/')
caps=$(unit adit-agent AmbientCapabilities)
[ "$caps" = CAP_NET_BIND_SERVICE ] || { echo "the agent unit's AmbientCapabilities is '$caps'" >&2; exit 1; }
echo "agent JVM options from the unit: $java_opts"

# What StateDirectory= does: the directory, owned by the unit's user, 0700.
install -d -m 0700 -o adit -g adit /var/lib/adit/controller /var/lib/adit/agent

etcd --data-dir "$work/etcd" --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 >"$work/etcd.log" 2>&1 &
pids+=($!)

as_adit=(setpriv --reuid adit --regid adit --init-groups --no-new-privs env -i PATH=/usr/local/bin:/usr/bin:/bin)
cd /
"${as_adit[@]}" /opt/adit/bin/adit-controller --etcd http://127.0.0.1:2379 --listen 127.0.0.1:7443 \
  --data-dir /var/lib/adit/controller >"$work/controller.log" 2>&1 &
pids+=($!)
wait_for 120 test -s /var/lib/adit/controller/admin.conf
export ADIT_CONFIG=/var/lib/adit/controller/admin.conf
wait_for 30 aditctl node list

# The join token as systemd hands over a credential: a file only the unit's user can read.
credentials=/var/lib/adit-credentials/adit-agent.service
install -d -m 0700 -o adit "$credentials"
aditctl node token create --ttl 10m >"$credentials/join-token"
chown adit "$credentials/join-token"

socat TCP-LISTEN:7000,bind=127.0.0.1,reuseaddr,fork PIPE &
pids+=($!)
setpriv --reuid adit --regid adit --init-groups --no-new-privs \
  --inh-caps +net_bind_service --ambient-caps +net_bind_service --bounding-set -all,+net_bind_service \
  env -i PATH=/usr/local/bin:/usr/bin:/bin "ADIT_JAVA_OPTS=$java_opts" \
  /opt/adit/bin/adit-agent --controller 127.0.0.1:7443 --name node1 --data-dir /var/lib/adit/agent \
  --join-token-file "$credentials/join-token" --advertise-address 127.0.0.1 >"$work/agent.log" 2>&1 &
agent_pid=$!
pids+=("$agent_pid")

aditctl service create web --accept 443 --connect 127.0.0.1:7000 --node node1 --verify none >/dev/null
aditctl ca get >"$work/ca.crt"
wait_for 120 listening
echo "relay: $(echo hello-443 | ncat --ssl --ssl-verify --ssl-servername web --ssl-trustfile "$work/ca.crt" 127.0.0.1 443)"
agent=$agent_pid
echo "agent user: $(ps -o user= -p "$agent")"
echo "agent capabilities: $(grep -E '^Cap(Eff|Amb|Bnd)' "/proc/$agent/status" | tr -s '\t' ' ' | tr '\n' ' ')"
echo "agent command: $(tr '\0' ' ' <"/proc/$agent/cmdline")"
echo "agent data dir: $(stat -c '%U %a' /var/lib/adit/agent), node.conf $(stat -c '%U %a' /var/lib/adit/agent/node.conf)"
echo "controller data dir: $(stat -c '%U %a' /var/lib/adit/controller), ca.kek $(stat -c '%U %a' /var/lib/adit/controller/ca.kek)"
grep -m1 'agent node1 starting' "$work/agent.log"
