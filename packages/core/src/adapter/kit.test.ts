import { describe, expect, it } from 'vitest';
import type { Prepared } from '../publisher.js';
import { withDeadline } from './deadline.js';
import { InFlight } from './in-flight.js';
import { MAX_TIMER_MS, millisecondsProblem } from './milliseconds.js';
import { assertPreparedBy } from './prepared-by.js';

describe('the adapter kit', () => {
  it('InFlight settles once every tracked send has, failed ones included', async () => {
    const inFlight = new InFlight();
    let finish: () => void = () => {};
    const slow = inFlight.track(new Promise<void>((resolve) => (finish = resolve)));
    inFlight.track(Promise.reject(new Error('refused'))).catch(() => {});
    let settled = false;
    const waiting = inFlight.settled().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(false);
    finish();
    await slow;
    await waiting;
    expect(settled).toBe(true);
  });

  it('millisecondsProblem refuses delays node cannot time, naming the option', () => {
    for (const ok of [1, 0.5, 30_000, MAX_TIMER_MS]) {
      expect(millisecondsProblem('timeoutMs', ok, 'above-zero')).toBeUndefined();
    }
    expect(millisecondsProblem('lingerMs', 0, 'zero')).toBeUndefined();
    for (const bad of [0, -1, Number.NaN, Infinity, MAX_TIMER_MS + 1]) {
      expect(millisecondsProblem('timeoutMs', bad, 'above-zero')).toBe(
        `timeoutMs must be > 0 and at most 2147483647 ms (about 24.8 days, the longest timer node keeps), got ${bad}`,
      );
    }
    expect(millisecondsProblem('lingerMs', -1, 'zero')).toMatch(
      /^lingerMs must be >= 0 and at most/,
    );
  });

  it('withDeadline takes a deadline past the longest timer as none, not as one that is over', async () => {
    let finish: (value: string) => void = () => {};
    const sending = new Promise<string>((resolve) => (finish = resolve));
    const answered = withDeadline(sending, {
      timeoutMs: 2 * MAX_TIMER_MS,
      onTimeout: () => new Error('timed out'),
      target: 't',
      stream: 's',
    });
    let early: unknown;
    answered.catch((error: unknown) => (early = error));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(early).toBeUndefined();
    finish('sent');
    await expect(answered).resolves.toBe('sent');
  });

  it('assertPreparedBy refuses a batch another publisher prepared, naming both', () => {
    type Own = Prepared & { readonly records: readonly string[] };
    const isOwn = (p: Prepared): p is Own => Array.isArray((p as Partial<Own>).records);
    const mine: Own = { target: 'kafka', stream: 's', envelopes: [], records: [] };
    expect(() => assertPreparedBy({ name: 'kafka', kind: 'Kafka' }, mine, isOwn)).not.toThrow();
    const theirs: Prepared = { target: 'nats', stream: 's', envelopes: [] };
    expect(() => assertPreparedBy({ name: 'kafka', kind: 'Kafka' }, theirs, isOwn)).toThrow(
      'Kafka publisher "kafka" was given a batch prepared by "nats"',
    );
  });
});
