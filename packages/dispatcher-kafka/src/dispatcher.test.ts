import type { DispatchContext } from '@eventfan/core';
import { sampleEnvelopes, uniqueStream } from '@eventfan/testing';
import type { Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaDispatcher } from './dispatcher.js';

/** A producer that acknowledges each send after `delayMs`, at offset 0 of partition 0. */
function slowProducer(delayMs: number): Producer {
  const send = async (record: ProducerRecord): Promise<RecordMetadata[]> => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return [{ topicName: record.topic, partition: 0, errorCode: 0, baseOffset: '0' }];
  };
  return { send } as unknown as Producer;
}

const context = (stream: string): DispatchContext => ({
  aggregate: 'conformance',
  stream,
  expectedGeneration: 0,
  attempt: 1,
});

describe('KafkaDispatcher.close', () => {
  it('given a dispatch in flight, when closed, then close() returns only after the dispatch settled', async () => {
    const dispatcher = new KafkaDispatcher({ producer: slowProducer(100) });
    const stream = uniqueStream();
    const order: string[] = [];
    const dispatching = dispatcher
      .dispatch(await sampleEnvelopes(stream, 2), context(stream))
      .then((receipt) => order.push(`dispatched ${receipt.events.length}`));
    await dispatcher.close();
    order.push('closed');
    await dispatching;
    expect(order).toEqual(['dispatched 2', 'closed']);
  });

  it('given a send that never settles, when closed, then close() gives up on it after timeoutMs', async () => {
    const dispatcher = new KafkaDispatcher({ producer: slowProducer(60_000), timeoutMs: 200 });
    const stream = uniqueStream();
    const dispatching = dispatcher
      .dispatch(await sampleEnvelopes(stream, 1), context(stream))
      .catch((error: unknown) => error);
    await dispatcher.close();
    expect(await dispatching).toMatchObject({ code: 'BROKER_TIMEOUT' });
  });
});
