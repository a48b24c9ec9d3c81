#!/usr/bin/env bash
# Memory per idle connection, HTTP/1.1 keep-alive and HTTP/2, Fulcrum against HAProxy.
#
#   bench/memory.sh [--connections N] [--no-install]
#
# Each balancer (one worker thread, pinned to core 1) proxies to a small HTTP/1.1 backend (core
# 0). A bounded test client (IdleConnections, core 0) opens N connections (10,000 by default),
# sends one request on each and keeps them idle: first HTTP/1.1 keep-alive connections, then, on
# freshly started balancers, HTTP/2 ones (h2c with prior knowledge). Before and after: the
# process's RSS (VmRSS) and, for Fulcrum, heap used after a full GC and Netty's allocator memory
# (both from its admin /metrics). Reported as bytes per connection, one table per protocol;
# written to bench/results/memory-latest.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
connections=10000
install=1
while [ $# -gt 0 ]; do
    case "$1" in
        --connections) connections=$2; shift ;;
        --no-install) install=0 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

LB_CORE=1
GEN_CORE=0
HOLD=180   # seconds the client keeps its connections at most (it is stopped as soon as measured)
P_BE=21301 P_F_HTTP=21311 P_F_H2C=21312 P_F_ADMIN=21319 P_H_HTTP=21321 P_H_H2C=21322

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
# Fulcrum's JVM: the options ./fulcrum ships (jvm.options) and a fixed heap, so that no run
# resizes it. Override with FULCRUM_BENCH_JVM.
JVM_FLAGS=${FULCRUM_BENCH_JVM:-$(shipped_jvm_options "$root") -Xms512m -Xmx512m}
need_tools "$install"
ports_free $P_BE $P_F_HTTP $P_F_H2C $P_F_ADMIN $P_H_HTTP $P_H_H2C
build "$root" bench
jar="$root/appliance/target/fulcrum.jar"
client_jar="$root/bench/target/benchmarks.jar"
# Every process here holds up to N sockets: raise the soft limit as far as the hard one allows.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=$((connections * 3 + 1024))
ulimit -n "$hard"
[ "$hard" -ge $((connections + 512)) ] || { echo "ulimit -Hn is $hard: too low for $connections connections" >&2; exit 1; }
# HAProxy refuses a maxconn whose two sockets per connection exceed the limit: it may get fewer.
h_connections=$(( connections * 2 + 256 <= hard ? connections : (hard - 256) / 2 ))

cat >"$work/backend.cfg" <<EOF
global
    nbthread 1
    maxconn 1000
defaults
    mode http
    timeout connect 5s
    timeout client 5m
    timeout server 5m
frontend small
    bind 127.0.0.1:$P_BE
    http-request return status 200 content-type text/plain string "hello from the backend"
EOF
# Idle client connections are kept 5 minutes by both (Fulcrum's default client_idle is 1m).
# HTTP/2 clients get a listener of their own (h2c with prior knowledge, on by default on an
# http listener), as HAProxy's h2c frontend (proto h2) is one of its own.
cat >"$work/fulcrum.yaml" <<EOF
workers: 1
admin: {bind: "127.0.0.1:$P_F_ADMIN"}
listeners:
  - name: http
    bind: "127.0.0.1:$P_F_HTTP"
    protocol: http
    timeouts: {client_idle: 5m}
    routes: [{name: small, pool: small}]
  - name: h2c
    bind: "127.0.0.1:$P_F_H2C"
    protocol: http
    timeouts: {client_idle: 5m}
    routes: [{name: small, pool: small}]
pools:
  small:
    servers: [{name: s1, address: "127.0.0.1:$P_BE"}]
EOF
cat >"$work/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn $h_connections
defaults
    mode http
    option http-keep-alive
    option forwardfor
    timeout connect 5s
    timeout client 5m
    timeout server 5m
    timeout http-keep-alive 5m
frontend http
    bind 127.0.0.1:$P_H_HTTP
    default_backend small
frontend h2c
    bind 127.0.0.1:$P_H_H2C proto h2
    default_backend small
backend small
    server s1 127.0.0.1:$P_BE
EOF

