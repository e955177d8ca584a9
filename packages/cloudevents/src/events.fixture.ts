import type { Envelope } from '@eventfan/core';
import type { CloudEvent } from './cloudevent.js';
import { InvalidCloudEvent } from './errors.js';
import type { EsdbRecord, EsdbRecordIn } from './esdb.js';
import type { KafkaMessage } from './kafka.js';

/** An envelope as core makes it, with every metadata key the mapping knows plus a custom one. */
export const envelope: Envelope = {
  id: '0b1c8f2e-5d7a-5b9e-8c3f-2a4d6e8f0a1c',
  aggregate: 'combat',
  stream: 'combat-entity-7',
  generation: 12,
  type: 'combatevent.entityattacked',
  version: '1.0',
  source: 'events://github.com/pholactery/eventsourcing/samples/combat',
  time: '2024-05-01T12:34:56.789Z',
  data: { entityId: 'entity-7', damage: 15, critical: false, tags: ['melee'] },
  metadata: {
    correlationId: 'corr-1',
    causationId: 'cause-1',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    tracestate: 'congo=t61rcWkgMzE',
    tenant: 'acme',
  },
};

/** The CloudEvent `envelope` maps to: every extension this package defines. */
export const fromEnvelope: CloudEvent = {
  specversion: '1.0',
  id: envelope.id,
  source: envelope.source,
  type: envelope.type,
  subject: 'combat-entity-7',
  time: '2024-05-01T12:34:56.789Z',
  datacontenttype: 'application/json',
  sequence: '00000000000000000012',
  partitionkey: 'combat-entity-7',
  eventversion: '1.0',
  aggregate: 'combat',
  correlationid: 'corr-1',
  causationid: 'cause-1',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  tracestate: 'congo=t61rcWkgMzE',
  tenant: 'acme',
  data: { entityId: 'entity-7', damage: 15, critical: false, tags: ['melee'] },
};

const base = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/combat/arena',
  type: 'combatevent.entityattacked',
  time: '2024-05-01T12:34:56.789Z',
  partitionkey: 'arena-1',
} as const;

/** Every byte value once, so binary paths cannot hide a lossy step. */
export const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);

/** One MiB of JSON text in a field (mixed ASCII and multi-byte characters). */
export const oneMiB = 'eventfan ✓ 事件 '.repeat(Math.ceil((1 << 20) / 16)).slice(0, 1 << 20);

/** Events each binding must carry unchanged (binary header modes: string extensions only). */
export const roundTripCases: readonly (readonly [string, CloudEvent])[] = [
  ['only the required attributes', { specversion: '1.0', id: 'x', source: 's', type: 't' }],
  ['an envelope with every extension', fromEnvelope],
  [
    'unicode in data, subject and an extension',
    {
      ...base,
      subject: 'Zoë "the brave" 100% ✓ 事件 😀',
      region: 'Zürich ü',
      datacontenttype: 'application/json',
      data: { name: 'Zoë', kanji: '事件', emoji: '😀', rtl: 'שלום', nul: '\u0000' },
    },
  ],
  ['an empty string as JSON data', { ...base, datacontenttype: 'application/json', data: '' }],
  ['null as JSON data', { ...base, datacontenttype: 'application/json', data: null }],
  ['no data at all', { ...base, datacontenttype: 'application/json' }],
  ['JSON data with no datacontenttype', { ...base, data: [1, 'two', { three: 3 }] }],
  ['1 MiB of JSON data', { ...base, datacontenttype: 'application/json', data: { blob: oneMiB } }],
  [
    'binary data (every byte value)',
    { ...base, datacontenttype: 'application/octet-stream', data: allBytes },
  ],
  ['text data', { ...base, datacontenttype: 'text/plain; charset=utf-8', data: 'héllo\nwörld' }],
  ['XML data', { ...base, datacontenttype: 'application/xml', data: '<much wow="xml"/>' }],
  [
    'a vendor +json type, dataschema and an offset time',
    {
      ...base,
      time: '2024-05-01T14:34:56.123456+02:00',
      datacontenttype: 'application/vnd.eventfan.hit+json',
      dataschema: 'https://schemas.example.com/hit/v1.json',
      data: { hit: true },
    },
  ],
];

/** A consumed message as kafkajs hands it over: key, value and header values as Buffers. */
export function asDelivered(record: {
  key: string | null;
  value: Buffer | string | null;
  headers: Record<string, unknown>;
}): KafkaMessage {
  const headers: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (value !== undefined && value !== null) headers[name] = Buffer.from(String(value));
  }
  return {
    key: record.key === null ? null : Buffer.from(record.key),
    value: record.value === null ? null : Buffer.from(record.value),
    headers,
  };
}

/**
 * Received NATS headers as the clients give them: `MsgHdrs` of nats 2.x and @nats-io 3.x iterate
 * as `[name, values[]]`, and values arrive trimmed.
 */
export function asMsgHdrs(headers: Record<string, string>): Iterable<[string, string[]]> {
  return new Map(Object.entries(headers).map(([name, value]) => [name, [value.trim()]]));
}

/** An EventStoreDB record as the client reads it back: JSON parsed, bytes as bytes. */
export function asStored(record: EsdbRecord): EsdbRecordIn {
  return {
    id: record.id,
    type: record.type,
    contentType: record.contentType,
    data:
      record.data instanceof Uint8Array
        ? Uint8Array.from(record.data)
        : JSON.parse(JSON.stringify(record.data)),
    metadata: JSON.parse(JSON.stringify(record.metadata)),
  };
}

/** Runs `act`, which must throw InvalidCloudEvent; returns it for assertions. */
export function invalid(act: () => unknown): InvalidCloudEvent {
  try {
    act();
  } catch (error) {
    if (error instanceof InvalidCloudEvent) return error;
    throw error;
  }
  throw new Error('expected an InvalidCloudEvent, but nothing was thrown');
}
