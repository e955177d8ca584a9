import type { Envelope } from '@eventfan/core';
import { ensureStream, natsPublisher, subjectToken } from '@eventfan/dispatcher-nats';
import { connect, headers as natsHeaders, type JetStreamClient, type MsgHdrs } from 'nats';
import type { RelaySide } from './relay-sides.js';

const encoder = new TextEncoder();

/**
 * One event as the raw `nats` client publishes it by hand: the CloudEvents binary-mode headers
 * eventfan would write, `Nats-Msg-Id` = event id, awaiting the PubAck.
 */
export async function publishRaw(
  js: JetStreamClient,
  headers: () => MsgHdrs,
  subject: string,
  e: Envelope,
): Promise<void> {
  const h = headers();
  h.set('ce-specversion', '1.0');
  h.set('ce-id', e.id);
  h.set('ce-source', e.source);
  h.set('ce-type', e.type);
  h.set('ce-subject', e.stream);
  h.set('ce-time', e.time);
  h.set('ce-datacontenttype', 'application/json');
  h.set('content-type', 'application/json');
  h.set('ce-sequence', String(e.generation).padStart(20, '0'));
  h.set('ce-partitionkey', e.stream);
  h.set('ce-eventversion', e.version);
  h.set('ce-aggregate', e.aggregate);
  h.set('ce-correlationid', e.metadata.correlationId ?? '');
  await js.publish(subject, encoder.encode(JSON.stringify(e.data)), { msgID: e.id, headers: h });
}

/**
 * NATS JetStream for the relay benchmark: natsPublisher beside the raw client, which sends a
 * page's stream runs at once, each event awaiting its PubAck as the publisher's runs do.
 */
export async function natsRelaySide(url: string): Promise<RelaySide> {
  const stream = 'EVENTFAN_RELAY_BENCH';
  const nc = await connect({ servers: url });
  await ensureStream(nc, { name: stream, subjects: ['relaybench.>'], update: true });
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const subjectOf = (e: Envelope) =>
    `relaybench.${subjectToken(e.aggregate)}.${subjectToken(e.stream)}`;
  const publisher = natsPublisher({ connection: nc, headers: natsHeaders, prefix: 'relaybench' });
  return {
    broker: 'nats',
    publisher,
    rawPage: async (runs) => {
      await Promise.all(
        runs.map(async (run) => {
          for (const e of run) await publishRaw(js, natsHeaders, subjectOf(e), e);
        }),
      );
    },
    reset: async () => {
      await jsm.streams.purge(stream);
    },
    close: async () => {
      await publisher.close();
      await nc.close();
    },
  };
}
