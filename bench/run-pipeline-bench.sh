#!/usr/bin/env bash
# The cost of streaming: Ped2 test video 02 offline (evaluator) vs through Kafka and the five packaged services,
# with 1, 2 and 4 virtual cameras, and 1 paced at 10 frames/s like a live camera. Writes bench/results/pipeline.md.
# Needs ../shared; uses ports 8081-8085.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -DskipTests install
exec java -jar bench/target/vigil-bench.jar pipeline ../shared/datasets/ucsd-ped2/testing/02 \
  ../shared/models/yolox-nano-coco/yolox_nano.onnx models/ssmtl-ped2-shallow-narrow.onnx "${1:-1,2,4,1@10}"
