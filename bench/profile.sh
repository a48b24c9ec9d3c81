#!/usr/bin/env bash
# Where Fulcrum's CPU goes, for one case of the side-by-side harness: a CPU profile of the
# balancer (async-profiler, Java and native frames, kernel frames where perf events are allowed)
# while wrk or openssl drive it, with the same pinning as bench/side-by-side.sh.
#
#   bench/profile.sh [keepalive|close|big|tlska|handshake|handshake_ec|h2c|h2c_h2|h2tls]
#                    [--duration SECONDS] [--warmup SECONDS] [--no-install]
#
# h2c, h2c_h2 and h2tls are h2load's HTTP/2 load (8 connections x 32 streams): h2c to the
# HTTP/1.1 servers, h2c to h2c servers, h2 over TLS to the HTTP/1.1 servers.
#
# Writes bench/results/profile-CASE.html (a flame graph) and profile-CASE.txt (the hottest
# frames by self time and the hottest Fulcrum/Netty methods by total time).
# async-profiler comes from Maven Central (tools.profiler:async-profiler) into the local Maven
# repository; nothing is installed system-wide. Loopback only; processes stopped by PID.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case_=keepalive
duration=20
warmup=30   # handshakes are few per second: the JIT needs a while to finish with their paths
install=1
while [ $# -gt 0 ]; do
    case "$1" in
        keepalive|close|big|tlska|handshake|handshake_ec|h2c|h2c_h2|h2tls) case_=$1 ;;
        --duration) duration=$2; shift ;;
        --warmup) warmup=$2; shift ;;
        --no-install) install=0 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

LB_CORE=1 GEN_CORE=0 CONNS=64
P_BE1=21301 P_BE2=21302 P_BIG1=21311 P_BIG2=21312 P_HTTP=21321 P_HTTPS=21322 P_HTTPS_EC=21323 P_ADMIN=21329
P_BE_H2_1=21303 P_BE_H2_2=21304 P_H2C=21324 P_H2C_H2=21325 P_H2TLS=21326
AP_VERSION=4.1

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
# Fulcrum's JVM: the options ./fulcrum ships (jvm.options) and a fixed heap, so that no run
# resizes it. Override with FULCRUM_BENCH_JVM.
JVM_FLAGS=${FULCRUM_BENCH_JVM:-$(shipped_jvm_options "$root") -Xms512m -Xmx512m}
need_tools "$install"
ports_free $P_BE1 $P_BE2 $P_BIG1 $P_BIG2 $P_HTTP $P_HTTPS $P_HTTPS_EC $P_ADMIN $P_BE_H2_1 $P_BE_H2_2 $P_H2C $P_H2C_H2 $P_H2TLS
build "$root"
jar="$root/appliance/target/fulcrum.jar"

echo "fetching async-profiler $AP_VERSION from Maven Central..." >&2
(cd "$work" && mvn -B -q dependency:copy -Dartifact="tools.profiler:async-profiler:$AP_VERSION" \
    -DoutputDirectory="$work") >"$work/fetch.log" 2>&1 || { cat "$work/fetch.log" >&2; exit 1; }
arch=$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
(cd "$work" && unzip -q -o "async-profiler-$AP_VERSION.jar" "linux-$arch/libasyncProfiler.so")
agent="$work/linux-$arch/libasyncProfiler.so"
# perf events where the kernel allows them (kernel frames too with perf_event_paranoid <= 1),
# otherwise the profiler falls back to a timer by itself.
event=${PROFILE_EVENT:-cpu}

make_certs
head -c 65536 /dev/zero | tr '\0' 'x' >"$work/64k.bin"
cat >"$work/backends.cfg" <<EOF
global
    nbthread 1
    maxconn 4000
    tune.bufsize 98304
defaults
    mode http
    timeout connect 5s
    timeout client 5m
    timeout server 5m
    timeout http-keep-alive 5m
frontend small
    bind 127.0.0.1:$P_BE1
    bind 127.0.0.1:$P_BE2
    http-request return status 200 content-type text/plain string "hello from the backend"
frontend big
    bind 127.0.0.1:$P_BIG1
    bind 127.0.0.1:$P_BIG2
    http-request return status 200 content-type application/octet-stream file $work/64k.bin
frontend small-h2
    bind 127.0.0.1:$P_BE_H2_1 proto h2
    bind 127.0.0.1:$P_BE_H2_2 proto h2
    http-request return status 200 content-type text/plain string "hello from the backend"
EOF
cat >"$work/fulcrum.yaml" <<EOF
workers: 1
admin: {bind: "127.0.0.1:$P_ADMIN"}
certificates:
  - {name: bench, cert: $work/tls.crt, key: $work/tls.key}
  - {name: bench-ec, cert: $work/ec.crt, key: $work/ec.key}
listeners:
  - name: http
    bind: "127.0.0.1:$P_HTTP"
    protocol: http
    timeouts: {client_idle: 5m}
    routes:
      - {name: big, match: {path_prefix: /big}, pool: big}
      - {name: small, pool: small}
