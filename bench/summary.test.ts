import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHeadlines } from './summary-headlines.js';
import { machine, writeResult, type BenchResult } from './summary-results.js';
import { writeSummary } from './summary.js';

function result(name: string, output: string, outcome: BenchResult['outcome']): BenchResult {
  return {
    name,
    outcome,
    ...(outcome === 'passed' ? {} : { reason: 'SIGKILLed past its 90 s budget' }),
    seconds: 12,
    budgetSeconds: 90,
    date: '2026-12-01T20:00:00.000Z',
    commit: 'abc123',
    machine: machine(),
    headlines: parseHeadlines(output),
  };
}

describe('writeSummary', () => {
  it('fills the README between the markers and keeps the rest', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bench-summary-'));
    const dir = join(root, 'results');
    const readme = join(root, 'README.md');
    writeFileSync(
      readme,
      '# x\n\nbefore\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\nafter\n',
    );
    writeResult(
      dir,
      result('concurrent', 'fan-out: ratio 1.47x\nconcurrent nats: 4,000 events/s', 'passed'),
    );
    writeResult(dir, result('nats', '', 'timed out'));
    await writeSummary(dir, readme);

    const text = readFileSync(readme, 'utf8');
    expect(text).toMatch(/^# x\n\nbefore\n\n<!-- bench:start -->\n/);
    expect(text).toMatch(/<!-- bench:end -->\n\nafter\n$/);
    expect(text).not.toContain('old');
    expect(text).toMatch(/\| fan-out +\| +1\.47× \| ≤ 1\.15× \| \*\*no\*\* \| `concurrent` +\|/);
    expect(text).toMatch(/\| no ratio +\| +— \| — +\| — +\| `nats` timed out \|/);
    expect(text).toContain('at commit `abc123`');
    const page = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(page).toMatch(/\| concurrent nats +\| 4,000 events\/s \|/);
    expect(page).toContain('SIGKILLed past its 90 s budget');
  });
});
