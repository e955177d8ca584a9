import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { ReadmeBlock } from './readme-blocks.js';

const run = promisify(execFile);

/** What a user's strict project would have; our packages' .d.ts are checked too. */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
    strict: true,
    skipLibCheck: false,
    outDir: 'out',
    rootDir: 'blocks',
  },
  include: ['blocks'],
};

/** The file a block is written to: one folder per README, so its blocks can import each other. */
export function blockFile(block: ReadmeBlock): string {
  const folder = block.readme.replace(/\/?README\.md$/, '').replace(/\//g, '-') || 'root';
  return `${folder}/${block.module ?? `block-${block.index}.ts`}`;
}

/**
 * Writes the blocks into the project and compiles them with tsc (strict, NodeNext). Returns one
 * message per error, naming the README, the block and the README line; the JS goes to out/, to run.
 */
export async function typecheckBlocks(
  project: string,
  blocks: readonly ReadmeBlock[],
): Promise<string[]> {
  await rm(join(project, 'blocks'), { recursive: true, force: true });
  await rm(join(project, 'out'), { recursive: true, force: true });
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  const byFile = new Map<string, ReadmeBlock>();
  for (const block of blocks) {
    byFile.set(blockFile(block), block);
    // `export {}` keeps a block without imports a module: its names stay its own.
    const file = join(project, 'blocks', blockFile(block));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${block.code}export {};\n`);
  }
  const output = await run('npx', ['tsc', '-p', '.', '--pretty', 'false'], {
    cwd: project,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    () => '',
    (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
  );
  const errors: string[] = [];
  for (const line of output.split('\n').filter((l) => /error TS\d+/.test(l))) {
    const match = /^blocks\/([^(]+)\((\d+),(\d+)\): (.*)$/.exec(line);
    const block = match?.[1] ? byFile.get(match[1]) : undefined;
    if (!match || !block) {
      // Our packages' .d.ts must hold in a strict project; third-party ones are their authors'.
      if (!line.startsWith('node_modules/') || line.startsWith('node_modules/@eventfan/'))
        errors.push(`in the installed packages' types: ${line}`);
      continue;
    }
    const readmeLine = block.line + Number(match[2]);
    errors.push(`${block.label}, ${block.readme}:${readmeLine}:${match[3]}: ${match[4]}`);
  }
  return errors;
}
