/**
 * Runs the benchmarks one after another, each in its own node process (so one's heap does not
 * skew the next): `npm run bench` for all, `npm run bench -- kafka nats` for some.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace('.bench.ts', ''));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  console.error(`no such benchmark: ${unknown.join(', ')} (there are: ${all.join(', ')})`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  console.log(`\n=== bench/${name}.bench.ts`);
  const run = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--conditions=@eventfan/source',
      '--import',
      'tsx',
      join(here, `${name}.bench.ts`),
    ],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
