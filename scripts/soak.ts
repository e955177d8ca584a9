/**
 * Runs the relay fault tests (examples/combat/test/relay) again and again, each run a fresh
 * vitest process with brokers of its own, and counts the runs that passed: a fault test that
 * passes once may still lose an event one run in twenty.
 *   npm run soak -- --runs 5
 * The last line is always `soak: <passed>/<runs> passed`; the exit code is 0 only if all passed.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, stripVTControlCharacters } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    /** Only these test files (substring match, as vitest filters); default every fault test. */
    filter: { type: 'string', multiple: true, default: [] },
  },
  strict: true,
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`soak: --runs must be a whole number >= 1, got ${values.runs}`);
  process.exit(2);
}

const combat = fileURLToPath(new URL('../examples/combat', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const files = values.filter.length > 0 ? values.filter : ['test/relay'];
let passed = 0;
for (let run = 1; run <= runs; run++) {
  const started = Date.now();
  const result = spawnSync(process.execPath, [vitest, 'run', ...files], {
    cwd: combat,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const output = stripVTControlCharacters(`${result.stdout}${result.stderr}`);
  // The counts each fault test prints, so a soak log shows every run's figures.
  const counts = output.split('\n').filter((line) => /^\[[^\]]+\] \w+: stored/.test(line));
  if (result.status === 0) passed++;
  console.log(`run ${run}/${runs}: ${result.status === 0 ? 'passed' : 'FAILED'} in ${seconds} s`);
  for (const line of counts) console.log(`  ${line}`);
  if (result.status !== 0) console.log(output.split('\n').slice(-60).join('\n'));
}
console.log(`soak: ${passed}/${runs} passed`);
process.exit(passed === runs ? 0 : 1);
