#!/usr/bin/env bash
# Checks every package as npm would publish it: builds, then runs publint (manifest and files,
# warnings count) and Are the Types Wrong (types per resolution mode) on each one's `npm pack`.
# One line per package; a tool's full report only when it finds a problem. Exits 1 on any problem.
#
# attw runs with the esm-only profile: the packages are ESM with engines node >=20.19, where
# require() of ESM works, and node10 resolution (no subpath exports) is not supported.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The build's own output only when it fails; the packages that did build are checked all the same.
status=0
if ! build="$(npx turbo run build --continue --output-logs=errors-only 2>&1)"; then
  printf 'pack-check: the build failed\n%s\n' "$build"
  status=1
fi

# Packs once, into a temporary folder, and lints that tarball with both tools.
check() {
  local dir="$1" tarball report
  tarball="$tmp/$(cd "$dir" && npm pack --silent --pack-destination "$tmp" | tail -n 1)"
  if ! report="$(node_modules/.bin/publint --strict "$tarball" 2>&1)"; then
    printf '%s: publint found problems\n%s\n' "$dir" "$report"
    return 1
  fi
  if ! report="$(node_modules/.bin/attw "$tarball" --profile esm-only --no-color 2>&1)"; then
    printf '%s: attw found problems\n%s\n' "$dir" "$report"
    return 1
  fi
  echo "$dir: publint and attw pass"
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export tmp
export -f check
# Two at a time (2 cores): each check is mostly node start-up and npm pack.
ls -d packages/*/package.json | xargs -n 1 dirname | xargs -P 2 -I{} bash -c 'check {}' || status=1
exit $status
