import { FileCheckpoints, relay, type Relay, type TargetStatus } from '@eventfan/core';
import { Command } from 'commander';
import { addressOf, addressOptions } from '../addresses.js';
import { connectEsdb } from '../connect/esdb.js';
import { CliError } from '../errors.js';
import { optional } from '../optional.js';
import { commaList, positiveInteger, targetList } from '../parse.js';
import { relayDisplay, statusLine } from '../relay/display.js';
import { stopOnSignals } from '../signals.js';
import { aborted } from '../tail/source.js';
import { closeAll, openTargets, targetOptions } from '../targets/open.js';
import { TARGET_NAMES, type TargetFlags, type TargetName } from '../targets/target.js';

/** How long a stop may take after SIGINT/SIGTERM (the pages in flight are acknowledged and checkpointed). */
const GRACE_MS = 30_000;

interface RelayFlags extends TargetFlags {
  readonly fromEsdb: true;
  readonly to: TargetName[];
  readonly checkpoints: string;
  readonly esdb?: string;
  readonly name: string;
  readonly aggregates?: string[];
  readonly batchSize: number;
  readonly refreshMs: number;
}

/** `eventfan relay --from-esdb --to nats,kafka --checkpoints <file>`. */
export function relayCommand(): Command {
  const command = new Command('relay')
    .description(
      "run the relay (outbox): publish EventStoreDB's whole log to each target from its own checkpoint, showing each target's lag live, until Ctrl-C (SIGINT) or SIGTERM",
    )
    .requiredOption('--from-esdb', 'read the log of the EventStoreDB node given by --esdb')
    .requiredOption(
      '--to <targets>',
      `where to publish, comma-separated: ${TARGET_NAMES.join(', ')}`,
      targetList(TARGET_NAMES),
    )
    .requiredOption(
      '--checkpoints <file>',
      "JSON file keeping each target's position (created when missing)",
    )
    .option('--name <name>', "the relay's name in the checkpoint keys (<name>/<target>)", 'relay')
    .option('--aggregates <names>', "only these aggregates' events, comma-separated", commaList)
    .option('--batch-size <count>', 'events read and published per page', positiveInteger, 256)
    .option('--refresh-ms <ms>', 'how often the display is redrawn', positiveInteger, 500);
  addressOptions(command, ['esdb']);
  targetOptions(command);
  return command
    .addHelpText(
      'after',
      '\nA stop lets the pages in flight be acknowledged and their checkpoints saved, so a restart goes on from there; events keep their ids, so what is sent twice is a duplicate the broker drops.',
    )
    .action(async (flags: RelayFlags) => {
      await run(flags);
    });
}

async function run(flags: RelayFlags): Promise<void> {
  const esdbUrl = addressOf('esdb', flags.esdb);
  for (const name of flags.to) addressOf(name, flags[name]);
  const adapter = await optional(
    () => import('@eventfan/dispatcher-esdb'),
    ['@eventfan/dispatcher-esdb', '@eventstore/db-client'],
    'relay from EventStoreDB',
  );
  const link = await connectEsdb(esdbUrl, 'relay from EventStoreDB');
  const store = adapter.esdbEventStore({ client: link.storeClient });
  const stop = stopOnSignals(GRACE_MS);
  try {
    const targets = await openTargets(flags.to, flags, 'relay to');
    const display = relayDisplay(process.stderr);
    const outbox = relay({
      store,
      publishers: targets.map((t) => t.publisher),
      checkpoints: new FileCheckpoints(flags.checkpoints),
      name: flags.name,
      batchSize: flags.batchSize,
      onReport: (target, what) => display.report(target, what),
      ...(flags.aggregates ? { aggregates: flags.aggregates } : {}),
    });
    for (const t of targets)
      process.stderr.write(`eventfan: relaying EventStoreDB to ${t.description}\n`);
    outbox.start();
    process.stderr.write(
      `eventfan: relay running, checkpoints in ${flags.checkpoints}; Ctrl-C to stop\n`,
    );
    const timer = setInterval(() => display.show(outbox.status()), flags.refreshMs);
    let statuses: readonly TargetStatus[];
    try {
      await Promise.race([aborted(stop.signal), allEnded(outbox, flags.refreshMs, stop.signal)]);
    } finally {
      clearInterval(timer);
      await outbox.stop();
      statuses = outbox.status();
      display.show(statuses);
      display.stop();
      await closeAll(targets);
    }
    process.stdout.write(
      `relay stopped; checkpoints saved in ${flags.checkpoints}\n${statuses.map((s) => `  ${statusLine(s)}`).join('\n')}\n`,
    );
    const ended = statuses.filter((s) => s.state === 'failed' || s.state === 'stood-down');
    if (ended.length > 0 && !stop.signal.aborted) {
      throw new CliError(
        `every target ended: ${ended.map((s) => `${s.target} ${s.state}`).join(', ')}`,
      );
    }
  } finally {
    stop.dispose();
    await store.close();
    await link.close();
  }
}

/** Resolves when no target runs any more (each failed or stood down): the relay has nothing to do. */
async function allEnded(outbox: Relay, pollMs: number, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    if (outbox.status().every((s) => s.state === 'failed' || s.state === 'stood-down')) return;
  }
}
