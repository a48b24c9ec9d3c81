#!/usr/bin/env bash
# Fulcrum against HAProxy on the same machine, in the same run, with the same resources.
#
#   bench/side-by-side.sh [--quick] [--rounds N] [--duration SECONDS] [--settle SECONDS]
#                         [--cases A,B,...] [--no-install]
#
# Each balancer gets one worker thread and its own core (core 1, taskset); the load generators
# and the backends share the other core (core 0). Cases: HTTP/1.1 keep-alive, a new connection
# per request, 64 KiB responses, L4 TCP bulk (iperf3), TLS full handshakes (RSA-2048 and ECDSA
# P-256 certificates), TLS keep-alive, and HTTP/2 with h2load (8 connections x 32 streams): h2c
# with prior knowledge to the HTTP/1.1 servers, h2c to h2c servers, and h2 over TLS (ALPN) to the
# HTTP/1.1 servers.
# Systems run alternately (the order swaps each round), medians are reported with the range.
# Besides throughput, each balancer's CPU time per request (utime+stime of its whole process,
# from /proc) is reported: on two cores the load generator often saturates before a balancer.
#
# Before each balancer's run, --settle seconds (3) of the same load go unrecorded.
# --cases runs some of keepalive, close, big, tcp, handshake, handshake_ec, tlska, h2c, h2c_h2,
# h2tls (default: all).
# Prints one markdown table and writes it to bench/results/side-by-side-latest.md.
# Loopback only; every process started here is stopped by its PID on exit, failure or Ctrl-C.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
args="$*"
rounds=3
cases=(keepalive close big tcp handshake handshake_ec tlska h2c h2c_h2 h2tls)
duration=8
settle=3      # seconds of unrecorded load before each balancer's run
install=1
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) rounds=1; duration=4; settle=2 ;;
        --rounds) rounds=$2; shift ;;
        --duration) duration=$2; shift ;;
        --settle) settle=$2; shift ;;
        --cases) IFS=, read -r -a cases <<<"$2"; shift ;;
        --no-install) install=0 ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# --- resources -----------------------------------------------------------------------------
LB_CORE=1          # the balancer under test, alone
GEN_CORE=0         # load generators and backends
CONNS=64           # concurrent connections for the request cases
BIG_CONNS=16       # for 64 KiB responses
TLS_CLIENTS=4      # parallel `openssl s_time -new` clients
H2_CONNS=8         # h2load connections for the HTTP/2 cases...
H2_STREAMS=32      # ...and concurrent streams on each
# Ports, all on 127.0.0.1, below the ephemeral range.
P_BE1=21001 P_BE2=21002 P_BIG1=21011 P_BIG2=21012 P_IPERF=21003 P_BE_H2_1=21021 P_BE_H2_2=21022
P_F_HTTP=21101 P_F_HTTPS=21102 P_F_TCP=21103 P_F_HTTPS_EC=21104 P_F_ADMIN=21109
P_F_H2C=21105 P_F_H2C_H2=21106 P_F_H2TLS=21107
P_H_HTTP=21201 P_H_HTTPS=21202 P_H_TCP=21203 P_H_HTTPS_EC=21204 P_H_STATS=21209
P_H_H2C=21205 P_H_H2C_H2=21206 P_H_H2TLS=21207

[ "$(nproc --all)" -ge 2 ] || { echo "needs at least 2 cores" >&2; exit 1; }

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
# Fulcrum's JVM: the options ./fulcrum ships (jvm.options) and a fixed heap, so that no run
# resizes it. Override with FULCRUM_BENCH_JVM.
JVM_FLAGS=${FULCRUM_BENCH_JVM:-$(shipped_jvm_options "$root") -Xms512m -Xmx512m}
need_tools "$install"
all_ports="$P_BE1 $P_BE2 $P_BIG1 $P_BIG2 $P_IPERF $P_BE_H2_1 $P_BE_H2_2
    $P_F_HTTP $P_F_HTTPS $P_F_TCP $P_F_HTTPS_EC $P_F_ADMIN $P_F_H2C $P_F_H2C_H2 $P_F_H2TLS
    $P_H_HTTP $P_H_HTTPS $P_H_TCP $P_H_HTTPS_EC $P_H_STATS $P_H_H2C $P_H_H2C_H2 $P_H_H2TLS"
