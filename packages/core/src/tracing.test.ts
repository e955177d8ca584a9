import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandHandler } from './handler.js';
import { InMemoryPublisher } from './memory-publisher.js';
import { InMemoryEventStore } from './memory-store.js';
import { InMemoryCheckpoints } from './relay/checkpoints.js';
import { relay } from './relay/relay.js';
import { Tally } from './tally.fixture.js';

const exporter = new InMemorySpanExporter();

describe('OpenTelemetry spans', () => {
  beforeAll(() => {
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
  });
  afterAll(() => trace.disable());

  it('handle has a span, with append and each publish as its children; events carry its trace', async () => {
    exporter.reset();
    const store = new InMemoryEventStore();
    const publishers = [new InMemoryPublisher({ name: 'a' }), new InMemoryPublisher({ name: 'b' })];
    const tally = commandHandler({ aggregate: Tally, store, publishers });
    const result = await tally.handle('t', { type: 'Add', amount: 1 });
    const spans = exporter.getFinishedSpans();
    const handle = spans.find((s) => s.name === 'eventfan.handle');
    expect(handle?.attributes).toMatchObject({
      'eventfan.aggregate': 'tally',
      'eventfan.stream': 'tally-t',
      'eventfan.command': 'Add',
    });
    const children = spans.filter(
      (s) => s.parentSpanContext?.spanId === handle?.spanContext().spanId,
    );
    expect(children.map((s) => [s.name, s.attributes['eventfan.target']]).sort()).toEqual([
      ['eventfan.append', 'memory'],
      ['eventfan.publish', 'a'],
      ['eventfan.publish', 'b'],
    ]);
    const { traceId, spanId } = handle?.spanContext() ?? {};
    expect(result.envelopes[0]?.metadata.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  });

  it('a failing publish span records the error', async () => {
    exporter.reset();
    const failing = new InMemoryPublisher({ name: 'down' }).failNext(new Error('refused'));
    const tally = commandHandler({
      aggregate: Tally,
      store: new InMemoryEventStore(),
      publishers: [failing],
    });
    await tally.handle('t', { type: 'Add', amount: 1 }).catch(() => {});
    const publish = exporter.getFinishedSpans().find((s) => s.name === 'eventfan.publish');
    expect(publish?.status).toMatchObject({ code: 2, message: 'refused' });
  });

  it("the relay's publish span is linked to the trace in each event's traceparent", async () => {
    exporter.reset();
    const store = new InMemoryEventStore();
    const tally = commandHandler({ aggregate: Tally, store, publishing: 'relay' });
    const result = await tally.handle('t', { type: 'Add', amount: 1 });
    const bus = new InMemoryPublisher({ name: 'bus' });
    const outbox = relay({
      store,
      publishers: [bus],
      checkpoints: new InMemoryCheckpoints(),
      idleMs: 5,
    });
    outbox.start();
    await outbox.caughtUp();
    await outbox.stop();
    const publish = exporter.getFinishedSpans().find((s) => s.name === 'eventfan.relay.publish');
    const handle = exporter.getFinishedSpans().find((s) => s.name === 'eventfan.handle');
    expect(publish?.links.map((l) => l.context.spanId)).toEqual([handle?.spanContext().spanId]);
    expect(publish?.spanContext().traceId).not.toBe(handle?.spanContext().traceId);
    expect(result.envelopes[0]?.metadata.traceparent).toContain(handle?.spanContext().traceId);
  });
});
