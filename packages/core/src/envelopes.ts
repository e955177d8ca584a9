import type { Aggregate, Command, Versioned } from './aggregate.js';
import type { Envelope, EventMetadata } from './envelope.js';
import type { DomainEvent } from './event.js';
import { randomUUID } from 'node:crypto';
import { eventId } from './event-id.js';
import { InvalidEvent } from './errors.js';

/** What a caller may attach to the envelopes of one command. */
export interface EnvelopeOptions {
  /**
   * The command's identity, from which event ids are derived: pass your idempotency key so that
   * sending the same command again (after a lost acknowledgement) is recognised; default: a fresh
   * UUID per call.
   */
  readonly commandId?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
  /**
   * Extra string metadata. To reach a broker, keys must be valid CloudEvents extension names
   * (`[a-z0-9]{1,20}`, not an attribute's name): publishers refuse others in pre-flight.
   */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The clock used for `time` (tests pin it). */
  readonly clock?: () => Date;
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
/**
 * Metadata core fills from its own options: a key spelling one of them is refused rather than
 * silently overwritten. Whether a key can travel as a CloudEvents extension is the publishers'
 * pre-flight to say (CloudEvents naming rules live in @eventfan/cloudevents).
 */
const OWN_KEYS = new Set([
  'commandid',
  'correlationid',
  'causationid',
  'traceparent',
  'tracestate',
]);

/**
 * Validates the events and wraps them in envelopes, generation by generation after `current`.
 * Returns the validated events (a schema may transform data) beside their envelopes. Throws
 * InvalidEvent before anything could be sent.
 */
export async function toEnvelopes<S, C extends Command, E extends DomainEvent>(
  aggregate: Aggregate<S, C, E>,
  current: Versioned<S>,
  events: readonly E[],
  options: EnvelopeOptions = {},
): Promise<{ events: E[]; envelopes: Envelope[] }> {
  if (typeof current.stream !== 'string' || current.stream.trim() === '') {
    throw new InvalidEvent(
      `stream id must be a non-empty string, got ${JSON.stringify(current.stream)}`,
    );
  }
  const commandId = options.commandId ?? freshCommandId();
  if (typeof commandId !== 'string' || commandId === '') {
    throw new InvalidEvent(
      `commandId must be a non-empty string, got ${JSON.stringify(commandId)}`,
      {
        stream: current.stream,
      },
    );
  }
  const metadata = buildMetadata(current.stream, commandId, options);
  const time = timeOf(current.stream, options.clock);
  const envelopes: Envelope[] = [];
  const valid: E[] = [];
  for (const [index, event] of events.entries()) {
    const generation = current.generation + index + 1;
    const checked = await aggregate.events.validate(event, { stream: current.stream, generation });
    valid.push(checked);
    const type = aggregate.events.typeOf(checked.type);
    envelopes.push({
      id: eventId(current.stream, generation, commandId),
      aggregate: aggregate.name,
      stream: current.stream,
      generation,
      type,
      version: aggregate.events.version,
      source: aggregate.events.source,
      time,
      data: checked.data,
      metadata,
    });
  }
  return { events: valid, envelopes };
}

/**
 * A random UUID as one flat string: randomUUID's own is a rope of its 36 characters' pieces, and
 * the command id lives on in the metadata of every event stored.
 */
function freshCommandId(): string {
  return randomUUID().split('-').join('-');
}

function timeOf(stream: string, clock: (() => Date) | undefined): string {
  const now = clock ? clock() : new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new InvalidEvent(`the clock returned ${String(now)}, not a valid Date`, {
      stream,
      path: 'time',
    });
  }
  return now.toISOString();
}

function buildMetadata(stream: string, commandId: string, options: EnvelopeOptions): EventMetadata {
  const metadata: Record<string, string> = {};
  for (const [key, value] of options.metadata ? Object.entries(options.metadata) : []) {
    if (OWN_KEYS.has(key.toLowerCase())) {
      throw new InvalidEvent(
        `metadata key "${key}" is filled by core from the option of that name; pass it as the option instead`,
        { stream, path: `metadata.${key}` },
      );
    }
    if (typeof value !== 'string') {
      throw new InvalidEvent(`metadata "${key}" must be a string, got ${typeof value}`, {
        stream,
        path: `metadata.${key}`,
      });
    }
    metadata[key] = value;
  }
  if (options.traceparent !== undefined && !TRACEPARENT.test(options.traceparent)) {
    throw new InvalidEvent(`traceparent "${options.traceparent}" is not a W3C trace context`, {
      stream,
      path: 'metadata.traceparent',
    });
  }
  metadata.commandId = commandId;
  const correlationId = options.correlationId ?? options.causationId;
  if (correlationId !== undefined) metadata.correlationId = correlationId;
  if (options.causationId !== undefined) metadata.causationId = options.causationId;
  if (options.traceparent !== undefined) metadata.traceparent = options.traceparent;
  if (options.tracestate !== undefined) metadata.tracestate = options.tracestate;
  return metadata;
}
