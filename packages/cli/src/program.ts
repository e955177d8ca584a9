import { createRequire } from 'node:module';
import { Command } from 'commander';
import { relayCommand } from './commands/relay.js';
import { replayCommand } from './commands/replay.js';
import { tailCommand } from './commands/tail.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The whole command line: `eventfan tail|replay|relay`, each with its own --help. */
export function program(): Command {
  const cli = new Command('eventfan')
    .description(
      'Tail, replay and relay eventfan events (CloudEvents) across EventStoreDB/KurrentDB, Kafka and NATS.',
    )
    .version(version, '-V, --version')
    .addCommand(tailCommand())
    .addCommand(replayCommand())
    .addCommand(relayCommand())
    .addHelpText(
      'after',
      `
Broker addresses: --kafka, --nats, --esdb, or KAFKA_BROKERS, NATS_URL, ESDB_CONNECTION_STRING.
Exit codes: 0 ok, 1 runtime failure (e.g. a broker unreachable), 2 bad arguments.`,
    );
  configure(cli);
  return cli;
}

/**
 * Commander hands settings down only to subcommands made with `.command()`: these go to every
 * command added with `addCommand` too. Errors throw instead of exiting, so `run` picks the code.
 */
function configure(command: Command): void {
  command.exitOverride().showHelpAfterError('(add --help for usage)');
  for (const sub of command.commands) configure(sub);
}
