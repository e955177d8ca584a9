import { ensureStream, natsPublisher } from '@eventfan/dispatcher-nats';
import type { TalliedEvent } from '@eventfan/testing';
import { connect, headers, type NatsConnection } from 'nats';
import type { FaultTarget } from './targets.js';

/** A connection that keeps reconnecting while the server is down, as a relay's must. */
function connectNats(url: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
    waitOnFirstConnect: true,
  });
}

/**
 * NATS JetStream: a stream per run on subjects `<run>.combat.<ogre stream>` in a file store;
 * the duplicate window drops a re-sent id, so exactly one copy of each event is expected.
 */
export const natsFaultTarget: FaultTarget = {
  kind: 'nats',
  dedupes: true,
  async create(url, run) {
    const nc = await connectNats(url);
    try {
      await ensureStream(nc, { name: run, subjects: [`${run}.>`], storage: 'file' });
    } finally {
      await nc.close();
    }
  },
  async connect(url, run) {
    const nc = await connectNats(url);
    return {
      // A PubAck not back in 2 s is retried by the relay: the restarted server dedupes it by id.
      publisher: () => natsPublisher({ connection: nc, headers, prefix: run, timeoutMs: 2_000 }),
      close: () => nc.close(),
    };
  },
  read: readNatsStream,
};

/**
 * Every message the stream holds, read by a plain consumer of the `nats` client from the first
 * sequence: the independent reader that counts what the relay delivered.
 */
async function readNatsStream(url: string, stream: string): Promise<TalliedEvent[]> {
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
