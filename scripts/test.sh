#!/usr/bin/env bash
# `npm test`: typecheck, lint and every package's tests through turbo, then one closing line that
# adds up the test counts. It fails if any step failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export EVENTFAN_TEST_STARTED="$(date +%s%3N)"
npx turbo run typecheck lint test --concurrency=2 --continue "$@"
status=$?
# The benchmarks and these scripts live outside the workspaces: keep them compiling and linted.
npx tsc -p bench/tsconfig.json || status=1
npx eslint bench scripts || status=1
npx tsx scripts/test-summary.ts
exit $status