# shellcheck disable=SC2086
ports_free $all_ports
build "$root"
jar="$root/appliance/target/fulcrum.jar"

# --- configuration ---------------------------------------------------------------------------
make_certs
head -c 65536 /dev/zero | tr '\0' 'x' >"$work/64k.bin"

# Backends: one HAProxy process, one thread, answering from memory (http-request return) on
# six ports: two small-response servers, two 64 KiB servers and two small-response h2c servers
# (HTTP/2 with prior knowledge). Nothing is cheaper per request to run beside the load
# generator, and it is already installed for the comparison.
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
admin: {bind: "127.0.0.1:$P_F_ADMIN"}
certificates:
  - {name: bench, cert: $work/tls.crt, key: $work/tls.key}
  - {name: bench-ec, cert: $work/ec.crt, key: $work/ec.key}
listeners:
  - name: http
    bind: "127.0.0.1:$P_F_HTTP"
    protocol: http
    timeouts: {client_idle: 5m}
    routes:
      - {name: big, match: {path_prefix: /big}, pool: big}
      - {name: small, pool: small}
$(https_listener https $P_F_HTTPS bench)
$(https_listener https-ec $P_F_HTTPS_EC bench-ec)
  - name: tcp
    bind: "127.0.0.1:$P_F_TCP"
    protocol: tcp
    pool: iperf
  # HTTP/2 (on by default on http and https listeners), a listener per case: h2c with prior
  # knowledge to the HTTP/1.1 pool, h2c to the h2c pool, h2 by ALPN to the HTTP/1.1 pool.
  - name: h2c
    bind: "127.0.0.1:$P_F_H2C"
    protocol: http
    timeouts: {client_idle: 5m}
    routes:
      - {name: small, pool: small-h1}
  - name: h2c-h2
    bind: "127.0.0.1:$P_F_H2C_H2"
    protocol: http
    timeouts: {client_idle: 5m}
    routes:
      - {name: small-h2, pool: small-h2}
$(https_listener h2tls $P_F_H2TLS bench small-h1)
pools:
$(h2_http1_pool $P_BE1 $P_BE2)
  small:
    servers:
      - {name: s1, address: "127.0.0.1:$P_BE1"}
      - {name: s2, address: "127.0.0.1:$P_BE2"}
  small-h2:
    protocol: http2
    servers:
      - {name: h1, address: "127.0.0.1:$P_BE_H2_1"}
      - {name: h2, address: "127.0.0.1:$P_BE_H2_2"}
  big:
    servers:
      - {name: b1, address: "127.0.0.1:$P_BIG1"}
      - {name: b2, address: "127.0.0.1:$P_BIG2"}
  iperf:
    servers:
      - {name: i1, address: "127.0.0.1:$P_IPERF"}
EOF

# The same proxying for HAProxy: round robin over the same servers, X-Forwarded-For added as
# Fulcrum adds it, keep-alive to the backends, splice for TCP as Fulcrum splices by default.
# HTTP/2 as Fulcrum has it: frontends that speak h2c (proto h2), one that offers h2 and
# http/1.1 by ALPN, and a backend that speaks h2c to its servers (proto h2).
cat >"$work/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn 2000
    stats socket ipv4@127.0.0.1:$P_H_STATS level admin
    ssl-default-bind-options ssl-min-ver TLSv1.2
defaults
    mode http
    option http-keep-alive
    timeout connect 5s
    timeout client 5m
    timeout server 5m
    timeout http-keep-alive 5m
frontend http
    bind 127.0.0.1:$P_H_HTTP
    use_backend big if { path_beg /big }
    default_backend small
