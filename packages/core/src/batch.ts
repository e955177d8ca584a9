import type { Envelope } from './envelope.js';
import { InvalidEvent } from './errors.js';

/**
 * A batch for one stream must be non-empty, of that stream, and numbered on from the expected
 * generation without gaps: anything else would write a hole or a fork into the stream.
 */
export function checkBatch(
  stream: string,
  envelopes: readonly Envelope[],
  expectedGeneration: number,
): void {
  if (typeof stream !== 'string' || stream.trim() === '') {
    throw new InvalidEvent(`stream id must be a non-empty string, got ${JSON.stringify(stream)}`);
  }
  if (!Number.isInteger(expectedGeneration) || expectedGeneration < 0) {
    throw new InvalidEvent(
      `expected generation must be a whole number >= 0, got ${expectedGeneration}`,
      { stream },
    );
  }
  if (envelopes.length === 0)
    throw new InvalidEvent('nothing to append: the batch is empty', { stream });
  for (let i = 0; i < envelopes.length; i++) {
    const envelope = envelopes[i] as Envelope;
    if (envelope.stream === stream && envelope.generation === expectedGeneration + i + 1) continue;
    const where = { stream, generation: envelope.generation, type: envelope.type };
    if (envelope.stream !== stream) {
      throw new InvalidEvent(`envelope ${i} belongs to stream "${envelope.stream}"`, where);
    }
    throw new InvalidEvent(
      `envelope ${i} has generation ${envelope.generation}, expected ${expectedGeneration + i + 1}`,
      where,
    );
  }
}
