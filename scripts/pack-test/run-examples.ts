import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { ReadmeBlock } from './readme-blocks.js';
import { blockFile } from './typecheck.js';

/** Long enough for a first Kafka metadata round on a loaded machine; a hang ends here. */
const TIMEOUT_MS = 60_000;

/**
 * Each README's main example: its first complete block that is neither a module other blocks
 * import (`// combat.ts`) nor a vitest test (those run under vitest, not node).
 */
export function mainExamples(blocks: readonly ReadmeBlock[]): ReadmeBlock[] {
  const seen = new Set<string>();
  return blocks.filter((block) => {
    const skip = block.fragment || block.module || /from 'vitest'/.test(block.code);
    if (skip || seen.has(block.readme)) return false;
    seen.add(block.readme);
    return true;
  });
}

export interface ExampleRun {
  readonly block: ReadmeBlock;
  readonly ms: number;
  readonly stdout: string;
  /** Why it failed: not on its own within the timeout, a non-zero exit, or nothing printed. */
  readonly problem?: string;
}

/** Runs a compiled block with node in the project, with the brokers' env; it must exit by itself. */
export function runExample(
  project: string,
  block: ReadmeBlock,
  env: NodeJS.ProcessEnv,
): Promise<ExampleRun> {
  const file = join(project, 'out', blockFile(block).replace(/\.ts$/, '.js'));
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      'node',
      [file],
      { cwd: project, env, timeout: TIMEOUT_MS, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const ms = Date.now() - started;
        const tail = `\n${stdout}${stderr}`.trimEnd().split('\n').slice(-15).join('\n    ');
        let problem: string | undefined;
        if (error?.killed) problem = `did not exit on its own within ${TIMEOUT_MS / 1000} s`;
        else if (error) problem = `exited with ${error.code ?? error.signal}`;
        else if (!stdout.trim()) problem = 'printed nothing';
        resolve({ block, ms, stdout, ...(problem ? { problem: `${problem}:${tail}` } : {}) });
      },
    );
  });
}