frontend https
    bind 127.0.0.1:$P_H_HTTPS ssl crt $work/tls.pem
    default_backend small
frontend https-ec
    bind 127.0.0.1:$P_H_HTTPS_EC ssl crt $work/ec.pem
    default_backend small
frontend h2c
    bind 127.0.0.1:$P_H_H2C proto h2
    default_backend small
frontend h2c-h2
    bind 127.0.0.1:$P_H_H2C_H2 proto h2
    default_backend small-h2
frontend h2tls
    bind 127.0.0.1:$P_H_H2TLS ssl crt $work/tls.pem alpn h2,http/1.1
    default_backend small
backend small
    option forwardfor
    balance roundrobin
    server s1 127.0.0.1:$P_BE1
    server s2 127.0.0.1:$P_BE2
backend small-h2
    option forwardfor
    balance roundrobin
    server h1 127.0.0.1:$P_BE_H2_1 proto h2
    server h2 127.0.0.1:$P_BE_H2_2 proto h2
backend big
    option forwardfor
    balance roundrobin
    server b1 127.0.0.1:$P_BIG1
    server b2 127.0.0.1:$P_BIG2
frontend tcp
    mode tcp
    option splice-auto
    bind 127.0.0.1:$P_H_TCP
    default_backend iperf
backend iperf
    mode tcp
    option splice-auto
    server i1 127.0.0.1:$P_IPERF
EOF

# --- start -----------------------------------------------------------------------------------
ulimit -n 8192 2>/dev/null || true
start backends $GEN_CORE haproxy -db -f "$work/backends.cfg"
start iperf $GEN_CORE iperf3 -s -B 127.0.0.1 -p $P_IPERF
# shellcheck disable=SC2086
start fulcrum $LB_CORE java $JVM_FLAGS -jar "$jar" run --config "$work/fulcrum.yaml"
start haproxy $LB_CORE haproxy -db -f "$work/haproxy.cfg"
for port in $all_ports; do
    [ "$port" = $P_H_STATS ] || wait_port "$port"
done
# shellcheck disable=SC2154
echo "backends pid $pid_backends, iperf3 $pid_iperf, fulcrum $pid_fulcrum, haproxy $pid_haproxy" >&2

# --- measuring -------------------------------------------------------------------------------
tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sys_ticks() { awk '{print $15}' "/proc/$1/stat"; }   # the part of it spent in the kernel
# busy ticks of a core (everything but idle and iowait)
core_busy() { awk -v c="cpu$1" '$1 == c {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
gen() { taskset -c $GEN_CORE timeout $((duration + 30)) "$@"; }

results="$work/results.tsv"   # round case system metric value
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$1" "$2" "$3" "$4" >>"$results"; }

# wrk's figures: requests/s, p99 in ms, errors
wrk_rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
wrk_p99_ms() {
    awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        f = (u == "us") ? 0.001 : (u == "s") ? 1000 : 1; printf "%.3f\n", v * f }' "$1"
}
wrk_errors() {
    awk '/Socket errors/ { gsub(/,/, ""); e += $4 + $6 + $8 + $10 } /Non-2xx/ { e += $NF } END { print e + 0 }' "$1"
}
# h2load's: requests/s ("finished in 8.00s, 12345.67 req/s, ..."), the mean time for a request in
# ms (h2load 1.52 gives no percentiles), errors (failed, which counts errored streams and 4xx/5xx
# answers, plus timed out) and answers other than 2xx (3xx count as succeeded for h2load).
h2_rps() { awk '/^finished in/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^req\/s/) print $i }' "$1"; }
h2_mean_ms() {
    awk '/^time for request:/ { v = $6; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        f = (u == "us") ? 0.001 : (u == "s") ? 1000 : 1; printf "%.3f\n", v * f }' "$1"
}
h2_errors() {
    awk '/^requests:/ { for (i = 2; i < NF; i++) if ($(i + 1) ~ /^(failed|timeout)/) e += $i } END { print e + 0 }' "$1"
}
h2_non2xx() {
    awk '/^status codes:/ { for (i = 3; i < NF; i++) if ($(i + 1) ~ /^[345]xx/) e += $i } END { print e + 0 }' "$1"
}
# tls_counters SYSTEM FRONTEND: "FULL RESUMED FAILED" handshakes of that frontend (listener) so far
# ("-": not told).
# HAProxy counts sessions and reused sessions (show stat); Fulcrum counts successful handshakes
# and, among them, the resumed ones.
tls_counters() {
    if [ "$1" = haproxy ]; then
        (exec 3<>"/dev/tcp/127.0.0.1/$P_H_STATS"; echo "show stat" >&3; cat <&3) | awk -F, -v fe="$2" '
            NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
            $1 == fe && $2 == "FRONTEND" {
                print $col["ssl_sess"] - $col["ssl_reused_sess"], $col["ssl_reused_sess"] + 0, $col["ssl_failed_handshake"] + 0 }'
    else
        curl -s --max-time 5 "http://127.0.0.1:$P_F_ADMIN/metrics" | awk -v fe="$2" '
            index($0, "fulcrum_tls_handshakes_total{") == 1 && index($0, "listener=\"" fe "\"") {
                if (index($0, "result=\"success\"")) ok += $NF; else failed += $NF }
            index($0, "fulcrum_tls_sessions_resumed_total{") == 1 && index($0, "listener=\"" fe "\"") { resumed += $NF }
            END { printf "%d %d %d\n", ok - resumed, resumed, failed }'
    fi
}

