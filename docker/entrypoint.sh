#!/usr/bin/env bash
# With /etc/fulcrum/fulcrum.yaml mounted, run that configuration; without it, the demo,
# bound to all of the container's addresses so that published ports reach it.
set -euo pipefail
config=/etc/fulcrum/fulcrum.yaml

# The appliance's JVM options (jvm.options: collector, leak detection), then the operator's JAVA_OPTS.
java_opts=()
while IFS= read -r opt; do
    case "$opt" in
        ''|'#'*) continue ;;
        -XX:+Use*GC) [[ " ${JAVA_OPTS:-} " == *" -XX:+Use"*"GC "* ]] && continue ;;
    esac
    java_opts+=("$opt")
done </opt/fulcrum/jvm.options
# JAVA_OPTS is split on spaces on purpose.
# shellcheck disable=SC2086
java_cmd=(java "${java_opts[@]}" ${JAVA_OPTS:-} -jar /opt/fulcrum/fulcrum.jar)

if [ "$#" -gt 0 ]; then
    exec "${java_cmd[@]}" "$@"
elif [ -f "$config" ]; then
    exec "${java_cmd[@]}" run --config "$config"
else
    exec "${java_cmd[@]}" run --demo-address 0.0.0.0
fi
