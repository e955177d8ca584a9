/**
 * @eventfan/cloudevents against the CloudEvents SDK, measured side by side in one run on the same
 * 1,000 events (made from envelopes: every extension, small JSON data): the JSON format and Kafka
 * binary mode, encode and decode. Ours validates strictly on both ways (the dispatchers' path,
 * envelope to record in one call that validates once, has a row of its own);
 * the SDK validates when it builds an event (`new CloudEvent`) and not when its Kafka reader does.
 * Run: npm run bench -- cloudevents
 */
import { Bench } from 'tinybench';
import { CloudEvent as SdkEvent, Kafka, type KafkaMessage } from 'cloudevents';
import type { Envelope } from '@eventfan/core';
import {
  decodeJson,
  encodeJson,
  envelopeToKafkaRecord,
  fromKafkaRecord,
  toCloudEvent,
  toKafkaRecord,
  type CloudEvent,
} from '@eventfan/cloudevents';
import { eventsPerSecond, formatRate, printTable } from './report.js';

const EVENTS = 1_000;
const envelopes: Envelope[] = Array.from({ length: EVENTS }, (_, i) => ({
  id: `0b1c8f2e-5d7a-5b9e-8c3f-${String(i).padStart(12, '0')}`,
  aggregate: 'combat',
  stream: `combat-ogre${i % 100}`,
  generation: 1 + Math.floor(i / 100),
  type: 'combatevent.entityattacked',
  version: '1.0',
  source: 'events://github.com/pholactery/eventsourcing/samples/combat',
  time: new Date(1_714_566_896_789 + i).toISOString(),
  data: { entityId: `ogre${i % 100}`, damage: 1 + (i % 7), critical: i % 10 === 0 },
  metadata: {
    correlationId: `corr-${i}`,
    causationId: `cause-${i}`,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  },
}));
// Copies, as a user would hand them in: encoders check them in full.
const events: CloudEvent[] = envelopes.map((envelope) => ({ ...toCloudEvent(envelope) }));
const texts = events.map(encodeJson);
const records = events.map((event) => toKafkaRecord(event));
const sdkMessages: KafkaMessage<Buffer | null>[] = records.map((record) => ({
  key: record.key ?? '',
  value: record.value,
  headers: record.headers,
  body: record.value,
}));
const delivered = records.map((record) => ({
  key: record.key === null ? null : Buffer.from(record.key),
  value: record.value,
  headers: Object.fromEntries(
    Object.entries(record.headers).map(([name, value]) => [name, Buffer.from(value)]),
  ),
}));

let sink = 0; // keeps results alive so no run is optimised away
const pairs = [
  {
    name: 'JSON encode',
    ours: () => {
      for (const event of events) sink += encodeJson(event).length;
    },
    sdk: () => {
      for (const event of events) sink += new SdkEvent(event).toString().length;
    },
    sdkLabel: 'new CloudEvent(e).toString()',
  },
  {
    name: 'JSON decode',
    ours: () => {
      for (const text of texts) sink += decodeJson(text).id.length;
    },
    sdk: () => {
      for (const text of texts) sink += new SdkEvent(JSON.parse(text) as object).id.length;
    },
    sdkLabel: 'new CloudEvent(JSON.parse(t))',
  },
  {
    name: 'Kafka binary encode',
    ours: () => {
      for (const event of events) sink += toKafkaRecord(event).value?.length ?? 0;
    },
    // The SDK's binary message leaves JSON data as an object; kafkajs needs it as bytes.
    sdk: () => {
      for (const event of events) {
        const message = Kafka.binary(new SdkEvent(event));
        sink += Buffer.from(JSON.stringify(message.value)).length;
      }
    },
    sdkLabel: 'Kafka.binary(new CloudEvent(e)) + value to bytes',
  },
  {
    name: 'Kafka binary decode',
    ours: () => {
      for (const message of sdkMessages) sink += fromKafkaRecord(message).id.length;
    },
    sdk: () => {
      for (const message of sdkMessages) sink += (Kafka.toEvent(message) as SdkEvent).id.length;
    },
    sdkLabel: 'Kafka.toEvent(m), string headers',
  },
];

// The machine may be busy with other work: rounds interleave ours and the SDK's tasks, and each
// task keeps its best round, so a burst of load does not decide a ratio.
const ROUNDS = 5;
const best = new Map<string, number>();
const tasks: [string, () => void][] = pairs.flatMap((pair) => [
  [`${pair.name} ours`, pair.ours] as [string, () => void],
  [`${pair.name} sdk`, pair.sdk] as [string, () => void],
]);
// The dispatchers' path: the event is built, validated once and encoded in one call.
tasks.push([
  'Kafka binary encode ours, from envelopes',
  () => {
    for (const envelope of envelopes) {
      sink += envelopeToKafkaRecord(envelope).value?.length ?? 0;
    }
  },
]);
tasks.push([
  'Kafka binary decode ours, kafkajs Buffer headers',
  () => {
    for (const message of delivered) sink += fromKafkaRecord(message).id.length;
  },
]);
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: 300, warmupTime: 100, iterations: 10, warmupIterations: 5 });
  for (const [name, run] of tasks) bench.add(name, run);
  await bench.run();
  for (const task of bench.tasks) {
    best.set(task.name, Math.max(best.get(task.name) ?? 0, eventsPerSecond(task, EVENTS)));
  }
}
const perSecond = (name: string): number => best.get(name) ?? 0;
const rate = (n: number) => formatRate(n, 11);
const rows: [string, string][] = [];
const ratios: number[] = [];
for (const pair of pairs) {
  const ours = perSecond(`${pair.name} ours`);
  const sdk = perSecond(`${pair.name} sdk`);
  ratios.push(ours / sdk);
  rows.push(
    [`${pair.name}: ours`, rate(ours)],
    [`${pair.name}: SDK (${pair.sdkLabel})`, rate(sdk)],
    [`${pair.name}: ratio ours / SDK`, `${(ours / sdk).toFixed(2)}x`],
  );
}
rows.push([
  'Kafka binary encode: ours from envelopes (envelopeToKafkaRecord)',
  rate(perSecond('Kafka binary encode ours, from envelopes')),
]);
rows.push([
  'Kafka binary decode: ours from kafkajs Buffer headers',
  rate(perSecond('Kafka binary decode ours, kafkajs Buffer headers')),
]);
rows.push(['lowest ratio (target >= 3x)', `${Math.min(...ratios).toFixed(2)}x`]);
printTable(
  `cloudevents: ${EVENTS.toLocaleString('en')} events per run, best of ${ROUNDS} rounds (sink ${sink % 10})`,
  rows,
);
