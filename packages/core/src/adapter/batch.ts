import type { Envelope } from '../envelope.js';
import { InvalidEvent } from '../errors.js';

/**
 * A batch for one stream must be non-empty, of that stream, and numbered on from the expected
 * generation without gaps: anything else would write a hole or a fork into the stream.
 */
export function checkBatch(
  stream: string,
  envelopes: readonly Envelope[],
  expectedGeneration: number,
  target?: string,
): void {
  const site = target === undefined ? { stream } : { stream, target };
  if (typeof stream !== 'string' || stream.trim() === '') {
    throw new InvalidEvent(`stream id must be a non-empty string, got ${JSON.stringify(stream)}`);
  }
  if (!Number.isInteger(expectedGeneration) || expectedGeneration < 0) {
    throw new InvalidEvent(
      `expected generation must be a whole number >= 0, got ${expectedGeneration}`,
      site,
    );
  }
  if (!Array.isArray(envelopes) || envelopes.length === 0) {
    throw new InvalidEvent('nothing to send: the batch is empty', site);
  }
  for (let i = 0; i < envelopes.length; i++) {
    const envelope = envelopes[i] as Envelope;
    if (envelope.stream === stream && envelope.generation === expectedGeneration + i + 1) continue;
    const where = { ...site, generation: envelope.generation, type: envelope.type };
    if (envelope.stream !== stream) {
      throw new InvalidEvent(`envelope ${i} belongs to stream "${envelope.stream}"`, where);
    }
    throw new InvalidEvent(
      `envelope ${i} has generation ${envelope.generation}, expected ${expectedGeneration + i + 1}`,
      where,
    );
  }
}

/** A publisher's batch: one stream, consecutive generations. Returns the stream. */
export function checkPublishBatch(target: string, envelopes: readonly Envelope[]): string {
  const first = Array.isArray(envelopes) ? envelopes[0] : undefined;
  if (!first) throw new InvalidEvent('nothing to send: the batch is empty', { target });
  checkBatch(first.stream, envelopes, first.generation - 1, target);
  return first.stream;
}
