// The concurrent workload of bench/ticker.ts written against the first wave's API (load, then
// dispatch to the store and one broker, per command), for first-wave.bench.ts. It runs inside a
// copy of the first wave's tree, so its imports are that code. Prints one JSON line: the best rate.
import {
  defineAggregate,
  defineEvents,
  dispatch,
  InMemoryEventStore,
  load,
  payload,
  persistTo,
} from '@eventfan/core';
import { kafkaDispatcher } from '@eventfan/dispatcher-kafka';
import { ensureStream, natsDispatcher } from '@eventfan/dispatcher-nats';
import { logLevel } from 'kafkajs';
import { connect, headers } from 'nats';
import { performance } from 'node:perf_hooks';
import process from 'node:process';

const { TARGET, COMMANDS, LANES, ROUNDS, KAFKA_BROKERS, NATS_URL, TOPIC, STREAM, PREFIX } =
  process.env;
const commands = Number(COMMANDS);
const lanes = Number(LANES);

const BenchEvent = defineEvents(
  'BenchEvent',
  { version: '1.0', source: 'events://eventfan.dev/bench' },
  { Ticked: payload() },
);
const Ticker = defineAggregate({
  name: 'ticker',
  events: BenchEvent,
  initialState: () => ({ ticks: 0 }),
  handle: { Tick: (_, { n }) => BenchEvent.event('Ticked', { n, text: `tick ${n}` }) },
  apply: { Ticked: (state) => ({ ticks: state.ticks + 1 }) },
});

async function run(target, count) {
  const store = new InMemoryEventStore();
  const dispatchers = [persistTo(store), target];
  const tag = Math.random().toString(36).slice(2, 8);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let n = 0; n < count / lanes; n++) {
        const current = await load(Ticker, store, `${tag}-${lane}`);
        await dispatch(Ticker, current, { type: 'Tick', n }, dispatchers);
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

let target;
let nc;
if (TARGET === 'kafka') {
  target = kafkaDispatcher({
    kafka: { brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING },
    topic: () => TOPIC,
  });
} else {
  nc = await connect({ servers: NATS_URL });
  await ensureStream(nc, { name: STREAM, subjects: [`${PREFIX}.>`], update: true });
  target = natsDispatcher({ connection: nc, headers, prefix: PREFIX });
}
await run(target, lanes * 20); // warm-up
let best = 0;
for (let round = 0; round < Number(ROUNDS); round++)
  best = Math.max(best, await run(target, commands));
await target.close();
await nc?.close();
process.stdout.write(`${JSON.stringify({ perSecond: best })}\n`);
