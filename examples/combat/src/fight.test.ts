import { describe, expect, it } from 'vitest';
import { commandHandler, InMemoryEventStore, InMemoryPublisher } from '@eventfan/core';
import { decodeJson } from '@eventfan/cloudevents';
import { Combat } from './combat.js';
import { connectTargets } from './brokers.js';
import { attacks, fight } from './fight.js';

describe('the demo fight', () => {
  it('stores and publishes every accepted attack, rejects the one on a dead ogre, and replays to the same state', async () => {
    const store = new InMemoryEventStore();
    const published = new InMemoryPublisher({ name: 'published' });
    const combat = commandHandler({
      aggregate: Combat,
      store,
      publishers: [published],
      snapshotEvery: 3,
    });
    const lines: string[] = [];
    const final = await fight(combat, 'ogre', (l) => lines.push(l));

    const accepted = attacks('ogre').length - 1;
    expect(final).toMatchObject({
      generation: accepted,
      state: { entityId: 'ogre', hitpoints: 0 },
    });
    expect(published.received.map((e) => e.generation)).toEqual([1, 2, 3, 4]);
    expect(await store.readSnapshot('combat-ogre')).toMatchObject({
      generation: 3,
      state: { hitpoints: 300 },
    });
    expect(lines).toContain('  rejected: ogre is already dead');
    expect(lines.at(-1)).toMatch(/the same state came back/);

    const printed = lines
      .filter((l) => l.startsWith('  {'))
      .map((l) => decodeJson(l.trim().replace(/\n\s*/g, '')));
    expect(printed.map((ce) => ce.id)).toEqual(published.received.map((e) => e.id));
    expect(printed[0]).toMatchObject({
      type: 'combatevent.entityattacked',
      subject: 'combat-ogre',
      data: { damage: 150 },
    });
  });

  it('on the embedded default, fans out to the store and two publishers, one receipt each', async () => {
    const targets = await connectTargets(() => {}, {});
    const combat = commandHandler({
      aggregate: Combat,
      store: targets.store,
      publishers: targets.publishers,
    });
    const lines: string[] = [];
    await fight(combat, 'troll', (l) => lines.push(l));
    await targets.close();
    const receipts = lines.filter((l) => l.startsWith('  receipt from'));
    expect(receipts.slice(0, 3).map((l) => l.split(':')[0])).toEqual([
      '  receipt from in-memory store',
      '  receipt from in-memory bus',
      '  receipt from in-memory audit log',
    ]);
    expect(receipts).toHaveLength(3 * 4);
  });
});
