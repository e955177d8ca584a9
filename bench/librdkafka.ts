/**
 * librdkafka on the same broker as a Kafka bench, for its `ratio to librdkafka` rows: kcat (`kcat
 * -P`, idempotent, acks=all), which never waits, and — where node-rdkafka is installed — librdkafka
 * driven from node the way the concurrent workload drives ours (rdkafka.ts). Each produces
 * `records` records of the size ours have, to topics of its own, best of `runs`.
 */
import { spawnSync } from 'node:child_process';
import { envelopeToKafkaRecord } from '@eventfan/cloudevents';
import type { Envelope } from '@eventfan/core';
import type { Kafka } from 'kafkajs';
import { freshBatches } from './batches.js';
import { loadRdkafka, rdkafkaRate } from './rdkafka.js';
import { formatRate } from './report.js';

export const KCAT_TOPIC = 'eventfan-bench-kcat';
export const RDKAFKA_TOPIC = 'eventfan-bench-rdkafka';

export interface LibrdkafkaOptions {
  readonly kafka: Kafka;
  readonly brokers: readonly string[];
  /** Our rate in the same run, which the ratio is of. */
  readonly oursPerSecond: number;
  readonly records: number;
  /** node-rdkafka's records in flight: the commands the workload has in flight. */
  readonly lanes: number;
  readonly runs: number;
}

/** Table rows for both, printing `concurrent kafka: ratio to librdkafka <x>` when kcat ran. */
export async function librdkafkaRows(options: LibrdkafkaOptions): Promise<[string, string][]> {
  const rows: [string, string][] = [];
  const kcat = await kcatRate(options);
  if (kcat === undefined) {
    rows.push(['librdkafka (kcat -P)', 'kcat not installed (apt-get install -y kcat): skipped']);
  } else {
    const ratio = options.oursPerSecond / kcat;
    console.log(`concurrent kafka: ratio to librdkafka ${ratio.toFixed(3)} (target >= 0.5)`);
    rows.push(
      [
        `librdkafka (kcat -P, idempotent, acks=all, ${options.records} records), best of ${options.runs}`,
        formatRate(kcat),
      ],
      ['ratio ours / librdkafka (target >= 0.5)', `${ratio.toFixed(3)}x`],
    );
  }
  const rdkafka = loadRdkafka();
  if (typeof rdkafka === 'string') {
    rows.push(['librdkafka from node (node-rdkafka)', rdkafka]);
    return rows;
  }
  const records = freshBatches(options.records, 1, 'bench-').map(([e]) =>
    envelopeToKafkaRecord(e as Envelope),
  );
  const run = await rdkafkaRate(rdkafka, {
    brokers: options.brokers,
    topic: RDKAFKA_TOPIC,
    records,
    lanes: options.lanes,
    runs: options.runs,
  });
  console.log(`concurrent kafka node-rdkafka: ${Math.round(run.perSecond)}`);
  rows.push([
    `librdkafka from node (node-rdkafka), ${options.lanes} records in flight, each awaited, best of ${options.runs}`,
    `${formatRate(run.perSecond)}, node CPU ${run.cpuMicrosPerEvent.toFixed(1)} µs/event`,
  ]);
  return rows;
}

/**
 * kcat producing `records` records, each of the size ours have (the same key, value and header
 * names, values of the same length), over `lanes` keys: its best rate, timed from start to exit
 * (after its flush), checked against the topic's end offsets. Undefined without kcat.
 */
async function kcatRate(options: LibrdkafkaOptions): Promise<number | undefined> {
  if (spawnSync('kcat', ['-V']).status !== 0) return undefined;
  const sample = envelopeToKafkaRecord(freshBatches(1, 1, 'bench-')[0]?.[0] as Envelope);
  const headers = Object.entries(sample.headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
  const value = sample.value?.toString() ?? '';
  const lines = Array.from(
    { length: options.records },
    (_, i) => `${sample.key?.slice(0, -3)}${String(i % options.lanes).padStart(3, '0')}\t${value}`,
  );
  const input = `${lines.join('\n')}\n`;
  const args = ['-P', '-b', options.brokers.join(','), '-t', KCAT_TOPIC, '-K', '\t'];
  args.push('-X', 'enable.idempotence=true', '-X', 'acks=all', ...headers);
  const admin = options.kafka.admin();
  await admin.connect();
  const total = async () =>
    (await admin.fetchTopicOffsets(KCAT_TOPIC)).reduce((n, p) => n + Number(p.high), 0);
  let best = 0;
  try {
    for (let run = 0; run < options.runs; run++) {
      const before = await total();
      const start = performance.now();
      const done = spawnSync('kcat', args, { input, maxBuffer: 1 << 26 });
      const seconds = (performance.now() - start) / 1000;
      if (done.status !== 0) throw new Error(`kcat failed: ${done.stderr.toString()}`);
      const written = (await total()) - before;
      if (written !== options.records) {
        throw new Error(`kcat wrote ${written} of ${options.records} records`);
      }
      best = Math.max(best, options.records / seconds);
    }
  } finally {
    await admin.disconnect();
  }
  return best;
}
