import { randomUUID } from 'node:crypto';
import type { Envelope } from '@eventfan/core';

/**
 * `events` fresh envelopes in batches of `perDispatch`, each batch a stream of its own named
 * `<prefix><run>-<n>`: new ids and streams every call, so no side of a comparison meets a duplicate.
 */
export function freshBatches(events: number, perDispatch: number, prefix = ''): Envelope[][] {
  const run = randomUUID().slice(0, 8);
  return Array.from({ length: events / perDispatch }, (_, s) =>
    Array.from({ length: perDispatch }, (_, i) => envelope(`${prefix}${run}-${s}`, i + 1)),
  );
}

/** `lanes` workers, each taking the next batch: at most `lanes` sends outstanding. */
export async function inLanes<B>(
  batches: readonly B[],
  lanes: number,
  send: (batch: B) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < batches.length) await send(batches[next++] as B);
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

function envelope(stream: string, generation: number): Envelope {
  return {
    id: randomUUID(),
    aggregate: 'bench',
    stream,
    generation,
    type: 'benchevent.ticked',
    version: '1.0',
    source: 'events://eventfan.dev/bench',
    time: new Date().toISOString(),
    data: { n: generation, text: `tick ${generation}`, nested: { ok: true, list: [1, 2, 3] } },
    metadata: { correlationId: 'bench' },
  };
}
