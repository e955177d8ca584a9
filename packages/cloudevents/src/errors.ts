import { EventfanError } from '@eventfan/core';

/**
 * A CloudEvent (or a message that should carry one) breaks the CloudEvents 1.0 spec or this
 * package's mapping. `attribute` names the offending attribute when there is one; `reason` says
 * what is wrong with it. Thrown before anything is encoded, so nothing half-written leaves.
 */
export class InvalidCloudEvent extends EventfanError {
  readonly attribute: string | undefined;
  readonly reason: string;
  /** The event's id, when it was known at the point of failure. */
  readonly eventId: string | undefined;

  constructor(
    reason: string,
    attribute?: string,
    options?: { readonly eventId?: string; readonly cause?: unknown },
  ) {
    const where = [
      attribute !== undefined ? `attribute "${attribute}"` : undefined,
      options?.eventId !== undefined ? `event "${options.eventId}"` : undefined,
    ].filter(Boolean);
    super(
      'INVALID_CLOUDEVENT',
      `Invalid CloudEvent${where.length ? ` (${where.join(', ')})` : ''}: ${reason}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.attribute = attribute;
    this.reason = reason;
    this.eventId = options?.eventId;
  }
}

/** A short, safe rendering of a value for error messages. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (value === null || value === undefined) return String(value);
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`;
  return `${String(value)} (${typeof value})`;
}

/**
 * Throws InvalidCloudEvent for `attribute` of `event`. The event's id, which names it in the
 * error, is only read here: checks that pass never pay for it.
 */
export function invalid(
  event: Readonly<Record<string, unknown>>,
  attribute: string,
  reason: string,
): never {
  const { id } = event;
  throw new InvalidCloudEvent(
    reason,
    attribute,
    typeof id === 'string' ? { eventId: id } : undefined,
  );
}
