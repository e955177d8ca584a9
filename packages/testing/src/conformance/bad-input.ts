import type { Envelope } from '@eventfan/core';
import { sampleEnvelopes, uniqueStream } from './events.js';

/** One kind of input every store and publisher must refuse with InvalidEvent, sending nothing. */
export interface BadInput {
  readonly name: string;
  /** The batch to hand over, built fresh for each run. */
  make(): Promise<readonly Envelope[]>;
}

async function one(change: (envelope: Envelope) => Envelope, stream = uniqueStream()) {
  const [envelope] = await sampleEnvelopes(stream, 1);
  return [change(envelope as Envelope)];
}

const withMetadata = (metadata: Record<string, string>) => (e: Envelope) => ({
  ...e,
  metadata: { ...e.metadata, ...metadata },
});

/**
 * The bad-input table: what a demanding user tried against every adapter. Each row is refused in
 * pre-flight, so a command handler stores none of it. Oversized events are a row of their own in
 * the suites, as each broker has its own limit.
 */
export const BAD_INPUTS: readonly BadInput[] = [
  { name: 'an empty batch', make: async () => [] },
  {
    name: 'a batch with a gap in its generations',
    make: async () => {
      const [a, , c] = await sampleEnvelopes(uniqueStream(), 3);
      return [a as Envelope, c as Envelope];
    },
  },
  {
    name: 'a batch holding two streams',
    make: async () => {
      const [a] = await sampleEnvelopes(uniqueStream(), 1);
      const [b] = await sampleEnvelopes(uniqueStream(), 1, { after: 1 });
      return [a as Envelope, b as Envelope];
    },
  },
  {
    name: 'data that is not JSON (a Date)',
    make: () => one((e) => ({ ...e, data: { at: new Date() } })),
  },
  {
    name: 'data that is not JSON (NaN)',
    make: () => one((e) => ({ ...e, data: { n: Number.NaN } })),
  },
  {
    name: 'data nested 3,000 deep',
    make: () =>
      one((e) => {
        let deep: unknown = 1;
        for (let i = 0; i < 3000; i++) deep = [deep];
        return { ...e, data: deep };
      }),
  },
  {
    name: 'a stream id with a control character',
    make: () => one((e) => e, `bad\u0001${uniqueStream()}`),
  },
  {
    name: 'a metadata value with a control character',
    make: () => one(withMetadata({ note: 'a\u0007b' })),
  },
  {
    name: 'a correlationId with a control character',
    make: () => one(withMetadata({ correlationId: 'c\u0000' })),
  },
  {
    name: 'a tracestate with a control character',
    make: () => one(withMetadata({ tracestate: 'k=v\u001f' })),
  },
  {
    name: 'a metadata key that is no CloudEvents extension name',
    make: () => one(withMetadata({ 'Bad-Key': 'v' })),
  },
  {
    name: 'a source with a space',
    make: () => one((e) => ({ ...e, source: 'events://eventfan.dev/a b' })),
  },
  {
    name: 'a generation that is not a positive whole number',
    make: () => one((e) => ({ ...e, generation: 0 })),
  },
];
