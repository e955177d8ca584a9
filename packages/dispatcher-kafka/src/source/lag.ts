import type { Admin } from 'kafkajs';

/**
 * Records of `topics` the group has not committed yet: each partition's high watermark minus the
 * group's committed offset. A partition the group never committed counts whole from its low
 * watermark when the group reads from the beginning, and as nothing when it starts at the end.
 */
export async function groupLag(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
  fromBeginning: boolean,
): Promise<number> {
  const [ends, committed] = await Promise.all([
    Promise.all(
      topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })),
    ),
    admin.fetchOffsets({ groupId, topics: [...topics] }),
  ]);
  let lag = 0n;
  for (const { topic, offsets } of ends) {
    const group = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const { partition, high, low } of offsets) {
      const at = BigInt(group.find((p) => p.partition === partition)?.offset ?? '-1');
      const from = at >= 0n ? at : fromBeginning ? BigInt(low) : BigInt(high);
      if (BigInt(high) > from) lag += BigInt(high) - from;
    }
  }
  return Number(lag);
}
