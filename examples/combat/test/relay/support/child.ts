import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/**
 * A TypeScript script run as a child process (node + tsx) that prints `progress <n>` lines and
 * `done` when it finished: started, SIGKILLed and started again by a fault test.
 */
export class ChildScript {
  #child: ChildProcess | undefined;
  #done = false;
  /** Progress of the lives before this one: the schedule counts across restarts. */
  #before = 0;
  #current = 0;
  #output: string[] = [];
  #lives = 0;
  #killing = false;
  #died: string | undefined;

  constructor(
    private readonly script: URL,
    private readonly settings: object,
  ) {}

  /** Progress summed over every life of the script (re-sends after a restart included). */
  progress(): number {
    return this.#before + this.#current;
  }

  get lives(): number {
    return this.#lives;
  }

  async start(): Promise<void> {
    this.#before += this.#current;
    this.#current = 0;
    this.#done = false;
    this.#lives++;
    this.#died = undefined;
    const child = spawn(
      process.execPath,
      [
        '--conditions=@eventfan/source',
        '--import',
        'tsx',
        fileURLToPath(this.script),
        JSON.stringify(this.settings),
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.#child = child;
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.#read(line);
    });
    child.stderr?.on('data', (chunk: Buffer) => this.#keep(chunk.toString()));
    child.once('exit', (code, signal) => {
      if (this.#killing || (code === 0 && this.#done)) return;
      this.#died = `${this.script.pathname} exited by itself (${signal ?? `code ${code}`}):\n${this.#output.join('')}`;
    });
    // Children must not outlive a test run that crashed.
    process.once('exit', () => child.kill('SIGKILL'));
  }

  /** Why the current life ended other than by kill() or finishing; undefined while it runs. */
  broken(): string | undefined {
    return this.#died;
  }

  /** The child's latest output lines, for a failure message. */
  get output(): string {
    return this.#output.join('');
  }

  /** SIGKILL, as a crash or the OOM killer would: no handler runs, nothing is flushed. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    this.#killing = true;
    child.kill('SIGKILL');
    await exited;
    this.#killing = false;
  }

  /** Asks the script to finish its work (a `finish` line) and waits until it exits with `done`. */
  async finish(timeoutMs: number): Promise<void> {
    const child = this.#child;
    if (!child) throw new Error('the child was never started');
    const exited = child.exitCode === null ? once(child, 'exit') : Promise.resolve();
    child.stdin?.write('finish\n');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    if (child.exitCode !== 0 || !this.#done) {
      throw new Error(
        `${this.script.pathname} did not finish (exit ${child.exitCode ?? child.signalCode}):\n${this.#output.join('')}`,
      );
    }
  }

  #read(line: string): void {
    const progress = /^progress (\d+)$/.exec(line);
    if (progress) this.#current = Number(progress[1]);
    else if (line === 'done') this.#done = true;
    else this.#keep(`${line}\n`);
  }

  #keep(text: string): void {
    this.#output = [...this.#output, text].slice(-40);
  }
}
