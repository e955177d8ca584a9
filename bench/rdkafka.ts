/**
 * librdkafka driven from node the way the concurrent workload drives our publisher: `lanes`
 * senders, each producing one record and awaiting its delivery report before the next, through
 * node-rdkafka (idempotent, acks=all). Where kcat measures what the broker takes from a producer
 * that never waits, this measures what a librdkafka-based client gives 64 commands at a time.
 * node-rdkafka is not a dependency (it builds librdkafka from source, ~2 minutes): install it with
 * `npm install --no-save node-rdkafka` to get this figure.
 */
import { createRequire } from 'node:module';
import type { KafkaRecord } from '@eventfan/cloudevents';

/** The part of node-rdkafka's Producer used here. */
interface RdProducer {
  connect(options: object, done: (error: Error | null) => void): void;
  setPollInterval(ms: number): void;
  produce(
    topic: string,
    partition: null,
    value: Buffer | null,
    key: string | null,
    timestamp: number,
    opaque: number,
    headers: Record<string, string>[],
  ): void;
  on(
    event: 'delivery-report',
    listener: (error: Error | null, report: { opaque: number }) => void,
  ): void;
  disconnect(done: () => void): void;
}

interface RdKafka {
  Producer: new (config: Record<string, string | number | boolean>) => RdProducer;
}

export interface RdkafkaRun {
  readonly perSecond: number;
  /** This process's CPU (user + system, librdkafka's threads included) per record. */
  readonly cpuMicrosPerEvent: number;
}

/** node-rdkafka, or why not. */
export function loadRdkafka(): RdKafka | string {
  try {
    return createRequire(import.meta.url)('node-rdkafka') as RdKafka;
  } catch {
    return 'node-rdkafka not installed (npm install --no-save node-rdkafka): skipped';
  }
}

/** The best of `runs` runs of `records` produced over `lanes` lanes, each awaiting its report. */
export async function rdkafkaRate(
  rdkafka: RdKafka,
  options: {
    brokers: readonly string[];
    topic: string;
    records: readonly KafkaRecord[];
    lanes: number;
    runs: number;
  },
): Promise<RdkafkaRun> {
  const producer = new rdkafka.Producer({
    'metadata.broker.list': options.brokers.join(','),
    'enable.idempotence': true,
    acks: -1,
    'linger.ms': 1,
    dr_cb: true,
  });
  await new Promise<void>((resolve, reject) =>
    producer.connect({}, (error) => (error ? reject(error) : resolve())),
  );
  // Delivery reports reach node when polled: every millisecond, as often as its timer allows.
  producer.setPollInterval(1);
  const reports = new Map<number, (error: Error | null) => void>();
  producer.on('delivery-report', (error, { opaque }) => {
    reports.get(opaque)?.(error);
    reports.delete(opaque);
  });
  const headers = options.records.map((r) =>
    Object.entries(r.headers).map(([k, v]) => ({ [k]: v })),
  );
  let opaque = 0;
  let best: RdkafkaRun = { perSecond: 0, cpuMicrosPerEvent: 0 };
  try {
    for (let run = 0; run < options.runs; run++) {
      let next = 0;
      const lane = async () => {
        while (next < options.records.length) {
          const i = next++;
          const record = options.records[i] as KafkaRecord;
          const id = opaque++;
          await new Promise<void>((resolve, reject) => {
            reports.set(id, (error) => (error ? reject(error) : resolve()));
            producer.produce(
              options.topic,
              null,
              record.value,
              record.key,
              Date.now(),
              id,
              headers[i] ?? [],
            );
          });
        }
      };
      const cpu = process.cpuUsage();
      const start = performance.now();
      await Promise.all(Array.from({ length: options.lanes }, lane));
      const perSecond = options.records.length / ((performance.now() - start) / 1000);
      const used = process.cpuUsage(cpu);
      if (perSecond > best.perSecond) {
        best = { perSecond, cpuMicrosPerEvent: (used.user + used.system) / options.records.length };
      }
    }
  } finally {
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  }
  return best;
}
