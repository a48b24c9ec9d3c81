#!/usr/bin/env bash
# With /etc/fulcrum/fulcrum.yaml mounted, run that configuration; without it, the demo,
# bound to all of the container's addresses so that published ports reach it.
set -euo pipefail
config=/etc/fulcrum/fulcrum.yaml
if [ "$#" -gt 0 ]; then
    exec java ${JAVA_OPTS:-} -jar /opt/fulcrum/fulcrum.jar "$@"
elif [ -f "$config" ]; then
    exec java ${JAVA_OPTS:-} -jar /opt/fulcrum/fulcrum.jar run --config "$config"
else
    exec java ${JAVA_OPTS:-} -jar /opt/fulcrum/fulcrum.jar run --demo-address 0.0.0.0
fi
