#!/usr/bin/env bash
# Scorer throughput for the four SSMTL architectures: ONNX Runtime Java vs PyTorch eager, same network and tensors,
# in one run; trained model files given as a comma-separated 3rd argument are timed with the scorer's defaults in the
# same run. Writes bench/results/scorer.md. Needs pip access for torch, onnx, onnxruntime, numpy.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.vigil/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import torch, onnx, onnxruntime, numpy" 2>/dev/null; then
  "$venv/bin/pip" install -q torch onnx onnxruntime numpy \
    || echo "run-scorer-bench: no PyTorch here (PyPI unreachable?); its column stays empty" >&2
fi
mvn -B -q -ntp -DskipTests install -pl bench -am
exec java -jar bench/target/vigil-bench.jar scorer "${1:-96}" "${2:-2}" "$venv/bin/python" "${3:-}"
