import type { Envelope, EventMetadata } from '@eventfan/core';
import { validateCloudEvent, type CloudEvent } from './cloudevent.js';
import { isJsonContentType } from './content-type.js';
import { InvalidCloudEvent, show } from './errors.js';
import { extensionNameProblem, RESERVED_ATTRIBUTES } from './names.js';

/** Digits of the `sequence` extension: enough for any 64-bit generation, so strings sort. */
export const SEQUENCE_DIGITS = 20;
const SEQUENCE = /^\d{1,20}$/;

/** Envelope metadata keys carried under another attribute name. */
const METADATA_TO_ATTRIBUTE: ReadonlyMap<string, string> = new Map([
  ['commandId', 'commandid'],
  ['correlationId', 'correlationid'],
  ['causationId', 'causationid'],
]);
const ATTRIBUTE_TO_METADATA: ReadonlyMap<string, string> = new Map(
  [...METADATA_TO_ATTRIBUTE].map(([key, name]) => [name, key]),
);
/** Extensions this mapping fills from envelope fields; a metadata key may not take them. */
const ENVELOPE_EXTENSIONS: ReadonlyMap<string, string> = new Map([
  ['sequence', 'the generation'],
  ['partitionkey', 'the stream'],
  ['eventversion', 'the event version'],
  ['aggregate', 'the aggregate name'],
  ['commandid', 'metadata.commandId'],
  ['correlationid', 'metadata.correlationId'],
  ['causationid', 'metadata.causationId'],
]);
/** Attributes `toEnvelope` reads into envelope fields rather than metadata. */
const NOT_METADATA: ReadonlySet<string> = new Set([
  ...RESERVED_ATTRIBUTES,
  'sequence',
  'partitionkey',
  'eventversion',
  'aggregate',
]);

/** The `sequence` extension for a generation: zero-padded decimal, so it sorts as a string. */
export function toSequence(generation: number): string {
  return String(generation).padStart(SEQUENCE_DIGITS, '0');
}

/** The generation a `sequence` extension carries (padded or not). */
export function fromSequence(sequence: string, eventId?: string): number {
  const generation = SEQUENCE.test(sequence) ? Number(sequence) : NaN;
  if (!Number.isSafeInteger(generation) || generation < 1) {
    throw new InvalidCloudEvent(
      `sequence must be the stream generation in decimal digits (e.g. ${toSequence(7)}), got ${show(sequence)}`,
      'sequence',
      eventId === undefined ? undefined : { eventId },
    );
  }
  return generation;
}

/**
 * The CloudEvent for an envelope (see the README's mapping table), validated, and frozen so that
 * its attributes stay as validated. Metadata keys become extensions of the same name; a key that
 * cannot be one is an InvalidCloudEvent naming it.
 */
export function toCloudEvent(envelope: Envelope): CloudEvent {
  return Object.freeze(buildCloudEvent(envelope));
}

/**
 * `toCloudEvent` without the freeze, for the encoders that take an envelope: they encode the event
 * in the same call and never hand it out, so it needs no protection and no second check.
 */
export function buildCloudEvent(envelope: Envelope): CloudEvent {
  const { id, generation, stream, metadata } = envelope;
  if (!Number.isSafeInteger(generation) || generation < 1) {
    throw new InvalidCloudEvent(
      `the envelope's generation must be a positive integer, got ${show(generation)}`,
      'sequence',
      { eventId: id },
    );
  }
  const event: Record<string, unknown> = {
    specversion: '1.0',
    id,
    source: envelope.source,
    type: envelope.type,
    subject: stream,
    time: envelope.time,
    datacontenttype: 'application/json',
    sequence: toSequence(generation),
    partitionkey: stream,
    eventversion: envelope.version,
    aggregate: envelope.aggregate,
  };
  for (const key in metadata) {
    const value = metadata[key];
    if (value === undefined) continue;
    const name = METADATA_TO_ATTRIBUTE.get(key) ?? key;
    if (name === key) {
      const taken = ENVELOPE_EXTENSIONS.get(key);
      const problem =
        extensionNameProblem(key) ??
        (taken === undefined ? undefined : `"${key}" is the extension that carries ${taken}`);
      if (problem !== undefined) {
        throw new InvalidCloudEvent(
          `metadata key "${key}" cannot become a CloudEvents extension: ${problem}`,
          key,
          { eventId: id },
        );
      }
    }
    event[name] = value;
  }
  // Last, so the JSON format reads attributes first.
  if (envelope.data !== undefined) event.data = envelope.data;
  return validateCloudEvent(event);
}

/**
 * The envelope a CloudEvent made by `toCloudEvent` carries. Needs `subject`, `time` and the
 * `sequence`, `eventversion` and `aggregate` extensions, and JSON data; InvalidCloudEvent names
 * what is missing. Other extensions come back as metadata (as strings).
 */
export function toEnvelope(event: CloudEvent): Envelope {
  validateCloudEvent(event);
  const { id } = event;
  const need = (name: string, carries: string): string => {
    const value = event[name];
    if (typeof value !== 'string') {
      throw new InvalidCloudEvent(
        `an envelope needs "${name}" (${carries}), which ${value === undefined ? 'is missing' : `is ${show(value)}, not a string`}`,
        name,
        { eventId: id },
      );
    }
    return value;
  };
  const stream = need('subject', 'the stream');
  const generation = fromSequence(need('sequence', 'the generation'), id);
  const version = need('eventversion', 'the event version');
  const aggregate = need('aggregate', 'the aggregate name');
  const time = need('time', 'when the event happened');
  if (!isJsonContentType(event.datacontenttype)) {
    throw new InvalidCloudEvent(
      `an envelope carries JSON data, but datacontenttype is "${event.datacontenttype}"`,
      'datacontenttype',
      { eventId: id },
    );
  }
  const metadata: Record<string, string> = {};
  for (const name in event) {
    const value = event[name];
    if (value === undefined || NOT_METADATA.has(name)) continue;
    metadata[ATTRIBUTE_TO_METADATA.get(name) ?? name] =
      typeof value === 'string' ? value : String(value);
  }
  return {
    id,
    aggregate,
    stream,
    generation,
    type: event.type,
    version,
    source: event.source,
    time,
    data: event.data,
    metadata: metadata as EventMetadata,
  };
}
