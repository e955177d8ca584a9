/** What one benchmark run leaves in `bench/results/<name>.json`, and the machine it ran on. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Headline } from './summary-headlines.js';

export interface Machine {
  readonly cpus: number;
  readonly model: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1-minute load average when the run began: how shared the machine was. */
  readonly load: number;
}

export type Outcome = 'passed' | 'failed' | 'timed out' | 'skipped';

export interface BenchResult {
  readonly name: string;
  readonly outcome: Outcome;
  /** Why it did not pass: exit code, signal, the budget it overran. */
  readonly reason?: string;
  readonly seconds: number;
  readonly budgetSeconds: number;
  readonly date: string;
  readonly commit: string;
  readonly machine: Machine;
  readonly headlines: readonly Headline[];
}

export function machine(): Machine {
  const cores = cpus();
  return {
    cpus: cores.length,
    model: cores[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    load: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** The commit the run measured, with `+dirty` when the working tree had changes. */
export function commit(cwd: string): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const head = git('rev-parse', '--short=12', 'HEAD').trim();
    return git('status', '--porcelain', '--untracked-files=no').trim() ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

export function writeResult(dir: string, result: BenchResult): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/** Every result file present, by name. */
export function readResults(dir: string): BenchResult[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as BenchResult);
}
