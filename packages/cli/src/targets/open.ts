import { Option, type Command } from 'commander';
import { addressOf, addressOptions } from '../addresses.js';
import { kafkaTarget } from './kafka.js';
import { natsTarget } from './nats.js';
import type { Target, TargetFlags, TargetName } from './target.js';

/** The flags of the targets: their addresses and where NATS events go. */
export function targetOptions(command: Command): Command {
  addressOptions(command, ['nats', 'kafka']);
  return command
    .addOption(
      new Option(
        '--nats-stream <name>',
        'JetStream stream to publish into (created when missing)',
      ).default('EVENTS'),
    )
    .addOption(
      new Option(
        '--nats-prefix <prefix>',
        'NATS subjects are <prefix>.<aggregate>.<stream>',
      ).default('events'),
    );
}

/** Opens every target named, or none: one that fails closes those already open. */
export async function openTargets(
  names: readonly TargetName[],
  flags: TargetFlags,
  purpose: string,
): Promise<Target[]> {
  const opened: Target[] = [];
  try {
    for (const name of names) {
      opened.push(
        name === 'nats'
          ? await natsTarget(
              addressOf('nats', flags.nats),
              { stream: flags.natsStream, prefix: flags.natsPrefix },
              `${purpose} NATS`,
            )
          : await kafkaTarget(addressOf('kafka', flags.kafka), `${purpose} Kafka`),
      );
    }
    return opened;
  } catch (error) {
    await closeAll(opened);
    throw error;
  }
}

export async function closeAll(targets: readonly Target[]): Promise<void> {
  await Promise.allSettled(targets.map((t) => t.close()));
}
