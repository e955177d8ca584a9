import { connectNats } from '../connect/nats.js';
import { CliError, messageOf } from '../errors.js';
import { optional } from '../optional.js';
import type { Target } from './target.js';

export interface NatsTargetOptions {
  /** The JetStream stream to publish into, created when missing. */
  readonly stream: string;
  /** First subject token(s): events go to `<prefix>.<aggregate>.<stream>`. */
  readonly prefix: string;
}

/**
 * JetStream through `natsPublisher`: the stream capturing `<prefix>.>` is created when missing (or
 * checked), so events have somewhere to be stored and `Nats-Msg-Id` dedupe applies.
 */
export async function natsTarget(
  url: string,
  options: NatsTargetOptions,
  purpose: string,
): Promise<Target> {
  const adapter = await optional(
    () => import('@eventfan/dispatcher-nats'),
    ['@eventfan/dispatcher-nats', 'nats'],
    purpose,
  );
  const link = await connectNats(url, purpose);
  try {
    const subjects = [`${options.prefix}.>`];
    await adapter.ensureStream(link.connection, { name: options.stream, subjects });
  } catch (error) {
    await link.close();
    throw new CliError(
      `JetStream stream ${options.stream} at ${url}: ${messageOf(error)}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  const publisher = adapter.natsPublisher({
    connection: link.connection,
    headers: link.nats.headers,
    prefix: options.prefix,
  });
  return {
    publisher,
    description: `NATS JetStream stream ${options.stream} (${options.prefix}.>) at ${url}`,
    close: async () => {
      await publisher.close();
      await link.close();
    },
  };
}
