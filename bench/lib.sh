# Shared by the bench scripts (sourced, not run): tools, a work directory, processes started on a
# core and stopped by their PID on exit, failure or Ctrl-C, and waiting for ports.

# need_tools INSTALL: installs haproxy, wrk, h2load, iperf3 when missing (INSTALL=1, as root, apt).
need_tools() {
    local missing=()
    command -v haproxy >/dev/null || missing+=(haproxy)
    command -v wrk >/dev/null || missing+=(wrk)
    command -v h2load >/dev/null || missing+=(nghttp2-client)
    command -v iperf3 >/dev/null || missing+=(iperf3)
    command -v openssl >/dev/null || missing+=(openssl)
    command -v curl >/dev/null || missing+=(curl)
    command -v taskset >/dev/null || missing+=(util-linux)
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$1" = 1 ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        echo "installing ${missing[*]}" >&2
        timeout 600 apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${missing[@]}" >&2
    else
        echo "missing: ${missing[*]} (apt-get install -y ${missing[*]})" >&2
        exit 1
    fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/fulcrum-bench.XXXXXX")
pids=()

# stop PID: TERM, then KILL after 5 s.
stop() {
    kill "$1" 2>/dev/null || return 0
    for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$1" 2>/dev/null || true
}

cleanup() {
    local status=$? pid
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do stop "$pid"; done
    if [ "$status" -ne 0 ]; then
        echo "failed (status $status); logs kept in $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME CORE COMMAND...: runs it in the background on CORE, logs to $work/NAME.log, sets
# pid_NAME. taskset execs the command, so $! is the process itself.
start() {
    local name=$1 core=$2
    shift 2
    taskset -c "$core" "$@" >"$work/$name.log" 2>&1 &
    pids+=($!)
    eval "pid_$name=$!"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
    for _ in $(seq 300); do
        port_open "$1" && return 0
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$1 after 30 s" >&2
    return 1
}

ports_free() {
    local port
    for port in "$@"; do
        if port_open "$port"; then
            echo "127.0.0.1:$port is already in use" >&2
            exit 1
        fi
    done
}

# make_certs: self-signed certificates for localhost in $work, both key types the harness
# compares: tls.{crt,key,pem} with RSA-2048, ec.{crt,key,pem} with ECDSA P-256 (where the
# signature is cheap, so the rest of a handshake shows). The .pem holds both parts, for HAProxy.
make_certs() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost -keyout "$work/ec.key" -out "$work/ec.crt" 2>/dev/null
    cat "$work/tls.crt" "$work/tls.key" >"$work/tls.pem"
    cat "$work/ec.crt" "$work/ec.key" >"$work/ec.pem"
}

# https_listener NAME PORT CERTIFICATE [POOL]: a Fulcrum https listener on 127.0.0.1 routing to
# the pool POOL ("small" unless told), as a YAML list item.
https_listener() {
    cat <<EOF
  - name: $1
    bind: "127.0.0.1:$2"
    protocol: https
    certificates: [$3]
    timeouts: {client_idle: 5m}
    routes:
      - {name: small, pool: ${4:-small}}
EOF
}

# The HTTP/1.1 pool of the HTTP/2 cases, small-h1 (YAML, under pools:), the same servers as
# "small" (ports $1 and $2): h2load's 8 x 32 streams have up to 256 requests in flight, each on
# an HTTP/1.1 connection of its own, and with the default max_idle (64 per server and event
# loop) a burst of answers closes the connections above 64 and the next requests open new ones
# (0.4 connections opened per request, seen with strace). HAProxy keeps any number of idle
# server connections by default (pool-max-conn -1), so the pool keeps enough for them all.
h2_http1_pool() {
    cat <<EOF
  small-h1:
    max_idle: 256
    servers:
      - {name: s1, address: "127.0.0.1:$1"}
      - {name: s2, address: "127.0.0.1:$2"}
EOF
}

# handshake_clients N PORT SECONDS OUT: N parallel `openssl s_time -new` clients, through the
# caller's gen (pinning and a bound); their reports concatenated in OUT. -new never offers a
# session, so every handshake is a full one.
handshake_clients() {
    local n=$1 port=$2 secs=$3 out=$4 i clients=()
    for i in $(seq "$n"); do
        gen openssl s_time -connect "127.0.0.1:$port" -new -www / -time "$secs" >"$out.$i" 2>&1 &
        clients+=($!)
    done
    wait "${clients[@]}"
    cat "$out".* >"$out"
}

# build ROOT: the appliance jar (and, with a second argument "bench", the benchmarks jar).
build() {
    local modules=appliance
    [ "${2:-}" = bench ] && modules=appliance,bench
    echo "building $modules..." >&2
    (cd "$1" && mvn -B -q -DskipTests -pl "$modules" -am package) >"$work/build.log" 2>&1 \
        || { cat "$work/build.log" >&2; exit 1; }
}

# shipped_jvm_options ROOT: the appliance's jvm.options as one line, what ./fulcrum runs with.
shipped_jvm_options() {
    grep -v -e '^#' -e '^$' "$1/jvm.options" | tr '\n' ' ' | sed 's/ $//'
}
