import type { Producer, ProducerBatch, RecordMetadata } from 'kafkajs';

/** A sendBatch answer: every partition a topic's records went to, at offset `base`. */
export type Answer = (batch: ProducerBatch) => Promise<RecordMetadata[]>;

/** Partition 0 of each topic, from offset 0, after `delayMs`. */
export const acknowledge =
  (delayMs = 0): Answer =>
  async (batch) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return (batch.topicMessages ?? []).map(({ topic }) => ({
      topicName: topic,
      partition: 0,
      errorCode: 0,
      baseOffset: '0',
    }));
  };

/** A connected producer whose sendBatch calls are recorded and answered by `answer`. */
export function fakeProducer(answer: Answer = acknowledge()) {
  const batches: ProducerBatch[] = [];
  const producer = {
    connect: async () => {},
    disconnect: async () => {},
    sendBatch: (batch: ProducerBatch) => {
      batches.push(batch);
      return answer(batch);
    },
  } as unknown as Producer;
  return { producer, batches };
}