# drive CASE PORT SECONDS OUT: the load of one case for so long, its report in OUT.
drive() {
    local case=$1 port=$2 secs=$3 out=$4
    case "$case" in
        keepalive) gen wrk -t1 -c$CONNS -d"${secs}s" --latency "http://127.0.0.1:$port/" >"$out" ;;
        close) gen wrk -t1 -c$CONNS -d"${secs}s" -H 'Connection: close' "http://127.0.0.1:$port/" >"$out" ;;
        big) gen wrk -t1 -c$BIG_CONNS -d"${secs}s" "http://127.0.0.1:$port/big" >"$out" ;;
        tlska) gen wrk -t1 -c$CONNS -d"${secs}s" --latency "https://127.0.0.1:$port/" >"$out" ;;
        tcp) gen iperf3 -c 127.0.0.1 -p "$port" -t "$secs" -f g >"$out" ;;
        handshake|handshake_ec) handshake_clients $TLS_CLIENTS "$port" "$secs" "$out" ;;
        # h2load: h2c with prior knowledge for http://, ALPN h2 for https://.
        h2c|h2c_h2) gen h2load -t1 -c$H2_CONNS -m$H2_STREAMS -D"$secs" "http://127.0.0.1:$port/" >"$out" ;;
        h2tls) gen h2load -t1 -c$H2_CONNS -m$H2_STREAMS -D"$secs" "https://127.0.0.1:$port/" >"$out" ;;
    esac
}

