#!/usr/bin/env bash
# Ped2 treated as one camera (issue 19): its 16 training videos are streamed into vigil.frames through the whole
# chain (vigil-local, YOLOX, the shipped model), one after the other as camera "ped2"; the trainer then learns from
# the topic (the latest 3 clips, videos 14-16, held out) with the shipped model's settings, registers the model,
# and the evaluator scores it on Ped2 test videos 01-06. Compare with the folder-trained model in docs/results.md.
# Needs ../shared, about 10 minutes of streaming and 70 of training on 2 cores. Logs in .vigil/ped2-topic/.
set -euo pipefail
cd "$(dirname "$0")/.."
work=.vigil/ped2-topic
port=${PORT:-9192}
shared=../shared
yolox=$shared/models/yolox-nano-coco/yolox_nano.onnx
mkdir -p "$work"
if [ ! -f "$work/streamed" ]; then
  for video in $(ls "$shared/datasets/ucsd-ped2/training"); do
    java -jar local/target/vigil-local.jar --once --camera ped2 --data-dir "$work/chain" --kafka-port "$port" \
      --detector yolox --model "$yolox" "$shared/datasets/ucsd-ped2/training/$video" > "$work/stream-$video.log" 2>&1
  done
  touch "$work/streamed"
fi
# The broker alone, on the chain's data, while the trainer reads from it.
java -cp "local/target/lib/*" kafka.Kafka "$work/chain/kafka/server.properties" > "$work/broker.log" 2>&1 &
broker=$!
trap 'kill $broker; wait $broker || true' EXIT
sleep 15
# A copy of the trainer: a rebuild meanwhile does not pull the jar from under the run.
# A run that was stopped continues from its last finished epoch (the detections are cached in train/ too).
resume=()
[ -f "$work/train/checkpoint.properties" ] && resume=(--resume)
rm -rf "$work/trainer" && mkdir -p "$work/trainer" && cp -r model-trainer/target/model-trainer.jar model-trainer/target/lib "$work/trainer/"
GLIBC_TUNABLES=glibc.malloc.hugetlb=1 java -Xmx12g -jar "$work/trainer/model-trainer.jar" \
  --from-topic 127.0.0.1:$port --camera ped2 --since 7d --clip-frames 200 --max-frames 100000 --holdout-fraction 0.1875 \
  --out "$work/train" --register "$work/registry" --detector yolox --detector-model "$yolox" \
  --teacher $shared/models/mobilenetv2-int8-imagenet/mobilenetv2-12-int8.onnx --architecture shallow-narrow \
  --epochs 6 --batch 32 --lr 1e-3 --lambda 0.5 --seed 1 --threads 2 "${resume[@]}" >> "$work/train.log" 2>&1
java -jar evaluation/target/vigil-evaluation.jar --data $shared/datasets/ucsd-ped2 \
  --model "$work/registry/models/ped2/v1/model.onnx" --detector-model "$yolox" \
  --normal-data $shared/datasets/ucsd-ped2/training --normal-videos 14,15,16 --out "$work/eval" > "$work/eval.log" 2>&1
tail -30 "$work/eval.log"
