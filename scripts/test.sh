#!/usr/bin/env bash
# `npm test`: fetches the brokers the tests start themselves when they are missing, then typecheck,
# lint and every package's tests through turbo, the packages as npm would publish them
# (pack-check.sh) and installed alone (pack-test.ts), and one closing line that adds up the test
# counts. It fails if any step failed, or at once if a broker cannot be fetched where CI or
# EVENTFAN_REQUIRE_BROKERS is set.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export EVENTFAN_TEST_STARTED="$(date +%s%3N)"
bash scripts/install-brokers.sh || exit 1
npx turbo run typecheck lint test --concurrency=2 --continue "$@"
status=$?
# The benchmarks and these scripts live outside the workspaces: keep them compiling and linted.
npx tsc -p bench/tsconfig.json || status=1
npx eslint bench scripts || status=1
bash scripts/pack-check.sh || status=1
# The tarballs installed alone: every README block type-checks, every main example runs and exits.
npx tsx --conditions=@eventfan/source scripts/pack-test.ts || status=1
npx tsx scripts/test-summary.ts
exit $status
