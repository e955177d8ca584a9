#!/usr/bin/env bash
# Fetches the brokers the tests start as local processes into <repo>/.cache (git-ignored), when
# they are missing: nats-server (Go module proxy, or Debian's package) and Apache Kafka's jars
# (Maven Central). EventStoreDB needs nothing: without ESDB_CONNECTION_STRING or Docker, tests use
# the in-process test server from @eventfan/testing (an emulator).
#
# One line per broker: "already there", "fetched ... in N s", or why it cannot be fetched. A broker
# that cannot be had is only a warning (its tests then skip, loudly) unless CI or
# EVENTFAN_REQUIRE_BROKERS is set: then this exits 1, as the tests would fail anyway.
# `npm test` runs this first; `npm run brokers:install` runs it ahead of time.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$here/../.cache"
mkdir -p "$cache"

can_apt() {
  command -v apt-get >/dev/null && { [[ "$(id -u)" -eq 0 ]] || sudo -n true 2>/dev/null; }
}

# fetch <what> <into> <script> <log> [describe]: runs an idempotent installer, timed; on failure
# prints its last line as the reason. `describe` names what was fetched, once it is there.
fetch() {
  local what="$1" into="$2" script="$3" log="$cache/$4" start=$SECONDS
  # Ten minutes: a network that drops packets must not hang the test run for ever.
  if timeout 600 bash "$here/$script" >"$log" 2>&1; then
    echo "fetched $(${5:-echo} "$what") into $into in $((SECONDS - start)) s"
  else
    echo "cannot fetch $what: $(grep -v '^\s*$' "$log" | tail -n 1) (log: .cache/$4)"
    return 1
  fi
}

nats() {
  if [[ -n "${NATS_URL:-}" || -n "${EVENTFAN_NATS_SERVER:-}" ]]; then
    echo "nats-server: not fetched, NATS_URL or EVENTFAN_NATS_SERVER is set"
  elif bash "$here/install-nats.sh" --check; then
    :
  elif ! command -v go >/dev/null && ! command -v nats-server >/dev/null && ! can_apt; then
    echo "cannot fetch nats-server: neither go nor apt-get (as root or with sudo) is available; install nats-server or set NATS_URL"
    return 1
  else
    fetch nats-server .cache/bin install-nats.sh fetch-nats.log nats_version
  fi
}

# The version it got: the pinned one, or Debian's when go could not build it.
nats_version() { echo "nats-server $("$cache/bin/nats-server" --version | awk '{print $2}')"; }

kafka() {
  if [[ -n "${KAFKA_BROKERS:-}" || -n "${EVENTFAN_KAFKA_HOME:-}" ]]; then
    echo "Kafka jars: not fetched, KAFKA_BROKERS or EVENTFAN_KAFKA_HOME is set"
  elif bash "$here/fetch-kafka.sh" --check; then
    :
  elif ! { command -v java >/dev/null && command -v mvn >/dev/null; } && ! can_apt; then
    echo "cannot fetch Kafka's jars: they need java 17+ and mvn (or apt-get as root or with sudo to install them); install those or set KAFKA_BROKERS"
    return 1
  else
    local version
    version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")"
    fetch "Kafka $version jars" .cache/kafka/libs fetch-kafka.sh fetch-kafka.log
  fi
}

# Both at once: go compiles while Maven downloads.
nats &
nats_pid=$!
kafka &
kafka_pid=$!
status=0
wait "$nats_pid" || status=1
wait "$kafka_pid" || status=1

if [[ $status -ne 0 ]]; then
  if [[ -n "${CI:-}" || -n "${EVENTFAN_REQUIRE_BROKERS:-}" ]]; then
    echo "CI/EVENTFAN_REQUIRE_BROKERS is set: a broker the tests need is missing, so this fails"
    exit 1
  fi
  echo "continuing: the tests of a missing broker will skip and say so"
fi
exit 0
