import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ReadmeBlock } from './readme-blocks.js';

const run = promisify(execFile);

/** Tools the test itself needs in the project, beside what the README blocks import. */
const TOOLS = ['typescript', '@types/node'];

/** The packages under packages/, as folder and npm name. */
export function workspacePackages(root: string): { dir: string; name: string }[] {
  return readdirSync(join(root, 'packages')).map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
    return { dir: `packages/${dir}`, name: manifest.name as string };
  });
}

/** `npm pack`s every package into `into`; returns each package's tarball path by name. */
export async function packAll(root: string, into: string): Promise<Map<string, string>> {
  const tarballs = new Map<string, string>();
  for (const { dir, name } of workspacePackages(root)) {
    const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', into], {
      cwd: join(root, dir),
    });
    tarballs.set(name, join(into, stdout.trim().split('\n').at(-1) ?? ''));
  }
  return tarballs;
}

/** The bare package names a block imports (`kafkajs`, `@eventstore/db-client`), not node: ones. */
export function importedPackages(blocks: readonly ReadmeBlock[]): Set<string> {
  const names = new Set<string>();
  for (const { code } of blocks) {
    for (const [, spec] of code.matchAll(/\bfrom\s+'([^'.][^']*)'|\bimport\(\s*'([^'.][^']*)'/g)) {
      if (!spec || spec.startsWith('node:')) continue;
      const parts = spec.split('/');
      names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec));
    }
  }
  return names;
}

/**
 * A fresh project in `dir` with the tarballs (no links) and the third-party packages the READMEs
 * import, at the versions the workspace's lockfile has (so a warm npm cache answers).
 */
export async function createProject(
  root: string,
  dir: string,
  tarballs: ReadonlyMap<string, string>,
  imported: ReadonlySet<string>,
): Promise<void> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const dependencies: Record<string, string> = {};
  for (const [name, tarball] of tarballs) dependencies[name] = `file:${tarball}`;
  for (const name of [...imported, ...TOOLS]) {
    if (name.startsWith('@eventfan/')) continue;
    dependencies[name] = lock.packages[`node_modules/${name}`]?.version ?? '*';
  }
  await mkdir(dir, { recursive: true });
  const manifest = { name: 'eventfan-pack-test', private: true, type: 'module', dependencies };
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
}
