#!/usr/bin/env bash
# What holding per-camera models costs one scorer: 1 and 50 sessions of the shipped model, with ONNX Runtime's CPU
# memory arena (the default) and without, one after the other, each in a fresh JVM (resident memory is per process).
# Writes bench/results/models.md and bench/results/models-no-arena.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -DskipTests install -pl bench -am
java -jar bench/target/vigil-bench.jar models models/ssmtl-ped2-shallow-narrow.onnx "${1:-1,50}"
java -jar bench/target/vigil-bench.jar models models/ssmtl-ped2-shallow-narrow.onnx "${1:-1,50}" --no-arena
