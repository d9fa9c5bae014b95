#!/usr/bin/env bash
# The soak: vigil-local with paced synthetic cameras for 30 minutes (or $1), sampling memory, state, lag and dead
# letters. Writes bench/results/soak.md, soak.csv and soak.png; the flow print-out goes to .vigil/soak.log. Needs
# free ports 8081-8085.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -DskipTests install
mkdir -p .vigil
exec java -jar bench/target/vigil-bench.jar soak "${1:-30m}" "${2:-4}" "${3:-synthetic:?walkers=4&fps=2&anomalies=fast,unusual}" \
  > .vigil/soak.log
