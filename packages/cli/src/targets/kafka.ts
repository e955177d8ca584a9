import { connectKafka } from '../connect/kafka.js';
import { optional } from '../optional.js';
import type { Target } from './target.js';

/**
 * Kafka through `kafkaPublisher({ kafka })`, which builds and owns its idempotent producer. The
 * brokers are checked first, so an unreachable list fails at once and not on the first send.
 */
export async function kafkaTarget(brokers: string, purpose: string): Promise<Target> {
  const adapter = await optional(
    () => import('@eventfan/dispatcher-kafka'),
    ['@eventfan/dispatcher-kafka', 'kafkajs'],
    purpose,
  );
  const link = await connectKafka(brokers, purpose);
  const publisher = adapter.kafkaPublisher({ kafka: link.config });
  return {
    publisher,
    description: `Kafka at ${brokers} (topic per aggregate)`,
    close: async () => {
      await publisher.close();
      await link.close();
    },
  };
}
