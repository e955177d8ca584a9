import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1, found by letting the OS pick one and releasing it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

const running = new Set<ChildProcess>();
let killAllOnExit = false;

/** Kills children a crashed or interrupted test run would otherwise leave behind. */
export function killOnExit(child: ChildProcess): void {
  if (!killAllOnExit) process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));
  killAllOnExit = true;
  running.add(child);
  child.once('exit', () => running.delete(child));
}

export interface ManagedProcessOptions {
  /** Starts the child; called on every start. */
  readonly spawn: () => ChildProcess;
  /** Resolves once the child serves; rejects when it does not in time. */
  readonly ready: () => Promise<void>;
  /** The error text when the child exits before it is ready; `how` is the signal or `code N`. */
  readonly exitedEarly: (how: string) => string;
  /** How many of the child's latest output lines `output` keeps for error messages. */
  readonly keepLines: number;
  /** How long `stop()` waits after SIGTERM before it sends SIGKILL. */
  readonly stopGraceMs: number;
}

/** A long-running child (a broker) that can be stopped and started again. */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private lines: string[] = [];

  constructor(private readonly options: ManagedProcessOptions) {}

  /** The latest output lines of the current or last child. */
  get output(): readonly string[] {
    return this.lines;
  }

  /** Spawns the child unless it runs, and waits until it is ready or has exited (then throws). */
  async start(): Promise<void> {
    if (this.child) return;
    this.lines = [];
    const child = this.options.spawn();
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.lines.push(...chunk.toString().split('\n').filter(Boolean));
      this.lines = this.lines.slice(-this.options.keepLines);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    killOnExit(child);
    const exited = new Promise<never>((_, reject) => {
      child.once('exit', (code, signal) =>
        reject(new Error(this.options.exitedEarly(signal ?? `code ${code}`))),
      );
    });
    exited.catch(() => {});
    try {
      await Promise.race([this.options.ready(), exited]);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** SIGSTOP: the child keeps its sockets open but runs no code until resume(). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT: a paused child runs again. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** SIGKILL: the child dies at once, as in a crash or an OOM kill; nothing is flushed. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM lets the child shut down cleanly (stores flushed); SIGKILL only if it hangs. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    // A paused child would hold the SIGTERM until SIGCONT.
    child.kill('SIGCONT');
    const timer = setTimeout(() => child.kill('SIGKILL'), this.options.stopGraceMs);
    await exited;
    clearTimeout(timer);
  }
}
