#!/usr/bin/env bash
# TLS server-mode termination to a plaintext backend, four relays side by side on this machine:
# Adit's node agent with BoringSSL (--tls-provider openssl), Adit's node agent with the JDK's
# SSLEngine (--tls-provider jdk), stunnel and HAProxy (mode tcp, bind ... ssl crt). Each serves a
# P-256 ECDSA certificate signed by the same P-256 CA, allows TLS 1.2 and 1.3, asks for no client
# certificate, and relays to the same loopback backends. Prints a Markdown table. Not part of CI.
#
#   bench/relay.sh            about 5 minutes: 8 s per connection-rate run, 1 GiB bulk x 3
#   bench/relay.sh --long     about 12 minutes: 30 s per run, 4 GiB x 5, 20000 round trips
#
# What it measures, per relay, in this order (relays take turns within each step, so a burst of
# load from elsewhere on the machine spreads over all of them):
#   RSS idle       VmRSS of the relay process after start and one check connection
#   RSS 200 conns  VmRSS with RELAY_BENCH_CONNS TLS connections open and idle (a python3 client,
#                  each connection did one echo round trip, so the backend side is open too)
#   warm-up        (not reported) handshakes from RELAY_BENCH_CLIENTS clients, RELAY_BENCH_WARMUP
#                  seconds (45) for Adit, 3 s for the others, and 512 MiB of bulk each. The JVM
#                  compiles what runs once per connection only after thousands of connections:
#                  on 2 cores its C2 compiler keeps a third of a core busy for the first ~40 s
#                  of handshakes, which would otherwise be counted against Adit
#   conn/s         full TLS handshakes per second: openssl s_time -new, 1 client, then
#                  RELAY_BENCH_CLIENTS clients in parallel; s_time closes right after the handshake
#   bulk MB/s      socat OPEN:/dev/zero,readbytes=BYTES OPENSSL:... to a socat discard backend;
#                  median of RELAY_BENCH_REPEATS runs (MB = 10^6 bytes)
#   echo RTT       64-byte round trips over one TLS connection (python3 client), p50 and p99
#   peak RSS       VmHWM of the relay process at the end
#
# The clients pin TLS 1.3 with TLS_AES_128_GCM_SHA256 and X25519 (RELAY_BENCH_SUITE, through an
# OPENSSL_CONF of their own), so every relay does the same cryptography; the table's footnotes
# show what each relay negotiated. Clients, relays, backends, etcd and the controller share the
# machine's cores: this compares relays under the same conditions, it does not find the ceiling
# of any of them.
#
# Needs: a built tree (mvn -B -q package -DskipTests), java (with jcmd), etcd, openssl, socat,
# python3, stunnel (stunnel4) and haproxy; a missing stunnel or haproxy only drops its row.
# Everything runs on 127.0.0.1 on ports the system picks; all state is in a temporary directory,
# and everything started is stopped on exit.
#
# Settings (environment, defaults in brackets):
#   RELAY_BENCH_SECONDS     length of each connection-rate run [8; --long 30]
#   RELAY_BENCH_WARMUP      seconds of handshakes that warm each Adit agent up [45; --long 90]
#   RELAY_BENCH_CLIENTS     parallel s_time clients [4]
#   RELAY_BENCH_BYTES       bulk transfer size, K/M/G in powers of 1024 [1G; --long 4G]
#   RELAY_BENCH_REPEATS     bulk transfers per relay [3; --long 5]
#   RELAY_BENCH_CONNS       idle connections held for the memory figure [200]
#   RELAY_BENCH_ROUNDTRIPS  echo round trips [2000; --long 20000]
#   RELAY_BENCH_RELAYS      which rows ["adit-openssl adit-jdk stunnel haproxy"]
#   RELAY_BENCH_SUITE       the TLS 1.3 suite the clients offer [TLS_AES_128_GCM_SHA256]
#   RELAY_BENCH_JFR=DIR     record each Adit agent with JFR during each measured step into DIR
#                           and print the top frames; JFR slows the agents: do not publish those
#   RELAY_BENCH_KEEP=1      keep the temporary directory with every process's log
#   ADIT_JAVA_OPTS          JVM options for the agents, as deploy/bin/adit-agent takes them
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# The command as run, with the settings given in the environment, for the report.
command_line="$({ env | grep -E '^(RELAY_BENCH_[A-Z]+|ADIT_JAVA_OPTS)=' || true; } | sort | sed "s/=\(.*\)/='\1'/" | tr '\n' ' ')bench/relay.sh${1:+ $*}"
case "${1:-}" in
  "") ;;
  --long)
    : "${RELAY_BENCH_SECONDS:=30}" "${RELAY_BENCH_WARMUP:=90}" "${RELAY_BENCH_BYTES:=4G}" "${RELAY_BENCH_REPEATS:=5}"
    : "${RELAY_BENCH_ROUNDTRIPS:=20000}"
    ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: bench/relay.sh [--long]" >&2; exit 2 ;;
