#!/bin/sh
# What the UBI OpenJDK images' run-java.sh does for a Quarkus app, in short: the container's memory sets the heap
# (JAVA_MAX_RAM_RATIO, default 50 %, unless JAVA_OPTS_APPEND says otherwise), then JAVA_OPTS, JAVA_OPTS_APPEND and
# the jar. exec, so the JVM is PID 1's child no more: it gets SIGTERM and stops in bounded time.
set -e
ratio="${JAVA_MAX_RAM_RATIO:-50}"
exec java -XX:MaxRAMPercentage="${ratio}" -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} ${JAVA_OPTS_APPEND:-} \
  -jar "${JAVA_APP_JAR:-/deployments/quarkus-run.jar}" "$@"
