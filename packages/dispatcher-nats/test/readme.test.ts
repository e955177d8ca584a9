// The README's examples are the files in test/readme/, word for word: tsc checks them, and here
// they run against the test broker and an independent consumer reads what they published.
import { readdir, readFile } from 'node:fs/promises';
import { describeWithBroker } from '@eventfan/testing/vitest';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeWithSdk, readSubject } from './support.js';

const here = new URL('./readme/', import.meta.url);

it('given the README, when its TypeScript blocks are read, then each is one of the example files', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const files = await readdir(here);
  const examples = await Promise.all(files.map((f) => readFile(new URL(f, here), 'utf8')));
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.filter((b) => !examples.includes(b as string))).toEqual([]);
  expect(examples.filter((e) => !blocks.includes(e))).toEqual([]);
});

describeWithBroker('nats', 'README examples', (broker) => {
  let nc: NatsConnection;
  beforeAll(async () => {
    process.env['NATS_URL'] = broker.url;
    nc = await connect({ servers: broker.url });
  });
  afterAll(async () => {
    await nc?.close();
  });

  it('given the JetStream example, when run, then EVENTS holds the attack on events.combat.combat-ogre', async () => {
    await import('./readme/jetstream.js');
    const stored = await readSubject(nc, 'EVENTS', 'events.combat.combat-ogre', 1);
    expect(stored.map((m) => decodeWithSdk(m).data)).toEqual([{ entityId: 'ogre', damage: 150 }]);
  });

  it('given the subscribe example after the JetStream one, when run, then its durable consumer acknowledged the attack and left the dead letters alone', async () => {
    await import('./readme/subscribe.js');
    const info = await (await nc.jetstreamManager()).consumers.info('EVENTS', 'hitpoints');
    expect(info).toMatchObject({ num_pending: 0, num_ack_pending: 0 });
    expect(info.ack_floor.stream_seq).toBeGreaterThanOrEqual(1);
  });

  it('given the core NATS example, when run, then a subscriber listening at the time gets the event', async () => {
    const subscription = nc.subscribe('events.door.door-front', { max: 1 });
    await nc.flush();
    await import('./readme/core.js');
    const received = [];
    for await (const m of subscription) received.push(decodeWithSdk(m).data);
    expect(received).toEqual([{ by: 'alice' }]);
  });

  it('given the 3.x client example, when run, then COUNTERS holds the increment', async () => {
    await import('./readme/v3.js');
    const stored = await readSubject(nc, 'COUNTERS', 'counters.counter.counter-visits', 1);
    expect(stored.map((m) => decodeWithSdk(m).data)).toEqual([{ by: 1 }]);
  });
});
