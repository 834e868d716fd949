#!/usr/bin/env bash
# Regenerates the ground-truth captures in captures/ from real Linux sockets.
#
#   sudo bash scripts/captures/make.sh [--run NAME]... [--keep-work]
#
# A run holds the scenarios listed for it in make-manifest.mjs (RUNS); the
# other captures in captures/ are left as they are, only the gzip copies
# (deterministic: gzip -n) and manifest.json are rewritten.
#
# Every run builds its own network namespaces (names start with "ctcap<pid>"),
# captures only TCP on the scenario ports (5001-5099, 40001-40099), runs
# server.mjs and client.mjs (scenarios.mjs) in them, stops the capture, kills
# the programs and deletes the namespaces (also on failure: trap). Each run is
# then checked against the designed wire shape (make-manifest.mjs check) and
# retried (at most 3 attempts) if something unexpected happened. Finally the
# gzip copies and captures/manifest.json are written.
#
# Requirements: root, Linux with network namespaces, veth, HTB and u32 (tc),
# policy routing with ipproto/sport selectors (ip rule, kernel >= 4.17);
# tcpdump (4.99), dumpcap + tshark + capinfos (Wireshark 4.x), iproute2,
# gzip, coreutils timeout, Node >= 20.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT="$REPO/captures"
TAG="ctcap$$"
FILTER='tcp and (portrange 5001-5099 or portrange 40001-40099)'
MAX_ATTEMPTS=3
KEEP_WORK=0
ONLY=()

die() { echo "make.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --run) ONLY+=("$2"); shift 2 ;;
    --keep-work) KEEP_WORK=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done

# ---------------------------------------------------------------- prerequisites
[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, tc, ip rule, packet capture): sudo bash scripts/captures/make.sh"
for c in ip tc tcpdump dumpcap tshark capinfos node gzip timeout sysctl; do
  command -v "$c" >/dev/null 2>&1 || die "missing prerequisite: $c (apt-get install iproute2 tcpdump tshark gzip coreutils procps; Node 20)"
done
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
[ "$NODE_MAJOR" -ge 20 ] || die "Node >= 20 required (have $(node --version))"
tcpdump --version 2>&1 | grep -q 'tcpdump version 4\.\(99\|[1-9][0-9][0-9]\)\|tcpdump version [5-9]' \
  || log "warning: tcpdump < 4.99 may not write LINUX_SLL2 for -i any"

WORK=$(mktemp -d "/tmp/${TAG}.XXXX")
NAMESPACES=()
PIDS=()

