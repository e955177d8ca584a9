/**
 * Subscribing to Kafka alone: the comparison of bench/subscribe-kafka.ts (subscribe + kafkaSource
 * against a raw kafkajs eachBatch consumer, decode on both sides). Bounded: under a minute on 2
 * loaded cores. `npm run bench -- subscribe` runs it with the other brokers'.
 * Run: npm run bench -- subscribe-kafka   (KAFKA_BROKERS, or Kafka's jars from `bash scripts/fetch-kafka.sh`)
 */
import { kafkaBroker } from '@eventfan/testing';
import { needBroker } from './need-broker.js';
import { compareKafkaSubscribe } from './subscribe-kafka.js';

const broker = await needBroker('subscribe-kafka', kafkaBroker);
try {
  const measured = await compareKafkaSubscribe(broker.url, broker.label);
  // Unindented: the headline bench/run.ts saves (median of the rounds' ratios).
  console.log(`subscribe kafka: ratio ${measured.ratio.toFixed(2)}x (target >= 0.9)`);
} finally {
  await broker.dispose();
}
