#!/usr/bin/env bash
# Installs the brokers the tests start as local processes, into <repo>/.cache (git-ignored):
# nats-server (Go module proxy, or Debian's package) and Apache Kafka's jars (Maven Central).
# EventStoreDB needs nothing: without ESDB_CONNECTION_STRING or Docker, tests use the in-process
# test server from @eventfan/testing (an emulator).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/install-nats.sh"
bash "$here/fetch-kafka.sh"