cleanup() {
  local rc=$?
  set +e
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null; done
  sleep 0.2
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null; done
  for ns in "${NAMESPACES[@]:-}"; do [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null; done
  if [ "$KEEP_WORK" -eq 1 ]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# kernel/iproute2 features, probed in a scratch namespace
probe_features() {
  local ns="${TAG}p"
  ip netns add "$ns" || die "cannot create network namespaces (ip netns add)"
  NAMESPACES+=("$ns")
  ip -n "$ns" link set lo up
  ip -n "$ns" rule add pref 10 ipproto tcp sport 1 blackhole 2>/dev/null \
    || die "'ip rule ... ipproto tcp sport N blackhole' not supported (need kernel >= 4.17 and a recent iproute2)"
  tc -n "$ns" qdisc add dev lo root handle 1: htb default 20 2>/dev/null \
    && tc -n "$ns" filter add dev lo parent 1: protocol ip prio 1 u32 match ip dport 1 0xffff flowid 1:10 2>/dev/null \
    || die "tc HTB qdisc / u32 filter not available (CONFIG_NET_SCH_HTB, CONFIG_NET_CLS_U32)"
  ip -n "$ns" link add v0 type veth peer name v1 2>/dev/null || die "veth not available"
  ip netns del "$ns"
  NAMESPACES=()
}
probe_features

# ---------------------------------------------------------------- namespaces
SLOW_PORT=$(cd "$HERE" && node -e 'import("./scenarios.mjs").then(m=>console.log(m.SLOW_PORT))')
DELAYED_SPORTS=$(cd "$HERE" && node -e 'import("./scenarios.mjs").then(m=>console.log(m.DELAYED_SPORTS.join(" ")))')

mkns() { # mkns NAME
  ip netns add "$1"
  NAMESPACES+=("$1")
  ip -n "$1" link set lo up
  ip netns exec "$1" sysctl -qw net.ipv4.tcp_fin_timeout=2 net.ipv4.tcp_keepalive_intvl=1 \
    net.ipv4.tcp_keepalive_probes=3 net.ipv4.tcp_retries2=2 \
    net.ipv4.ip_local_port_range="50000 60000"
  # shellcheck disable=SC2086 # one word per setting
  [ -z "$RUN_SYSCTLS" ] || ip netns exec "$1" sysctl -qw $RUN_SYSCTLS
  # let 'ip rule ... blackhole' (pref 10) act before the local table, also on lo
  for fam in -4 -6; do
    ip -n "$1" $fam rule add pref 100 lookup local
    ip -n "$1" $fam rule del pref 0
  done
}

# HTB on DEV in NS: everything in a fast default class, TCP to/from SLOW_PORT
# in 32 kbit/s classes with a 1-byte burst (one per direction), so a FIN sent
# right after a data segment waits ~25 ms in the qdisc (before any capture
# point). Used only by the simultaneous-close scenario.
# Each port in DELAYED_SPORTS gets a class of its own at 64 kbit/s (1-byte
# burst) for what is sent from it (TCP or UDP): the keep-alive race scenarios
# put it in debt with a UDP datagram so the kernel's RST waits ~50 ms, after
# the peer's next segments are on the wire. Only the namespace that owns the
# port ever sends from it.
slow_qdisc() { # slow_qdisc NS DEV
  local ns=$1 dev=$2 k=0 port
  tc -n "$ns" qdisc add dev "$dev" root handle 1: htb default 20 r2q 1000 2>/dev/null
  tc -n "$ns" class add dev "$dev" parent 1: classid 1:20 htb rate 10gbit burst 200k cburst 200k 2>/dev/null
  tc -n "$ns" class add dev "$dev" parent 1: classid 1:10 htb rate 32kbit burst 1 cburst 1 quantum 1514 2>/dev/null
  tc -n "$ns" class add dev "$dev" parent 1: classid 1:11 htb rate 32kbit burst 1 cburst 1 quantum 1514 2>/dev/null
  tc -n "$ns" filter add dev "$dev" parent 1: protocol ip prio 1 u32 match ip dport "$SLOW_PORT" 0xffff flowid 1:10
  tc -n "$ns" filter add dev "$dev" parent 1: protocol ip prio 1 u32 match ip sport "$SLOW_PORT" 0xffff flowid 1:11
  tc -n "$ns" filter add dev "$dev" parent 1: protocol ipv6 prio 2 u32 match ip6 dport "$SLOW_PORT" 0xffff flowid 1:10
  tc -n "$ns" filter add dev "$dev" parent 1: protocol ipv6 prio 2 u32 match ip6 sport "$SLOW_PORT" 0xffff flowid 1:11
  for port in $DELAYED_SPORTS; do
    k=$((k + 1))
    tc -n "$ns" class add dev "$dev" parent 1: classid "1:$((30 + k))" htb rate 64kbit burst 1 cburst 1 quantum 1514 2>/dev/null
    tc -n "$ns" filter add dev "$dev" parent 1: protocol ip prio 3 u32 match ip sport "$port" 0xffff flowid "1:$((30 + k))"
    tc -n "$ns" filter add dev "$dev" parent 1: protocol ipv6 prio 4 u32 match ip6 sport "$port" 0xffff flowid "1:$((30 + k))"
  done
}

veth() { # veth NS1 DEV1 NS2 DEV2 (created inside the namespaces, never in the host's)
  ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
}

CNS="${TAG}c"
SNS="${TAG}s"
RUN_SYSCTLS="" # the current run's extra sysctls (make-manifest.mjs RUNS), set in every namespace

setup() { # setup TOPOLOGY
  case "$1" in
    lo)
      mkns "$CNS"; SNS="$CNS"
      slow_qdisc "$CNS" lo
      ;;
    veth4|veth6)
      SNS="${TAG}s"
      mkns "$CNS"; mkns "$SNS"
      veth "$CNS" c0 "$SNS" s0
      ip -n "$CNS" link set c0 address 02:00:00:00:00:01
      ip -n "$SNS" link set s0 address 02:00:00:00:00:02
      if [ "$1" = veth4 ]; then
        ip -n "$CNS" addr add 192.0.2.1/24 dev c0
        ip -n "$SNS" addr add 192.0.2.2/24 dev s0
      else
        ip -n "$CNS" addr add 2001:db8::1/64 dev c0 nodad
        ip -n "$SNS" addr add 2001:db8::2/64 dev s0 nodad
      fi
      ip -n "$CNS" link set c0 up; ip -n "$SNS" link set s0 up
      slow_qdisc "$CNS" c0; slow_qdisc "$SNS" s0
      ;;
    twopath)
      SNS="${TAG}s"
      mkns "$CNS"; mkns "$SNS"
      veth "$CNS" p1c "$SNS" p1s
      veth "$CNS" p2c "$SNS" p2s
      ip -n "$CNS" link set p1c address 02:00:00:00:01:01
      ip -n "$SNS" link set p1s address 02:00:00:00:01:02
      ip -n "$CNS" link set p2c address 02:00:00:00:02:01
      ip -n "$SNS" link set p2s address 02:00:00:00:02:02
      ip -n "$CNS" addr add 192.0.2.1/24 dev p1c
      ip -n "$SNS" addr add 192.0.2.2/24 dev p1s
      ip -n "$CNS" addr add 2001:db8:2::1/64 dev p2c nodad
      ip -n "$SNS" addr add 2001:db8:2::2/64 dev p2s nodad
      for d in p1c p2c; do ip -n "$CNS" link set "$d" up; slow_qdisc "$CNS" "$d"; done
      for d in p1s p2s; do ip -n "$SNS" link set "$d" up; slow_qdisc "$SNS" "$d"; done
      ;;
    *) die "unknown topology $1" ;;
  esac
}

