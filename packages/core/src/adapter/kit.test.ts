import { describe, expect, it } from 'vitest';
import type { Prepared } from '../publisher.js';
import { InFlight } from './in-flight.js';
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
