import { describe, expect, it } from 'vitest';
import { defineAggregate, initial } from './aggregate.js';
import {
  AggregateFailed,
  BrokerUnavailable,
  ConcurrencyConflict,
  InvalidEvent,
  InvalidHandlerResult,
  OperationAborted,
} from './errors.js';
import { defineEvents, payload } from './event.js';
import { commandHandler } from './handler.js';
import { InMemoryPublisher } from './memory-publisher.js';
import { InMemoryEventStore, type InMemoryPosition } from './memory-store.js';
import type { Envelope } from './envelope.js';
import { toEnvelopes } from './envelopes.js';
import type { AppendOptions, AppendResult } from './store.js';
import { DispatchFailed } from './publish.js';
import { Tally } from './tally.fixture.js';

function setup(publishers = [new InMemoryPublisher({ name: 'published' })]) {
  const store = new InMemoryEventStore();
  return { store, publishers, tally: commandHandler({ aggregate: Tally, store, publishers }) };
}

describe('commandHandler.handle', () => {
  it('loads, decides, stores, publishes, and returns state, envelopes and one receipt per target', async () => {
    const { store, publishers, tally } = setup();
    await tally.handle('a', { type: 'Add', amount: 2 });
    const result = await tally.handle('a', { type: 'AddTwice', amount: 3 });
    expect(result.state).toMatchObject({ generation: 3, state: { total: 8 } });
    expect(result.envelopes.map((e) => e.generation)).toEqual([2, 3]);
    expect(result.receipts.map((r) => r.target)).toEqual(['memory', 'published']);
    expect(result.duplicate).toBe(false);
    expect(store.size).toBe(3);
    expect(publishers[0]?.received.map((e) => e.id)).toEqual((await collectIds(store)).slice(0, 3));
  });

  it('a command with no events stores and publishes nothing', async () => {
    const { store, publishers, tally } = setup();
    const result = await tally.handle('a', { type: 'Noop' });
    expect(result.receipts).toEqual([]);
    expect(store.size + (publishers[0]?.calls.length ?? 0)).toBe(0);
  });

  it('stores nothing that a publisher refuses in pre-flight (InvalidEvent naming the target)', async () => {
    const strict = new InMemoryPublisher({ name: 'strict', maxEventBytes: 64 });
    const { store, tally } = setup([new InMemoryPublisher({ name: 'lenient' }), strict]);
    const attempt = tally.handle('a', { type: 'EmitRaw', data: { blob: 'x'.repeat(100) } });
    await expect(attempt).rejects.toThrow(InvalidEvent);
    await expect(attempt).rejects.toMatchObject({ where: { target: 'strict', generation: 1 } });
    expect(store.size).toBe(0);
  });

  it('derives ids from stream, generation and the command: equal commands get different ids', async () => {
    const { tally } = setup();
    const first = await tally.handle('a', { type: 'Add', amount: 1 });
    const second = await tally.handle('b', { type: 'Add', amount: 1 });
    const third = await tally.handle('a', { type: 'Add', amount: 1 });
    const ids = [first, second, third].map((r) => r.envelopes[0]?.id);
    expect(new Set(ids).size).toBe(3);
    expect(first.envelopes[0]?.metadata.commandId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('two writers at the same generation with identical commands: one stores, the other conflicts', async () => {
    const { store, tally } = setup();
    const same = initial(Tally, 'a');
    await tally.handleLoaded(same, { type: 'Add', amount: 1 });
    const second = tally.handleLoaded(same, { type: 'Add', amount: 1 });
    await expect(second).rejects.toThrow(ConcurrencyConflict);
    expect(store.size).toBe(1);
  });

  it('handle reloads and decides again on a conflict, up to conflictRetries times', async () => {
    const store = new RacedStore();
    store.races = 1;
    const tally = commandHandler({ aggregate: Tally, store, conflictRetries: 1 });
    const result = await tally.handle('a', { type: 'Add', amount: 1 });
    expect(result.state).toMatchObject({ generation: 2, state: { total: 11 } });
    store.races = 5;
    const none = commandHandler({ aggregate: Tally, store, conflictRetries: 0 });
    await expect(none.handle('a', { type: 'Add', amount: 1 })).rejects.toThrow(ConcurrencyConflict);
  });

  it('the same commandId sent again is an idempotent success that says duplicate, stored once', async () => {
    const { store, publishers, tally } = setup();
    const first = await tally.handle('a', { type: 'AddTwice', amount: 2 }, { commandId: 'cmd-7' });
    const again = await tally.handle('a', { type: 'AddTwice', amount: 2 }, { commandId: 'cmd-7' });
    expect(again.duplicate).toBe(true);
    expect(again.envelopes.map((e) => e.id)).toEqual(first.envelopes.map((e) => e.id));
    expect(again.receipts.map((r) => r.events.map((e) => e.duplicate))).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(again.state).toEqual(first.state);
    expect(store.size).toBe(2);
    expect(publishers[0]?.received).toHaveLength(2);
  });

  it('handleLoaded with the same state and commandId again is a duplicate append', async () => {
    const { store, tally } = setup();
    const start = initial(Tally, 'a');
    const clock = () => new Date('2026-01-01T00:00:00Z');
    await tally.handleLoaded(start, { type: 'Add', amount: 1 }, { commandId: 'k', clock });
    const again = await tally.handleLoaded(
      start,
      { type: 'Add', amount: 1 },
      { commandId: 'k', clock },
    );
    expect(again.duplicate).toBe(true);
    expect(store.size).toBe(1);
  });

  it('an already-aborted signal stores nothing (OperationAborted)', async () => {
    const { store, publishers, tally } = setup();
    const signal = AbortSignal.abort(new Error('shutting down'));
    await expect(tally.handle('a', { type: 'Add', amount: 1 }, { signal })).rejects.toThrow(
      OperationAborted,
    );
    expect(store.size + (publishers[0]?.calls.length ?? 0)).toBe(0);
  });

  it('a signal that fires after the append aborts the publish: stored, DispatchFailed, retry() sends', async () => {
    const controller = new AbortController();
    const slow = new InMemoryPublisher({ name: 'slow' });
    const publish = slow.publish.bind(slow);
    slow.publish = async (prepared, context) => {
      controller.abort(new Error('request cancelled'));
      return publish(prepared, context);
    };
    const { store, tally } = setup([slow]);
    const error = await tally
      .handle('a', { type: 'Add', amount: 1 }, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DispatchFailed);
    expect((error as DispatchFailed).failures[0]?.error).toBeInstanceOf(OperationAborted);
    expect([store.size, slow.received.length]).toEqual([1, 0]);
    await (error as DispatchFailed).retry();
    expect(slow.received).toHaveLength(1);
  });

  it('a failing publisher: DispatchFailed, the others took the events, retry() re-sends to it alone', async () => {
    const flaky = new InMemoryPublisher({ name: 'flaky' }).failNext(
      new BrokerUnavailable('flaky', 'down for a moment'),
    );
    const steady = new InMemoryPublisher({ name: 'steady' });
    const { store, tally } = setup([flaky, steady]);
    const error = await tally.handle('a', { type: 'Add', amount: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DispatchFailed);
    const failed = error as DispatchFailed;
    expect(failed.message).toContain('call retry()');
    expect(failed.failures.map((f) => f.target)).toEqual(['flaky']);
    expect(store.size).toBe(1);
    const retried = (await failed.retry()) as { receipts: { target: string }[] };
    expect(retried.receipts.map((r) => r.target)).toEqual(['memory', 'steady', 'flaky']);
    expect([flaky.calls.length, steady.calls.length]).toEqual([2, 1]);
    expect(flaky.calls[1]?.context.attempt).toBe(2);
  });

  it('DispatchFailed says a retry cannot help when no failure is retriable', async () => {
    const broken = new InMemoryPublisher({ name: 'broken' }).failNext(
      new InvalidEvent('the topic was deleted'),
    );
    const { tally } = setup([broken]);
    const error = await tally.handle('a', { type: 'Add', amount: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ retriable: false });
    expect((error as Error).message).toContain('a retry cannot help');
  });

  it('reports a snapshot that could not be written, with the events stored and published', async () => {
    const store = new InMemoryEventStore();
    store.writeSnapshot = async () => Promise.reject(new Error('disk full'));
    const tally = commandHandler({ aggregate: Tally, store, snapshotEvery: 1 });
    const result = await tally.handle('a', { type: 'Add', amount: 1 });
    expect(result.snapshotFailed?.message).toBe('disk full');
    expect(store.size).toBe(1);
  });

  it('refuses bad options: no store, two targets of one name, negative numbers', () => {
    const store = new InMemoryEventStore();
    const twin = new InMemoryPublisher({ name: 'memory' });
    expect(() => commandHandler({ aggregate: Tally, store, publishers: [twin] })).toThrow(
      /two targets are named "memory"/,
    );
    expect(() => commandHandler({ aggregate: Tally, store, snapshotEvery: -1 })).toThrow(
      /snapshotEvery/,
    );
    expect(() =>
      commandHandler({ aggregate: Tally, store: undefined as unknown as InMemoryEventStore }),
    ).toThrow(/must be an EventStore/);
  });
});

describe('typed failures of the aggregate and its input', () => {
  const Odd = defineEvents(
    'OddEvent',
    { version: '1', source: 'events://test/odd' },
    {
      Happened: payload<unknown>(),
    },
  );
  type Cmd =
    { type: 'Throw' } | { type: 'Return'; value: unknown } | { type: 'Emit'; data: unknown };
  const Weird = defineAggregate<{ n: number }, Cmd, { type: 'Happened'; data: unknown }>({
    name: 'weird',
    events: Odd,
    initialState: () => ({ n: 0 }),
    handle: {
      Throw: () => {
        throw new Error('boom');
      },
      Return: (_s, { value }) => value as never,
      Emit: (_s, { data }) => Odd.event('Happened', data),
    },
    apply: {
      Happened: (state, data) => {
        if (data === 'poison') throw new Error('cannot apply poison');
        return { n: state.n + 1 };
      },
    },
  });
  const handler = () => {
    const store = new InMemoryEventStore();
    return { store, weird: commandHandler({ aggregate: Weird, store }) };
  };

  it('a handler that throws is AggregateFailed naming aggregate, stream, command and cause', async () => {
    const { weird } = handler();
    const attempt = weird.handle('w', { type: 'Throw' });
    await expect(attempt).rejects.toThrow(AggregateFailed);
    await expect(attempt).rejects.toMatchObject({
      phase: 'handle',
      aggregate: 'weird',
      stream: 'weird-w',
      command: 'Throw',
      cause: { message: 'boom' },
    });
  });

  it('an applier that throws is AggregateFailed with the event and generation, nothing stored', async () => {
    const { store, weird } = handler();
    const attempt = weird.handle('w', { type: 'Emit', data: 'poison' });
    await expect(attempt).rejects.toMatchObject({
      phase: 'apply',
      event: 'Happened',
      generation: 1,
      command: 'Emit',
    });
    expect(store.size).toBe(0);
  });

  it.each([
    [null, 'null'],
    [42, 'a number'],
    [{}, 'an object without a string `type`'],
    [Promise.resolve(1), 'a Promise'],
    [[{ type: 'Happened', data: 1 }, undefined], 'an array holding undefined'],
  ])('a handler returning %s is InvalidHandlerResult (%s)', async (value, says) => {
    const { store, weird } = handler();
    const attempt = weird.handle('w', { type: 'Return', value });
    await expect(attempt).rejects.toThrow(InvalidHandlerResult);
    await expect(attempt).rejects.toThrow(says);
    expect(store.size).toBe(0);
  });

  it('data nested 3,000 deep is InvalidEvent, not a RangeError', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 3000; i++) deep = [deep];
    const { store, weird } = handler();
    await expect(weird.handle('w', { type: 'Emit', data: deep })).rejects.toThrow(
      /nested deeper than 256 levels/,
    );
    expect(store.size).toBe(0);
  });

  it("a metadata key spelling one of core's own options is InvalidEvent naming it", async () => {
    const { store, weird } = handler();
    const attempt = weird.handle('w', { type: 'Emit', data: 1 }, { metadata: { CommandId: 'x' } });
    await expect(attempt).rejects.toThrow(/metadata key "CommandId" is filled by core/);
    expect(store.size).toBe(0);
  });

  it('a clock returning an invalid Date is InvalidEvent naming the clock', async () => {
    const { weird } = handler();
    const attempt = weird.handle('w', { type: 'Emit', data: 1 }, { clock: () => new Date(NaN) });
    await expect(attempt).rejects.toThrow(InvalidEvent);
    await expect(attempt).rejects.toThrow(/the clock returned Invalid Date/);
  });
});

/** A store where another writer appends 10 just before each of the next `races` appends. */
class RacedStore extends InMemoryEventStore {
  races = 0;
  override async append(
    stream: string,
    envelopes: readonly Envelope[],
    expected: number,
    options?: AppendOptions,
  ): Promise<AppendResult<InMemoryPosition>> {
    if (this.races > 0) {
      this.races--;
      const before = { ...initial(Tally, 'a'), generation: expected };
      const other = await toEnvelopes(Tally, before, [Tally.events.event('Added', { amount: 10 })]);
      await super.append(stream, other.envelopes, expected);
    }
    return super.append(stream, envelopes, expected, options);
  }
}

async function collectIds(store: InMemoryEventStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of store.readAll()) ids.push(...page.map((e) => e.envelope.id));
  return ids;
}