teardown() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  PIDS=()
  for ns in "${NAMESPACES[@]:-}"; do [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true; done
  NAMESPACES=()
  SNS="${TAG}s"
}

wait_for() { # wait_for FILE PATTERN SECONDS
  local i=0 n=$(( $3 * 20 ))
  until grep -q "$2" "$1" 2>/dev/null; do
    i=$((i + 1)); [ $i -le $n ] || return 1
    sleep 0.05
  done
}

# ---------------------------------------------------------------- runs
# One line per run (defined in make-manifest.mjs, the single source of truth):
# name|topology|capture kind|output file|server bind address|client targets|scenario numbers|extra sysctls
mapfile -t RUNS < <(node "$HERE/make-manifest.mjs" runs)
[ ${#RUNS[@]} -gt 0 ] || die "no runs defined"

# Make sure every path works both ways before the scenarios start (neighbour
# discovery / ARP done, links up): a SYN lost before the wire would leave that
# connection with the 3 s fallback RTO, and tcp_fin_time() = 3.5 x RTO would
# then outlive tcp_fin_timeout and spoil the late-fin-reset scenarios. Uses TCP
# port 9 (no listener: RST), outside the capture filter.
warm_up() { # warm_up TARGET[,TARGET2]
  local t
  for t in ${1//,/ }; do
    timeout 15 ip netns exec "$CNS" node -e '
      const net = require("node:net");
      const host = process.argv[1];
      let n = 0;
      const once = () => {
        const t0 = Date.now();
        const s = net.connect({ host, port: 9 });
        s.setTimeout(300, () => s.destroy(new Error("timeout")));
        s.on("error", (e) => {
          if (e.code === "ECONNREFUSED" && Date.now() - t0 < 200) { if (++n === 3) process.exit(0); else once(); }
          else setTimeout(once, 100);
        });
        s.on("connect", () => { console.error("port 9 is open?"); process.exit(1); });
      };
      once();' "$t" || die "path to $t does not work"
  done
}

start_capture() { # start_capture KIND FILE
  local kind=$1 file=$2 err="$WORK/capture.err"
  : > "$err"
  case "$kind" in
    tcpdump-lo)      timeout -s INT 120 ip netns exec "$CNS" tcpdump -n -U -i lo -w "$file" "$FILTER" 2>"$err" & ;;
    tcpdump-c0)      timeout -s INT 120 ip netns exec "$CNS" tcpdump -n -U -i c0 -w "$file" "$FILTER" 2>"$err" & ;;
    tcpdump-any)     timeout -s INT 120 ip netns exec "$CNS" tcpdump -n -U -i any -w "$file" "$FILTER" 2>"$err" & ;;
    tcpdump-c0-nano) timeout -s INT 120 ip netns exec "$CNS" tcpdump -n -U -i c0 --time-stamp-precision=nano -w "$file" "$FILTER" 2>"$err" & ;;
    dumpcap-2if)     timeout -s INT 120 ip netns exec "$CNS" dumpcap -q -i p1c -f "$FILTER" -i p2c -f "$FILTER" -w "$file" 2>"$err" & ;;
    *) die "unknown capture kind $kind" ;;
  esac
  CAP_PID=$!
  PIDS+=("$CAP_PID")
  wait_for "$err" 'listening on\|Capturing on' 15 || { cat "$err" >&2; die "capture did not start ($kind)"; }
  sleep 0.3
}

