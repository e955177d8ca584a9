import { describe, expect, it } from 'vitest';
import { InMemoryDispatcher, InMemoryEventStore, persistTo } from '@eventfan/core';
import { decodeJson } from '@eventfan/cloudevents';
import { ATTACKS, fight } from './fight.js';

describe('the demo fight', () => {
  it('stores and publishes every accepted attack, rejects the one on a dead ogre, and replays to the same state', async () => {
    const store = new InMemoryEventStore();
    const published = new InMemoryDispatcher({ name: 'published' });
    const lines: string[] = [];
    const final = await fight(store, [persistTo(store, { snapshotEvery: 3 }), published], (l) =>
      lines.push(l),
    );

    const accepted = ATTACKS.length - 1;
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
});
