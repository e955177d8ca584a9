import { describe, expect, it } from 'vitest';
import { positionsOf } from './receipts.js';

describe('positionsOf', () => {
  const sent = [{ topic: 't', messages: ['a1', 'b1', 'a2', 'b2', 'b3'] }];
  const results = [
    { topicName: 't', partition: 0, errorCode: 0, baseOffset: '10' },
    { topicName: 't', partition: 1, errorCode: 0, baseOffset: '9007199254740991' },
  ];

  it('given the partition of each record, when Kafka answers base offsets per partition, then each record gets its own offset in the order sent', () => {
    const partitionOf = (m: string) => (m.startsWith('a') ? 0 : 1);
    expect(
      positionsOf(sent, results, partitionOf)[0]?.map((p) => `${p.partition}@${p.offset}`),
    ).toEqual(['0@10', '1@9007199254740991', '0@11', '1@9007199254740992', '1@9007199254740993']);
  });

  it('given partitions unknown, when the topic used one partition, then offsets follow from it; when several, -1', () => {
    const one = positionsOf(sent, results.slice(0, 1), () => undefined)[0];
    expect(one?.map((p) => p.offset)).toEqual(['10', '11', '12', '13', '14']);
    const several = positionsOf(sent, results, () => undefined)[0];
    expect(several?.every((p) => p.partition === -1 && p.offset === '-1')).toBe(true);
  });
});
