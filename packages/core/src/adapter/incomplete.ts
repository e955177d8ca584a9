import type { Envelope } from '../envelope.js';
import { DispatchIncomplete } from '../errors.js';

/**
 * The error for a batch the broker took only part of: `cause` itself when nothing was
 * acknowledged, else a DispatchIncomplete saying which envelopes were and which were not.
 */
export function partialFailure(
  target: string,
  envelopes: readonly Envelope[],
  acknowledged: (envelope: Envelope, index: number) => boolean,
  cause: unknown,
): unknown {
  const delivered: { id: string; generation: number }[] = [];
  const undelivered: string[] = [];
  envelopes.forEach((envelope, i) => {
    if (acknowledged(envelope, i))
      delivered.push({ id: envelope.id, generation: envelope.generation });
    else undelivered.push(envelope.id);
  });
  if (delivered.length === 0) return cause;
  const stream = (envelopes[0] as Envelope).stream;
  return new DispatchIncomplete(target, stream, delivered, undelivered, cause);
}
