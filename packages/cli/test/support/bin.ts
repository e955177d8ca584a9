import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built bin, as `npm i -g @eventfan/cli` would run it. */
export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/bin.js');

export interface Ran {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Running {
  /** Resolves with stderr so far once it matches `pattern`; rejects when the process ends first. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves once stdout holds at least `count` lines. */
  waitForLines(count: number, timeoutMs?: number): Promise<string[]>;
  kill(signal: NodeJS.Signals): void;
  readonly done: Promise<Ran>;
}

/** The environment of a run: none of the broker variables of this process, plus `env`. */
function environment(env: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const brokers = new Set(['NATS_URL', 'KAFKA_BROKERS', 'ESDB_CONNECTION_STRING']);
  const clean = Object.entries(process.env).filter(([name]) => !brokers.has(name));
  return { ...Object.fromEntries(clean), NO_COLOR: '1', ...env };
}

/** Starts `node dist/bin.js …args`. */
export function startEventfan(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: environment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const changed = new Set<() => void>();
  const notify = () => {
    for (const f of changed) f();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    notify();
  });
  const done = new Promise<Ran>((resolveDone) => {
    child.on('close', (code, signal) => {
      resolveDone({ code, signal, stdout, stderr });
      notify();
    });
  });
  let ended = false;
  void done.then(() => (ended = true));

  const until = <T>(check: () => T | undefined, what: string, timeoutMs: number) =>
    new Promise<T>((resolveWait, reject) => {
      const timer = setTimeout(() => {
        changed.delete(test);
        reject(new Error(`timed out waiting for ${what}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }, timeoutMs);
      function test() {
        const value = check();
        if (value !== undefined || ended) {
          clearTimeout(timer);
          changed.delete(test);
          if (value !== undefined) resolveWait(value);
          else
            reject(
              new Error(`the process ended before ${what}\nstdout:\n${stdout}\nstderr:\n${stderr}`),
            );
        }
      }
      changed.add(test);
      test();
    });

  return {
    waitForStderr: (pattern, timeoutMs = 30_000) =>
      until(() => (pattern.test(stderr) ? stderr : undefined), `stderr ${pattern}`, timeoutMs),
    waitForLines: (count, timeoutMs = 30_000) =>
      until(
        () => {
          const lines = stdout.split('\n').filter((l) => l !== '');
          return lines.length >= count ? lines : undefined;
        },
        `${count} lines on stdout`,
        timeoutMs,
      ),
    kill: (signal) => child.kill(signal),
    done,
  };
}

/** Runs the bin to its end; kills it (and fails) after `timeoutMs`. */
export async function eventfan(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  timeoutMs = 45_000,
): Promise<Ran> {
  const running = startEventfan(args, env);
  const timer = setTimeout(() => running.kill('SIGKILL'), timeoutMs);
  const ran = await running.done;
  clearTimeout(timer);
  if (ran.signal === 'SIGKILL') {
    throw new Error(`eventfan ${args.join(' ')} did not end within ${timeoutMs} ms\n${ran.stderr}`);
  }
  return ran;
}

/** The non-empty lines of an output. */
export function linesOf(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}
