/**
 * Runs the benchmarks one after another, each in its own node process and process group (so one's
 * heap does not skew the next, and one past its budget is SIGKILLed with the brokers it started):
 * `npm run bench` for all, `npm run bench -- kafka nats` for some. Each bench's output is echoed
 * and its headline lines saved in `bench/results/<name>.json`; then `bench/results/README.md` and
 * the root README's table are rebuilt from every result file present (bench/summary.ts).
 * The packages are built first and the benches import their `dist`: the JavaScript tsc emits is
 * what users run (tsx's transform of the sources adds a `__name` call per function it creates).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireBroker, isMissing, kafkaBroker, natsBroker, type Broker } from '@eventfan/testing';
import { parseHeadlines } from './summary-headlines.js';
import { commit, machine, writeResult, type BenchResult, type Outcome } from './summary-results.js';
import { writeSummary } from './summary.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const resultsDir = join(here, 'results');

/**
 * Seconds each bench may take on 2 loaded cores (what it took there, and some), and the whole
 * run's: a bench that would start past it is skipped, one running is cut to what is left. `npm run
 * bench` runs them in this order (the issue's end-to-end ratios first, micro-benchmarks last), any
 * bench not listed before the last two.
 */
const BUDGETS: Readonly<Record<string, number>> = {
  concurrent: 120,
  'first-wave': 150,
  kafka: 180,
  nats: 150,
  esdb: 170,
  relay: 100,
  subscribe: 120,
  emmett: 80,
  core: 25,
  cloudevents: 40,
};
const LAST = ['core', 'cloudevents'];
const DEFAULT_BUDGET = 60;
const RUN_BUDGET = 14 * 60;

const all = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace('.bench.ts', ''));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  console.error(`no such benchmark: ${unknown.join(', ')} (there are: ${all.join(', ')})`);
  process.exit(2);
}
const listed = Object.keys(BUDGETS).filter((name) => all.includes(name) && !LAST.includes(name));
const names =
  wanted.length > 0
    ? wanted
    : [
        ...listed,
        ...all.filter((name) => !(name in BUDGETS)),
        ...LAST.filter((n) => all.includes(n)),
      ];
const started = Date.now();
const context = { commit: commit(root) };
const compileErrors = typeErrors();
buildPackages();
const brokers = await shareBrokers(names);
let failed = 0;
try {
  for (const name of names) {
    const left = RUN_BUDGET - (Date.now() - started) / 1000;
    const result = await runOne(name, Math.min(BUDGETS[name] ?? DEFAULT_BUDGET, Math.floor(left)));
    writeResult(resultsDir, result);
    if (result.outcome !== 'passed') failed++;
  }
} finally {
  await Promise.all(brokers.map((b) => b.dispose()));
}
await writeSummary(resultsDir, join(root, 'README.md'));
console.log(
  `\nbench/results/README.md and README.md's table rebuilt; ${failed} of ${names.length} did not pass`,
);
process.exit(failed > 0 ? 1 : 0);

async function runOne(name: string, budgetSeconds: number): Promise<BenchResult> {
  console.log(`\n=== bench/${name}.bench.ts (budget ${budgetSeconds} s)`);
  // The load as this bench begins: on a shared machine it says how far to trust the figures.
  const base = {
    name,
    budgetSeconds,
    ...context,
    date: new Date().toISOString(),
    machine: machine(),
  };
  const ownErrors = compileErrors.filter((e) => e.startsWith(`bench/${name}.bench.ts(`));
  if (ownErrors.length > 0) {
    console.log(ownErrors.join('\n'));
    const reason = `does not compile: ${ownErrors.length} type error(s), first ${ownErrors[0]?.replace(/^bench\//, '')}`;
    return { ...base, outcome: 'failed', reason, seconds: 0, headlines: [] };
  }
  if (budgetSeconds <= 0) {
    const reason = `not run: the whole run's ${RUN_BUDGET / 60} minutes were spent`;
    return { ...base, outcome: 'skipped', reason, seconds: 0, headlines: [] };
  }
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(here, `${name}.bench.ts`)],
    {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // A bench may size its rounds to what it is given; past it, it is killed all the same.
      env: { ...process.env, EVENTFAN_BENCH_BUDGET_SECONDS: String(budgetSeconds) },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderr += chunk.toString();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, budgetSeconds * 1000);
  const t0 = performance.now();
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  killGroup(child.pid); // what it started and left behind (a broker, a server child)
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  const headlines = parseHeadlines(stdout);
  let outcome: Outcome = 'passed';
  let reason: string | undefined;
  if (timedOut) {
    outcome = 'timed out';
    reason = `SIGKILLed past its ${budgetSeconds} s budget`;
  } else if (code !== 0) {
    outcome = 'failed';
    reason = `${signal ? `killed by ${signal}` : `exit ${code}`}${lastLine(stderr)}`;
  }
  console.log(
    `=== ${name}: ${outcome}${reason ? ` (${reason})` : ''}, ${seconds} s, ${headlines.length} headline lines`,
  );
  return { ...base, outcome, ...(reason ? { reason } : {}), seconds, headlines };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
}

function lastLine(text: string): string {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at '))
    .at(-1);
  return line ? `: ${line.slice(0, 200)}` : '';
}

/** `npm run build` (turbo: only what changed since the last build is rebuilt). */
function buildPackages(): void {
  const run = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) {
    console.error(run.stdout, run.stderr);
    console.error('bench: the packages do not build; nothing was measured');
    process.exit(1);
  }
}

/** tsc's errors for the bench project, one line each (`bench/x.bench.ts(1,2): error TS…`). */
function typeErrors(): string[] {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '-p', 'bench/tsconfig.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  return run.stdout.split('\n').filter((line) => /^\S.*\(\d+,\d+\): error /.test(line));
}

/**
 * One NATS server and one Kafka broker for every bench that needs it, handed over in NATS_URL and
 * KAFKA_BROKERS: a broker starts once (Kafka takes half a minute on loaded cores), not per bench.
 */
async function shareBrokers(benches: readonly string[]): Promise<Broker[]> {
  const sources = benches.map((b) => readFileSync(join(here, `${b}.bench.ts`), 'utf8')).join('\n');
  const shared: Broker[] = [];
  for (const [provider, used] of [
    [natsBroker, /\bnatsBroker\b/],
    [kafkaBroker, /\bkafkaBroker\b/],
  ] as const) {
    if (!used.test(sources) || process.env[provider.envVar]) continue;
    const broker = await acquireBroker(provider);
    if (isMissing(broker)) {
      console.error(`bench: ${broker.missing}`);
      continue;
    }
    console.log(`bench: ${broker.label}, shared by the benches as ${provider.envVar}`);
    process.env[provider.envVar] = broker.url;
    shared.push(broker);
  }
  return shared;
}