esac
seconds=${RELAY_BENCH_SECONDS:-8}
warmup=${RELAY_BENCH_WARMUP:-45}
clients=${RELAY_BENCH_CLIENTS:-4}
bulk_size=${RELAY_BENCH_BYTES:-1G}
repeats=${RELAY_BENCH_REPEATS:-3}
conns=${RELAY_BENCH_CONNS:-200}
roundtrips=${RELAY_BENCH_ROUNDTRIPS:-2000}
relays=${RELAY_BENCH_RELAYS:-adit-openssl adit-jdk stunnel haproxy}
suite=${RELAY_BENCH_SUITE:-TLS_AES_128_GCM_SHA256}
jfr_dir=${RELAY_BENCH_JFR:-}

die() { printf 'relay.sh: %s\n' "$*" >&2; exit 1; }
note() { printf '%s\n' "$*" >&2; }

for tool in java jcmd etcd openssl socat python3 numfmt; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
for jar in node-agent/target/adit-agent.jar controller/target/adit-controller.jar cli/target/aditctl.jar; do
  [ -f "$root/$jar" ] || die "$root/$jar is missing: build first (mvn -B -q package -DskipTests)"
done
bulk_bytes=$(numfmt --from=iec "$bulk_size") || die "RELAY_BENCH_BYTES=$bulk_size is not a size (e.g. 512M, 1G)"
selected=()
for r in $relays; do
  case $r in
    adit-openssl | adit-jdk) ;;
    stunnel | haproxy)
      command -v "$r" >/dev/null 2>&1 || { note "$r is not installed (apt-get install -y ${r/stunnel/stunnel4}): its row is left out"; continue; } ;;
    *) die "unknown relay $r in RELAY_BENCH_RELAYS (adit-openssl, adit-jdk, stunnel, haproxy)" ;;
  esac
  selected+=("$r")
