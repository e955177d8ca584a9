/**
 * `bench/results/README.md` from every result file present, and the root README's table between
 * `<!-- bench:start -->` and `<!-- bench:end -->` from the same rows. `npm run bench` calls it after
 * the benchmarks; `npx tsx bench/summary.ts` regenerates both without running anything.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { formatTarget, parseHeadlines, type Headline } from './summary-headlines.js';
import { readResults, type BenchResult, type Machine } from './summary-results.js';

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

export async function writeSummary(resultsDir: string, readmePath: string): Promise<void> {
  // Parsed again from the lines kept: targets and rules added since a file was written apply to it.
  const results = readResults(resultsDir).map((r) => ({
    ...r,
    headlines: parseHeadlines(r.headlines.map((h) => h.line).join('\n')),
  }));
  const page = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (`bench/run.ts`) from the `*.json` files here, one per benchmark; do not edit by hand. Ratios are ours against the baseline in the same run (above 1 is faster, except fan-out: all targets against the slowest single one, time for time, where lower is better).',
    '',
    runLine(results),
    '',
    ...ratioTable(results),
    '',
    ...rateTable(results),
    '## Runs',
    '',
    row(['benchmark', 'outcome', 'time (budget)', 'date', 'commit', 'machine']),
    row(['---', '---', '---', '---', '---', '---']),
    ...results.map((r) =>
      row([
        `\`${r.name}\``,
        r.reason ? `${r.outcome}: ${r.reason}` : r.outcome,
        `${Math.round(r.seconds)} s (${r.budgetSeconds} s)`,
        r.date.slice(0, 16).replace('T', ' ') + ' UTC',
        `\`${r.commit}\``,
        describeMachine(r.machine),
      ]),
    ),
    '',
  ];
  const pagePath = join(resultsDir, 'README.md');
  writeFileSync(pagePath, await markdown(page.join('\n'), pagePath));

  const readme = readFileSync(readmePath, 'utf8');
  const [before, rest] = readme.split(START);
  const after = rest?.split(END)[1];
  if (before === undefined || after === undefined) {
    throw new Error(`${readmePath} has no ${START} … ${END} section to fill`);
  }
  const section = [
    START,
    '',
    ...ratioTable(results),
    '',
    `${runLine(results)} All figures, rates and every run: [bench/results](bench/results/README.md).`,
    '',
    END,
  ].join('\n');
  writeFileSync(readmePath, await markdown(`${before}${section}${after}`, readmePath));
}

/** Every headline ratio, with its target, and a row for each benchmark that gave none. */
function ratioTable(results: readonly BenchResult[]): string[] {
  const rows = results.flatMap((r) => {
    const ratios = r.headlines.filter((h) => h.unit === 'x');
    // The reason in full is in the Runs table; here only that the figures are partial or absent.
    const status = r.outcome === 'passed' ? '' : ` (${r.outcome})`;
    if (ratios.length === 0 && r.outcome === 'passed') return [];
    if (ratios.length === 0) {
      return [row(['no ratio', '—', '—', '—', `\`${r.name}\` ${r.outcome}`])];
    }
    return ratios.map((h) =>
      row([
        h.label,
        `${h.value.toFixed(2)}×`,
        formatTarget(h.target),
        verdict(h),
        `\`${r.name}\`${status}`,
      ]),
    );
  });
  return [
    row(['benchmark', 'ratio', 'target', 'met', 'from']),
    row(['---', '---:', '---', '---', '---']),
    ...rows,
  ];
}

/** The other headline figures (events/s, memory…), beside the ratios they explain. */
function rateTable(results: readonly BenchResult[]): string[] {
  const others = results.flatMap((r) =>
    r.headlines.filter((h) => h.unit !== 'x').map((h) => ({ ...h, from: r.name })),
  );
  if (others.length === 0) return [];
  return [
    row(['figure', 'value', 'from']),
    row(['---', '---:', '---']),
    ...others.map((h) =>
      row([h.label, `${h.value.toLocaleString('en')} ${h.unit}`.trim(), `\`${h.from}\``]),
    ),
    '',
  ];
}

function verdict(h: Headline): string {
  if (h.pass === undefined) return '—';
  return h.pass ? 'yes' : '**no**';
}

/** One line naming the machine, dates and commits; each appears once when every run shares it. */
function runLine(results: readonly BenchResult[]): string {
  if (results.length === 0) return 'No benchmark has run yet.';
  const distinct = (values: string[]) => [...new Set(values)].join(', ');
  const dates = results.map((r) => r.date.slice(0, 10)).sort();
  const range = dates[0] === dates.at(-1) ? dates[0] : `${dates[0]} to ${dates.at(-1)}`;
  const loads = results.map((r) => r.machine.load).sort((a, b) => a - b);
  const load = loads[0] === loads.at(-1) ? `${loads[0]}` : `${loads[0]}–${loads.at(-1)}`;
  return `Measured ${range} at commit ${distinct(results.map((r) => `\`${r.commit}\``))} on ${distinct(results.map((r) => describeMachine(r.machine, false)))}, load average ${load} as the benches began.`;
}

function describeMachine(m: Machine, withLoad = true): string {
  const machine = `${m.cpus} × ${m.model}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}`;
  return withLoad ? `${machine}, load ${m.load}` : machine;
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
}

/** Formatted as `npm run format` would, so `format:check` passes on what this writes. */
async function markdown(text: string, path: string): Promise<string> {
  return format(text, { ...(await resolveConfig(path)), filepath: path });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(fileURLToPath(import.meta.url), '..', '..');
  await writeSummary(join(root, 'bench', 'results'), join(root, 'README.md'));
}
