import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** What the bin loads at run time, in build order; the CLI itself last. */
const BUILD_ORDER = [
  'core',
  'cloudevents',
  'dispatcher-esdb',
  'dispatcher-nats',
  'dispatcher-kafka',
  'cli',
];

/**
 * Builds what the bin runs from: the bin imports each package's dist, not its src. Under turbo
 * (`npm test`) the build task ran already and nothing here is stale; run alone, a package whose
 * src is newer than its dist is built again. A package of someone else's that does not compile
 * but still emitted its dist is only warned about: the CLI must build, the rest must exist.
 */
export default function build(): void {
  for (const name of BUILD_ORDER) {
    const dir = join(packages, name);
    const entry = join(dir, 'dist', 'index.js');
    if (name !== 'cli' && existsSync(entry) && newest(join(dir, 'src')) <= mtime(entry)) continue;
    try {
      execFileSync(process.execPath, [tsc(), '-p', 'tsconfig.build.json'], {
        cwd: dir,
        stdio: 'pipe',
      });
    } catch (error) {
      const output = String((error as { stdout?: Buffer }).stdout ?? error);
      if (name === 'cli' || !existsSync(entry))
        throw new Error(`building ${name} failed:\n${output}`);
      console.warn(
        `[eventfan cli tests] ${name} has type errors; using the dist it emitted:\n${output}`,
      );
    }
  }
}

function tsc(): string {
  return join(packages, '..', 'node_modules', 'typescript', 'bin', 'tsc');
}

function mtime(path: string): number {
  return statSync(path).mtimeMs;
}

/** The newest modification time under a directory. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : mtime(path));
  }
  return latest;
}