start backend $GEN_CORE haproxy -db -f "$work/backend.cfg"
wait_port $P_BE
# start_balancers: Fulcrum and HAProxy, started afresh; stop_balancers: both stopped (by PID).
start_balancers() {
    # shellcheck disable=SC2086
    start fulcrum $LB_CORE java $JVM_FLAGS -jar "$jar" run --config "$work/fulcrum.yaml"
    start haproxy $LB_CORE haproxy -db -f "$work/haproxy.cfg"
    for port in $P_F_HTTP $P_F_H2C $P_F_ADMIN $P_H_HTTP $P_H_H2C; do wait_port "$port"; done
}
stop_balancers() {
    # shellcheck disable=SC2154
    stop "$pid_fulcrum"
    stop "$pid_haproxy"
    local kept=() pid
    for pid in "${pids[@]}"; do [ "$pid" = "$pid_fulcrum" ] || [ "$pid" = "$pid_haproxy" ] || kept+=("$pid"); done
    pids=("${kept[@]}")
    for _ in $(seq 100); do port_open $P_F_HTTP || port_open $P_H_HTTP || break; sleep 0.1; done
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# metric NAME FILTER: the sum of a metric's samples whose labels contain FILTER
metric() {
    curl -s --max-time 5 "http://127.0.0.1:$P_F_ADMIN/metrics" \
        | awk -v n="$1" -v f="$2" 'index($0, n "{") == 1 && index($0, f) { s += $NF } END { printf "%.0f\n", s }'
}
full_gc() { timeout 30 jcmd "$1" GC.run >/dev/null; sleep 1; }

# measure SYSTEM PID PORT N [--h2c]: prints one markdown row
measure() {
    local system=$1 pid=$2 port=$3 n=$4 mode=${5:-} rss0 rss1 heap0=0 heap1=0 direct0=0 direct1=0 client
    # Warm up (the JVM's eden touched, its paths compiled; HAProxy's pools filled), then settle.
    if [ "$mode" = --h2c ]; then
        taskset -c $GEN_CORE timeout 30 h2load -t1 -c64 -m8 -D5 "http://127.0.0.1:$port/" >"$work/warm.out"
        grep -q '^requests: .*, 0 failed, 0 errored, 0 timeout' "$work/warm.out" \
            || { echo "h2load's warm-up of $system failed:" >&2; cat "$work/warm.out" >&2; exit 1; }
    else
        taskset -c $GEN_CORE timeout 30 wrk -t1 -c64 -d5s "http://127.0.0.1:$port/" >/dev/null
    fi
    if [ "$system" = Fulcrum ]; then
        full_gc "$pid"
        heap0=$(metric jvm_memory_used_bytes 'area="heap"')
        direct0=$(metric fulcrum_netty_allocator_memory_used_bytes 'type="direct"')
    fi
    sleep 1
    rss0=$(rss_kib "$pid")
    # shellcheck disable=SC2086
    taskset -c $GEN_CORE timeout $((HOLD + 30)) java -cp "$client_jar" dev.fulcrum.bench.IdleConnections \
        $mode 127.0.0.1 "$port" "$n" "$HOLD" >"$work/client.log" 2>&1 &
    client=$!
    pids+=("$client")
    for _ in $(seq $((HOLD * 10))); do
        grep -q '^READY' "$work/client.log" && break
        kill -0 "$client" 2>/dev/null || { cat "$work/client.log" >&2; exit 1; }
        sleep 0.1
    done
    grep -q '^READY' "$work/client.log" || { echo "the client did not open its connections" >&2; exit 1; }
    sleep 2
    if [ "$system" = Fulcrum ]; then
        full_gc "$pid"
        heap1=$(metric jvm_memory_used_bytes 'area="heap"')
        direct1=$(metric fulcrum_netty_allocator_memory_used_bytes 'type="direct"')
    fi
    rss1=$(rss_kib "$pid")
    stop "$client"
    local kept=() p
    for p in "${pids[@]}"; do [ "$p" = "$client" ] || kept+=("$p"); done
    pids=("${kept[@]}")
    awk -v s="$system" -v n="$n" -v r0="$rss0" -v r1="$rss1" -v h0="$heap0" -v h1="$heap1" \
        -v d0="$direct0" -v d1="$direct1" 'BEGIN {
        printf "| %s | %d | %.1f | %.1f | %.0f |", s, n, r0 / 1024, r1 / 1024, (r1 - r0) * 1024 / n
        if (s == "Fulcrum") printf " %.1f | %.1f | %.0f | %.0f |\n", h0 / 1048576, h1 / 1048576, (h1 - h0) / n, (d1 - d0) / n
        else printf " - | - | - | - |\n"
    }'
}

head_row() {
    echo "| system | connections | RSS before (MiB) | RSS after (MiB) | RSS bytes/conn | heap before (MiB) | heap after (MiB) | heap bytes/conn | Netty direct bytes/conn |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
}
table="$work/memory.md"
{
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc --all) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(uname -sr)."
    echo "Command: \`bench/memory.sh$([ "$connections" != 10000 ] && echo " --connections $connections")\`: $connections idle HTTP/1.1 keep-alive connections (one request each), then as many idle HTTP/2 ones (h2c with prior knowledge, one stream each), on balancers started afresh."
    echo "$(haproxy -v | head -1 | cut -d' ' -f1-3) (nbthread 1); Fulcrum (workers: 1) on $(java -version 2>&1 | head -1), \`$JVM_FLAGS\`."
    echo
    echo "HTTP/1.1 keep-alive:"
    echo
    start_balancers
    head_row
    measure HAProxy "$pid_haproxy" $P_H_HTTP "$h_connections"
    measure Fulcrum "$pid_fulcrum" $P_F_HTTP "$connections"
    stop_balancers
    echo
    echo "HTTP/2, h2c with prior knowledge (the client's preface, an empty SETTINGS, one HEADERS; the server's SETTINGS acknowledged; then idle):"
    echo
    start_balancers
    head_row
    measure HAProxy "$pid_haproxy" $P_H_H2C "$h_connections" --h2c
    measure Fulcrum "$pid_fulcrum" $P_F_H2C "$connections" --h2c
    stop_balancers
    echo
    [ "$h_connections" = "$connections" ] || echo "HAProxy held $h_connections (in both tables): with \`ulimit -Hn\` $hard it refuses a larger maxconn (it reserves two sockets per connection)."
    echo "Warm-up before each figure: 5 s of wrk (HTTP/1.1) or of h2load (64 connections x 8 streams, h2c), then a full GC for Fulcrum."
    echo "Heap is \`jvm_memory_used_bytes{area=\"heap\"}\` after a full GC (jcmd GC.run), so live objects only; Netty direct is \`fulcrum_netty_allocator_memory_used_bytes{type=\"direct\"}\`, which RSS includes."
} >"$table"
mkdir -p "$root/bench/results"
cp "$table" "$root/bench/results/memory-latest.md"
echo
cat "$table"
