#!/usr/bin/env bash
# The steady state: one Ped2 camera paced at 10 frames/s for 12 minutes in each layout (scored in the assembler, then
# the five services), one after the other; latencies p50/p95/p99, each stage's rate, CPU per frame by process and the
# broker's bytes per frame by topic, all counted after 60 s of warm-up. About 26 minutes. Writes
# bench/results/pipeline.md (rename it: bench/results/steady-state.md is the last run). Needs ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -DskipTests install
exec java -jar bench/target/vigil-bench.jar pipeline ../shared/datasets/ucsd-ped2/testing/02 \
  ../shared/models/yolox-nano-coco/yolox_nano.onnx models/ssmtl-ped2-shallow-narrow.onnx \
  "${1:-1@10~720:in-assembler,1@10~720}"
