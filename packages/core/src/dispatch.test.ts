import { describe, expect, it } from 'vitest';
import { initial } from './aggregate.js';
import type { Dispatched } from './dispatch.js';
import { dispatch } from './dispatch.js';
import { eventId } from './event-id.js';
import { BrokerUnavailable, ConcurrencyConflict, InvalidEvent } from './errors.js';
import { DispatchFailed } from './fan-out.js';
import { InMemoryDispatcher } from './memory-dispatcher.js';
import { InMemoryEventStore } from './memory-store.js';
import { persistTo } from './store.js';
import type { TallyCommand } from './tally.fixture.js';
import { Tally } from './tally.fixture.js';

const clock = () => new Date('2026-11-23T10:00:00.000Z');

describe('dispatch', () => {
  it('handles, applies and sends the events to every dispatcher, with one receipt each', async () => {
    const kafka = new InMemoryDispatcher({ name: 'kafka' });
    const nats = new InMemoryDispatcher({ name: 'nats' });
    const result = await dispatch(
      Tally,
      initial(Tally, 'a'),
      { type: 'AddTwice', amount: 4 },
      [kafka, nats],
      {
        clock,
        causationId: 'cmd-1',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        metadata: { tenant: 'acme' },
      },
    );
    expect(result.state).toMatchObject({ generation: 2, state: { total: 8 } });
    expect(result.envelopes).toEqual(
      [1, 2].map((generation) => ({
        id: eventId('tally-a', generation, 'tallyevent.added', { amount: 4 }),
        aggregate: 'tally',
        stream: 'tally-a',
        generation,
        type: 'tallyevent.added',
        version: '2.1',
        source: 'events://eventfan.test/tally',
        time: '2026-11-23T10:00:00.000Z',
        data: { amount: 4 },
        metadata: {
          tenant: 'acme',
          correlationId: 'cmd-1',
          causationId: 'cmd-1',
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        },
      })),
    );
    expect(result.receipts.map((r) => r.target)).toEqual(['kafka', 'nats']);
    expect(kafka.received).toEqual(result.envelopes);
    expect(nats.received).toEqual(result.envelopes);
    expect(kafka.calls[0]?.context).toMatchObject({
      stream: 'tally-a',
      expectedGeneration: 0,
      attempt: 1,
    });
  });

  it('a command that yields no events sends nothing', async () => {
    const target = new InMemoryDispatcher();
    const result = await dispatch(Tally, initial(Tally, 'a'), { type: 'Noop' }, [target]);
    expect(result).toMatchObject({ envelopes: [], receipts: [], state: { generation: 0 } });
    expect(target.calls).toHaveLength(0);
  });

  it('the same command on the same state gives the same ids, so a re-sent request dedupes', async () => {
    const target = new InMemoryDispatcher();
    const start = initial(Tally, 'a');
    const first = await dispatch(Tally, start, { type: 'Add', amount: 1 }, [target]);
    const again = await dispatch(Tally, start, { type: 'Add', amount: 1 }, [target]);
    expect(again.envelopes.map((e) => e.id)).toEqual(first.envelopes.map((e) => e.id));
    expect(again.receipts[0]?.events[0]?.duplicate).toBe(true);
    expect(target.received).toHaveLength(1);
  });

  describe('fan-out with one failing target', () => {
    it('reports the failure for that target, delivers to the others, and retries only the failed one', async () => {
      const kafka = new InMemoryDispatcher({ name: 'kafka' }).failNext(
        new BrokerUnavailable('kafka', 'connection refused'),
      );
      const nats = new InMemoryDispatcher({ name: 'nats' });
      const failed = await dispatch(Tally, initial(Tally, 'a'), { type: 'Add', amount: 3 }, [
        kafka,
        nats,
      ]).catch((e) => e);

      expect(failed).toBeInstanceOf(DispatchFailed);
      const error = failed as DispatchFailed<Dispatched<unknown>>;
      expect(error.message).toContain('failed for 1 of 2 targets');
      expect(error.message).toContain(
        'kafka: failed: Target "kafka" is unavailable: connection refused',
      );
      expect(error.failures.map((f) => [f.target, f.skipped])).toEqual([['kafka', false]]);
      expect(error.receipts.map((r) => r.target)).toEqual(['nats']);
      expect(nats.received).toHaveLength(1);
      expect(kafka.received).toHaveLength(0);

      const retried = await error.retry();
      expect(kafka.calls).toHaveLength(2);
      expect(kafka.calls[1]?.context.attempt).toBe(2);
      expect(nats.calls).toHaveLength(1);
      expect(kafka.received.map((e) => e.id)).toEqual(nats.received.map((e) => e.id));
      expect(retried.envelopes.map((e) => e.id)).toEqual(error.result.envelopes.map((e) => e.id));
      expect(retried.receipts.map((r) => r.target).sort()).toEqual(['kafka', 'nats']);
    });

    it('a retry that fails again throws again and can be retried once more', async () => {
      const flaky = new InMemoryDispatcher({ name: 'flaky' }).failNext(new Error('boom'), 2);
      const first = (await dispatch(Tally, initial(Tally, 'a'), { type: 'Add', amount: 1 }, [
        flaky,
      ]).catch((e) => e)) as DispatchFailed;
      const second = (await first.retry().catch((e) => e)) as DispatchFailed;
      expect(second).toBeInstanceOf(DispatchFailed);
      await expect(second.retry()).resolves.toMatchObject({ state: { generation: 1 } });
      expect(flaky.received).toHaveLength(1);
    });

    it('publishers are skipped, and say so, when the store did not record the events', async () => {
      const store = new InMemoryDispatcher({ name: 'esdb', role: 'store' }).failNext(
        new Error('disk full'),
      );
      const nats = new InMemoryDispatcher({ name: 'nats' });
      const error = (await dispatch(Tally, initial(Tally, 'a'), { type: 'Add', amount: 1 }, [
        nats,
        store,
      ]).catch((e) => e)) as DispatchFailed;
      expect(error.failures.map((f) => [f.target, f.skipped])).toEqual([
        ['esdb', false],
        ['nats', true],
      ]);
      expect(error.message).toMatch(
        /nats: skipped: Not sent to "nats": store "esdb" did not record/,
      );
      expect(nats.calls).toHaveLength(0);
      await error.retry();
      expect(store.received).toHaveLength(1);
      expect(nats.received).toHaveLength(1);
    });
  });

  it('a target whose receipt misses an event is a failure of that target, not a lost event', async () => {
    const sloppy = {
      name: 'sloppy',
      dispatch: async () => ({ target: 'sloppy', events: [] }),
    };
    const good = new InMemoryDispatcher({ name: 'good' });
    const error = (await dispatch(Tally, initial(Tally, 'a'), { type: 'Add', amount: 1 }, [
      sloppy,
      good,
    ]).catch((e: unknown) => e)) as DispatchFailed;
    expect(error).toBeInstanceOf(DispatchFailed);
    expect(error.failures.map((f) => f.target)).toEqual(['sloppy']);
    expect(error.failures[0]?.error.message).toMatch(
      /returned a receipt for 0 events where 1 were sent/,
    );
    expect(good.received).toHaveLength(1);
  });

  it('a dispatcher that throws synchronously fails alone; the other targets still get the events', async () => {
    const broken = {
      name: 'broken',
      dispatch: (): never => {
        throw new Error('not connected');
      },
    };
    const good = new InMemoryDispatcher({ name: 'good' });
    const error = (await dispatch(Tally, initial(Tally, 'a'), { type: 'Add', amount: 1 }, [
      broken,
      good,
    ]).catch((e: unknown) => e)) as DispatchFailed;
    expect(error).toBeInstanceOf(DispatchFailed);
    expect(error.failures.map((f) => [f.target, f.error.message])).toEqual([
      ['broken', 'not connected'],
    ]);
    expect(good.received).toHaveLength(1);
  });

  it('a concurrency conflict at the store is thrown as such and nothing is published', async () => {
    const store = new InMemoryEventStore();
    const nats = new InMemoryDispatcher({ name: 'nats' });
    const start = initial(Tally, 'a');
    await dispatch(Tally, start, { type: 'Add', amount: 1 }, [persistTo(store)]);
    const stale = dispatch(Tally, start, { type: 'Add', amount: 2 }, [persistTo(store), nats]);
    await expect(stale).rejects.toThrow(ConcurrencyConflict);
    await expect(stale).rejects.toThrow('expected generation 0, actual 1');
    expect(nats.calls).toHaveLength(0);
  });

  describe('bad input is refused before anything is sent', () => {
    const target = new InMemoryDispatcher();
    const cases: [string, TallyCommand, RegExp][] = [
      ['schema failure', { type: 'Add', amount: 1.5 }, /event "Added".*\$\.data\.amount/],
      [
        'non-JSON data',
        { type: 'EmitRaw', data: { when: new Date() } },
        /\$\.data\.when is a Date/,
      ],
    ];
    it.each(cases)('%s', async (_name, command, message) => {
      const attempt = dispatch(Tally, initial(Tally, 'a'), command, [target]);
      await expect(attempt).rejects.toThrow(InvalidEvent);
      await expect(attempt).rejects.toThrow(message);
      expect(target.calls).toHaveLength(0);
    });

    it('an empty stream id', async () => {
      const attempt = dispatch(
        Tally,
        { ...initial(Tally, 'a'), stream: '' },
        { type: 'Add', amount: 1 },
        [target],
      );
      await expect(attempt).rejects.toThrow(/stream id must be a non-empty string, got ""/);
    });

    it('metadata keys that are not CloudEvents extension names', async () => {
      const attempt = dispatch(Tally, initial(Tally, 'a'), { type: 'Add', amount: 1 }, [target], {
        metadata: { 'Tenant-Id': 'x' },
      });
      await expect(attempt).rejects.toThrow(/metadata key "Tenant-Id" must match/);
    });

    it('a traceparent that is not W3C trace context', async () => {
      const attempt = dispatch(Tally, initial(Tally, 'a'), { type: 'Add', amount: 1 }, [target], {
        traceparent: 'abc',
      });
      await expect(attempt).rejects.toThrow(/traceparent "abc" is not a W3C trace context/);
      expect(target.calls).toHaveLength(0);
    });

    it('two dispatchers with one name', async () => {
      const attempt = dispatch(Tally, initial(Tally, 'a'), { type: 'Add', amount: 1 }, [
        target,
        target,
      ]);
      await expect(attempt).rejects.toThrow(/two dispatchers are named "memory"/);
    });
  });
});
