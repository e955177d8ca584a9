import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, ManagedProcess } from './process.js';

/** A node child running `script`, ready once it prints "ready". */
function nodeChild(script: string): { process: ManagedProcess; children: ChildProcess[] } {
  const children: ChildProcess[] = [];
  const managed: ManagedProcess = new ManagedProcess({
    spawn: () => {
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      return child;
    },
    ready: async () => {
      const child = children.at(-1);
      if (!child?.stdout) throw new Error('no child');
      for await (const chunk of child.stdout) if (String(chunk).includes('ready')) return;
      await new Promise<never>(() => {}); // never ready: only the exit can end the start
    },
    exitedEarly: (how): string => `exited (${how}): ${managed.output.join(' | ')}`,
    keepLines: 2,
    stopGraceMs: 200,
  });
  return { process: managed, children };
}

describe('a managed child process', () => {
  it('given a child that exits before it is ready, when started, then it fails naming the exit and the last output lines', async () => {
    const { process: managed } = nodeChild(
      'console.log("one"); console.log("two"); console.log("three"); process.exit(3)',
    );
    await expect(managed.start()).rejects.toThrow(/^exited \(code 3\): two \| three$/);
  });

  it('given a running child, when stopped and started again, then the first got SIGTERM and a second one runs', async () => {
    const { process: managed, children } = nodeChild(
      'console.log("ready"); setInterval(() => {}, 1000)',
    );
    await managed.start();
    await managed.start();
    expect(children).toHaveLength(1);
    await managed.stop();
    expect(children[0]?.signalCode).toBe('SIGTERM');
    await managed.start();
    expect(children).toHaveLength(2);
    await managed.stop();
  });

  it('given a child that would handle SIGTERM, when killed, then it got SIGKILL and starts again', async () => {
    const { process: managed, children } = nodeChild(
      'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)',
    );
    await managed.start();
    await managed.kill();
    expect(children[0]?.signalCode).toBe('SIGKILL');
    await managed.start();
    expect(children).toHaveLength(2);
    await managed.stop();
  });

  it('given a child that ignores SIGTERM, when stopped, then it is killed with SIGKILL after the grace period', async () => {
    const { process: managed, children } = nodeChild(
      'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)',
    );
    await managed.start();
    await managed.stop();
    expect(children[0]?.signalCode).toBe('SIGKILL');
  });
});

describe('freePort', () => {
  it('gives a port on 127.0.0.1 that can be listened on', async () => {
    const port = await freePort();
    const server = createServer().listen(port, '127.0.0.1');
    await once(server, 'listening');
    expect(server.address()).toMatchObject({ port });
    server.close();
  });
});
