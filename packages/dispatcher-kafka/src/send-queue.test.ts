import { describe, expect, it } from 'vitest';
import { SendQueue } from './send-queue.js';

const later = <T>(ms: number, value: T) =>
  new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('SendQueue', () => {
  it('given tasks of different lengths, when queued at once, then each starts after the one before settled', async () => {
    const queue = new SendQueue();
    const events: string[] = [];
    const task = (name: string, ms: number) => async () => {
      events.push(`start ${name}`);
      await later(ms, undefined);
      events.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([
      queue.run(task('a', 30)),
      queue.run(task('b', 1)),
      queue.run(task('c', 10)),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('given a task that fails, when the next is queued, then it runs and the failure reaches only its caller', async () => {
    const queue = new SendQueue();
    const failing = queue.run(() => Promise.reject(new Error('boom')));
    const next = queue.run(() => later(1, 'next'));
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('next');
  });

  it('given tasks in flight, when idle() is awaited, then it settles after the last of them', async () => {
    const queue = new SendQueue();
    let done = false;
    void queue.run(() => later(20, undefined).then(() => (done = true)));
    await queue.idle();
    expect(done).toBe(true);
  });
});
