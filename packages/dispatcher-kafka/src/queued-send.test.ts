import type { Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { ProducerSlot } from './producer-slot.js';
import { queuedSend } from './queued-send.js';
import { SendQueue } from './send-queue.js';

const producer = {} as Producer;

/** A slot over one producer that records what was distrusted. */
function recordingSlot(replaceable: boolean) {
  const distrusted: Producer[] = [];
  const slot: ProducerSlot = {
    replaceable,
    current: () => producer,
    ready: async () => {},
    connected: () => true,
    distrust: (p) => void distrusted.push(p),
    close: async () => {},
  };
  return { slot, distrusted };
}

const timedOut = () => new Error('timed out');
const never = () => new Promise<string>(() => {});

describe('queuedSend', () => {
  it('given a dispatch whose deadline passes while it waits, when its turn comes, then it is never sent', async () => {
    const queue = new SendQueue();
    const { slot } = recordingSlot(true);
    let hold!: () => void;
    void queue.run(() => new Promise<void>((resolve) => (hold = resolve)));
    let sent = false;
    const waiting = queuedSend({
      queue,
      slot,
      timeoutMs: 20,
      timedOut,
      attempt: async () => {
        sent = true;
        return 'sent';
      },
    });
    await expect(waiting).rejects.toThrow('timed out');
    hold();
    await queue.idle();
    expect(sent).toBe(false);
  });

  it('given a producer it built, when a send outlasts the deadline, then that producer is distrusted and the next send goes at once', async () => {
    const queue = new SendQueue();
    const { slot, distrusted } = recordingSlot(true);
    const hung = queuedSend({ queue, slot, timeoutMs: 20, timedOut, attempt: never });
    const next = queuedSend({
      queue,
      slot,
      timeoutMs: 1_000,
      timedOut,
      attempt: async () => 'next',
    });
    await expect(hung).rejects.toThrow('timed out');
    expect(await next).toBe('next');
    expect(distrusted).toEqual([producer]);
  });

  it('given the caller’s producer, when a send outlasts the deadline, then the next send waits for it to settle (there is no other producer)', async () => {
    const queue = new SendQueue();
    const { slot, distrusted } = recordingSlot(false);
    let finish!: (value: string) => void;
    const slow = queuedSend({
      queue,
      slot,
      timeoutMs: 20,
      timedOut,
      attempt: () => new Promise<string>((resolve) => (finish = resolve)),
    });
    const order: string[] = [];
    const next = queuedSend({
      queue,
      slot,
      timeoutMs: 1_000,
      timedOut,
      attempt: async () => {
        order.push('next sent');
        return 'next';
      },
    });
    await expect(slow).rejects.toThrow('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
    order.push('slow settled');
    finish('slow');
    expect(await next).toBe('next');
    expect(order).toEqual(['slow settled', 'next sent']);
    expect(distrusted).toEqual([]);
  });
});
