import type * as Nats from 'nats';
import type { NatsConnection } from 'nats';
import { CliError, messageOf } from '../errors.js';
import { optional } from '../optional.js';

export type NatsModule = typeof Nats;

export interface NatsLink {
  readonly url: string;
  readonly nats: NatsModule;
  readonly connection: NatsConnection;
  /** Drains the connection (what was sent is flushed) and closes it. */
  close(): Promise<void>;
}

/**
 * Connects once; a server that does not answer is a failure naming the URL. Once connected the
 * client reconnects without end, so a `--follow` or a relay outlives a broker restart.
 */
export async function connectNats(url: string, purpose: string): Promise<NatsLink> {
  const nats = await optional(() => import('nats'), ['nats'], purpose);
  let connection: NatsConnection;
  try {
    connection = await nats.connect({
      servers: url,
      name: 'eventfan-cli',
      timeout: 5_000,
      maxReconnectAttempts: -1,
    });
  } catch (error) {
    throw new CliError(`cannot reach NATS at ${url}: ${messageOf(error)}`, undefined, {
      cause: error,
    });
  }
  return {
    url,
    nats,
    connection,
    close: async () => {
      if (!connection.isClosed()) await connection.drain().catch(() => connection.close());
    },
  };
}