# run CASE SYSTEM PID PORT: one bounded run against SYSTEM listening on PORT, recorded.
run() {
    local case=$1 system=$2 pid=$3 port=$4 out="$work/run.out" t0 t1 k0 k1 b0 b1 n
    # An unrecorded lead-in of the same load first: the cases before it ran other paths, and the
    # JVM recompiles some shared ones for the new mix (seen in its compilation log) before it
    # settles. The same for every system, so the figures are of the steady state.
    [ "$settle" -gt 0 ] && [ "$system" != direct ] && drive "$case" "$port" "$settle" "$work/settle.out"
    t0=$([ -n "$pid" ] && cpu_ticks "$pid" || echo 0)
    k0=$([ -n "$pid" ] && sys_ticks "$pid" || echo 0)
    b0=$(core_busy $LB_CORE)
    case "$case" in
        handshake|handshake_ec)
            # openssl s_time -new never offers a session, so every handshake is a full one; the
            # servers' own counters (read before and after) show it. Each connection also fetches
            # a small page (-www /, HTTP/1.0) and ends when the server closes: without it s_time
            # closes with the session tickets unread, the reset beats its Finished to the server
            # and one handshake in five fails there (after the server's expensive part).
            local frontend=https
            [ "$case" = handshake_ec ] && frontend=https-ec
            tls_counters "$system" $frontend >"$work/tls0"
            drive "$case" "$port" "$duration" "$out"
            tls_counters "$system" $frontend >"$work/tls1" ;;
        *) drive "$case" "$port" "$duration" "$out" ;;
    esac
    t1=$([ -n "$pid" ] && cpu_ticks "$pid" || echo 0)
    k1=$([ -n "$pid" ] && sys_ticks "$pid" || echo 0)
    b1=$(core_busy $LB_CORE)
    # Core 1's busy time not spent by the balancer: interference (the JVM's own threads count as its own).
    record "$case" "$system" other_core_pct "$(awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v d="$duration" -v k="$tck" \
        'BEGIN { printf "%.1f", (b - t) * 100 / (d * k) }')"
    case "$case" in
        keepalive|close|big|tlska)
            n=$(wrk_rps "$out")
            record "$case" "$system" rps "$n"
            [ "$case" = keepalive ] || [ "$case" = tlska ] && record "$case" "$system" p99_ms "$(wrk_p99_ms "$out")"
            [ "$case" = big ] && record "$case" "$system" mbps "$(awk -v r="$n" 'BEGIN { printf "%.1f", r * 65536 / 1e6 }')"
            record "$case" "$system" errors "$(wrk_errors "$out")"
            n=$(awk -v r="$n" -v d="$duration" 'BEGIN { printf "%d", r * d }') ;;
        h2c|h2c_h2|h2tls)
            n=$(h2_rps "$out")
            record "$case" "$system" rps "$n"
            record "$case" "$system" mean_ms "$(h2_mean_ms "$out")"
            record "$case" "$system" errors "$(h2_errors "$out")"
            record "$case" "$system" non2xx "$(h2_non2xx "$out")"
            # h2tls: the protocol h2load got by ALPN (1 for h2)
            [ "$case" = h2tls ] && record "$case" "$system" alpn_h2 "$(grep -c '^Application protocol: h2$' "$out" || true)"
            n=$(awk -v r="$n" -v d="$duration" 'BEGIN { printf "%d", r * d }') ;;
        tcp)
            n=$(awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Gbits/sec") print $i }' "$out" | tail -1)
            record "$case" "$system" gbps "$n"
            # "requests" here are megabytes moved: CPU per MB
            n=$(awk -v g="$n" -v d="$duration" 'BEGIN { print g * d * 1000 / 8 }') ;;
        handshake|handshake_ec)
            n=$(awk '/connections in [0-9]+ real seconds/ { s += $1 } END { print s + 0 }' "$out")
            record "$case" "$system" hps "$(awk -v n="$n" -v d="$duration" 'BEGIN { printf "%.0f", n / d }')"
            # full, resumed, failed: as the server counted them during the run
            read -r f0 r0 x0 <"$work/tls0"
            read -r f1 r1 x1 <"$work/tls1"
            record "$case" "$system" server_full "$((f1 - f0))"
            [ "$r1" = - ] || record "$case" "$system" reuse_pct \
                "$(awk -v f=$((f1 - f0)) -v r=$((r1 - r0)) 'BEGIN { printf "%.1f", (f + r > 0) ? r * 100 / (f + r) : 0 }')"
            record "$case" "$system" server_failed "$((x1 - x0))" ;;
    esac
    if [ -n "$pid" ] && awk -v n="$n" 'BEGIN { exit !(n > 0) }'; then
        record "$case" "$system" cpu_us "$(awk -v t=$((t1 - t0)) -v k="$tck" -v n="$n" 'BEGIN { printf "%.2f", t * 1e6 / k / n }')"
        record "$case" "$system" sys_us "$(awk -v t=$((k1 - k0)) -v k="$tck" -v n="$n" 'BEGIN { printf "%.2f", t * 1e6 / k / n }')"
    fi
    printf '  round %s %-9s %-8s %s\n' "$round" "$case" "$system" \
        "$(awk -F'\t' -v r="$round" -v c="$case" -v s="$system" '$1 == r && $2 == c && $3 == s {printf "%s=%s ", $4, $5}' "$results")" >&2
}