$(https_listener https $P_HTTPS bench)
$(https_listener https-ec $P_HTTPS_EC bench-ec)
  - name: h2c
    bind: "127.0.0.1:$P_H2C"
    protocol: http
    timeouts: {client_idle: 5m}
    routes:
      - {name: small, pool: small-h1}
  - name: h2c-h2
    bind: "127.0.0.1:$P_H2C_H2"
    protocol: http
    timeouts: {client_idle: 5m}
    routes:
      - {name: small-h2, pool: small-h2}
$(https_listener h2tls $P_H2TLS bench small-h1)
pools:
$(h2_http1_pool $P_BE1 $P_BE2)
  small-h2:
    protocol: http2
    servers:
      - {name: h1, address: "127.0.0.1:$P_BE_H2_1"}
      - {name: h2, address: "127.0.0.1:$P_BE_H2_2"}
  small:
    servers:
      - {name: s1, address: "127.0.0.1:$P_BE1"}
      - {name: s2, address: "127.0.0.1:$P_BE2"}
  big:
    servers:
      - {name: b1, address: "127.0.0.1:$P_BIG1"}
      - {name: b2, address: "127.0.0.1:$P_BIG2"}
EOF

ulimit -n 8192 2>/dev/null || true
start backends $GEN_CORE haproxy -db -f "$work/backends.cfg"
# shellcheck disable=SC2086
start fulcrum $LB_CORE java $JVM_FLAGS -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints \
    -agentpath:"$agent" -jar "$jar" run --config "$work/fulcrum.yaml"
for port in $P_BE1 $P_BE2 $P_BIG1 $P_BIG2 $P_ADMIN $P_HTTP $P_HTTPS $P_HTTPS_EC $P_BE_H2_1 $P_BE_H2_2 $P_H2C $P_H2C_H2 $P_H2TLS; do
    wait_port "$port"
done

gen() { taskset -c $GEN_CORE timeout $((duration + warmup + 30)) "$@"; }
load() {  # load SECONDS
    case "$case_" in
        keepalive) gen wrk -t1 -c$CONNS -d"$1s" "http://127.0.0.1:$P_HTTP/" ;;
        close) gen wrk -t1 -c$CONNS -d"$1s" -H 'Connection: close' "http://127.0.0.1:$P_HTTP/" ;;
        big) gen wrk -t1 -c16 -d"$1s" "http://127.0.0.1:$P_HTTP/big" ;;
        tlska) gen wrk -t1 -c$CONNS -d"$1s" "https://127.0.0.1:$P_HTTPS/" ;;
        handshake) handshake_clients 4 $P_HTTPS "$1" "$work/clients.out" ;;
        handshake_ec) handshake_clients 4 $P_HTTPS_EC "$1" "$work/clients.out" ;;
        h2c) gen h2load -t1 -c8 -m32 -D"$1" "http://127.0.0.1:$P_H2C/" ;;
        h2c_h2) gen h2load -t1 -c8 -m32 -D"$1" "http://127.0.0.1:$P_H2C_H2/" ;;
        h2tls) gen h2load -t1 -c8 -m32 -D"$1" "https://127.0.0.1:$P_H2TLS/" ;;
    esac
}

echo "warming up ($case_)..." >&2
load "$warmup" >/dev/null
out="$root/bench/results/profile-$case_"
# The agent was loaded at start; jcmd hands it commands in the running JVM (quoted: jcmd's own
# parser would split the options at '=').
jcmd "$pid_fulcrum" JVMTI.agent_load "$agent" "\"start,event=$event,interval=200us\"" >/dev/null
echo "profiling $duration s ($event)..." >&2
load "$duration" | tee "$work/load.out" >&2
jcmd "$pid_fulcrum" JVMTI.agent_load "$agent" "\"dump,file=$work/profile.collapsed,collapsed\"" >/dev/null
jcmd "$pid_fulcrum" JVMTI.agent_load "$agent" "\"stop,file=$out.html,flamegraph\"" >/dev/null

# Native libraries are named without the directory the JVM unpacked them to (a temporary one).
sed -E -i 's#/[^;]*/(lib[^/;]*\.so)#\1#g' "$work/profile.collapsed"
# The summary: samples by self frame, then by Fulcrum/Netty frame anywhere in the stack.
awk '{ n = $NF; $NF = ""; sub(/ $/, ""); k = split($0, f, ";"); self[f[k]] += n; total += n
       delete seen; for (i = 1; i <= k; i++) if (!(f[i] in seen)) { seen[f[i]] = 1; incl[f[i]] += n } }
     END {
       printf "samples: %d\n\nself time, top 40:\n", total
       for (s in self) printf "%6.2f%%  %s\n", self[s] * 100 / total, s | "sort -rn | head -40"
       close("sort -rn | head -40")
       printf "\ntotal time of dev.fulcrum and io.netty frames, top 60:\n"
       for (s in incl) if (s ~ /^(dev[.\/]fulcrum|io[.\/]netty)/) printf "%6.2f%%  %s\n", incl[s] * 100 / total, s | "sort -rn | head -60"
     }' "$work/profile.collapsed" >"$out.txt"
cp "$work/profile.collapsed" "$out.collapsed"
echo "wrote $out.txt, $out.collapsed" >&2
head -45 "$out.txt"
