// The packages as a user gets them: packs every package, installs the tarballs (no links) into a
// fresh project outside the repo, type-checks every ```ts block of every README there, and runs
// each README's main example with node against real brokers — it must exit on its own. Exits 1
// naming the README and block of each problem. publint and attw run in pack-check.sh.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  acquireBroker,
  brokersRequired,
  esdbBroker,
  isMissing,
  kafkaBroker,
  natsBroker,
} from '@eventfan/testing';
import type { Broker } from '@eventfan/testing';
import {
  createProject,
  importedPackages,
  packAll,
  workspacePackages,
} from './pack-test/project.js';
import { readmeBlocks } from './pack-test/readme-blocks.js';
import { mainExamples, runExample } from './pack-test/run-examples.js';
import { typecheckBlocks } from './pack-test/typecheck.js';

const root = join(import.meta.dirname, '..');
const started = Date.now();
const since = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
const problems: string[] = [];

const readmes = ['README.md', ...workspacePackages(root).map((p) => `${p.dir}/README.md`)].filter(
  (readme) => existsSync(join(root, readme)) || !problems.push(`${readme} is missing`),
);
const all = readmes.flatMap((readme) => readmeBlocks(root, readme));
const blocks = all.filter((b) => !b.fragment);
const fragments = all.filter((b) => b.fragment).map((b) => b.label);
console.log(
  `pack-test: ${blocks.length} README blocks to check` +
    (fragments.length ? `, skipped as fragments: ${fragments.join('; ')}` : ''),
);

// Brokers start while npm packs and installs.
const brokers = Promise.all([natsBroker, kafkaBroker, esdbBroker].map((p) => acquireBroker(p)));
const tmp = await mkdtemp(join(tmpdir(), 'eventfan-pack-test-'));
const project = join(tmp, 'project');
try {
  // A package that does not build is a problem; the others are still packed and checked.
  try {
    execFileSync('npx', ['turbo', 'run', 'build', '--continue', '--output-logs=errors-only'], {
      cwd: root,
      stdio: 'inherit',
    });
  } catch {
    problems.push('the build failed (its output is above); packed what there is');
  }
  let t = Date.now();
  const tarballs = await packAll(root, tmp);
  await createProject(root, project, tarballs, importedPackages(blocks));
  console.log(
    `pack-test: packed ${tarballs.size} packages, installed in ${project} in ${since(t)}`,
  );

  t = Date.now();
  const typeErrors = await typecheckBlocks(project, blocks);
  problems.push(...typeErrors);
  console.log(
    `pack-test: type-checked ${blocks.length} blocks in ${since(t)}: ${typeErrors.length} errors`,
  );

  const env = await brokerEnv(await brokers);
  if (env) {
    for (const example of mainExamples(blocks)) {
      const result = await runExample(project, example, { ...process.env, ...env });
      const outcome = result.problem ?? `exited 0: ${result.stdout.trim().split('\n').at(-1)}`;
      console.log(`pack-test: ${example.label} ran ${(result.ms / 1000).toFixed(1)} s, ${outcome}`);
      if (result.problem) problems.push(`${example.label}: ${result.problem}`);
    }
  }
} catch (error) {
  problems.push(
    `pack-test could not run: ${error instanceof Error ? error.message : String(error)}`,
  );
} finally {
  await Promise.all((await brokers).map((b) => (isMissing(b) ? undefined : b.dispose())));
  await rm(tmp, { recursive: true, force: true });
}

if (problems.length) {
  console.log(
    `pack-test: ${problems.length} problems (${since(started)}):\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(
  `pack-test: every README block type-checks and every main example exits 0 (${since(started)})`,
);

/** The env vars the examples read, or undefined (loudly) when a broker is missing. */
async function brokerEnv(got: readonly (Broker | { kind: string; missing: string })[]) {
  const missing = got.filter((b) => 'missing' in b);
  if (missing.length) {
    const why = missing.map((b) => ('missing' in b ? b.missing : '')).join('; ');
    if (brokersRequired()) problems.push(`cannot run the README examples: ${why}`);
    else console.warn(`\n[eventfan] SKIPPING the README examples — ${why}\n`);
    return undefined;
  }
  const url = (kind: string) => (got.find((b) => b.kind === kind) as Broker).url;
  for (const b of got as Broker[]) console.log(`pack-test: ${b.kind}: ${b.label}`);
  return {
    NATS_URL: url('nats'),
    KAFKA_BROKERS: url('kafka'),
    ESDB_CONNECTION_STRING: url('esdb'),
  };
}
