import { OperationAborted, TargetClosed } from '@eventfan/core';
import { sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import { describe, expect, it } from 'vitest';
import { acknowledge, fakeProducer } from './fake-producer.fixture.js';
import { kafkaPublisher } from './publisher.js';

describe('kafkaPublisher', () => {
  it('given a publish in flight, when closed, then close() returns only after it settled, and later calls are TargetClosed', async () => {
    const { producer } = fakeProducer(acknowledge(100));
    const publisher = kafkaPublisher({ producer });
    const order: string[] = [];
    const prepared = publisher.prepare(await sampleEnvelopes(uniqueStream(), 2));
    const publishing = publisher
      .publish(prepared)
      .then((receipt) => order.push(`published ${receipt.events.length}`));
    await publisher.close();
    order.push('closed');
    await publishing;
    expect(order).toEqual(['published 2', 'closed']);
    await expect(publisher.publish(prepared)).rejects.toBeInstanceOf(TargetClosed);
    expect(() => publisher.prepare([])).toThrow(TargetClosed);
  });

  it('given a send that never settles, when closed, then close() gives up on it after timeoutMs', async () => {
    const { producer } = fakeProducer(() => new Promise(() => {}));
    const publisher = kafkaPublisher({ producer, timeoutMs: 200 });
    const publishing = publisher
      .publish(publisher.prepare(await sampleEnvelopes(uniqueStream(), 1)))
      .catch((error: unknown) => error);
    await publisher.close();
    expect(await publishing).toMatchObject({ code: 'BROKER_TIMEOUT' });
  });

  it('given an already-aborted signal, when published, then OperationAborted and nothing is sent', async () => {
    const { producer, batches } = fakeProducer();
    const publisher = kafkaPublisher({ producer });
    const prepared = publisher.prepare(await sampleEnvelopes(uniqueStream(), 1));
    const signal = AbortSignal.abort(new Error('caller gave up'));
    await expect(publisher.publish(prepared, { attempt: 1, signal })).rejects.toBeInstanceOf(
      OperationAborted,
    );
    expect(batches).toEqual([]);
  });

  it('given bad options, when built, then a TypeError names the publisher and the option', () => {
    const { producer } = fakeProducer();
    expect(() => kafkaPublisher({ producer, encoding: 'json' as never })).toThrow(
      /Kafka publisher "kafka": encoding must be "binary" or "structured"/,
    );
    expect(() => kafkaPublisher({ producer, name: 'k', lingerMs: -1 })).toThrow(/"k": lingerMs/);
    // Node fires a longer timer after 1 ms: close() would not wait, and a publish given a signal
    // (with Infinity, every publish) would time out at once.
    for (const timeoutMs of [Infinity, 2 ** 31]) {
      expect(() => kafkaPublisher({ producer, timeoutMs })).toThrow(
        /Kafka publisher "kafka": timeoutMs must be > 0 and at most 2147483647 ms/,
      );
    }
    expect(() => kafkaPublisher({ producer, lingerMs: Infinity })).toThrow(/lingerMs must be >= 0/);
  });
});
