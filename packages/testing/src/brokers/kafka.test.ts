import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireBroker, acquireBrokerOrSkip } from './acquire.js';
import { isMissing, type Broker } from './broker.js';
import { serverProperties } from './kafka-config.js';
import { kafkaAnswers } from './kafka-probe.js';
import { findKafkaLibs } from './kafka-process.js';
import { kafkaBroker, kafkaBrokerWith } from './kafka.js';

function portOf(url: string): number {
  return Number(url.split(':').pop());
}

async function withEnv<T>(name: string, value: string, body: () => Promise<T>): Promise<T> {
  const previous = process.env[name];
  process.env[name] = value;
  try {
    return await body();
  } finally {
    if (previous === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = previous;
  }
}

describe('serverProperties', () => {
  const ports = { broker: 19092, controller: 19093 };

  it('given free ports, when generated, then one node is broker and controller on 127.0.0.1 with single-replica internal topics', () => {
    const text = serverProperties(ports, '/tmp/k/data');
    expect(text).toContain('process.roles=broker,controller\n');
    expect(text).toContain('controller.quorum.voters=1@127.0.0.1:19093\n');
    expect(text).toContain('listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093\n');
    expect(text).toContain('advertised.listeners=PLAINTEXT://127.0.0.1:19092\n');
    expect(text).toContain('log.dirs=/tmp/k/data\n');
    expect(text).toContain('transaction.state.log.replication.factor=1\n');
    expect(text).toContain('auto.create.topics.enable=true\n');
    expect(text).not.toContain('authorizer.class.name');
  });

  it('given auto-create off, ACLs on and an extra property, when generated, then all three are in the file', () => {
    const text = serverProperties(ports, '/d', {
      autoCreateTopics: false,
      acls: true,
      properties: { 'message.max.bytes': '2000' },
    });
    expect(text).toContain('auto.create.topics.enable=false\n');
    expect(text).toContain(
      'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer\n',
    );
    expect(text).toContain('allow.everyone.if.no.acl.found=true\n');
    expect(text).toContain('message.max.bytes=2000\n');
  });
});

describe('kafkaBroker', () => {
  it('given KAFKA_BROKERS, when acquired, then it wraps that list without starting anything', async () => {
    const broker = await withEnv('KAFKA_BROKERS', '127.0.0.1:9999', () =>
      acquireBroker(kafkaBroker),
    );
    expect(broker).toMatchObject({ kind: 'kafka', via: 'env', url: '127.0.0.1:9999' });
    expect('control' in broker).toBe(false);
  });

  it('given EVENTFAN_KAFKA_HOME without jars, when a local broker is asked for, then it says so and how to get one', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'eventfan-kafka-home-'));
    try {
      const broker = await withEnv('EVENTFAN_KAFKA_HOME', empty, async () => {
        expect(findKafkaLibs()).toBeUndefined();
        return acquireBroker(kafkaBroker, { ownProcess: true });
      });
      expect(isMissing(broker) && broker.missing).toContain(`EVENTFAN_KAFKA_HOME=${empty}`);
      expect(isMissing(broker) && broker.missing).toContain('download Apache Kafka');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('given nothing listens on a port, when probed, then it says Kafka does not answer', async () => {
    expect(await kafkaAnswers(1, 1_000)).toBe(false);
  });
});

describe('local Kafka process', () => {
  let broker: Broker | undefined;
  let dataDir = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'eventfan-kafka-test-'));
    const got = await acquireBrokerOrSkip(kafkaBrokerWith({ autoCreateTopics: false }), {
      ownProcess: true,
      dataDir,
    });
    if (!isMissing(got)) broker = got;
  });

  afterAll(async () => {
    await broker?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('given the jars, when started, then a KRaft broker answers kafkajs, keeps data across stop/start and stops for good on dispose', async (context) => {
    if (!broker)
      return context.skip('no Kafka jars: `npm test` or `npm run brokers:install` fetches them');
    expect(broker).toMatchObject({ kind: 'kafka', via: 'process' });
    expect(broker.label).toMatch(/^Apache Kafka \d+\.\d+\.\d+ \(local KRaft process\)$/);
    expect(await readFile(join(dataDir, 'server.properties'), 'utf8')).toContain(
      'auto.create.topics.enable=false',
    );
    const kafka = new Kafka({ brokers: [broker.url], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    expect((await admin.describeCluster()).brokers).toHaveLength(1);
    await admin.createTopics({
      topics: [{ topic: 'fixture', numPartitions: 1 }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: 'fixture', acks: -1, messages: [{ key: 'k', value: 'before' }] });
    await producer.disconnect();

    await broker.control?.stop();
    expect(await kafkaAnswers(portOf(broker.url), 1_000)).toBe(false);
    await broker.control?.start();
    expect(await kafkaAnswers(portOf(broker.url), 2_000)).toBe(true);

    const again = kafka.admin();
    await again.connect();
    const offsets = await again.fetchTopicOffsets('fixture');
    await again.disconnect();
    expect(offsets).toEqual([expect.objectContaining({ partition: 0, high: '1' })]);

    await broker.dispose();
    expect(await kafkaAnswers(portOf(broker.url), 1_000)).toBe(false);
    expect(existsSync(join(dataDir, 'data'))).toBe(true);
    broker = undefined;
  });
});
