import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BrokerUnavailable, InvalidEvent } from '../errors.js';
import { commandHandler } from '../handler.js';
import { InMemoryPublisher } from '../memory-publisher.js';
import { InMemoryEventStore } from '../memory-store.js';
import { Tally } from '../tally.fixture.js';
import { CheckpointConflict, InMemoryCheckpoints } from './checkpoints.js';
import { FileCheckpoints } from './file-checkpoints.js';
import { relay } from './relay.js';
import type { EventStore, ReadAllOptions } from '../store.js';

const fast = { retry: { minTimeoutMs: 1, maxTimeoutMs: 5 }, idleMs: 5 } as const;

async function stored(count: number, streams = 3) {
  const store = new InMemoryEventStore();
  const tally = commandHandler({ aggregate: Tally, store, publishing: 'relay' });
  for (let i = 0; i < count; i++)
    await tally.handle(`t${i % streams}`, { type: 'Add', amount: i + 1 });
  return store;
}

const perStream = (publisher: InMemoryPublisher) => {
  const out: Record<string, number[]> = {};
  for (const e of publisher.received) (out[e.stream] ??= []).push(e.generation);
  return out;
};

describe('relay', () => {
  it('publishes every stored event to every target, in order per stream, and checkpoints it', async () => {
    const store = await stored(30);
    const [a, b] = [new InMemoryPublisher({ name: 'a' }), new InMemoryPublisher({ name: 'b' })];
    const checkpoints = new InMemoryCheckpoints();
    const outbox = relay({ store, publishers: [a, b], checkpoints, batchSize: 7, ...fast });
    outbox.start();
    await outbox.caughtUp();
    await outbox.stop();
    const expected = { 'tally-t0': range(10), 'tally-t1': range(10), 'tally-t2': range(10) };
    expect([perStream(a), perStream(b)]).toEqual([expected, expected]);
    expect(Math.max(...a.calls.map((c) => c.envelopes.length))).toBeLessThanOrEqual(7);
    expect(outbox.status().map((s) => [s.target, s.state, s.position, s.published])).toEqual([
      ['a', 'stopped', '30', 30],
      ['b', 'stopped', '30', 30],
    ]);
    expect((await checkpoints.load('relay/a'))?.position).toBe('30');
  });

  it('starts again from its checkpoint: a restart re-sends nothing already acknowledged', async () => {
    const store = await stored(10);
    const checkpoints = new InMemoryCheckpoints();
    const first = new InMemoryPublisher({ name: 'a' });
    const one = relay({ store, publishers: [first], checkpoints, ...fast });
    one.start();
    await one.caughtUp();
    await one.stop();
    const tally = commandHandler({ aggregate: Tally, store, publishing: 'relay' });
    await tally.handle('t0', { type: 'Add', amount: 5 });
    const second = new InMemoryPublisher({ name: 'a' });
    const two = relay({ store, publishers: [second], checkpoints, ...fast });
    two.start();
    await two.caughtUp();
    await two.stop();
    expect([first.received.length, second.received.length]).toEqual([10, 1]);
  });

  it('a target that is down holds back only itself, is retried, and catches up', async () => {
    const store = await stored(12);
    const down = new InMemoryPublisher({ name: 'down' }).failNext(
      new BrokerUnavailable('down', 'connection refused'),
      5,
    );
    const up = new InMemoryPublisher({ name: 'up' });
    const reports: string[] = [];
    const outbox = relay({
      store,
      publishers: [down, up],
      checkpoints: new InMemoryCheckpoints(),
      onReport: (target, what) => reports.push(`${target}: ${what}`),
      ...fast,
    });
    outbox.start();
    await outbox.caughtUp();
    await outbox.stop();
    expect([down.received.length, up.received.length]).toEqual([12, 12]);
    expect(reports.filter((r) => r.startsWith('down: retrying'))).toHaveLength(5);
  });

  it('parks what a target refuses in pre-flight, with the reason; the rest flows; replay after a fix', async () => {
    const store = new InMemoryEventStore();
    const tally = commandHandler({ aggregate: Tally, store, publishing: 'relay' });
    await tally.handle('a', { type: 'Add', amount: 1 });
    await tally.handle('a', { type: 'EmitRaw', data: { blob: 'x'.repeat(200) } });
    await tally.handle('a', { type: 'Add', amount: 2 });
    let limit = 100;
    const picky = new InMemoryPublisher({ name: 'picky' });
    const prepare = picky.prepare.bind(picky);
    picky.prepare = (envelopes) => {
      const big = envelopes.find((e) => JSON.stringify(e.data).length > limit);
      if (big)
        throw new InvalidEvent('over the limit', { target: 'picky', generation: big.generation });
      return prepare(envelopes);
    };
    const outbox = relay({
      store,
      publishers: [picky],
      checkpoints: new InMemoryCheckpoints(),
      ...fast,
    });
    outbox.start();
    await outbox.caughtUp();
    expect(picky.received.map((e) => e.generation)).toEqual([1, 3]);
    const parked = await outbox.parked('picky');
    expect(parked.map((p) => [p.envelope.generation, p.reason])).toEqual([
      [2, 'Invalid event (target "picky", generation 2): over the limit'],
    ]);
    expect(outbox.status()[0]).toMatchObject({ parked: 1, published: 2 });
    limit = 1_000;
    expect(await outbox.replayParked('picky')).toBe(1);
    expect(await outbox.parked('picky')).toEqual([]);
    expect(picky.received.map((e) => e.generation)).toEqual([1, 3, 2]);
    await outbox.stop();
  });

  it('with onRefused "stop", a refused event stops that target and says why', async () => {
    const store = await stored(2, 1);
    const picky = new InMemoryPublisher({ name: 'picky', maxEventBytes: 2 });
    const outbox = relay({
      store,
      publishers: [picky],
      checkpoints: new InMemoryCheckpoints(),
      onRefused: 'stop',
      ...fast,
    });
    outbox.start();
    await outbox.caughtUp();
    expect(outbox.status()[0]).toMatchObject({ state: 'failed', published: 0 });
    expect(outbox.status()[0]?.lastError).toMatch(/over the 2-byte limit/);
    await outbox.stop();
  });

  it('a store read or checkpoint save that fails for a while is retried, not the end of the target', async () => {
    const store = await stored(6, 2);
    let reads = 2;
    const flaky: EventStore = Object.assign(Object.create(store) as EventStore, {
      readAll: (options?: ReadAllOptions) => {
        if (reads-- > 0) throw new BrokerUnavailable('memory', 'store restarting');
        return store.readAll(options);
      },
    });
    const checkpoints = new InMemoryCheckpoints();
    const save = checkpoints.save.bind(checkpoints);
    let saves = 2;
    checkpoints.save = (key, position, expected) =>
      saves-- > 0 && position !== ''
        ? Promise.reject(new Error('EIO'))
        : save(key, position, expected);
    const a = new InMemoryPublisher({ name: 'a' });
    const reports: string[] = [];
    const outbox = relay({
      store: flaky,
      publishers: [a],
      checkpoints,
      onReport: (_, what) => reports.push(what),
      ...fast,
    });
    outbox.start();
    await outbox.caughtUp();
    await outbox.stop();
    expect(outbox.status()[0]).toMatchObject({ state: 'stopped', position: '6' });
    expect(new Set(a.received.map((e) => e.id)).size).toBe(6);
    expect(reports.filter((r) => r.startsWith('retrying the log')).length).toBeGreaterThanOrEqual(
      3,
    );
  });

  it('of two relays started on one target, exactly one publishes; the other stands down', async () => {
    const store = await stored(20);
    const checkpoints = new InMemoryCheckpoints();
    const [one, two] = [
      new InMemoryPublisher({ name: 'nats' }),
      new InMemoryPublisher({ name: 'nats' }),
    ];
    const relays = [
      relay({ store, publishers: [one], checkpoints, ...fast }),
      relay({ store, publishers: [two], checkpoints, ...fast }),
    ];
    for (const r of relays) r.start();
    await Promise.all(relays.map((r) => r.caughtUp()));
    await Promise.all(relays.map((r) => r.stop()));
    expect([one.received.length, two.received.length].sort()).toEqual([0, 20]);
    expect(relays.map((r) => r.status()[0]?.state).sort()).toEqual(['stood-down', 'stopped']);
  });

  it('behind the handler in relay mode: handle only appends, the relay publishes, woken at once', async () => {
    const store = new InMemoryEventStore();
    const published = new InMemoryPublisher({ name: 'bus' });
    const outbox = relay({
      store,
      publishers: [published],
      checkpoints: new InMemoryCheckpoints(),
      idleMs: 60_000,
    });
    const tally = commandHandler({
      aggregate: Tally,
      store,
      publishers: [published],
      publishing: 'relay',
      relay: outbox,
    });
    outbox.start();
    const result = await tally.handle('a', { type: 'Add', amount: 1 });
    expect(result.receipts.map((r) => r.target)).toEqual(['memory']);
    await outbox.caughtUp({ timeoutMs: 2_000 });
    expect(published.received.map((e) => e.id)).toEqual(result.envelopes.map((e) => e.id));
    await outbox.stop();
  });

  it('closes the crash gap: events stored but never published inline are published by the relay', async () => {
    const store = new InMemoryEventStore();
    const bus = new InMemoryPublisher({ name: 'bus' });
    // The process "dies" between the append and the broker: every inline publish fails.
    bus.failNext(new BrokerUnavailable('bus', 'process killed'), 5);
    const tally = commandHandler({ aggregate: Tally, store, publishers: [bus] });
    for (let i = 1; i <= 5; i++)
      await tally.handle('a', { type: 'Add', amount: i }).catch(() => {});
    expect([store.size, bus.received.length]).toEqual([5, 0]);
    const outbox = relay({
      store,
      publishers: [bus],
      checkpoints: new InMemoryCheckpoints(),
      ...fast,
    });
    outbox.start();
    await outbox.caughtUp();
    await outbox.stop();
    expect(bus.received.map((e) => e.generation)).toEqual(range(5));
  });

  it('publishes the next page while one is acknowledged, and saves checkpoints in page order', async () => {
    const store = await stored(4, 4); // one event per stream: t0..t3
    const held = new InMemoryPublisher({ name: 'held' });
    const gates: (() => void)[] = [];
    const publish = held.publish.bind(held);
    held.publish = async (prepared, context) => {
      await new Promise<void>((open) => gates.push(open));
      return publish(prepared, context ?? { attempt: 1 });
    };
    const checkpoints = new InMemoryCheckpoints();
    const outbox = relay({ store, publishers: [held], checkpoints, batchSize: 1, ...fast });
    outbox.start();
    await until(() => gates.length === 2);
    await tick();
    expect(gates).toHaveLength(2); // the default window: two pages, the third waits
    (gates[1] as () => void)(); // the second page is acknowledged first
    await tick();
    expect((await checkpoints.load('relay/held'))?.position).toBe('');
    expect(outbox.status()[0]?.lag).toBe(2);
    (gates[0] as () => void)();
    await until(() => gates.length === 4);
    expect((await checkpoints.load('relay/held'))?.position).toBe('2');
    for (const open of gates.slice(2)) open();
    await outbox.caughtUp();
    await outbox.stop();
    expect((await checkpoints.load('relay/held'))?.position).toBe('4');
    expect(held.received.map((e) => e.stream)).toEqual([
      'tally-t1',
      'tally-t0',
      'tally-t2',
      'tally-t3',
    ]);
  });

  it("keeps a stream's order across pages in flight while an earlier page is retried", async () => {
    const store = await stored(4, 2); // t0 #1, t1 #1, t0 #2, t1 #2: pages of one event
    const bus = new InMemoryPublisher({ name: 'bus' });
    const publish = bus.publish.bind(bus);
    let refusals = 3;
    bus.publish = async (prepared, context) => {
      const [first] = prepared.envelopes;
      if (first?.stream === 'tally-t0' && first.generation === 1 && refusals-- > 0) {
        bus.calls.push({ envelopes: prepared.envelopes, context: context ?? { attempt: 1 } });
        throw new BrokerUnavailable('bus', 'connection refused');
      }
      return publish(prepared, context);
    };
    const outbox = relay({
      store,
      publishers: [bus],
      checkpoints: new InMemoryCheckpoints(),
      batchSize: 1,
      pagesInFlight: 4,
      ...fast,
    });
    outbox.start();
    await outbox.caughtUp();
    await outbox.stop();
    expect(perStream(bus)).toEqual({ 'tally-t0': [1, 2], 'tally-t1': [1, 2] });
    const sent = bus.calls.map((c) => `${c.envelopes[0]?.stream}#${c.envelopes[0]?.generation}`);
    // t0 #1 failed three times; t0 #2 went only after it, though its page was read meanwhile.
    expect(sent.indexOf('tally-t0#2')).toBeGreaterThan(sent.lastIndexOf('tally-t0#1'));
    expect(sent.filter((c) => c === 'tally-t0#1')).toHaveLength(4);
  });

  it('refuses bad options with a clear error', () => {
    const store = new InMemoryEventStore();
    const checkpoints = new InMemoryCheckpoints();
    expect(() => relay({ store, publishers: [], checkpoints, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => relay({ store, publishers: [], checkpoints, pagesInFlight: 0 })).toThrow(
      /pagesInFlight must be a whole number >= 1, got 0/,
    );
    expect(() => relay({ store, publishers: [], checkpoints, idleMs: Infinity })).toThrow(
      /idleMs must be >= 0 and at most 2147483647 ms/,
    );
    expect(() =>
      relay({ store, publishers: [new InMemoryPublisher(), new InMemoryPublisher()], checkpoints }),
    ).toThrow(/two targets are named "memory"/);
  });
});

describe('file checkpoints', () => {
  it('keep each key across instances and refuse a save over another version', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'eventfan-')), 'relay', 'checkpoints.json');
    const first = new FileCheckpoints(path);
    expect(await first.load('relay/a')).toBeUndefined();
    expect(await first.save('relay/a', '12', 0)).toBe(1);
    expect(await first.save('relay/b', '3', 0)).toBe(1);
    const second = new FileCheckpoints(path);
    expect(await second.load('relay/a')).toEqual({ position: '12', version: 1 });
    await expect(second.save('relay/a', '13', 0)).rejects.toThrow(CheckpointConflict);
    expect(await second.save('relay/a', '13', 1)).toBe(2);
  });
});

async function tick(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await tick();
  expect(condition()).toBe(true);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
