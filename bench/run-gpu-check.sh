#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: builds the gpu profile (onnxruntime_gpu), checks that ONNX Runtime's CUDA provider
# loads the detector and the scorer, and times each on CUDA against the CPU in the same run (a few minutes). Prints a
# table and the settings k8s/overlays/gpu takes from it. Without a GPU it says so and exits 0.
# Needs ../shared (YOLOX-Nano); arguments: [detector.onnx] [ssmtl.onnx].
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-check: no NVIDIA GPU here (nvidia-smi finds none); nothing to check."
  exit 0
fi
nvidia-smi -L
mvn -B -q -ntp -Pgpu -DskipTests install -pl bench -am
exec java -jar bench/target/vigil-bench.jar gpu-check "$@"
