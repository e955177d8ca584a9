import type { Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { givenProducer, ownedProducer } from './producer-slot.js';

/** A producer that only counts connects and disconnects; `connect` fails when told to. */
function fakeProducer(failConnect = false) {
  const calls = { connect: 0, disconnect: 0 };
  const producer = {
    connect: async () => {
      calls.connect++;
      if (failConnect) throw new Error('no broker');
    },
    disconnect: async () => {
      calls.disconnect++;
    },
  } as unknown as Producer;
  return { producer, calls };
}

function slotOf(...fakes: ReturnType<typeof fakeProducer>[]) {
  const queue = [...fakes];
  return ownedProducer(() => (queue.shift() ?? fakeProducer()).producer);
}

describe('ownedProducer', () => {
  it('given a connected producer, when sends use it, then it is connected once and kept', async () => {
    const first = fakeProducer();
    const slot = slotOf(first);
    await slot.ready(slot.current());
    await slot.ready(slot.current());
    expect(slot.current()).toBe(first.producer);
    expect(first.calls.connect).toBe(1);
  });

  it('given a producer, when its connect has resolved, then it counts as connected until it is distrusted', async () => {
    const first = fakeProducer();
    const second = fakeProducer();
    const slot = slotOf(first, second);
    expect(slot.connected(first.producer)).toBe(false);
    const connecting = slot.ready(first.producer);
    expect(slot.connected(first.producer)).toBe(false);
    await connecting;
    expect(slot.connected(first.producer)).toBe(true);
    slot.distrust(first.producer);
    expect(slot.connected(first.producer)).toBe(false);
    expect(slot.connected(slot.current())).toBe(false);
  });

  it('given a connect that fails, when it settles, then the producer never counts as connected', async () => {
    const failing = fakeProducer(true);
    const slot = slotOf(failing);
    await expect(slot.ready(failing.producer)).rejects.toThrow('no broker');
    expect(slot.connected(failing.producer)).toBe(false);
  });

  it('given a send of uncertain outcome, when distrusted, then the producer is disconnected and the next send gets a new one', async () => {
    const first = fakeProducer();
    const second = fakeProducer();
    const slot = slotOf(first, second);
    await slot.ready(slot.current());
    slot.distrust(first.producer);
    expect(slot.current()).toBe(second.producer);
    await slot.ready(slot.current());
    expect(first.calls.disconnect).toBe(1);
    expect(second.calls.connect).toBe(1);
    // A late word about the retired producer changes nothing.
    slot.distrust(first.producer);
    expect(slot.current()).toBe(second.producer);
  });

  it('given a send still running when distrusted, when it settles, then its producer is disconnected again (kafkajs retries reconnect it)', async () => {
    const first = fakeProducer();
    const slot = slotOf(first);
    await slot.ready(slot.current());
    let settle!: () => void;
    const sending = new Promise<void>((resolve) => (settle = resolve));
    slot.distrust(first.producer, sending);
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(first.calls.disconnect).toBe(1);
    settle();
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(first.calls.disconnect).toBe(2);
  });

  it('given a connect that fails, when the next send comes, then it connects a new producer', async () => {
    const broken = fakeProducer(true);
    const fresh = fakeProducer();
    const slot = slotOf(broken, fresh);
    await expect(slot.ready(slot.current())).rejects.toThrow('no broker');
    expect(slot.current()).toBe(fresh.producer);
    await slot.ready(slot.current());
    expect(broken.calls.disconnect).toBe(1);
  });

  it('given producers built and retired, when closed, then each connected one is disconnected', async () => {
    const first = fakeProducer();
    const second = fakeProducer();
    const slot = slotOf(first, second);
    await slot.ready(slot.current());
    slot.distrust(first.producer);
    await slot.ready(slot.current());
    await slot.close();
    expect([first.calls.disconnect, second.calls.disconnect]).toEqual([1, 1]);
  });
});

describe('givenProducer', () => {
  it('given the caller’s producer, when distrusted or closed, then it is neither replaced, connected nor disconnected', async () => {
    const own = fakeProducer();
    const slot = givenProducer(own.producer);
    await slot.ready(slot.current());
    slot.distrust(own.producer);
    await slot.close();
    expect(slot.replaceable).toBe(false);
    expect(slot.current()).toBe(own.producer);
    expect(own.calls).toEqual({ connect: 0, disconnect: 0 });
    expect(slot.connected(own.producer)).toBe(true);
  });
});
