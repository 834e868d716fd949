#!/usr/bin/env bash
# Makes the socket-table captures in captures/sockets/: real Linux sockets in
# two network namespaces, a capture of everything they sent, and `ss -tan` /
# `ss -tano` of both namespaces taken right after the capture stopped, so a
# test can check that closetrace's per-host socket table equals the kernel's.
#
#   sudo bash scripts/captures/make-sockets.sh [--run NAME]... [--keep-work]
#
# Runs are defined in sockets-runs.mjs. Each run builds its own namespaces
# (names "ctss<pid>c" = client, 192.0.2.1, and "ctss<pid>s" = server,
# 192.0.2.2, joined by a veth pair c0/s0), fixes the sysctls of both, starts
# tcpdump -i c0 in the client namespace with the capture filter, runs
# sockets-server.mjs / sockets-client.mjs, stops tcpdump, IMMEDIATELY runs
# ss -tan and ss -tano in both namespaces (the programs still hold their
# sockets), then kills the programs and deletes the namespaces (also on
# failure: trap). sockets-manifest.mjs then checks the run against its design
# (retried up to 3 times) and installs the capture (gzip -n -9 when > 1 MB),
# the ss files and the run's entry of captures/sockets/manifest.json.
#
# Requirements: root, Linux with network namespaces and veth, tcpdump, tshark
# (Wireshark 4.x), iproute2 ss, sysctl (procps), coreutils timeout, Node >= 20.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT="$REPO/captures/sockets"
TAG="ctss$$"
MAX_ATTEMPTS=3
KEEP_WORK=0
ONLY=()

die() { echo "make-sockets.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --run) [ $# -ge 2 ] || die "--run needs a run name"; ONLY+=("$2"); shift 2 ;;
    --keep-work) KEEP_WORK=1; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, packet capture): sudo bash scripts/captures/make-sockets.sh"
for c in ip ss tcpdump tshark node sysctl timeout date; do
  command -v "$c" >/dev/null 2>&1 || die "missing prerequisite: $c (apt-get install iproute2 tcpdump tshark procps coreutils; Node 20)"
done
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || die "Node >= 20 required (have $(node --version))"

WORK=$(mktemp -d "/tmp/${TAG}.XXXX")
CNS="${TAG}c"
SNS="${TAG}s"
NAMESPACES=()
PIDS=()

