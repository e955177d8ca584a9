import type { Publisher } from '@eventfan/core';
import { ensureStream, natsPublisher } from '@eventfan/dispatcher-nats';
import type { TalliedEvent } from '@eventfan/testing';
import { connect, headers, type NatsConnection } from 'nats';

/** A connection that keeps reconnecting while the server is down, as a relay's must. */
export function connectNats(url: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
    waitOnFirstConnect: true,
  });
}

/**
 * The JetStream stream one run publishes to, on subjects `<stream>.combat.<ogre stream>` of its
 * own, in a file store (it must survive SIGKILL).
 */
export async function ensureFaultStream(nc: NatsConnection, stream: string): Promise<void> {
  await ensureStream(nc, { name: stream, subjects: [`${stream}.>`], storage: 'file' });
}

export function natsFaultPublisher(nc: NatsConnection, stream: string): Publisher {
  // A PubAck not back in 2 s is retried by the relay: the restarted server dedupes it by id.
  return natsPublisher({ connection: nc, headers, prefix: stream, timeoutMs: 2_000 });
}

/**
 * Every message the stream holds, read by a plain ordered consumer of the `nats` client from the
 * first sequence: the independent reader that counts what the relay delivered.
 */
export async function readNatsStream(url: string, stream: string): Promise<TalliedEvent[]> {
  const nc = await connect({ servers: url });
  try {
    const info = await (await nc.jetstreamManager()).streams.info(stream);
    const consumer = await nc.jetstream().consumers.get(stream);
    const events: TalliedEvent[] = [];
    const wanted = info.state.messages;
    while (events.length < wanted) {
      const batch = await consumer.fetch({ max_messages: 1_000, expires: 5_000 });
      let got = 0;
      for await (const m of batch) {
        got++;
        events.push({
          id: m.headers?.get('ce-id') ?? '',
          stream: m.headers?.get('ce-subject') ?? '',
          generation: Number(m.headers?.get('ce-sequence')),
        });
        if (events.length === wanted) break;
      }
      if (got === 0) throw new Error(`read ${events.length} of ${wanted} messages of ${stream}`);
    }
    return events;
  } finally {
    await nc.close();
  }
}
