import { randomUUID } from 'node:crypto';
import type { Envelope } from '@eventfan/core';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { expect, it } from 'vitest';
import { at } from './support/at.js';
import { eventfan, linesOf, startEventfan } from './support/bin.js';
import {
  expectJsonEvent,
  expectLine,
  produceToKafka,
  sampleEnvelopes,
  uniqueStream,
} from './support/events.js';

const topicName = (label: string) => `cli-${label}-${randomUUID().slice(0, 8)}`;

/** Kafka orders per partition only: the lines of each stream, in the order they were printed. */
function byStream(lines: readonly string[]): Map<string, string[]> {
  const streams = new Map<string, string[]>();
  for (const line of lines) {
    const subject = line.split('\t')[2] ?? '';
    streams.set(subject, [...(streams.get(subject) ?? []), line]);
  }
  return streams;
}

function expectStreams(lines: readonly string[], ...streams: readonly Envelope[][]): void {
  const printed = byStream(lines);
  expect([...printed.keys()].sort()).toEqual(streams.map((s) => at(s, 0).stream).sort());
  for (const events of streams) {
    const mine = printed.get(at(events, 0).stream) ?? [];
    expect(mine).toHaveLength(events.length);
    mine.forEach((line, i) => expectLine(line, at(events, i)));
  }
}

describeWithBroker('kafka', 'eventfan tail kafka', (broker) => {
  it('prints every partition up to its end, each stream in order, then exits 0', async () => {
    const topic = topicName('tail');
    const first = await sampleEnvelopes(uniqueStream('k1'), 3);
    const second = await sampleEnvelopes(uniqueStream('k2'), 3);
    await produceToKafka(broker.url, topic, [...first, ...second]);

    const ran = await eventfan(['tail', 'kafka', topic, '--kafka', broker.url]);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expectStreams(linesOf(ran.stdout), first, second);
  });

  it('--json prints CloudEvents the SDK reads back', async () => {
    const topic = topicName('json');
    const events = await sampleEnvelopes(uniqueStream('kj'), 3);
    await produceToKafka(broker.url, topic, events, 1);

    const ran = await eventfan(['tail', 'kafka', topic, '--json'], { KAFKA_BROKERS: broker.url });
    expect(ran.code).toBe(0);
    const lines = linesOf(ran.stdout);
    expect(lines).toHaveLength(3);
    lines.forEach((line, i) => expectJsonEvent(line, at(events, i)));
  });

  it('--follow from the end prints only what comes next, until SIGINT (exit 0)', async () => {
    const topic = topicName('follow');
    const stream = uniqueStream('kf');
    await produceToKafka(broker.url, topic, await sampleEnvelopes(stream, 2));

    const tail = startEventfan(['tail', 'kafka', topic, '--follow', '--kafka', broker.url]);
    await tail.waitForStderr(/following Kafka topic .* from the end; Ctrl-C to stop/, 45_000);
    const after = await sampleEnvelopes(stream, 2, { after: 2 });
    await produceToKafka(broker.url, topic, after);
    const lines = await tail.waitForLines(2);
    tail.kill('SIGINT');
    const ran = await tail.done;
    expect(ran.code).toBe(0);
    expectStreams(linesOf(ran.stdout), after);
    expect(lines).toHaveLength(2);
  });

  it('a topic that does not exist: exit 1 naming it and the brokers', async () => {
    const topic = topicName('missing');
    const ran = await eventfan(['tail', 'kafka', topic, '--kafka', broker.url]);
    expect(ran.code).toBe(1);
    expect(ran.stderr.trim()).toBe(
      `eventfan: Kafka topic "${topic}" does not exist at ${broker.url}`,
    );
  });
});
