import { Command } from 'commander';
import { addressOf, addressOptions } from '../addresses.js';
import { connectEsdb } from '../connect/esdb.js';
import { CliError, UsageError } from '../errors.js';
import { optional } from '../optional.js';
import { commaList, positiveInteger, targetList } from '../parse.js';
import { replayBar } from '../replay/progress.js';
import { replay } from '../replay/replay.js';
import { REPLAY_IS_SAFE, summaryLines } from '../replay/summary.js';
import { totalOf } from '../replay/total.js';
import { stopOnSignals } from '../signals.js';
import { closeAll, openTargets, targetOptions } from '../targets/open.js';
import { TARGET_NAMES, type TargetFlags, type TargetName } from '../targets/target.js';

/** How long a stop may take after SIGINT/SIGTERM (the page in flight is let finish). */
const GRACE_MS = 15_000;

interface ReplayFlags extends TargetFlags {
  readonly fromEsdb: string;
  readonly to: TargetName[];
  readonly esdb?: string;
  readonly aggregates?: string[];
  readonly pageSize: number;
  readonly count: boolean;
}

/** `eventfan replay --from-esdb <stream|$all> --to nats,kafka`. */
export function replayCommand(): Command {
  const command = new Command('replay')
    .description(
      'publish the events of an EventStoreDB stream, or of the whole log ($all), to one or more targets, with a progress bar and a summary',
    )
    .requiredOption('--from-esdb <stream>', 'the stream to read, or $all for the whole log')
    .requiredOption(
      '--to <targets>',
      `where to publish, comma-separated: ${TARGET_NAMES.join(', ')}`,
      targetList(TARGET_NAMES),
    )
    .option('--aggregates <names>', 'with $all: only these aggregates, comma-separated', commaList)
    .option('--page-size <count>', 'events read and published at a time', positiveInteger, 500)
    .option('--no-count', 'with $all: skip the counting pass (a counter instead of a bar)');
  addressOptions(command, ['esdb']);
  targetOptions(command);
  return command.addHelpText('after', `\n${REPLAY_IS_SAFE}`).action(async (flags: ReplayFlags) => {
    await run(flags);
  });
}

async function run(flags: ReplayFlags): Promise<void> {
  const source = flags.fromEsdb;
  if (flags.aggregates && source !== '$all') {
    throw new UsageError('--aggregates filters $all only; a stream holds one aggregate already');
  }
  const esdbUrl = addressOf('esdb', flags.esdb);
  // Every address is checked before anything connects, so a missing one is a usage error.
  for (const name of flags.to) addressOf(name, flags[name]);
  const adapter = await optional(
    () => import('@eventfan/dispatcher-esdb'),
    ['@eventfan/dispatcher-esdb', '@eventstore/db-client'],
    'replay from EventStoreDB',
  );
  const link = await connectEsdb(esdbUrl, 'replay from EventStoreDB');
  const store = adapter.esdbEventStore({ client: link.storeClient, pageSize: flags.pageSize });
  const stop = stopOnSignals(GRACE_MS);
  try {
    const targets = await openTargets(flags.to, flags, 'replay to');
    try {
      const total =
        source === '$all' && !flags.count
          ? undefined
          : await totalOf(link, store, source, flags.aggregates);
      for (const t of targets)
        process.stderr.write(`eventfan: replaying ${source} to ${t.description}\n`);
      const bar = replayBar(total, process.stderr);
      let result;
      try {
        result = await replay({
          store,
          source,
          publishers: targets.map((t) => t.publisher),
          pageSize: flags.pageSize,
          signal: stop.signal,
          onProgress: (read) => bar.update(read),
          ...(flags.aggregates ? { aggregates: flags.aggregates } : {}),
        });
      } finally {
        bar.stop();
      }
      process.stdout.write(`${summaryLines(source, result).join('\n')}\n`);
      const refused = result.targets.reduce((n, t) => n + t.refused.length, 0);
      if (refused > 0) throw new CliError(`${refused} events were refused by a target (see above)`);
      if (result.interrupted)
        throw new CliError('the replay was interrupted; run it again to finish');
    } finally {
      await closeAll(targets);
    }
  } finally {
    stop.dispose();
    await store.close();
    await link.close();
  }
}
