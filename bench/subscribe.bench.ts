/**
 * Consumer throughput per broker: core's `subscribe` on each adapter's source against the raw
 * client's consumer on the same broker, one comparison per broker (bench/subscribe-<broker>.ts),
 * each printing `subscribe <broker>: ratio <ours/raw>x` (target >= 0.9). A broker that cannot be
 * had is reported and the others still run; the bench then exits 1.
 * Bounded: under 3 minutes on 2 loaded cores (Kafka shared by bench/run.ts, or KAFKA_BROKERS).
 * Run: npm run bench -- subscribe
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import { acquireBroker, isMissing, kafkaBroker } from '@eventfan/testing';
import type { Paired } from './paired.js';
import { compareEsdbSubscribe, esdbTarget } from './subscribe-esdb.js';
import { compareKafkaSubscribe } from './subscribe-kafka.js';

/** One broker's comparison: its ratio, or why it could not run. */
type Comparison = () => Promise<Paired | { missing: string }>;

const BROKERS: readonly (readonly [string, Comparison])[] = [
  [
    'esdb',
    async () => {
      const target = await esdbTarget();
      const client = EventStoreDBClient.connectionString(target.url);
      try {
        return await compareEsdbSubscribe(client, target.label);
      } finally {
        await client.dispose();
        target.close();
      }
    },
  ],
  [
    'kafka',
    async () => {
      const broker = await acquireBroker(kafkaBroker);
      if (isMissing(broker)) return broker;
      try {
        return await compareKafkaSubscribe(broker.url, broker.label);
      } finally {
        await broker.dispose();
      }
    },
  ],
  // nats: its owner adds ['nats', …] here, with bench/subscribe-nats.ts.
];

const wanted = process.env['EVENTFAN_BENCH_SUBSCRIBE_BROKERS']?.split(',');
const lines: string[] = [];
let missing = 0;
for (const [name, compare] of BROKERS) {
  if (wanted && !wanted.includes(name)) continue;
  const result = await compare();
  if ('missing' in result) {
    console.error(`bench/subscribe: no ${name}: ${result.missing}`);
    missing++;
    continue;
  }
  lines.push(`subscribe ${name}: ratio ${result.ratio.toFixed(2)}x (target >= 0.9)`);
}
// Unindented, together at the end: the headlines bench/run.ts saves (median of the rounds' ratios).
console.log(`\n${lines.join('\n')}`);
process.exit(missing > 0 ? 1 : 0);