port_of() {  # port_of SYSTEM CASE
    case "$1:$2" in
        direct:big) echo $P_BIG1 ;;
        direct:tcp) echo $P_IPERF ;;
        direct:h2c|direct:h2c_h2) echo $P_BE_H2_1 ;;   # h2load to an h2c backend itself
        direct:*) echo $P_BE1 ;;
        fulcrum:tcp) echo $P_F_TCP ;; haproxy:tcp) echo $P_H_TCP ;;
        fulcrum:handshake|fulcrum:tlska) echo $P_F_HTTPS ;; haproxy:handshake|haproxy:tlska) echo $P_H_HTTPS ;;
        fulcrum:handshake_ec) echo $P_F_HTTPS_EC ;; haproxy:handshake_ec) echo $P_H_HTTPS_EC ;;
        fulcrum:h2c) echo $P_F_H2C ;; haproxy:h2c) echo $P_H_H2C ;;
        fulcrum:h2c_h2) echo $P_F_H2C_H2 ;; haproxy:h2c_h2) echo $P_H_H2C_H2 ;;
        fulcrum:h2tls) echo $P_F_H2TLS ;; haproxy:h2tls) echo $P_H_H2TLS ;;
        fulcrum:*) echo $P_F_HTTP ;; haproxy:*) echo $P_H_HTTP ;;
    esac
}
pid_of() { case "$1" in fulcrum) echo "$pid_fulcrum" ;; haproxy) echo "$pid_haproxy" ;; *) echo "" ;; esac; }

# Warm-up (the JVM compiles its hot paths; the same for HAProxy, for symmetry), not recorded.
echo "warming up..." >&2
for system in fulcrum haproxy; do
    for path in / /big; do
        gen wrk -t1 -c$CONNS -d5s "http://127.0.0.1:$(port_of "$system" keepalive)$path" >/dev/null
    done
    gen wrk -t1 -c$CONNS -d5s "https://127.0.0.1:$(port_of "$system" tlska)/" >/dev/null
    # Handshakes are a few hundred a second: the JIT needs longer to be done with their paths.
    for case in handshake handshake_ec; do
        drive "$case" "$(port_of "$system" $case)" 10 "$work/warm.out"
    done
    gen wrk -t1 -c$CONNS -d8s -H 'Connection: close' "http://127.0.0.1:$(port_of "$system" close)/" >/dev/null
    # The HTTP/2 paths, when an HTTP/2 case runs.
    for case in h2c h2c_h2 h2tls; do
        case " ${cases[*]} " in *" $case "*) drive "$case" "$(port_of "$system" $case)" 5 "$work/warm.out" ;; esac
    done
done
threads_fulcrum=$(awk '/^Threads:/ {print $2}' "/proc/$pid_fulcrum/status")

: >"$results"
for round in $(seq "$rounds"); do
    echo "round $round of $rounds" >&2
    for case in "${cases[@]}"; do
        if [ $((round % 2)) = 1 ]; then order=(haproxy fulcrum); else order=(fulcrum haproxy); fi
        case "$case" in handshake*|tlska|h2tls) ;; *) order=(direct "${order[@]}") ;; esac
        for system in "${order[@]}"; do
            run "$case" "$system" "$(pid_of "$system")" "$(port_of "$system" "$case")"
        done
    done
done

