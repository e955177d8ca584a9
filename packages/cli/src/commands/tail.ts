import { Command, Option } from 'commander';
import { addressOf, addressOptions, type BrokerName } from '../addresses.js';
import { connectEsdb } from '../connect/esdb.js';
import { connectKafka } from '../connect/kafka.js';
import { connectNats } from '../connect/nats.js';
import { eventJson, eventLine } from '../format.js';
import { LineWriter } from '../output.js';
import { positiveInteger } from '../parse.js';
import { stopOnSignals } from '../signals.js';
import { tailEsdb } from '../tail/esdb.js';
import { tailKafka } from '../tail/kafka.js';
import { tailNats } from '../tail/nats.js';
import type { From, Tailed, TailOptions } from '../tail/source.js';

/** How long a stop may take after SIGINT/SIGTERM (closing a consumer takes a moment). */
const GRACE_MS = 10_000;

interface TailFlags {
  readonly follow?: boolean;
  readonly json?: boolean;
  readonly from?: From;
  readonly max?: number;
  readonly kafka?: string;
  readonly nats?: string;
  readonly esdb?: string;
}

/** An open tail: the events, and what to close after. */
interface Opened {
  readonly events: AsyncIterable<Tailed>;
  close(): Promise<void>;
}

type Open = (address: string, target: string, options: TailOptions) => Promise<Opened>;

/** `eventfan tail kafka|nats|esdb …`: one subcommand per broker, the same flags on each. */
export function tailCommand(): Command {
  return new Command('tail')
    .description('print the CloudEvents of a Kafka topic, a NATS subject or an EventStoreDB stream')
    .addCommand(
      source(
        'kafka',
        '<topic>',
        'the CloudEvents of a Kafka topic (every partition)',
        async (a, t, o) => {
          const link = await connectKafka(a, 'tail Kafka');
          return { events: tailKafka(link, t, o), close: link.close };
        },
      ),
    )
    .addCommand(
      source(
        'nats',
        '<subject>',
        'the CloudEvents on a NATS subject, read from the JetStream stream capturing it (core NATS with --follow when none does)',
        async (a, t, o) => {
          const link = await connectNats(a, 'tail NATS');
          return { events: tailNats(link, t, o), close: link.close };
        },
      ),
    )
    .addCommand(
      source(
        'esdb',
        '<stream>',
        'the CloudEvents of an EventStoreDB/KurrentDB stream, or of the whole log with $all',
        async (a, t, o) => {
          const link = await connectEsdb(a, 'tail EventStoreDB');
          return { events: tailEsdb(link, t, o), close: link.close };
        },
      ),
    );
}

function source(broker: BrokerName, argument: string, description: string, open: Open): Command {
  const command = new Command(broker)
    .description(`print ${description}`)
    .argument(argument)
    .option(
      '-f, --follow',
      'keep printing new events until Ctrl-C (SIGINT); otherwise stop at the end',
    )
    .option('--json', 'print each event as a CloudEvents JSON object, one per line')
    .addOption(
      new Option(
        '--from <where>',
        'start at the beginning or the end (default: beginning; end with --follow)',
      ).choices(['beginning', 'end']),
    )
    .option('-n, --max <count>', 'stop after this many events', positiveInteger);
  addressOptions(command, [broker]);
  return command.action(async (target: string, flags: TailFlags) => {
    await tail(open, addressOf(broker, flags[broker]), target, flags);
  });
}

async function tail(open: Open, address: string, target: string, flags: TailFlags): Promise<void> {
  const stop = stopOnSignals(GRACE_MS);
  const follow = flags.follow ?? false;
  const from = flags.from ?? (follow ? 'end' : 'beginning');
  const opened = await open(address, target, {
    from,
    follow,
    signal: stop.signal,
    onReady: (what) => {
      if (follow)
        process.stderr.write(`eventfan: following ${what} from the ${from}; Ctrl-C to stop\n`);
    },
  });
  const out = new LineWriter(process.stdout);
  let printed = 0;
  try {
    for await (const item of opened.events) {
      if ('problem' in item) {
        process.stderr.write(
          `eventfan: skipped ${item.where}, not a CloudEvent: ${item.problem}\n`,
        );
        continue;
      }
      await out.line(flags.json ? eventJson(item.event) : eventLine(item.event));
      printed += 1;
      if (out.closed || (flags.max !== undefined && printed >= flags.max)) break;
    }
  } finally {
    stop.dispose();
    await opened.close();
  }
}