stop_capture() {
  kill -INT "$CAP_PID" 2>/dev/null || true
  local i=0
  while kill -0 "$CAP_PID" 2>/dev/null; do
    i=$((i + 1)); [ $i -le 100 ] || { kill -KILL "$CAP_PID" 2>/dev/null || true; break; }
    sleep 0.05
  done
  wait "$CAP_PID" 2>/dev/null || true
}

do_run() { # do_run SPEC ATTEMPT -> writes $WORK/<file>, sets RUN_OK=0 on a soft failure
  IFS='|' read -r name topo kind file bind targets only RUN_SYSCTLS <<<"$1"
  RUN_OK=1
  local dir="$WORK/$name.$2"
  mkdir -p "$dir"
  chmod 777 "$dir" # tcpdump may drop privileges to write
  setup "$topo"
  warm_up "$targets"
  start_capture "$kind" "$dir/$file"
  timeout 70 ip netns exec "$SNS" node "$HERE/server.mjs" --host "$bind" --only "$only" >"$dir/server.log" 2>&1 &
  PIDS+=("$!")
  wait_for "$dir/server.log" READY 15 || { cat "$dir/server.log" >&2; die "server did not start"; }
  timeout 70 ip netns exec "$CNS" node "$HERE/client.mjs" --targets "$targets" --only "$only" >"$dir/client.log" 2>&1 &
  PIDS+=("$!")
  wait_for "$dir/client.log" ' DONE' 45 || { log "client did not finish in time"; RUN_OK=0; }
  wait_for "$dir/server.log" ' DONE' 20 || { log "server did not finish in time"; RUN_OK=0; }
  sleep 1 # last packets (RSTs answering late FINs / late data)
  stop_capture
  teardown
  cp "$dir/$file" "$WORK/$file"
  if grep -q 'FAILED\|threw\|hard timeout' "$dir/client.log" "$dir/server.log"; then
    log "a socket program reported a failure:"; grep 'FAILED\|threw\|hard timeout' "$dir/client.log" "$dir/server.log" >&2
    RUN_OK=0
  fi
}

mkdir -p "$OUT"
for spec in "${RUNS[@]}"; do
  IFS='|' read -r name topo kind file bind targets only _ <<<"$spec"
  if [ ${#ONLY[@]} -gt 0 ] && ! printf '%s\n' "${ONLY[@]}" | grep -qx "$name"; then continue; fi
  attempt=1
  while :; do
    log "run $name (attempt $attempt)"
    do_run "$spec" "$attempt"
    if [ "$RUN_OK" -eq 1 ] && node "$HERE/make-manifest.mjs" check "$WORK/$file" "$name"; then
      cp "$WORK/$file" "$OUT/$file"
      log "run $name ok -> captures/$file"
      break
    fi
    attempt=$((attempt + 1))
    [ $attempt -le $MAX_ATTEMPTS ] || die "run $name failed $MAX_ATTEMPTS times (logs: --keep-work)"
  done
done

# ---------------------------------------------------------------- gzip copies
# gzip -n: no name/time in the header, so the bytes only depend on the input.
gzip -n -9 -c "$OUT/lo-ipv4.pcap" > "$OUT/lo-ipv4.pcap.gz"
gzip -n -9 -c "$OUT/veth-ipv6-nsec.pcap" > "$OUT/veth-ipv6-nsec-gzipped"          # no suffix at all
gzip -n -9 -c "$OUT/two-paths.pcapng" > "$OUT/two-paths-gzipped.pcapng"           # misleading suffix

chmod 644 "$OUT"/*.pcap "$OUT"/*.pcapng "$OUT"/*.gz "$OUT/veth-ipv6-nsec-gzipped" 2>/dev/null || true
node "$HERE/make-manifest.mjs" write
log "wrote captures/manifest.json"
