import { defineEvents, payload, subscribe } from '@eventfan/core';
import { ensureStream, natsSource } from '@eventfan/dispatcher-nats';
import { connect, headers } from 'nats';

const CombatEvent = defineEvents(
  'CombatEvent',
  { version: '1.0', source: 'events://github.com/pholactery/eventsourcing/samples/combat' },
  { EntityAttacked: payload<{ entityId: string; damage: number }>() },
);

const nc = await connect({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' });
await ensureStream(nc, { name: 'EVENTS', subjects: ['events.>'] });

// A projection: hitpoints per entity, from every EntityAttacked in the stream.
const hitpoints = new Map<string, number>();
const subscription = subscribe({
  source: natsSource({
    connection: nc,
    headers,
    stream: 'EVENTS',
    durable: 'hitpoints', // created on first run, acknowledged up to where it got
    // Parked messages go to events.deadletter.hitpoints, which EVENTS keeps and this filter skips.
    filterSubject: 'events.combat.>',
  }),
  events: CombatEvent,
  handler: (event) => {
    const { entityId, damage } = event.data;
    hitpoints.set(entityId, Math.max(0, (hitpoints.get(entityId) ?? 900) - damage));
  },
});

// A service keeps running; this example stops once nothing is left to read.
while ((await subscription.status()).lag !== 0 || hitpoints.size === 0) {
  await new Promise((resolve) => setTimeout(resolve, 50));
}
console.log(hitpoints.get('ogre')); // 750 after the attack of the JetStream example
console.log(await subscription.status()); // { state: 'running', handled: 1, parked: 0, lag: 0, … }

await subscription.stop(); // lets the batch in hand finish and be acknowledged
await nc.close();
