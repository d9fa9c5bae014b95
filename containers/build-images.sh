#!/usr/bin/env bash
# Builds Vigil's service images where no image registry is reachable (issue 16): a Debian base with Java 17 from
# debootstrap (built once, kept by its tag), then each service's src/main/docker/Dockerfile.jvm on that base, tagged
# with the project version and the git commit. Needs root (debootstrap), a running Docker engine and the packaged
# services (mvn -DskipTests install). The production default base, UBI OpenJDK 17, stays in the Dockerfiles. Also a
# Kafka broker image (vigil/kafka) from the Kafka jars and broker code of vigil-local.
set -euo pipefail
cd "$(dirname "$0")/.."
debian=vigil/debian:bookworm
base=vigil/base-jre:17
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
# A tree with uncommitted changes is not that commit: its images say so.
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- 2>/dev/null || echo -dirty)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
start=$(date +%s)
if ! docker image inspect "$debian" >/dev/null 2>&1; then
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  echo "debootstrap: Debian bookworm (minbase) from $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
  tar -C "$root" -c . | docker import - "$debian" >/dev/null
fi
if ! docker image inspect "$base" >/dev/null 2>&1; then
  echo "base image $base: Java 17 on $debian"
  docker build -q --network host --build-arg DEBIAN_IMAGE="$debian" -t "$base" containers/base >/dev/null
fi
for service in ${SERVICES:-frame-ingest object-detector sequence-assembler anomaly-scorer alert-sink}; do
  [ -f "$service/target/quarkus-app/quarkus-run.jar" ] || { echo "$service is not packaged: mvn -DskipTests install" >&2; exit 1; }
  docker build -q --build-arg BASE_IMAGE="$base" -f "$service/src/main/docker/Dockerfile.jvm" \
    -t "vigil/$service:$version" -t "vigil/$service:$commit" -t "vigil/$service:latest" "$service" >/dev/null
  echo "vigil/$service:$version ($commit): $(docker image inspect -f '{{.Size}}' "vigil/$service:$version" | awk '{printf "%.0f MB", $1/1e6}')"
done
# The broker: vigil-local's Kafka jars and its broker code.
[ -f local/target/vigil-local.jar ] || { echo "local is not packaged: mvn -DskipTests install" >&2; exit 1; }
docker build -q --build-arg BASE_IMAGE="$base" -f containers/kafka/Dockerfile -t "vigil/kafka:$version" -t "vigil/kafka:$commit" \
  -t vigil/kafka:latest local/target >/dev/null
echo "vigil/kafka:$version ($commit): $(docker image inspect -f '{{.Size}}' "vigil/kafka:$version" | awk '{printf "%.0f MB", $1/1e6}')"
echo "built in $(( $(date +%s) - start )) s"
