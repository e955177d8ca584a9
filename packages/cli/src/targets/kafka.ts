import type { Publisher } from '@eventfan/core';
import type { KafkaConfig } from 'kafkajs';
import { connectKafka } from '../connect/kafka.js';
import { CliError } from '../errors.js';
import { optional } from '../optional.js';
import type { Target } from './target.js';

/**
 * Imported by a name TypeScript does not resolve and typed by hand below: the adapter is moving
 * from `kafkaDispatcher` to `kafkaPublisher`, and the CLI must not type-check against either.
 */
const KAFKA_ADAPTER = '@eventfan/dispatcher-kafka';

/** The part of `@eventfan/dispatcher-kafka` used here: its publisher on the core contract. */
interface KafkaAdapter {
  readonly kafkaPublisher?: (options: { readonly kafka: KafkaConfig }) => Publisher;
}

/**
 * Kafka through `kafkaPublisher({ kafka })`, which builds and owns its idempotent producer. The
 * brokers are checked first, so an unreachable list fails at once and not on the first send.
 */
export async function kafkaTarget(brokers: string, purpose: string): Promise<Target> {
  const adapter = await optional(
    () => import(KAFKA_ADAPTER) as Promise<KafkaAdapter>,
    [KAFKA_ADAPTER, 'kafkajs'],
    purpose,
  );
  if (typeof adapter.kafkaPublisher !== 'function') {
    throw new CliError(
      `the installed @eventfan/dispatcher-kafka has no kafkaPublisher: update it to ${purpose}`,
    );
  }
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