kill_programs() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && timeout 5 tail --pid="$p" -f /dev/null 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done
  PIDS=()
}
delete_namespaces() {
  local ns
  for ns in "${NAMESPACES[@]:-}"; do [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true; done
  NAMESPACES=()
}
cleanup() {
  local rc=$?
  set +e
  kill_programs
  delete_namespaces
  if [ "$KEEP_WORK" -eq 1 ]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # wait_for FILE PATTERN SECONDS
  local i=0 n=$(( $3 * 20 ))
  until grep -q "$2" "$1" 2>/dev/null; do
    i=$((i + 1)); [ $i -le $n ] || return 1
    sleep 0.05
  done
}

# sysctl lines "key=value" of a run's namespace role, from sockets-runs.mjs
sysctls_of() { # sysctls_of RUN ROLE
  node --input-type=module -e '
    import { runByName, sysctlsFor } from "'"$HERE"'/sockets-runs.mjs";
    for (const [k, v] of Object.entries(sysctlsFor(runByName(process.argv[1]), process.argv[2]))) console.log(`${k}=${v}`);' "$1" "$2"
}

mkns() { # mkns NAME RUN ROLE
  ip netns add "$1"
  NAMESPACES+=("$1")
  ip -n "$1" link set lo up
  local kv
  while IFS= read -r kv; do
    timeout 10 ip netns exec "$1" sysctl -q -w "$kv" >/dev/null || die "cannot set $kv in namespace $1"
  done < <(sysctls_of "$2" "$3")
}

setup() { # setup RUN
  mkns "$CNS" "$1" client
  mkns "$SNS" "$1" server
  ip -n "$CNS" link add c0 type veth peer name s0 netns "$SNS"
  ip -n "$CNS" link set c0 address 02:00:00:00:00:01
  ip -n "$SNS" link set s0 address 02:00:00:00:00:02
  ip -n "$CNS" addr add 192.0.2.1/24 dev c0
  ip -n "$SNS" addr add 192.0.2.2/24 dev s0
  ip -n "$CNS" link set c0 up
  ip -n "$SNS" link set s0 up
}

# ARP resolved and the link up both ways before the capture starts, so no
# captured SYN is ever retransmitted (a retransmitted SYN gives the connection
# the 3 s fallback RTO, and tcp_fin_time() = 3.5 x RTO would then outlive a
# short tcp_fin_timeout). TCP to port 9 (no listener: RST), outside the filter.
warm_up() {
  timeout 15 ip netns exec "$CNS" node -e '
    const net = require("node:net");
    let n = 0;
    const once = () => {
      const t0 = Date.now();
      const s = net.connect({ host: "192.0.2.2", port: 9 });
      s.setTimeout(300, () => s.destroy(new Error("timeout")));
      s.on("error", (e) => {
        if (e.code === "ECONNREFUSED" && Date.now() - t0 < 200) { if (++n === 3) process.exit(0); else once(); }
        else setTimeout(once, 100);
      });
      s.on("connect", () => { console.error("port 9 is open?"); process.exit(1); });
    };
    once();' || die "path client -> server does not work"
}

FILTER=$(node --input-type=module -e 'import { CAPTURE_FILTER } from "'"$HERE"'/sockets-runs.mjs"; console.log(CAPTURE_FILTER)')

snapshot_ss() { # snapshot_ss DIR: both namespaces, -tan then -tano, timed
  local dir=$1 role ns
  date +%s.%N > "$dir/ss-start.txt"
  for role in client server; do
    if [ "$role" = client ]; then ns=$CNS; else ns=$SNS; fi
    timeout 10 ip netns exec "$ns" ss -tan > "$dir/$role.ss-tan.txt"
    timeout 10 ip netns exec "$ns" ss -tano > "$dir/$role.ss-tano.txt"
  done
  date +%s.%N > "$dir/ss-end.txt"
}

do_run() { # do_run RUN ATTEMPT -> $WORK/RUN.ATTEMPT; RUN_OK=0 on a soft failure
  local name=$1 dir="$WORK/$1.$2" port cap role ns
  RUN_OK=1
  mkdir -p "$dir"
  chmod 777 "$dir" # tcpdump may drop privileges to write
  port=$(node --input-type=module -e 'import { runByName } from "'"$HERE"'/sockets-runs.mjs"; console.log(runByName(process.argv[1]).serverPort)' "$name")
  setup "$name"
  # what the kernel really has, for the manifest (read back, not what we meant to set)
  for role in client server; do
    if [ "$role" = client ]; then ns=$CNS; else ns=$SNS; fi
    sysctls_of "$name" "$role" | cut -d= -f1 | xargs timeout 10 ip netns exec "$ns" sysctl > "$dir/$role.sysctl.txt"
  done
  warm_up
  : > "$dir/capture.err"
  timeout -s INT 120 ip netns exec "$CNS" tcpdump -n -U --immediate-mode -s 65549 -B 65536 -i c0 -w "$dir/capture.pcap" "$FILTER" 2>"$dir/capture.err" &
  cap=$!
  PIDS+=("$cap")
  wait_for "$dir/capture.err" 'listening on' 15 || { cat "$dir/capture.err" >&2; die "tcpdump did not start"; }
  sleep 0.3
  timeout 100 ip netns exec "$SNS" node "$HERE/sockets-server.mjs" --host 192.0.2.2 --port "$port" >"$dir/server.log" 2>&1 &
  PIDS+=("$!")
  wait_for "$dir/server.log" READY 15 || { cat "$dir/server.log" >&2; die "server did not start"; }
  timeout 100 ip netns exec "$CNS" node "$HERE/sockets-client.mjs" --run "$name" --target 192.0.2.2 --port "$port" \
    --result "$dir/client-result.json" >"$dir/client.log" 2>&1 &
  PIDS+=("$!")
  wait_for "$dir/client.log" ' DONE' 60 || { log "client did not finish in time"; RUN_OK=0; }
  sleep 0.3 # the last ACKs (and tcpdump, in immediate mode, has written them)
  # stop the capture, then IMMEDIATELY look at the socket tables (the programs still hold their sockets)
  kill -INT "$cap" 2>/dev/null || true
  timeout 10 tail --pid="$cap" -f /dev/null || { kill -KILL "$cap" 2>/dev/null || true; log "tcpdump did not stop"; RUN_OK=0; }
  snapshot_ss "$dir"
  cp "$dir/capture.err" "$dir/tcpdump.txt"
  kill_programs
  delete_namespaces
  if grep -q 'FAILED\|hard timeout' "$dir/client.log" "$dir/server.log"; then
    log "a socket program reported a failure:"; grep 'FAILED\|hard timeout' "$dir/client.log" "$dir/server.log" >&2 || true
    RUN_OK=0
  fi
  # every packet the filter accepted must be in the file (none left in the kernel's ring at SIGINT)
  local got seen
  got=$(sed -n 's/^\([0-9]*\) packets captured$/\1/p' "$dir/capture.err")
  seen=$(sed -n 's/^\([0-9]*\) packets received by filter$/\1/p' "$dir/capture.err")
  if [ -z "$got" ] || [ "$got" != "$seen" ] || ! grep -q '^0 packets dropped by kernel' "$dir/capture.err"; then
    log "tcpdump lost packets: $(tr '\n' ' ' < "$dir/capture.err")"; RUN_OK=0
  fi
}

mapfile -t RUN_NAMES < <(node --input-type=module -e 'import { RUNS } from "'"$HERE"'/sockets-runs.mjs"; for (const r of RUNS) console.log(r.name)')
for n in "${ONLY[@]:-}"; do
  [ -z "$n" ] || printf '%s\n' "${RUN_NAMES[@]}" | grep -qx "$n" || die "unknown run $n (runs: ${RUN_NAMES[*]})"
done

mkdir -p "$OUT"
for name in "${RUN_NAMES[@]}"; do
  if [ ${#ONLY[@]} -gt 0 ] && ! printf '%s\n' "${ONLY[@]}" | grep -qx "$name"; then continue; fi
  attempt=1
  while :; do
    log "run $name (attempt $attempt)"
    do_run "$name" "$attempt"
    if [ "$RUN_OK" -eq 1 ] && node "$HERE/sockets-manifest.mjs" install "$name" "$WORK/$name.$attempt"; then
      log "run $name ok"
      break
    fi
    attempt=$((attempt + 1))
    [ $attempt -le $MAX_ATTEMPTS ] || die "run $name failed $MAX_ATTEMPTS times (keep the logs with --keep-work)"
  done
done
log "captures/sockets/manifest.json up to date"
