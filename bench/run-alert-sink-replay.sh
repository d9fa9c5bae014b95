#!/usr/bin/env bash
# The alert-sink alone on recorded input, builds side by side: its stream thread's CPU per frame when it works
# through the same topics (the chain's output for Ped2 02 on 8 virtual cameras, 1,440 frames), one build after the
# other, alternating, so two versions of the alert-sink compare without the rest of the chain's noise.
#   bench/run-alert-sink-replay.sh DIR-A DIR-B [ROUNDS]
# DIR-A and DIR-B are alert-sink/target/quarkus-app directories of the two builds (copied aside). Prints a table.
# Needs ../shared and free ports 9392, 18085 and 19085. Input and logs in .vigil/alert-replay/.
set -euo pipefail
cd "$(dirname "$0")/.."
a=$(realpath "$1"); b=$(realpath "$2"); rounds=${3:-2}
work=.vigil/alert-replay
port=9392
cameras=8
frames=$((cameras * 180))
if [ ! -f "$work/recorded" ]; then
  rm -rf "$work" && mkdir -p "$work"
  java -jar local/target/vigil-local.jar --once --cameras $cameras --camera ped2-02 --data-dir "$work/chain" \
    --kafka-port $port --detector yolox --model ../shared/models/yolox-nano-coco/yolox_nano.onnx \
    ../shared/datasets/ucsd-ped2/testing/02 > "$work/record.log" 2>&1 &
  job=$!
  # The alert-sink's settings as the job gives them, for the replays.
  until args=$(ps -eo args | grep -m1 '[a]lert-sink/target/quarkus-app/quarkus-run.jar'); do sleep 1; done
  echo "$args" | tr ' ' '\n' | grep '^-D' | grep -v -e 'application-id' -e 'state.dir' -e 'http.port' -e 'management.port' \
    > "$work/alert-sink.properties"
  wait $job
  touch "$work/recorded"
fi
java -cp "local/target/lib/*" kafka.Kafka "$work/chain/kafka/server.properties" > "$work/broker.log" 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null; wait $broker 2>/dev/null || true' EXIT
until kcat -b 127.0.0.1:$port -L > /dev/null 2>&1; do sleep 1; done

scores() { # frame scores committed so far
  kcat -b 127.0.0.1:$port -C -t vigil.frame-scores -o beginning -e -q -X isolation.level=read_committed -f '%o\n' | wc -l
}
ticks() { # CPU ticks of the process's threads whose name starts with $2 (all threads: empty)
  local sum=0
  for s in /proc/$1/task/*/stat; do
    local line; line=$(cat "$s" 2>/dev/null) || continue
    local comm=${line#*(}; comm=${comm%%)*}
    [[ "$comm" == "$2"* ]] || continue
    local rest=${line##*) }; read -ra f <<< "$rest"
    sum=$((sum + f[11] + f[12]))
  done
  echo $sum
}
hz=$(getconf CLK_TCK)
run=$(date +%s) # a new consumer group per replay: it reads the topics from their start
echo "| round | build | frames | stream thread CPU ms per frame | process CPU ms per frame (with start-up) | seconds |"
echo "|---|---|---|---|---|---|"
for round in $(seq 1 "$rounds"); do
  for build in A B; do
    dir=$a; [ $build = B ] && dir=$b
    before=$(scores)
    state=$(mktemp -d)
    start=$(date +%s.%N)
    app=alert-replay-$round-$build-$run # its stream thread's name starts with the application id
    # shellcheck disable=SC2046
    java $(cat "$work/alert-sink.properties") -Dquarkus.kafka-streams.application-id=$app \
      -Dkafka-streams.state.dir="$state" -Dquarkus.http.port=18085 -Dquarkus.management.port=19085 \
      -jar "$dir/quarkus-run.jar" > "$work/replay-$round-$build.log" 2>&1 &
    pid=$!
    while [ $(($(scores) - before)) -lt $frames ]; do
      kill -0 $pid 2>/dev/null || { echo "the alert-sink ended; see $work/replay-$round-$build.log"; exit 1; }
      sleep 2
    done
    stream=$(ticks $pid "${app:0:15}") # as the kernel keeps thread names
    all=$(ticks $pid "")
    end=$(date +%s.%N)
    kill $pid; wait $pid 2>/dev/null || true
    rm -rf "$state"
    awk -v r=$round -v b=$build -v n=$frames -v s=$stream -v a=$all -v hz=$hz -v t0=$start -v t1=$end \
      'BEGIN { printf "| %d | %s | %d | %.2f | %.2f | %.0f |\n", r, b, n, s * 1000 / hz / n, a * 1000 / hz / n, t1 - t0 }'
  done
done
