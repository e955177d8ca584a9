// The README's examples are the files in test/readme/, word for word: tsc checks them, and here
// they run against the test broker and an independent consumer reads what they published.
import { readdir, readFile } from 'node:fs/promises';
import { fromKafkaRecord } from '@eventfan/cloudevents';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { beforeAll, expect, it } from 'vitest';
import { testKafka } from './kafka.js';
import { TopicReader, type Offsets } from './topic-reader.js';

const here = new URL('./readme/', import.meta.url);

it('given the README, when its TypeScript blocks are read, then each is one of the example files', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  // The Subscribing section's example (kafkaSource) is not among these files yet: its owner's.
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1] as string)
    .filter((block) => !block.includes('kafkaSource('));
  const files = await readdir(here);
  const examples = await Promise.all(files.map((f) => readFile(new URL(f, here), 'utf8')));
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.filter((b) => !examples.includes(b))).toEqual([]);
  expect(examples.filter((e) => !blocks.includes(e))).toEqual([]);
});

describeWithBroker('kafka', 'README examples', (broker) => {
  /**
   * The events keyed `stream` in `topic` past `after`, read committed (a transactional topic ends
   * in a marker). The examples name their topics and streams as users would, so a broker kept from
   * an earlier run holds their events of that run too.
   */
  const read = async (topic: string, stream: string, after: Offsets) => {
    const reader = await TopicReader.start(testKafka(broker.url), [topic], { after });
    const records = await reader.byKey(stream, 1);
    await reader.stop();
    return records.map((r) => fromKafkaRecord(r));
  };
  const ends = (topics: string[]) => TopicReader.ends(testKafka(broker.url), topics);
  beforeAll(() => {
    process.env['KAFKA_BROKERS'] = broker.url;
  });

  it('given the quick start, when run, then topic combat holds the attack keyed by the stream', async () => {
    const after = await ends(['combat']);
    await import('./readme/quick-start.js');
    const events = await read('combat', 'combat-ogre', after);
    expect(events.map((e) => [e.subject, e.data])).toEqual([
      ['combat-ogre', { entityId: 'ogre', damage: 150 }],
    ]);
  });

  it('given the consumer example, when run after the quick start, then it reads the attack and stops', async () => {
    await import('./readme/consume.js');
  }, 60_000);

  it('given the own-producer example, when run, then prod.door holds the event in structured mode', async () => {
    const after = await ends(['prod.door']);
    await import('./readme/own-producer.js');
    const events = await read('prod.door', 'door-front', after);
    expect(events.map((e) => e.data)).toEqual([{ by: 'alice' }]);
  });

  it('given the transactional example, when run, then each topic holds its committed event', async () => {
    const after = await ends(['ledger.debited', 'ledger.credited']);
    await import('./readme/transactional.js');
    const debited = await read('ledger.debited', 'ledger-acct-7', after);
    const credited = await read('ledger.credited', 'ledger-acct-7', after);
    expect([debited.map((e) => e.data), credited.map((e) => e.data)]).toEqual([
      [{ cents: 500 }],
      [{ cents: 500 }],
    ]);
  });
});
