#!/usr/bin/env bash
# Builds Vigil and runs the main job locally: a real Kafka broker plus the services as separate processes,
# printing what flows through the topics. Default camera: a synthetic scene (no download needed).
#   ./run-local.sh                                            # synthetic camera, until Ctrl-C
#   ./run-local.sh ../shared/datasets/ucsd-ped2/testing/01 --once   # a folder or video file, once
#   VIGIL_SOURCE_URI=rtsp://user:pass@camera/stream ./run-local.sh   # a live stream (the password stays out of ps)
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -ntp -DskipTests install
exec java -jar local/target/vigil-local.jar --home . "$@"
