#!/usr/bin/env bash
# Training speed with and without huge pages for PyTorch's tensors (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), side by
# side: the documented Ped2 training run, started twice, each stopped after a fixed time; the trainer's objects/s
# (averaged since its first step) is read from its progress lines. Writes bench/results/trainer.md. Needs ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
mvn -B -q -ntp -DskipTests install -pl model-trainer -am
work=.vigil/trainer-bench
mkdir -p "$work"
run() { # name, environment assignment, seconds
  rm -rf "$work/$1"
  mkdir -p "$work/$1"
  # The detections of the training videos are cached per run directory: share them between the runs.
  mkdir -p "$work/detections" && ln -sfn "$(pwd)/$work/detections" "$work/$1/detections"
  timeout "$3" env $2 java -Xmx12g -jar model-trainer/target/model-trainer.jar \
    --data ../shared/datasets/ucsd-ped2/training --out "$work/$1" --holdout 14,15,16 --detector yolox \
    --detector-model ../shared/models/yolox-nano-coco/yolox_nano.onnx \
    --teacher ../shared/models/mobilenetv2-int8-imagenet/mobilenetv2-12-int8.onnx --architecture shallow-narrow \
    --epochs 6 --batch 32 --lr 1e-3 --lambda 0.5 --seed 1 --threads 2 > "$work/$1.log" 2>&1 || true
  grep -o '[0-9.]* objects/s' "$work/$1.log" | tail -1 | cut -d' ' -f1
}
if [ -z "$(ls -A "$work/detections" 2>/dev/null)" ]; then
  run warm-up GLIBC_TUNABLES=glibc.malloc.hugetlb=1 240 > /dev/null # fills the detections cache
fi
plain=$(run plain GLIBC_TUNABLES= "$seconds")
huge=$(run huge-pages GLIBC_TUNABLES=glibc.malloc.hugetlb=1 "$seconds")
cat > bench/results/trainer.md <<REPORT
Trainer benchmark, $(date -u +%Y-%m-%dT%H:%M:%S)

The documented Ped2 training (shallow-narrow, batch 32, 2 threads, YOLOX boxes, MobileNetV2 teacher), started twice
and stopped after ${seconds} s each; objects/s averaged since the first step, from the trainer's progress lines.
Transparent huge pages here: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown).
Command: bench/run-trainer-bench.sh ${seconds}

| memory | objects/s |
|---|---|
| glibc's default (large tensors mapped afresh, zeroed 4 kB page by page) | ${plain:-none} |
| GLIBC_TUNABLES=glibc.malloc.hugetlb=1 | ${huge:-none} |

Code: commit $(git rev-parse --short HEAD)$(git diff --quiet || echo +changes).
REPORT
cat bench/results/trainer.md
