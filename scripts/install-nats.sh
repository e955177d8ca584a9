#!/usr/bin/env bash
# Installs nats-server (with JetStream) for the NATS tests and benchmarks, into <repo>/.cache/bin.
# Idempotent: a binary of the pinned version already there is kept. The fixture in
# @eventfan/testing looks in EVENTFAN_NATS_SERVER, then .cache/bin/nats-server, then PATH.
# With --check it only says whether that binary is there (exit 0) or not (exit 1).
set -euo pipefail

NATS_SERVER_VERSION="${NATS_SERVER_VERSION:-v2.15.2}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$repo/.cache/bin"
target="$bin_dir/nats-server"

version_of() { "$1" --version 2>/dev/null | awk '{print $2}'; }

if [[ -x "$target" && "$(version_of "$target")" == "$NATS_SERVER_VERSION" ]]; then
  echo "nats-server $NATS_SERVER_VERSION already there in .cache/bin"
  exit 0
fi
[[ "${1:-}" == "--check" ]] && exit 1

mkdir -p "$bin_dir"
if command -v go >/dev/null 2>&1; then
  echo "Installing nats-server $NATS_SERVER_VERSION with go install into $bin_dir"
  if GOBIN="$bin_dir" CGO_ENABLED=0 go install "github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION"; then
    echo "nats-server $(version_of "$target") installed at $target"
    exit 0
  fi
  echo "go install failed; falling back to Debian's package" >&2
fi

# Debian's nats-server is older but has JetStream; link it where the fixture looks first.
if ! command -v nats-server >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "go is missing or go install failed, and there is no apt-get for Debian's package" >&2
    exit 1
  fi
  sudo_cmd=""
  [[ "$(id -u)" -ne 0 ]] && sudo_cmd="sudo -n" # never wait for a password
  if ! { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nats-server; }; then
    echo "go install and apt-get install both failed (no network, or no root/sudo?)" >&2
    exit 1
  fi
fi
ln -sf "$(command -v nats-server)" "$target"
echo "nats-server $(version_of "$target") (Debian) linked at $target"