# --- the table -------------------------------------------------------------------------------
# stat CASE SYSTEM METRIC: "median (min-max)", or "-" when not measured
values() { awk -F'\t' -v c="$1" -v s="$2" -v m="$3" '$2 == c && $3 == s && $4 == m && $5 != "" {print $5}' "$results" | sort -g; }
median() { values "$@" | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
fmt() { awk -v v="$1" 'BEGIN { if (v == "") print "-"; else if (v == int(v)) printf "%\047d", v; else if (v >= 1000) printf "%\047d", v + 0.5; else if (v >= 100) printf "%.0f", v; else if (v >= 10) printf "%.1f", v; else printf "%.2f", v }'; }
cell() {
    local m lo hi
    m=$(median "$@")
    [ -z "$m" ] && { echo "-"; return; }
    if [ "$rounds" -gt 1 ]; then
        lo=$(values "$@" | head -1); hi=$(values "$@" | tail -1)
        echo "$(fmt "$m") ($(fmt "$lo")–$(fmt "$hi"))"
    else
        fmt "$m"
    fi
}
# ratio CASE METRIC: the median over rounds of Fulcrum's figure over HAProxy's in the same round.
# Paired so: the two ran minutes apart at most, while this machine's speed drifts over a run.
ratio() {
    awk -F'\t' -v c="$1" -v m="$2" '$2 == c && $4 == m && $5 != "" { v[$1 "," $3] = $5; r[$1] = 1 }
        END { for (k in r) if ((k ",fulcrum") in v && (k ",haproxy") in v && v[k ",haproxy"] > 0)
                  print v[k ",fulcrum"] / v[k ",haproxy"] }' "$results" | sort -g |
        awk '{ q[NR] = $1 } END { if (NR == 0) print "-"; else printf "%.2f", (NR % 2) ? q[(NR + 1) / 2] : (q[NR / 2] + q[NR / 2 + 1]) / 2 }'
}
row() {  # row LABEL CASE METRIC UNIT-LABEL; nothing for a case not run (--cases)
    awk -F'\t' -v c="$2" '$2 == c { found = 1; exit } END { exit !found }' "$results" || return 0
    printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$4" "$(cell "$2" direct "$3")" "$(cell "$2" haproxy "$3")" \
        "$(cell "$2" fulcrum "$3")" "$(ratio "$2" "$3")"
}

table="$work/table.md"
{
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc --all) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(uname -sr)."
    echo "Command: \`bench/side-by-side.sh${args:+ $args}\` ($rounds round(s) of ${duration} s per run after ${settle} s unrecorded, order swapped each round; median (min–max))."
    echo "$(haproxy -v | head -1 | cut -d' ' -f1-3), $(java -version 2>&1 | head -1), Fulcrum JVM: \`$JVM_FLAGS\`, $threads_fulcrum JVM threads (1 event loop), all on core $LB_CORE."
    echo "Load: wrk 1 thread, $CONNS connections ($BIG_CONNS for 64 KiB); $TLS_CLIENTS \`openssl s_time -new -www /\` clients; iperf3 1 stream; $(h2load --version | head -1 | sed 's/ nghttp2\// (nghttp2 /; s/$/)/') 1 thread, $H2_CONNS connections x $H2_STREAMS streams; backends: one HAProxy thread answering from memory (HTTP/1.1, or h2c for 6b); all on core $GEN_CORE."
    echo
    echo "| case | metric | direct | HAProxy | Fulcrum | Fulcrum/HAProxy (paired) |"
    echo "| --- | --- | --- | --- | --- | --- |"
    row "1. keep-alive, small" keepalive rps "req/s"
    row "" keepalive p99_ms "p99 ms"
    row "" keepalive cpu_us "CPU µs/req"
    row "" keepalive sys_us "of which kernel µs/req"
    row "2. new connection per request" close rps "req/s"
    row "" close cpu_us "CPU µs/req"
    row "" close sys_us "of which kernel µs/req"
    row "3. 64 KiB responses" big mbps "MB/s"
    row "" big cpu_us "CPU µs/req"
    row "" big sys_us "of which kernel µs/req"
    row "4. L4 TCP bulk (iperf3)" tcp gbps "Gbit/s"
    row "" tcp cpu_us "CPU µs/MB"
    row "5a. TLS full handshakes, RSA-2048" handshake hps "handshakes/s"
    row "" handshake cpu_us "CPU µs/handshake"
    row "" handshake server_full "full handshakes counted by the server"
    row "" handshake reuse_pct "resumed % (server's count)"
    row "" handshake server_failed "failed handshakes (server's count)"
    row "5b. TLS full handshakes, ECDSA P-256" handshake_ec hps "handshakes/s"
    row "" handshake_ec cpu_us "CPU µs/handshake"
    row "" handshake_ec server_full "full handshakes counted by the server"
    row "" handshake_ec reuse_pct "resumed % (server's count)"
    row "" handshake_ec server_failed "failed handshakes (server's count)"
    row "5c. TLS keep-alive" tlska rps "req/s"
    row "" tlska p99_ms "p99 ms"
    row "" tlska cpu_us "CPU µs/req"
    row "" tlska sys_us "of which kernel µs/req"
    row "6a. HTTP/2 h2c to HTTP/1.1 servers" h2c rps "req/s"
    row "" h2c mean_ms "mean ms"
    row "" h2c cpu_us "CPU µs/req"
    row "" h2c sys_us "of which kernel µs/req"
    row "6b. HTTP/2 h2c to h2c servers" h2c_h2 rps "req/s"
    row "" h2c_h2 mean_ms "mean ms"
    row "" h2c_h2 cpu_us "CPU µs/req"
    row "" h2c_h2 sys_us "of which kernel µs/req"
    row "6c. HTTP/2 over TLS (ALPN h2) to HTTP/1.1 servers" h2tls rps "req/s"
    row "" h2tls mean_ms "mean ms"
    row "" h2tls cpu_us "CPU µs/req"
    row "" h2tls sys_us "of which kernel µs/req"
    echo
    errors=$(awk -F'\t' '$4 == "errors" { s += $5 } END { print s + 0 }' "$results")
    non2xx=$(awk -F'\t' '$4 == "non2xx" { s += $5 } END { print s + 0 }' "$results")
    bg=$(awk -F'\t' '$3 == "direct" && $4 == "other_core_pct" { if ($5 > m) m = $5 } END { print m + 0 }' "$results")
    other=$(awk -F'\t' '$3 != "direct" && $4 == "other_core_pct" { if ($5 > m) m = $5 } END { print m + 0 }' "$results")
    echo "CPU is utime+stime of the balancer's whole process (all its threads) per request, per handshake (with its one small request), or per MB relayed; higher is better for req/s, MB/s, Gbit/s and handshakes/s, lower for p99 and CPU. The ratio is the median of the rounds' own ratios (each round runs both systems back to back), not the ratio of the medians. Errors reported by wrk and h2load over all runs: $errors (h2load: failed or timed-out requests; answers other than 2xx: $non2xx)."
    if awk -F'\t' '$2 ~ /^h2/ { found = 1; exit } END { exit !found }' "$results"; then
        echo "HTTP/2 (6a-6c): h2load's mean time per request (it gives no percentiles). The direct column of 6a and 6b is h2load against one h2c backend port, the ceiling of the load generator. Fulcrum's HTTP/1.1 pool for 6a and 6c keeps up to 256 idle connections per server (\`max_idle: 256\`; with the default 64 it closes and reopens connections when 256 requests are in flight), as HAProxy keeps any number by default; the h2c pool of 6b has the defaults."
    fi
    echo "Interference: core $LB_CORE was up to ${bg}% busy with other processes during the direct runs (nothing of this benchmark runs there then); during the balancers' runs, up to ${other}% of it went to something else than the balancer's process (other processes, and kernel network work not charged to the process)."
} >"$table"

mkdir -p "$root/bench/results"
cp "$table" "$root/bench/results/side-by-side-latest.md"
cp "$results" "$root/bench/results/side-by-side-latest.tsv"
echo
cat "$table"
