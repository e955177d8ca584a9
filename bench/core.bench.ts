/**
 * Core baseline: 100k combat commands through dispatch() + the in-memory store + the in-memory
 * dispatcher, beside the same commands through the pure functions alone (decide + evolve), in one
 * run. Reports events/s, the ratio, and heap retained per stored event.
 * Run: npm run bench -- core
 */
import { Bench } from 'tinybench';
import {
  InMemoryDispatcher,
  InMemoryEventStore,
  decide,
  dispatch,
  evolve,
  initial,
  persistTo,
} from '@eventfan/core';
import type { Versioned } from '@eventfan/core';
import { Combat } from '../examples/combat/src/combat.js';
import type { CombatState } from '../examples/combat/src/combat.js';
import { eventsPerSecond, formatRate, heapUsed, printTable } from './report.js';

const COMMANDS = 100_000;
const OGRES = 1_000; // 100 attacks of 1 damage each: every ogre survives (900 hitpoints)
const attack = (i: number) => ({
  type: 'Attack' as const,
  entityId: `ogre${i % OGRES}`,
  damage: 1,
});

async function throughDispatch(): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  const targets = [persistTo(store), new InMemoryDispatcher({ name: 'memory' })];
  const states = new Map<string, Versioned<CombatState>>();
  for (let i = 0; i < COMMANDS; i++) {
    const command = attack(i);
    const current = states.get(command.entityId) ?? initial(Combat, command.entityId);
    states.set(command.entityId, (await dispatch(Combat, current, command, targets)).state);
  }
  return store;
}

function pureFunctions(): void {
  const states = new Map<string, Versioned<CombatState>>();
  for (let i = 0; i < COMMANDS; i++) {
    const command = attack(i);
    let current = states.get(command.entityId) ?? initial(Combat, command.entityId);
    for (const event of decide(Combat, current, command)) current = evolve(Combat, current, event);
    states.set(command.entityId, current);
  }
}

const bench = new Bench({ iterations: 3, warmupIterations: 1, time: 0, warmupTime: 0 });
bench.add('dispatch + in-memory store + in-memory dispatcher', throughDispatch);
bench.add('decide + evolve only (no envelopes, no targets)', pureFunctions);
await bench.run();

const fullRate = eventsPerSecond(bench.tasks[0], COMMANDS);
const pureRate = eventsPerSecond(bench.tasks[1], COMMANDS);

const before = heapUsed();
const kept = await throughDispatch();
const after = heapUsed();
printTable('core: 100k combat commands', [
  ['dispatch + store + dispatcher', formatRate(fullRate)],
  ['decide + evolve only', formatRate(pureRate)],
  ['ratio dispatch / pure', (fullRate / pureRate).toFixed(3)],
  [
    'heap retained per stored event',
    `${Math.round((after - before) / COMMANDS)} bytes (${kept.streams().length} streams)`,
  ],
]);
