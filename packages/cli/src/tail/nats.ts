import { fromNatsRecord } from '@eventfan/cloudevents';
import type { Msg, NatsConnection } from 'nats';
import type { NatsLink } from '../connect/nats.js';
import { CliError, messageOf } from '../errors.js';
import { decoded, type Tailed, type TailOptions } from './source.js';

/**
 * The CloudEvents on a NATS subject (wildcards allowed). With a JetStream stream capturing it, an
 * ordered consumer reads what the stream holds (`--from beginning`) or only what comes next
 * (`--from end`); without one there is nothing stored to read, so only `--follow` can listen, on
 * core NATS.
 */
export async function* tailNats(
  link: NatsLink,
  subject: string,
  options: TailOptions,
): AsyncIterable<Tailed> {
  const stream = await streamFor(link.connection, subject);
  if (stream === undefined) {
    if (!options.follow) {
      throw new CliError(
        `no JetStream stream at ${link.url} captures "${subject}", so nothing is stored to read: add --follow to listen on core NATS`,
      );
    }
    yield* core(link.connection, subject, options);
    return;
  }
  yield* jetstream(link, stream, subject, options);
}

async function* jetstream(
  link: NatsLink,
  stream: string,
  subject: string,
  options: TailOptions,
): AsyncIterable<Tailed> {
  const { follow, from, signal } = options;
  if (!follow) {
    if (from === 'end') return;
    const jsm = await link.connection.jetstreamManager();
    const info = await jsm.streams.info(stream, { subjects_filter: subject });
    const held = Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
    if (held === 0) return;
  }
  // From the beginning is the ordered consumer's default: nats 2.29 sends `deliver_policy: all`
  // together with its own start sequence, which the server refuses, and the consumer then hangs.
  const consumer = await link.connection.jetstream().consumers.get(stream, {
    filterSubjects: subject,
    ...(from === 'end' ? { deliver_policy: link.nats.DeliverPolicy.New } : {}),
  });
  const messages = await consumer.consume();
  const stop = () => void messages.stop();
  signal.addEventListener('abort', stop, { once: true });
  options.onReady(`JetStream stream ${stream}, subject ${subject}`);
  try {
    for await (const m of messages) {
      yield decoded(`${m.subject} #${m.seq}`, () =>
        fromNatsRecord({ data: m.data, headers: m.headers }),
      );
      // `pending` counts what the stream holds beyond this message: none left means the end.
      if (!follow && m.info.pending === 0) break;
    }
  } finally {
    signal.removeEventListener('abort', stop);
    stop();
  }
}

async function* core(
  connection: NatsConnection,
  subject: string,
  options: TailOptions,
): AsyncIterable<Tailed> {
  const subscription = connection.subscribe(subject);
  const stop = () => subscription.unsubscribe();
  options.signal.addEventListener('abort', stop, { once: true });
  await connection.flush();
  options.onReady(`core NATS subject ${subject} (not stored: only messages from now on)`);
  try {
    for await (const m of subscription as AsyncIterable<Msg>) {
      yield decoded(m.subject, () => fromNatsRecord({ data: m.data, headers: m.headers }));
    }
  } finally {
    options.signal.removeEventListener('abort', stop);
    if (!subscription.isClosed()) stop();
  }
}

/** The JetStream stream capturing `subject`, or undefined (none, or no JetStream on the server). */
async function streamFor(connection: NatsConnection, subject: string): Promise<string | undefined> {
  try {
    const jsm = await connection.jetstreamManager();
    return await jsm.streams.find(subject);
  } catch (error) {
    const text = messageOf(error);
    if (/no stream matches subject|jetstream not enabled|503/i.test(text)) return undefined;
    throw new CliError(`cannot look up the JetStream stream of "${subject}": ${text}`, undefined, {
      cause: error,
    });
  }
}
