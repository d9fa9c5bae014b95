#!/usr/bin/env bash
# Detector throughput, Java vs Python onnxruntime on the same model and tensors, in one run.
# Writes bench/results/detector.md. Needs ../shared (Ped2 frames, YOLOX-Nano) and pip access for onnxruntime.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.vigil/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q onnxruntime numpy
fi
mvn -B -q -ntp -DskipTests install -pl bench -am
exec java -jar bench/target/vigil-bench.jar detector ../shared/datasets/ucsd-ped2/testing/01 \
  ../shared/models/yolox-nano-coco/yolox_nano.onnx 96 2 "$venv/bin/python"
