import { Option, type Command } from 'commander';
import { UsageError } from './errors.js';

export type BrokerName = 'kafka' | 'nats' | 'esdb';

interface AddressSpec {
  readonly flag: string;
  readonly envVar: string;
  readonly what: string;
  readonly example: string;
}

const SPECS: Readonly<Record<BrokerName, AddressSpec>> = {
  kafka: {
    flag: '--kafka <brokers>',
    envVar: 'KAFKA_BROKERS',
    what: 'Kafka bootstrap brokers, comma-separated',
    example: 'localhost:9092',
  },
  nats: {
    flag: '--nats <url>',
    envVar: 'NATS_URL',
    what: 'NATS server URL',
    example: 'nats://localhost:4222',
  },
  esdb: {
    flag: '--esdb <connection-string>',
    envVar: 'ESDB_CONNECTION_STRING',
    what: 'EventStoreDB/KurrentDB connection string',
    example: 'esdb://localhost:2113?tls=false',
  },
};

/** The broker address options of a command, each with its env var as the fallback. */
export function addressOptions(command: Command, brokers: readonly BrokerName[]): Command {
  for (const broker of brokers) {
    const spec = SPECS[broker];
    command.addOption(new Option(spec.flag, `${spec.what}`).env(spec.envVar));
  }
  return command;
}

/** The address given for `broker`, or a usage error saying both ways to give it. */
export function addressOf(broker: BrokerName, value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  const spec = SPECS[broker];
  const flag = spec.flag.split(' ')[0] as string;
  throw new UsageError(`no ${spec.what} given: pass ${flag} ${spec.example} or set ${spec.envVar}`);
}
