import { HTTP, type CloudEvent as SdkCloudEvent } from 'cloudevents';
import type {
  Envelope,
  Position,
  Prepared,
  PublishContext,
  Publisher,
  Receipt,
} from '@eventfan/core';
import type { JsMsg, NatsConnection } from 'nats';
import { expect } from 'vitest';
import { ensureStream } from '../src/index.js';

/** Both steps at once, as the command handler runs them: prepare, then publish. */
export function send<P extends Position, B extends Prepared>(
  publisher: Publisher<P, B>,
  envelopes: readonly Envelope[],
  context: PublishContext = { attempt: 1 },
): Promise<Receipt<P>> {
  return publisher.publish(publisher.prepare(envelopes), context);
}

/** What `action` threw, or undefined: for checking a synchronous refusal field by field. */
export function refusal(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A fresh subject prefix and JetStream stream name, so test files never share a stream. */
export function uniqueNames(label: string): { prefix: string; stream: string } {
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return { prefix: `t${suffix}.${label}`, stream: `T_${label}_${suffix}`.toUpperCase() };
}

/** Creates the stream capturing everything under `prefix`. */
export async function streamFor(
  nc: NatsConnection,
  names: { prefix: string; stream: string },
): Promise<void> {
  await ensureStream(nc, {
    name: names.stream,
    subjects: [`${names.prefix}.>`],
    storage: 'memory',
  });
}

/**
 * Every message JetStream holds on `subject`, in stream order, read by an ordered consumer (an
 * independent reader). Waits up to 5 s for at least `atLeast` of them.
 */
export async function readSubject(
  nc: NatsConnection,
  stream: string,
  subject: string,
  atLeast: number,
): Promise<JsMsg[]> {
  const jsm = await nc.jetstreamManager();
  const deadline = Date.now() + 5_000;
  let count = 0;
  for (;;) {
    const info = await jsm.streams.info(stream, { subjects_filter: subject });
    count = info.state.subjects?.[subject] ?? 0;
    if (count >= atLeast || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (count === 0) return [];
  const consumer = await nc.jetstream().consumers.get(stream, { filterSubjects: subject });
  const messages: JsMsg[] = [];
  for await (const m of await consumer.fetch({ max_messages: count, expires: 5_000 })) {
    messages.push(m);
    if (messages.length === count) break;
  }
  return messages;
}

/** Decodes a NATS message with the `cloudevents` SDK (its HTTP binding reads the same `ce-` headers). */
export function decodeWithSdk(message: {
  headers?: Iterable<[string, string[]]> | undefined;
  data: Uint8Array;
}): SdkCloudEvent<unknown> {
  const headers: Record<string, string> = {};
  for (const [key, values] of message.headers ?? []) headers[key.toLowerCase()] = values[0] ?? '';
  const event = HTTP.toEvent({ headers, body: Buffer.from(message.data).toString('utf8') });
  if (Array.isArray(event)) throw new Error('expected one CloudEvent, got a batch');
  return event as SdkCloudEvent<unknown>;
}

/** Field by field: what the SDK read back is the envelope that was published. */
export function expectSameEvent(event: SdkCloudEvent<unknown>, envelope: Envelope): void {
  expect({
    specversion: event.specversion,
    id: event.id,
    source: event.source,
    type: event.type,
    subject: event.subject,
    time: event.time === undefined ? undefined : new Date(event.time).toISOString(),
    datacontenttype: event.datacontenttype,
    data: event.data,
    sequence: Number(event['sequence']),
    partitionkey: event['partitionkey'],
    eventversion: event['eventversion'],
    aggregate: event['aggregate'],
    correlationid: event['correlationid'],
  }).toEqual({
    specversion: '1.0',
    id: envelope.id,
    source: envelope.source,
    type: envelope.type,
    subject: envelope.stream,
    time: new Date(envelope.time).toISOString(),
    datacontenttype: 'application/json',
    data: envelope.data,
    sequence: envelope.generation,
    partitionkey: envelope.stream,
    eventversion: envelope.version,
    aggregate: envelope.aggregate,
    correlationid: envelope.metadata.correlationId,
  });
}
