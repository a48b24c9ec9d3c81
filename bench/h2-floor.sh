#!/usr/bin/env bash
# The floor under an HTTP/2 proxy on Netty's codec: CPU per request of a bare Netty HTTP/2 server
# (bench NettyH2Floor: multiplex, frames or listener style) answering h2load's load of the
# side-by-side harness (1 thread, 8 connections x 32 streams), server on core 1, h2load on core 0.
#
#   bench/h2-floor.sh [--duration SECONDS] [--warmup SECONDS]
#
# Prints one line per style: req/s, CPU µs/request and the kernel's part of it. Loopback only;
# each server is stopped by its PID.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
duration=10
warmup=15
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration=$2; shift ;;
        --warmup) warmup=$2; shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
command -v h2load >/dev/null || { echo "needs h2load (apt-get install nghttp2-client)" >&2; exit 1; }
jar="$root/bench/target/benchmarks.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -o -DskipTests package -pl bench -am)
port=21401
tck=$(getconf CLK_TCK)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT

for style in listener frames multiplex; do
    taskset -c 1 java -XX:+UseParallelGC -Xms256m -Xmx256m -Dio.netty.leakDetection.level=disabled \
        -cp "$jar" dev.fulcrum.bench.NettyH2Floor "$style" "$port" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
    load() { taskset -c 0 timeout $(($1 + 30)) h2load -t1 -c8 -m32 -D"$1" "http://127.0.0.1:$port/"; }
    load "$warmup" >/dev/null 2>&1
    read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
    out=$(load "$duration" 2>&1)
    read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
    n=$(awk '/^requests:/ {print $8}' <<<"$out")
    awk -v s="$style" -v n="$n" -v d="$duration" -v u=$((u1 - u0)) -v k=$((s1 - s0)) -v t="$tck" 'BEGIN {
        printf "%-9s %8.0f req/s  %5.2f CPU µs/req  %5.2f of it kernel\n", s, n / d, (u + k) * 1e6 / t / n, k * 1e6 / t / n }'
    kill "$pid"; wait "$pid" 2>/dev/null || true
    pid=
    port=$((port + 1))
done
