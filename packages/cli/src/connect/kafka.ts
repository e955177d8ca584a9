import type { Admin, Kafka, KafkaConfig } from 'kafkajs';
import { CliError, messageOf } from '../errors.js';
import { optional } from '../optional.js';

export interface KafkaLink {
  readonly brokers: string;
  readonly kafka: Kafka;
  /** The config the client was made from, for adapters that build their own producer. */
  readonly config: KafkaConfig;
  readonly admin: Admin;
  close(): Promise<void>;
}

/**
 * A kafkajs client whose admin connected: kafkajs connects lazily and retries for a long time,
 * so a few quick retries here turn an unreachable bootstrap list into one clear failure.
 */
export async function connectKafka(brokers: string, purpose: string): Promise<KafkaLink> {
  const kafkajs = await optional(() => import('kafkajs'), ['kafkajs'], purpose);
  const config: KafkaConfig = {
    clientId: 'eventfan-cli',
    brokers: brokers.split(',').map((b) => b.trim()),
    connectionTimeout: 3_000,
    retry: { retries: 2, initialRetryTime: 200 },
    // kafkajs logs every retry as an error of its own; the CLI says what failed once.
    logLevel: kafkajs.logLevel.NOTHING,
  };
  const kafka = new kafkajs.Kafka(config);
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    throw new CliError(`cannot reach Kafka at ${brokers}: ${messageOf(error)}`, undefined, {
      cause: error,
    });
  }
  return { brokers, kafka, config, admin, close: () => admin.disconnect() };
}
