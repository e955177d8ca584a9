#!/usr/bin/env bash
# Fetches Apache Kafka's official broker jars (org.apache.kafka:kafka_2.13 and its runtime
# dependencies) from Maven Central with Maven, into <repo>/.cache/kafka/libs. The Kafka fixture in
# @eventfan/testing runs `kafka.Kafka` from there (or from $EVENTFAN_KAFKA_HOME/libs) in KRaft mode.
# Idempotent: when the jars for the pom as it is now are already there, it does nothing.
# With --check it only says whether they are there (exit 0) or not (exit 1).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pom="$repo/scripts/kafka/pom.xml"
home="$repo/.cache/kafka"
libs="$home/libs"
stamp="$home/pom.sha256"

want="$(sha256sum "$pom" | awk '{print $1}')"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && compgen -G "$libs/kafka_2.13-*.jar" >/dev/null; then
  echo "Kafka jars already there in .cache/kafka/libs ($(basename "$(compgen -G "$libs/kafka_2.13-*.jar")"))"
  exit 0
fi
[[ "${1:-}" == "--check" ]] && exit 1

if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  echo "java or mvn missing; installing Debian's openjdk-17-jre-headless and maven" >&2
  sudo_cmd=""
  [[ "$(id -u)" -ne 0 ]] && sudo_cmd="sudo -n" # never wait for a password
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq openjdk-17-jre-headless maven
fi

# Copy into a fresh folder, then swap it in: an interrupted fetch never leaves a half set of jars.
rm -rf "$libs.tmp"
if ! mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs.tmp" |
  sed 's/\x1b\[[0-9;]*m//g'; then # Maven's colour codes, which -B does not always turn off
  echo "Maven could not fetch Kafka's jars from Maven Central (no network?); its errors are above" >&2
  exit 1
fi
rm -rf "$libs"
mv "$libs.tmp" "$libs"
echo "$want" >"$stamp"
echo "Kafka jars fetched into $libs ($(basename "$(compgen -G "$libs/kafka_2.13-*.jar")"), $(ls "$libs" | wc -l) jars)"
