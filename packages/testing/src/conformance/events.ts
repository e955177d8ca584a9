import { defineAggregate, defineEvents, initial, payload, toEnvelopes } from '@eventfan/core';
import type { Envelope, EventOf, Versioned } from '@eventfan/core';

/** The events the conformance suite sends: small by default, any size when a case needs it. */
export const ConformanceEvent = defineEvents(
  'ConformanceEvent',
  { version: '1.0', source: 'events://eventfan.dev/conformance' },
  { Ticked: payload<{ n: number; text: string; nested: { ok: boolean; list: number[] } }>() },
);
type ConformanceEvent = EventOf<typeof ConformanceEvent>;

export const Conformance = defineAggregate<
  { ticks: number },
  { type: 'Tick'; n: number; padding?: number },
  ConformanceEvent
>({
  name: 'conformance',
  events: ConformanceEvent,
  initialState: () => ({ ticks: 0 }),
  handle: { Tick: (_s, { n, padding }) => ConformanceEvent.event('Ticked', tick(n, padding ?? 0)) },
  apply: { Ticked: (s) => ({ ticks: s.ticks + 1 }) },
});

function tick(n: number, padding: number) {
  return {
    n,
    text: `tick ${n} ✓ ${'x'.repeat(padding)}`,
    nested: { ok: n % 2 === 0, list: [n, n + 1] },
  };
}

/** A fresh stream name, unique per run, safe as an ESDB stream, Kafka key and NATS token. */
export function uniqueStream(prefix = 'conformance'): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

export interface SampleOptions {
  /** The aggregate name the envelopes carry; default `conformance`. */
  readonly aggregate?: string;
  /** The generation before the first envelope; default 0 (a new stream). */
  readonly after?: number;
  /** Extra characters of data per event, to make big events. */
  readonly padding?: number;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** `count` valid envelopes of one stream, numbered on from `after`, as the command handler makes them. */
export async function sampleEnvelopes(
  stream: string,
  count: number,
  options: SampleOptions = {},
): Promise<Envelope[]> {
  const start: Versioned<{ ticks: number }> = {
    ...initial(Conformance, 'x'),
    stream,
    generation: options.after ?? 0,
  };
  const events = Array.from({ length: count }, (_, i) =>
    ConformanceEvent.event('Ticked', tick(start.generation + i + 1, options.padding ?? 0)),
  );
  const { envelopes } = await toEnvelopes(Conformance, start, events, {
    correlationId: 'conformance',
    ...(options.metadata ? { metadata: options.metadata } : {}),
  });
  return options.aggregate === undefined
    ? envelopes
    : envelopes.map((e) => ({ ...e, aggregate: options.aggregate as string }));
}
