/**
 * After `npm test`: adds up the JSON reports each package's vitest run left in .cache/ and prints
 * one closing line, `Tests: N passed, N failed, N skipped`. Reports older than this run's start
 * (`EVENTFAN_TEST_STARTED`, ms) are ignored, so a package that did not run is not counted twice.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface Report {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

const root = join(import.meta.dirname, '..');
const since = Number(process.env['EVENTFAN_TEST_STARTED'] ?? 0);
const workspaces = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }
).workspaces;
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const pattern of workspaces) {
  const parent = join(root, pattern.replace('/*', ''));
  for (const dir of readdirSync(parent)) {
    const file = join(parent, dir, '.cache', 'vitest-report.json');
    if (!existsSync(file) || statSync(file).mtimeMs < since) continue;
    const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
  }
}
console.log(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