done
[ ${#selected[@]} -gt 0 ] || die "no relay to measure"
if [ -n "$jfr_dir" ]; then
  mkdir -p "$jfr_dir" && jfr_dir=$(cd "$jfr_dir" && pwd) || die "cannot create $jfr_dir"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/adit-relay-bench.XXXXXX")
servers=() # pids of everything long-lived that this script started, in start order
ok=no
holder=""
cleanup() {
  local i pid n
  [ -z "$holder" ] || kill "$holder" 2>/dev/null || true
  # Last started, first stopped, each gone before the next: the agents before the controller
  # and etcd they talk to.
  for ((i = ${#servers[@]} - 1; i >= 0; i--)); do
    pid=${servers[i]}
    kill "$pid" 2>/dev/null || continue
    n=0
    while kill -0 "$pid" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ $ok = yes ] && [ -z "${RELAY_BENCH_KEEP:-}" ]; then rm -rf "$work"; else note "logs kept in $work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers ------------------------------------------------------------------------------

# start LOG COMMAND...: runs COMMAND in the background, output to LOG; its pid in $last.
start() {
  local log=$1; shift
  "$@" >"$log" 2>&1 </dev/null &
  last=$!
  servers+=("$last")
}

wait_until() { # seconds command...
  local n=0 limit=$(($1 * 10)); shift
  until "$@" >/dev/null 2>&1; do
    n=$((n + 1))
    [ $n -le $limit ] || return 1
    sleep 0.1
  done
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

rss_mib() { awk -v k="$2:" '$1 == k { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# CPU time (user + system, every thread, live or gone) of a process so far, in clock ticks.
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
hz=$(getconf CLK_TCK)

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

now_ns() { date +%s%N; }

aditctl() { ADIT_CONFIG="$work/controller/admin.conf" "$root/deploy/bin/aditctl" "$@"; }

# The clients' OpenSSL settings: one TLS 1.3 suite and one group for every relay.
cat >"$work/client-openssl.cnf" <<EOF
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1.3
Ciphersuites = $suite
Groups = X25519
EOF
client_conf=$work/client-openssl.cnf

cat >"$work/bench.py" <<'EOF'
"""Backend and clients for bench/relay.sh."""
import asyncio, socket, ssl, sys, time

def tls_client():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the relays' certificates are not what is measured here
    return ctx

def ports(n):
    socks = [socket.socket() for _ in range(int(n))]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    print(" ".join(str(s.getsockname()[1]) for s in socks))

def echo(port):
    """An echo backend on one thread: accepting costs no fork, unlike socat's."""
    async def handle(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()
    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", int(port), backlog=4096, reuse_address=True)
        async with server:
            await server.serve_forever()
    asyncio.run(main())

def roundtrip(sock, msg):
    sock.sendall(msg)
    got = 0
    while got < len(msg):
        chunk = sock.recv(len(msg) - got)
        if not chunk:
            raise SystemExit("the relay closed the connection")
        got += len(chunk)

def connect(port, tls):
    sock = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return tls_client().wrap_socket(sock) if tls else sock

def hold(port, n, ready):
    """Opens n TLS connections, one echo round trip each, then holds them until killed."""
    held = []
    for _ in range(int(n)):
        sock = connect(port, True)
        roundtrip(sock, b"x")
        held.append(sock)
    with open(ready, "w") as f:
        f.write(f"{len(held)}\n")
    while True:
        time.sleep(3600)

def latency(port, n, tls):
    """p50 and p99 in microseconds of 64-byte echo round trips over one connection."""
    sock = connect(port, tls == "tls")
    msg = b"x" * 64
    for _ in range(200):
        roundtrip(sock, msg)
    times = []
    for _ in range(int(n)):
        t = time.perf_counter_ns()
        roundtrip(sock, msg)
        times.append(time.perf_counter_ns() - t)
    times.sort()
    print(f"{times[len(times) // 2] / 1000:.0f} {times[min(len(times) - 1, int(len(times) * 0.99))] / 1000:.0f}")

if __name__ == "__main__":
    globals()[sys.argv[1]](*sys.argv[2:])
EOF
py() { python3 "$work/bench.py" "$@"; }

# ---- certificates -------------------------------------------------------------------------

# One P-256 CA; the controller imports it, so Adit's service certificates and the leaf that
# stunnel and HAProxy serve come from the same issuer with the same key type and signature.
pki=$work/pki
mkdir -p "$pki"
(
  cd "$pki"
  openssl ecparam -name prime256v1 -genkey -noout -out ca.key
  openssl req -x509 -new -key ca.key -subj /CN=relay-bench-ca -days 30 -out ca.crt \
    -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out leaf.key
  openssl req -new -key leaf.key -subj /CN=relay-bench -out leaf.csr
  printf '%s\n' basicConstraints=critical,CA:FALSE keyUsage=critical,digitalSignature \
    extendedKeyUsage=serverAuth subjectAltName=DNS:relay-bench >leaf.ext
  openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -sha256 \
    -extfile leaf.ext -out leaf.crt
  cat leaf.crt leaf.key >haproxy.pem
) >"$work/pki.log" 2>&1 || die "cannot make the certificates; see $work/pki.log"

# ---- ports and backends -------------------------------------------------------------------

# All at once, so that no two are the same: the system picks each while the others are bound.
read -r -a free <<<"$(py ports $((5 + 2 * ${#selected[@]})))"
etcd_port=${free[0]} etcd_peer=${free[1]} ctl_port=${free[2]} echo_port=${free[3]} discard_port=${free[4]}
declare -A echo_at discard_at pid_of
i=5
for r in "${selected[@]}"; do
  echo_at[$r]=${free[i]} discard_at[$r]=${free[i + 1]}
  i=$((i + 2))
done

note "starting the backends, etcd and the controller"
start "$work/echo-backend.log" python3 "$work/bench.py" echo "$echo_port"
start "$work/discard-backend.log" socat -u -b 131072 "TCP-LISTEN:$discard_port,bind=127.0.0.1,reuseaddr,fork" /dev/null
wait_until 10 listening "$echo_port" || die "the echo backend did not start; see $work/echo-backend.log"
wait_until 10 listening "$discard_port" || die "the discard backend did not start"

# ---- Adit: etcd, a controller, one agent per TLS provider -------------------------------

adit=()
for r in "${selected[@]}"; do
  case $r in adit-*) adit+=("$r") ;; esac
done
if [ ${#adit[@]} -gt 0 ]; then
  start "$work/etcd.log" etcd --name bench --data-dir "$work/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "bench=http://127.0.0.1:$etcd_peer" --logger zap
  wait_until 20 listening "$etcd_port" || die "etcd did not start; see $work/etcd.log"
  mkdir -p "$work/controller"
  start "$work/controller.log" "$root/deploy/bin/adit-controller" --etcd "http://127.0.0.1:$etcd_port" \
    --listen "127.0.0.1:$ctl_port" --data-dir "$work/controller" \
    --import-ca-cert "$pki/ca.crt" --import-ca-key "$pki/ca.key"
  wait_until 60 grep -q "controller listening" "$work/controller.log" \
    || die "the controller did not start; see $work/controller.log"
  for r in "${adit[@]}"; do
    token=$(aditctl node token create --ttl 10m 2>>"$work/aditctl.log") || die "aditctl node token create failed; see $work/aditctl.log"
    mkdir -p "$work/$r"
    start "$work/$r.log" "$root/deploy/bin/adit-agent" --controller "127.0.0.1:$ctl_port" --join-token "$token" \
      --name "$r" --data-dir "$work/$r" --advertise-address 127.0.0.1 --tls-provider "${r#adit-}"
    pid_of[$r]=$last # deploy/bin/adit-agent execs java: this is the JVM
  done
  for r in "${adit[@]}"; do
    wait_until 60 grep -q "agent $r starting" "$work/$r.log" || die "agent $r did not start; see $work/$r.log"
    # Two services per agent, as stunnel and HAProxy get two: one to the echo backend, one to the discard one.
    aditctl service create "$r-echo" --accept "127.0.0.1:${echo_at[$r]}" --connect "127.0.0.1:$echo_port" \
      --node "$r" --verify none >>"$work/aditctl.log" 2>&1 || die "aditctl service create failed; see $work/aditctl.log"
    aditctl service create "$r-discard" --accept "127.0.0.1:${discard_at[$r]}" --connect "127.0.0.1:$discard_port" \
      --node "$r" --verify none >>"$work/aditctl.log" 2>&1 || die "aditctl service create failed; see $work/aditctl.log"
  done
fi

# ---- stunnel and HAProxy ------------------------------------------------------------------

for r in "${selected[@]}"; do
  case $r in
    stunnel)
      cat >"$work/stunnel.conf" <<EOF
foreground = yes
pid =
; Log to stderr only (a file here, as for the others). Without this, stunnel also calls
; syslog(), which with no syslog daemon falls back to the console: that cost stunnel 5x CPU.
syslog = no
; service-level defaults for both services
cert = $pki/leaf.crt
key = $pki/leaf.key
sslVersionMin = TLSv1.2
ciphers = ECDHE+AESGCM:ECDHE+CHACHA20
socket = l:TCP_NODELAY=1
socket = r:TCP_NODELAY=1
TIMEOUTidle = 300
[echo]
accept = 127.0.0.1:${echo_at[$r]}
connect = 127.0.0.1:$echo_port
[discard]
accept = 127.0.0.1:${discard_at[$r]}
connect = 127.0.0.1:$discard_port
EOF
      start "$work/stunnel.log" stunnel "$work/stunnel.conf"
      pid_of[$r]=$last
      ;;
    haproxy)
      cat >"$work/haproxy.cfg" <<EOF
global
  nbthread $(nproc)
  maxconn 4096
  # A line per connection to stderr (a file here), as Adit and stunnel write.
  log stderr format raw daemon info
  ssl-default-bind-options ssl-min-ver TLSv1.2
  ssl-default-bind-ciphers ECDHE+AESGCM:ECDHE+CHACHA20
defaults
  mode tcp
  log global
  option tcplog
  timeout connect 10s
  timeout client 5m
  timeout server 5m
frontend echo
  bind 127.0.0.1:${echo_at[$r]} ssl crt $pki/haproxy.pem
  default_backend echo
frontend discard
  bind 127.0.0.1:${discard_at[$r]} ssl crt $pki/haproxy.pem
  default_backend discard
backend echo
  server echo 127.0.0.1:$echo_port
backend discard
  server discard 127.0.0.1:$discard_port
EOF
      start "$work/haproxy.log" haproxy -db -f "$work/haproxy.cfg"
      pid_of[$r]=$last
      ;;
  esac
done

# ---- ready? -------------------------------------------------------------------------------

declare -A tls_of
for r in "${selected[@]}"; do
  for port in "${echo_at[$r]}" "${discard_at[$r]}"; do
    n=0
    until listening "$port"; do
      kill -0 "${pid_of[$r]}" 2>/dev/null || die "$r exited; see $work/$r.log"
      n=$((n + 1))
      [ $n -le 600 ] || die "$r does not listen on $port; see $work/$r.log"
      sleep 0.1
    done
  done
  OPENSSL_CONF=$client_conf py latency "${echo_at[$r]}" 10 tls >/dev/null || die "no echo through $r; see $work/$r.log"
  out=$(OPENSSL_CONF=$client_conf openssl s_client -brief -connect "127.0.0.1:${echo_at[$r]}" </dev/null 2>&1 || true)
  tls_of[$r]="$(sed -n 's/^Protocol version: //p' <<<"$out") $(sed -n 's/^Ciphersuite: //p' <<<"$out"), \
$(sed -n 's/^Server Temp Key: \([^,]*\).*/\1/p' <<<"$out"), $(sed -n 's/^Signature type: //p' <<<"$out")"
done

# ---- measurements -------------------------------------------------------------------------

declare -A rss_idle rss_held rss_peak rate1 rateN cpu1 cpuN bulk bulk_runs bulk_cpu bulk_cpu_runs rtt
jfr_start() { # phase relay
  [ -n "$jfr_dir" ] && [ "${2#adit-}" != "$2" ] || return 0
  jcmd "${pid_of[$2]}" JFR.start name=bench settings=profile filename="$jfr_dir/$2-$1.jfr" >>"$work/jfr.log" 2>&1
}
jfr_stop() { # relay
  [ -n "$jfr_dir" ] && [ "${1#adit-}" != "$1" ] || return 0
  jcmd "${pid_of[$1]}" JFR.stop name=bench >>"$work/jfr.log" 2>&1
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
note "measuring: ${selected[*]}"
for r in "${selected[@]}"; do
  rss_idle[$r]=$(rss_mib "${pid_of[$r]}" VmRSS)
done

note "  RSS with $conns idle TLS connections"
for r in "${selected[@]}"; do
  rm -f "$work/held"
  OPENSSL_CONF=$client_conf python3 "$work/bench.py" hold "${echo_at[$r]}" "$conns" "$work/held" >"$work/hold.log" 2>&1 &
  holder=$!
  if wait_until 120 test -s "$work/held"; then
    sleep 1
    rss_held[$r]=$(rss_mib "${pid_of[$r]}" VmRSS)
  else
    rss_held[$r]="failed"
    note "  $r: could not open $conns connections: $(tail -n 1 "$work/hold.log")"
  fi
  kill "$holder" 2>/dev/null || true
  wait "$holder" 2>/dev/null || true
  holder=""
done

# s_time: PORT SECONDS CLIENTS [PID] -> connections per second of wall time, or "failed";
# with PID, then the CPU time that process used per connection, in microseconds.
handshakes() {
  local port=$1 secs=$2 n=$3 pid=${4:-} i total=0 t0 t1 c0=0 c1=0 pids=()
  [ -z "$pid" ] || c0=$(cpu_ticks "$pid")
  t0=$(now_ns)
  for ((i = 0; i < n; i++)); do
    OPENSSL_CONF=$client_conf openssl s_time -connect "127.0.0.1:$port" -new -time "$secs" >"$work/s_time.$i" 2>&1 &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || true; done
  t1=$(now_ns)
  [ -z "$pid" ] || c1=$(cpu_ticks "$pid")
  for ((i = 0; i < n; i++)); do
    local c
    c=$(sed -n 's/^\([0-9]*\) connections in [0-9]* real seconds.*/\1/p' "$work/s_time.$i")
    [ -n "$c" ] || { echo failed failed; return; }
    total=$((total + c))
  done
  awk -v c=$total -v ns=$((t1 - t0)) -v ticks=$((c1 - c0)) -v hz="$hz" \
    'BEGIN { printf "%.0f %.0f\n", c / (ns / 1e9), c ? ticks / hz * 1e6 / c : 0 }'
}

# PORT BYTES [PID] -> MB/s, or "failed"; with PID, then the CPU seconds that process used per GB.
throughput() {
  local t0 t1 c0=0 c1=0
  [ -z "${3:-}" ] || c0=$(cpu_ticks "$3")
  t0=$(now_ns)
  if OPENSSL_CONF=$client_conf socat -u -b 131072 "OPEN:/dev/zero,readbytes=$2" "OPENSSL:127.0.0.1:$1,verify=0" 2>>"$work/socat.log"; then
    t1=$(now_ns)
    [ -z "${3:-}" ] || c1=$(cpu_ticks "$3")
    awk -v b="$2" -v ns=$((t1 - t0)) -v ticks=$((c1 - c0)) -v hz="$hz" \
      'BEGIN { printf "%.0f %.2f\n", b / 1e6 / (ns / 1e9), ticks / hz / (b / 1e9) }'
  else
    echo failed failed
  fi
}

note "  warm-up"
for r in "${selected[@]}"; do
  # The JVM compiles code run once per connection (C2) only after several thousand connections.
  case $r in adit-*) w=$warmup ;; *) w=3 ;; esac
  handshakes "${echo_at[$r]}" "$w" "$clients" >/dev/null
  throughput "${discard_at[$r]}" $((512 << 20)) >/dev/null
done

note "  new TLS connections per second, 1 client and $clients clients, ${seconds}s each"
for r in "${selected[@]}"; do
  jfr_start conn1 "$r"
  read -r "rate1[$r]" "cpu1[$r]" <<<"$(handshakes "${echo_at[$r]}" "$seconds" 1 "${pid_of[$r]}")"
  jfr_stop "$r"
done
for r in "${selected[@]}"; do
  jfr_start "conn$clients" "$r"
  read -r "rateN[$r]" "cpuN[$r]" <<<"$(handshakes "${echo_at[$r]}" "$seconds" "$clients" "${pid_of[$r]}")"
  jfr_stop "$r"
done

note "  bulk throughput, $bulk_size x $repeats"
for r in "${selected[@]}"; do jfr_start bulk "$r"; done
for ((i = 1; i <= repeats; i++)); do
  for r in "${selected[@]}"; do
    read -r mbs cpu <<<"$(throughput "${discard_at[$r]}" "$bulk_bytes" "${pid_of[$r]}")"
    bulk_runs[$r]="${bulk_runs[$r]:-}${bulk_runs[$r]:+ }$mbs"
    bulk_cpu_runs[$r]="${bulk_cpu_runs[$r]:-}${bulk_cpu_runs[$r]:+ }$cpu"
  done
done
for r in "${selected[@]}"; do
  jfr_stop "$r"
  if [[ "${bulk_runs[$r]}" == *failed* ]]; then
    bulk[$r]=failed bulk_cpu[$r]=failed
  else
    bulk[$r]=$(printf '%.0f' "$(tr ' ' '\n' <<<"${bulk_runs[$r]}" | median)")
    bulk_cpu[$r]=$(printf '%.2f' "$(tr ' ' '\n' <<<"${bulk_cpu_runs[$r]}" | median)")
  fi
done

note "  echo round trips, $roundtrips x 64 bytes"
for r in "${selected[@]}"; do
  rtt[$r]=$(OPENSSL_CONF=$client_conf py latency "${echo_at[$r]}" "$roundtrips" tls 2>>"$work/latency.log" || echo "failed failed")
done
direct_rtt=$(py latency "$echo_port" "$roundtrips" plain)
t0=$(now_ns)
socat -u -b 131072 "OPEN:/dev/zero,readbytes=$bulk_bytes" "TCP:127.0.0.1:$discard_port"
t1=$(now_ns)
direct_bulk=$(awk -v b="$bulk_bytes" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", b / 1e6 / (ns / 1e9) }')

for r in "${selected[@]}"; do
  kill -0 "${pid_of[$r]}" 2>/dev/null || die "$r exited during the run; see $work/$r.log"
  rss_peak[$r]=$(rss_mib "${pid_of[$r]}" VmHWM)
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report -------------------------------------------------------------------------------

label() {
  case $1 in
    adit-openssl) echo "Adit agent, BoringSSL" ;;
    adit-jdk) echo "Adit agent, JDK SSLEngine" ;;
    stunnel) echo "stunnel $(stunnel -version 2>&1 | sed -n 's/^stunnel \([0-9.]*\).*/\1/p' | head -n 1)" ;;
    haproxy) echo "HAProxy $(haproxy -v | sed -n 's/^HAProxy version \([0-9.]*\).*/\1/p')" ;;
  esac
}

agent_flags=""
if [ ${#adit[@]} -gt 0 ]; then
  agent_flags=$(jcmd "${pid_of[${adit[0]}]}" VM.flags 2>/dev/null | tail -n 1 \
    | tr ' ' '\n' | grep -E 'Use[A-Za-z0-9]*GC$|MaxHeapSize|InitialHeapSize|MaxDirectMemorySize|ActiveProcessorCount' | tr '\n' ' ')
fi
jar=$root/node-agent/target/adit-agent.jar
pomver() { unzip -p "$jar" "META-INF/maven/io.netty/$1/pom.properties" 2>/dev/null | sed -n 's/^version=//p'; }

printf '\n%s\n\n' "$command_line   # $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%dT%H:%MZ)"
printf '| relay | new TLS conn/s, 1 client | new TLS conn/s, %d clients | relay CPU per conn. | bulk MB/s (%s, median of %d) | relay CPU per GB | echo RTT p50 / p99 |\n' "$clients" "$bulk_size" "$repeats"
printf '|---|---:|---:|---:|---:|---:|---:|\n'
for r in "${selected[@]}"; do
  read -r p50 p99 <<<"${rtt[$r]}"
  printf '| %s | %s | %s | %s µs | %s | %s s | %s / %s µs |\n' "$(label "$r")" "${rate1[$r]}" "${rateN[$r]}" "${cpuN[$r]}" \
    "${bulk[$r]}" "${bulk_cpu[$r]}" "$p50" "$p99"
done
read -r p50 p99 <<<"$direct_rtt"
printf '| no relay: plaintext straight to the backends | | | | %s | | %s / %s µs |\n' "$direct_bulk" "$p50" "$p99"

printf '\n| relay | RSS idle | RSS, %d idle TLS connections | peak RSS (whole run) |\n' "$conns"
printf '|---|---:|---:|---:|\n'
for r in "${selected[@]}"; do
  printf '| %s | %s MiB | %s MiB | %s MiB |\n' "$(label "$r")" "${rss_idle[$r]}" "${rss_held[$r]}" "${rss_peak[$r]}"
done

cat <<EOF

- Machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(uname -r); load average $load_before before, $load_after after.
  Clients, relays and backends share these cores; the relays take turns, each step in the same order.
- Negotiated (client pinned to TLS 1.3, $suite, X25519):$(for r in "${selected[@]}"; do printf ' %s: %s;' "$r" "${tls_of[$r]}"; done)
- Certificates: P-256 ECDSA leaves from one P-256 CA (imported into the controller for Adit), leaf only on the wire; no client certificate asked (Adit: --verify none).
- Adit: $(java -version 2>&1 | head -n 1), Netty $(pomver netty-handler), netty-tcnative-boringssl-static $(pomver netty-tcnative-boringssl-static), epoll, $(nproc) I/O threads.
  The agent is deploy/bin/adit-agent with ADIT_JAVA_OPTS='${ADIT_JAVA_OPTS:-}' (JVM ergonomics: ${agent_flags:-unknown}).
  Its RSS is the whole JVM: the relay plus the agent's control plane (gRPC to the controller, etcd watch, status, heartbeat).
  Each connection writes two log lines (opened, closed) at INFO to stderr, here a file.
- stunnel: $(stunnel -version 2>&1 | grep -m1 -o 'Compiled with OpenSSL [0-9.a-z]*' || true), one thread per connection, default log level (notice: lines per connection) to stderr, here a file, \`syslog = no\`.
- HAProxy: $(haproxy -vv 2>/dev/null | grep -m1 -o 'Running on OpenSSL version : OpenSSL [0-9.a-z]*' | sed 's/Running on OpenSSL version : //' || true), nbthread $(nproc), mode tcp, \`option tcplog\` to stderr, here a file.
- conn/s: \`openssl s_time -new -time $seconds\` (full handshakes, no resumption; it closes each connection right after its handshake), connections over wall time; each relay also dials the echo backend (python3 asyncio) for each.
  Warm-up before: ${warmup} s of handshakes from $clients clients for each Adit agent (the JVM compiles what runs once per connection only after thousands of them), 3 s for the others.
  Relay CPU per connection: user + system time of the relay process during the $clients-client run, over its connections (1 client: $(for r in "${selected[@]}"; do printf '%s %s µs; ' "$r" "${cpu1[$r]}"; done | sed 's/; $//')).
- bulk: \`socat -u -b 131072 OPEN:/dev/zero,readbytes=$bulk_bytes OPENSSL:127.0.0.1:PORT,verify=0\` into \`socat -u TCP-LISTEN:...,fork /dev/null\`, MB = 10^6 bytes, median of $repeats runs, relay CPU seconds per 10^9 bytes likewise.
  Runs in MB/s: $(for r in "${selected[@]}"; do printf '%s %s; ' "$r" "${bulk_runs[$r]}"; done | sed 's/; $//').
- echo RTT: python3 client, 64-byte messages, $roundtrips round trips after 200, over one TLS connection each.
- RSS: VmRSS of the relay process; peak is VmHWM over the whole run.
EOF

if [ -n "$jfr_dir" ]; then
  # Top frames of the samples JFR took: Java code (jdk.ExecutionSample), and threads in native
  # code (jdk.NativeMethodSample) less those idle in epoll_wait.
  printf '\nJFR recordings in %s (the Adit figures above were measured with JFR on). Top frames:\n' "$jfr_dir"
  for f in "$jfr_dir"/*.jfr; do
    [ -f "$f" ] || continue
    printf '\n%s\n' "$(basename "$f")"
    for event in jdk.ExecutionSample jdk.NativeMethodSample; do
      { jfr print --events "$event" --stack-depth 1 "$f" 2>/dev/null || true; } \
        | awk -v ev="$event" '/stackTrace = \[/ { getline; sub(/^[ \t]+/, ""); sub(/[ \t]+line:.*/, "");
              if ($0 ~ /epollWait/) { idle++; next } n[$0]++; total++ }
            END { printf "  %s: %d samples%s\n", ev, total, idle ? sprintf(" (and %d idle in epoll_wait)", idle) : ""; fflush();
              for (k in n) printf "%8d  %5.1f%%  %s\n", n[k], 100 * n[k] / total, k | "sort -rn | head -n 12" }' || true
    done
  done
fi
ok=yes
